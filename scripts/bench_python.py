#!/usr/bin/env python3
"""The Python package's benchmarks (BENCHMARKS.md, "Python package"):

1. `Network.table` against `recours table` on the same saved graph and points (wall time
   end to end: the CLI reads CSV and writes CSV; the package takes and returns frames), and
   the package's own share (frames in and out) against the engine call inside it;
2. `recours.fca` against PySAL `access` (`two_stage_fca`, E2SFCA weights) on the same
   2-million-pair pandas table: time and peak memory of the call, each in a fresh process.

Usage: bench_python.py DEMO_DIR RECOURS_BIN (a release build of the command line).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FCA_CHILD = r"""
import json, sys, time
import numpy as np, pandas as pd
which = sys.argv[1]
rng = np.random.default_rng(7)
n_o, n_s, per = 40_000, 400, 50
o = np.repeat(np.arange(n_o), per)
s = np.concatenate([rng.choice(n_s, per, replace=False) for _ in range(n_o)])
times = pd.DataFrame({"origin": [f"o{i}" for i in o], "destination": [f"s{j}" for j in s],
                      "minutes": rng.uniform(0, 45, len(o)).round(2)})
demand = pd.DataFrame({"id": [f"o{i}" for i in range(n_o)], "population": rng.uniform(10, 500, n_o)})
supply = pd.DataFrame({"id": [f"s{j}" for j in range(n_s)], "capacity": rng.integers(1, 10, n_s).astype(float)})

def rss(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) / 1024
before = rss("VmRSS:")
open("/proc/self/clear_refs", "w").write("5")
t0 = time.perf_counter()
if which == "recours":
    import recours
    r = recours.fca(times, demand, supply, "e2sfca", max_minutes=30).origins["access"]
else:
    from access import Access, weights
    a = Access(demand_df=demand, demand_index="id", demand_value="population", supply_df=supply,
               supply_index="id", supply_value="capacity", cost_df=times, cost_origin="origin",
               cost_dest="destination", cost_name="minutes")
    r = a.two_stage_fca(name="x", max_cost=30, weight_fn=weights.step_fn({10: 1, 20: 0.68, 30: 0.22}))["x_capacity"]
seconds = time.perf_counter() - t0
peak = rss("VmHWM:") - before
print(json.dumps({"pairs": len(times), "seconds": seconds, "peak_mb": peak, "checksum": float(np.nansum(r))}))
"""


def table_bench(demo: Path, cli: Path) -> dict:
    import numpy as np
    import pandas as pd

    import recours

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        graph = tmp / "demo.rgraph"
        recours.Network.from_osm(demo / "input" / "territory.osm.pbf").save(graph)
        origins = pd.read_csv(demo / "results" / "origins.csv", dtype={"id": str})[["id", "lon", "lat"]]
        sites = pd.read_csv(demo / "results" / "sites.csv", dtype={"id": str})[["id", "lon", "lat"]].drop_duplicates("id")
        origins.to_csv(tmp / "s.csv", index=False)
        sites.to_csv(tmp / "d.csv", index=False)
        runs = {"cli": [], "package": [], "engine": []}
        for _ in range(3):
            t0 = time.perf_counter()
            subprocess.run([str(cli), "table", "--graph", str(graph), "--sources", str(tmp / "s.csv"), "--destinations", str(tmp / "d.csv"), "--out", str(tmp / "t.csv")], check=True, capture_output=True)
            runs["cli"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            net = recours.Network.load(graph)
            table = net.table(origins, sites)
            runs["package"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            net._net._table(*[origins[c].to_numpy(np.float64) for c in ("lon", "lat")], *[sites[c].to_numpy(np.float64) for c in ("lon", "lat")])
            runs["engine"].append(time.perf_counter() - t0)
        return {"sources": len(origins), "destinations": len(sites), "pairs": len(table), **{k: min(v) for k, v in runs.items()}}


def main(demo: str, cli: str) -> None:
    t = table_bench(Path(demo), Path(cli))
    print(json.dumps(t))
    print(f"table {t['sources']} x {t['destinations']} = {t['pairs']:,} pairs: CLI {t['cli']:.3f} s, package {t['package']:.3f} s "
          f"({100 * (t['package'] / t['cli'] - 1):+.1f} % against the CLI); engine call alone {t['engine']:.3f} s")
    for which in ("recours", "pysal"):
        out = subprocess.run([sys.executable, "-c", FCA_CHILD, which], check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"fca {which}: {r['pairs']:,} pairs, {r['seconds']:.2f} s, peak +{r['peak_mb']:.0f} MB, checksum {r['checksum']:.9g}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
