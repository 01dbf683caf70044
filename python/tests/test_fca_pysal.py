"""`recours.fca` on pandas times tables against PySAL `access`: the golden files of
tests/fixtures/pysal_fca (produced by PySAL, see its README) and PySAL run live on the same
tables, to 1e-9 relative."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import recours
from conftest import FIXTURES

GOLDEN = FIXTURES / "pysal_fca"

CASES = [
    # case, fixture set, method, parameters, normalize, site ratios checked
    ("2sfca_30", "", "2sfca", {"max_minutes": 30}, False, True),
    ("2sfca_20", "", "2sfca", {"max_minutes": 20}, False, True),
    ("2sfca_30_normalized", "", "2sfca", {"max_minutes": 30}, True, False),
    ("e2sfca_step_30", "", "e2sfca", {"max_minutes": 30}, False, True),
    ("gaussian_s10_30", "", "gaussian", {"sigma_minutes": 10, "max_minutes": 30}, False, True),
    ("gravity_s10_a-1.5_min5_30", "", "gravity", {"power": 1.5, "min_minutes": 5, "scale_minutes": 10, "max_minutes": 30}, False, True),
    ("bounds_2sfca_10", "_bounds", "2sfca", {"max_minutes": 10}, False, True),
    ("bounds_2sfca_20", "_bounds", "2sfca", {"max_minutes": 20}, False, True),
    ("bounds_2sfca_30", "_bounds", "2sfca", {"max_minutes": 30}, False, True),
    ("bounds_e2sfca_step_20", "_bounds", "2sfca", {"bands": [(10, 1), (20, 0.68)]}, False, True),
    ("bounds_e2sfca_step_30", "_bounds", "e2sfca", {"max_minutes": 30}, False, True),
]


def tables(suffix: str):
    read = lambda name: pd.read_csv(GOLDEN / f"{name}{suffix}.csv", dtype={"id": str, "origin": str, "destination": str})  # noqa: E731
    return read("times"), read("demand"), read("supply")


def close(got: float, want: float) -> bool:
    return abs(got - want) <= 1e-9 * max(abs(want), 1e-300)


@pytest.mark.parametrize("case,suffix,method,params,normalize,ratios", CASES, ids=[c[0] for c in CASES])
def test_golden(case, suffix, method, params, normalize, ratios):
    times, demand, supply = tables(suffix)
    r = recours.fca(times, demand, supply, method, normalize=normalize, **params)
    assert r.rejects.empty
    want = pd.read_csv(GOLDEN / f"expected_{case}.csv", dtype={"origin": str}).set_index("origin")["access"]
    col = "access_normalized" if normalize else "access"
    assert sorted(r.origins.index) == sorted(want.index)
    for oid, w in want.items():
        g = r.origins.loc[oid, col]
        if math.isnan(w):
            assert not r.origins.loc[oid, "in_catchment"] and math.isnan(g), oid
        else:
            assert close(g, w), f"{case} {oid}: recours {g} vs PySAL {w}"
    if ratios:
        want = pd.read_csv(GOLDEN / f"expected_{case}_site_ratios.csv", dtype={"site": str}).set_index("site")
        for sid, row in r.sites.iterrows():
            if sid in want.index:
                assert close(row["ratio"], want.loc[sid, "ratio"]), sid
                assert close(row["weighted_demand"], want.loc[sid, "weighted_demand"]), sid
            else:
                assert math.isnan(row["ratio"]), f"{sid}: PySAL gives no ratio"


def pysal_access(times, demand, supply, weight_fn, max_cost):
    """PySAL's 2SFCA access per origin (NaN in no catchment)."""
    from access import Access

    a = Access(
        demand_df=demand.copy(),
        demand_index="id",
        demand_value="population",
        supply_df=supply.copy(),
        supply_index="id",
        supply_value="capacity",
        cost_df=times.copy(),
        cost_origin="origin",
        cost_dest="destination",
        cost_name="minutes",
    )
    kw = {} if weight_fn is None else {"weight_fn": weight_fn}
    return a.two_stage_fca(name="x", max_cost=max_cost, **kw)["x_capacity"]


def test_live_pysal_on_a_random_table():
    """PySAL run here on a random table with ties on the band bounds."""
    from access import weights

    rng = np.random.default_rng(15)
    origins = [f"o{i}" for i in range(60)]
    sites = [f"s{j}" for j in range(12)]
    pairs = [(o, s) for o in origins for s in sites if rng.random() < 0.6]
    times = pd.DataFrame(pairs, columns=["origin", "destination"])
    times["minutes"] = np.round(rng.uniform(0, 40, len(times)) * 2) / 2
    demand = pd.DataFrame({"id": origins, "population": rng.uniform(50, 5000, len(origins))})
    supply = pd.DataFrame({"id": sites, "capacity": rng.integers(1, 12, len(sites)).astype(float)})
    for method, params, fn in [
        ("2sfca", {"max_minutes": 20}, None),
        ("e2sfca", {"max_minutes": 30}, weights.step_fn({10: 1, 20: 0.68, 30: 0.22})),
        ("gaussian", {"sigma_minutes": 10, "max_minutes": 30}, weights.gaussian(10)),
    ]:
        want = pysal_access(times, demand, supply, fn, params["max_minutes"])
        got = recours.fca(times, demand, supply, method, **params).origins["access"]
        for oid, w in want.items():
            g = got.loc[str(oid)]
            assert (math.isnan(w) and math.isnan(g)) or close(g, w), f"{method} {oid}: {g} vs {w}"


def test_rows_that_cannot_be_used_are_listed_not_dropped():
    times, demand, supply = tables("")
    bad = pd.concat(
        [
            times,
            pd.DataFrame(
                {"origin": ["nobody", "O01", "O02"], "destination": ["S1", "S9", "S1"], "minutes": [3.0, 4.0, -1.0]}
            ),
            times.iloc[[0]],
        ],
        ignore_index=True,
    )
    with pytest.warns(UserWarning, match="4 rows"):
        r = recours.fca(bad, demand, supply, "2sfca", max_minutes=30)
    assert sorted(r.rejects["reason"]) == sorted(
        [
            "origin is not in the demand table",
            "destination is not in the supply table",
            "minutes is not a non-negative number",
            "pair given twice",
        ]
    )
    clean = recours.fca(times, demand, supply, "2sfca", max_minutes=30)
    pd.testing.assert_frame_equal(r.origins, clean.origins)


def test_engine_errors_carry_the_command_line_message():
    times, demand, supply = tables("")
    with pytest.raises(recours.RecoursError, match="unknown method \"3sfca\""):
        recours.fca(times, demand, supply, "3sfca")


def test_apl_equals_the_command_line(cli, tmp_path):
    """The APL with its supply rules (activity floor and cap, age limit) on a times table,
    against `recours fca --method apl` on the same files."""
    from conftest import run_cli

    times, demand, supply = tables("")
    supply = supply.assign(
        activity=[2500.0, 7000.0, None, 4800.0, 4000.0],
        age=pd.array([70, 50, None, 64, 40], dtype="Int64"),
    )
    for name, frame in (("times", times), ("demand", demand), ("supply", supply)):
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    done = run_cli(
        cli, "fca", "--times", tmp_path / "times.csv", "--demand", tmp_path / "demand.csv", "--supply", tmp_path / "supply.csv",
        "--method", "apl", "--max-age", "65", "--out", tmp_path / "apl.csv", "--sites-out", tmp_path / "apl_sites.csv",
    )
    assert done.returncode == 0, done.stderr
    want = pd.read_csv(tmp_path / "apl.csv", dtype={"origin": str}).set_index("origin")
    got = recours.fca(times, demand, supply, "apl", max_age=65).origins
    assert got["in_catchment"].tolist() == want.loc[got.index, "in_catchment"].tolist()
    np.testing.assert_allclose(got["access"].to_numpy(), want.loc[got.index, "access"].to_numpy(), rtol=1e-12)
    assert got["access"].notna().any()
