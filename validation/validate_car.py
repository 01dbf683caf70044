#!/usr/bin/env python3
"""Compare recours car times with Valhalla's on the same OpenStreetMap file and points.

For one area (an .osm.pbf, or a line GeoJSON with OSM tags such as an Overpass export,
converted here to a PBF for Valhalla by joining identical vertices):

1. origins: random points on `highway=residential` ways (uniform along their length);
   destinations: pharmacies, hospitals, clinics and doctors from the file's tags (or random
   points on any drivable way when the file has none), topped up with random points on
   drivable ways up to `--destinations`;
2. Valhalla (pyvalhalla, auto costing): tiles built with `valhalla_build_tiles`, then one
   `sources_to_targets` matrix;
3. recours: `recours table --osm|--lines FILE --profile car`;
4. figures over the pairs both routers answered: median and IQR of the time ratio
   recours / Valhalla, Spearman's rank correlation of the times, and the share of origins
   whose nearest destination (by time) is the same in both.

Run by hand (not in CI); docs/validation.md gives the commands. Same seed, same points.
"""

import argparse
import csv
import json
import math
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import osmium

DRIVABLE = {
    "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link",
    "secondary", "secondary_link", "tertiary", "tertiary_link", "unclassified",
    "residential", "living_street",
}
# Walking speed of recours's access and egress legs (snap::DEFAULT_WALK_SPEED_KMH), m/s.
WALK_M_PER_S = 4.5 / 3.6
CARE = {("amenity", "pharmacy"), ("amenity", "hospital"), ("amenity", "clinic"),
        ("amenity", "doctors"), ("healthcare", "doctor"), ("healthcare", "pharmacy")}


def haversine_m(a, b):
    """Great-circle distance in metres between two (lon, lat) pairs."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


def point_along(coords, rng):
    """A point drawn uniformly along a polyline of (lon, lat)."""
    lengths = [haversine_m(coords[i], coords[i + 1]) for i in range(len(coords) - 1)]
    total = sum(lengths)
    if total <= 0:
        return coords[0]
    t = rng.random() * total
    for (a, b), seg in zip(zip(coords, coords[1:]), lengths):
        if t <= seg and seg > 0:
            f = t / seg
            return (a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]))
        t -= seg
    return coords[-1]


class Collector(osmium.SimpleHandler):
    """Ways with a drivable highway (polylines) and care places (nodes, way centroids)."""

    def __init__(self):
        super().__init__()
        self.ways = []  # (highway, [(lon, lat)])
        self.care = []  # (lon, lat)

    def node(self, n):
        if any((k, n.tags.get(k)) in CARE for k in ("amenity", "healthcare")):
            self.care.append((n.location.lon, n.location.lat))

    def way(self, w):
        try:
            coords = [(nd.lon, nd.lat) for nd in w.nodes]
        except osmium.InvalidLocationError:
            return
        hw = w.tags.get("highway")
        if hw in DRIVABLE and len(coords) >= 2:
            self.ways.append((hw, coords))
        if any((k, w.tags.get(k)) in CARE for k in ("amenity", "healthcare")) and coords:
            lon = sum(c[0] for c in coords) / len(coords)
            lat = sum(c[1] for c in coords) / len(coords)
            self.care.append((lon, lat))


def read_geojson_ways(path):
    """Line features of a GeoJSON (properties are OSM tags) as (tags, [(lon, lat)])."""
    data = json.loads(Path(path).read_text())
    out = []
    for f in data["features"]:
        g = f.get("geometry") or {}
        parts = []
        if g.get("type") == "LineString":
            parts = [g["coordinates"]]
        elif g.get("type") == "MultiLineString":
            parts = g["coordinates"]
        tags = {k: str(v) for k, v in (f.get("properties") or {}).items()
                if v is not None and not k.startswith("@") and k != "id"}
        for p in parts:
            if len(p) >= 2:
                out.append((tags, [(c[0], c[1]) for c in p]))
    return out


def geojson_to_pbf(ways, pbf):
    """Write line features as an OSM PBF: vertices equal at 1e-7 degree become one node."""
    ids = {}
    nodes = []
    for _, coords in ways:
        for lon, lat in coords:
            key = (round(lon * 1e7), round(lat * 1e7))
            if key not in ids:
                ids[key] = len(ids) + 1
                nodes.append((ids[key], key))
    if pbf.exists():
        pbf.unlink()
    w = osmium.SimpleWriter(str(pbf))
    for nid, (x, y) in nodes:
        w.add_node(osmium.osm.mutable.Node(id=nid, location=osmium.osm.Location(x / 1e7, y / 1e7),
                                           version=1))
    for i, (tags, coords) in enumerate(ways, start=1):
        refs = [ids[(round(lon * 1e7), round(lat * 1e7))] for lon, lat in coords]
        w.add_way(osmium.osm.mutable.Way(id=i, nodes=refs, tags=tags, version=1))
    w.close()


def choose_points(ways, care, n_orig, n_dest, rng):
    """Origins on residential ways (weighted by length), destinations at care places."""
    def weighted(pool, n):
        lengths = [sum(haversine_m(c[i], c[i + 1]) for i in range(len(c) - 1)) for c in pool]
        picks = rng.choices(pool, weights=lengths, k=n)
        return [point_along(c, rng) for c in picks]

    residential = [c for hw, c in ways if hw == "residential"]
    # Points are not placed where a house is not reached from (motorways, trunks).
    drivable = [c for hw, c in ways if not hw.startswith(("motorway", "trunk"))]
    origins = weighted(residential, n_orig)
    care = sorted(set(care))
    rng.shuffle(care)
    dests = care[:n_dest]
    if len(dests) < n_dest:
        dests += weighted(drivable, n_dest - len(dests))
    return origins, dests


def write_points(path, prefix, pts):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "lon", "lat"])
        for i, (lon, lat) in enumerate(pts):
            w.writerow([f"{prefix}{i:05d}", f"{lon:.7f}", f"{lat:.7f}"])


def valhalla_matrix(pbf, work, origins, dests):
    """Valhalla's auto-costing times in seconds, {(i, j): s}."""
    import valhalla
    from valhalla.config import get_config

    tiles = work / "valhalla_tiles"
    tiles.mkdir(exist_ok=True)
    cfg = get_config(tile_extract="", tile_dir=tiles)
    cfg_path = work / "valhalla.json"
    cfg_path.write_text(json.dumps(cfg))
    if not any(tiles.iterdir()):
        subprocess.run(["valhalla_build_tiles", "-c", str(cfg_path), str(pbf)], check=True,
                       stdout=subprocess.DEVNULL)
    actor = valhalla.Actor(str(cfg_path))
    out = {}
    step = 50
    for s0 in range(0, len(origins), step):
        req = {
            "sources": [{"lon": o[0], "lat": o[1]} for o in origins[s0:s0 + step]],
            "targets": [{"lon": d[0], "lat": d[1]} for d in dests],
            "costing": "auto",
        }
        res = actor.matrix(req)
        for row in res["sources_to_targets"]:
            for cell in row:
                if cell.get("time") is not None:
                    out[(s0 + cell["from_index"], cell["to_index"])] = float(cell["time"])
    return out


def recours_matrix(recours, source_flag, source, work, profile):
    """recours times in seconds, {(i, j): s}, and the walked access + egress per pair in
    metres, {(i, j): m}."""
    out_csv = work / "recours_table.csv"
    cmd = [recours, "table", source_flag, str(source), "--profile", profile,
           "--sources", str(work / "origins.csv"), "--destinations", str(work / "dests.csv"),
           "--out", str(out_csv)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    out = {}
    walked = {}
    with open(out_csv) as f:
        for row in csv.DictReader(f):
            i = int(row["source_id"][1:])
            j = int(row["destination_id"][1:])
            out[(i, j)] = float(row["minutes"]) * 60.0
            walked[(i, j)] = float(row["access_m"]) + float(row["egress_m"])
    return out, walked


def ranks(x):
    order = np.argsort(x, kind="mergesort")
    r = np.empty(len(x))
    r[order] = np.arange(len(x))
    # average ranks of ties
    xs = np.asarray(x)[order]
    i = 0
    while i < len(xs):
        j = i
        while j + 1 < len(xs) and xs[j + 1] == xs[i]:
            j += 1
        r[order[i:j + 1]] = (i + j) / 2
        i = j + 1
    return r


def figures(eng, ref, n_orig):
    """Median/IQR of the ratio, Spearman, same nearest destination share."""
    common = sorted(set(eng) & set(ref))
    e = np.array([eng[k] for k in common])
    v = np.array([ref[k] for k in common])
    keep = v > 0
    ratio = e[keep] / v[keep]
    rho = float(np.corrcoef(ranks(e), ranks(v))[0, 1])
    same = 0
    counted = 0
    for i in range(n_orig):
        ke = [(eng[k], k[1]) for k in common if k[0] == i]
        if not ke:
            continue
        kv = [(ref[k], k[1]) for k in common if k[0] == i]
        counted += 1
        same += min(ke)[1] == min(kv)[1]
    return {
        "pairs": len(common),
        "pairs_recours_only": len(set(eng) - set(ref)),
        "pairs_valhalla_only": len(set(ref) - set(eng)),
        "median_ratio": float(np.median(ratio)),
        "iqr_ratio": (float(np.quantile(ratio, 0.25)), float(np.quantile(ratio, 0.75))),
        "spearman": rho,
        "same_nearest": same / counted if counted else float("nan"),
        "origins_compared": counted,
        "median_valhalla_min": float(np.median(v)) / 60,
        "median_recours_min": float(np.median(e)) / 60,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input", type=Path, help=".osm.pbf, or a line GeoJSON with OSM tags")
    ap.add_argument("--work", type=Path, required=True, help="folder for tiles and CSVs")
    ap.add_argument("--recours", default="target/release/recours")
    ap.add_argument("--profile", default="car")
    ap.add_argument("--origins", type=int, default=1000)
    ap.add_argument("--destinations", type=int, default=25)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--reuse-reference", action="store_true",
                    help="reuse the Valhalla times saved by an earlier run (same points)")
    args = ap.parse_args()

    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    if args.input.suffix.lower() in (".geojson", ".json"):
        gj = read_geojson_ways(args.input)
        pbf = work / "converted.osm.pbf"
        geojson_to_pbf(gj, pbf)
        ways = [(t.get("highway"), c) for t, c in gj if t.get("highway") in DRIVABLE]
        care = []
        flag, source = "--lines", args.input
    else:
        col = Collector()
        col.apply_file(str(args.input), locations=True)
        ways, care = col.ways, col.care
        pbf = args.input
        flag, source = "--osm", args.input
    origins, dests = choose_points(ways, care, args.origins, args.destinations, rng)
    write_points(work / "origins.csv", "o", origins)
    write_points(work / "dests.csv", "d", dests)

    cache = work / "valhalla_times.json"
    if args.reuse_reference and cache.exists():
        ref = {tuple(k): v for k, v in json.loads(cache.read_text())}
    else:
        ref = valhalla_matrix(pbf, work, origins, dests)
        cache.write_text(json.dumps([[list(k), v] for k, v in sorted(ref.items())]))
    eng, walked = recours_matrix(args.recours, flag, source, work, args.profile)
    fig = figures(eng, ref, len(origins))
    # The same figures on the driven part only: a point off the road (a care place inside
    # a building, a street on an island pruned as too small) walks to the nearest routable
    # road in recours, timed at the walking speed of `recours table` (4.5 km/h), where
    # Valhalla snaps it to its nearest well-connected edge and times nothing.
    driven = {k: t - walked[k] / WALK_M_PER_S for k, t in eng.items()}
    fig["driven_only"] = figures(driven, ref, len(origins))
    fig["area"] = args.input.name
    fig["origins"] = len(origins)
    fig["destinations"] = len(dests)
    fig["care_destinations"] = min(len(set(care)), args.destinations)
    (work / "figures.json").write_text(json.dumps(fig, indent=2))
    print(json.dumps(fig, indent=2))


if __name__ == "__main__":
    sys.exit(main())
