"""Scenarios: each edit computed by the incremental engine equals a full computation of the
edited supply (bit for bit), and the deltas are the differences."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import recours

SPEC = dict(
    nearest=["gp", "radiology"],
    k=3,
    coverage=["gp"],
    thresholds=[10, 20],
    fca=[
        {"name": "gp_e2sfca", "category": "gp", "method": "e2sfca", "max_minutes": 30},
        {"name": "apl", "category": "gp", "method": "apl"},
    ],
)


@pytest.fixture(scope="module")
def setting(demo):
    out, study = demo
    net = recours.Network.from_osm(out / "input" / "territory.osm.pbf")
    origins = study.tables["origins"][["id", "lon", "lat", "population"]]
    sites = study.tables["sites"][["id", "lon", "lat", "category", "capacity", "activity", "age"]]
    sites = sites[sites["category"].isin(["gp", "radiology"])].drop_duplicates("id").reset_index(drop=True)
    return net, origins, sites


def assert_same(a: pd.DataFrame, b: pd.DataFrame):
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=True)


def test_edits_equal_a_full_computation(setting):
    net, origins, sites = setting
    sc = recours.Scenario(net, origins, sites, **SPEC)
    full = net.access(origins, sites, **SPEC)
    assert_same(sc.baseline, full)

    gps = sites[sites["category"] == "gp"]["id"].tolist()
    closed = gps[:3]
    new = pd.DataFrame({"id": ["msp-1"], "lon": [sites["lon"].mean()], "lat": [sites["lat"].mean()], "category": ["gp"], "capacity": [4.0], "activity": [np.nan], "age": [np.nan]})
    moved = {gps[5]: (sites["lon"].iloc[0] + 0.01, sites["lat"].iloc[0])}
    capacity = {gps[6]: 3.0}
    r = sc.variant(remove=closed, add=new, move=moved, capacity=capacity)
    assert r.stats["removed"] == 3 and r.stats["added"] == 1 and r.stats["changed"] == 2

    edited = sites[~sites["id"].isin(closed)].copy()
    edited.loc[edited["id"] == gps[5], ["lon", "lat"]] = moved[gps[5]]
    edited.loc[edited["id"] == gps[6], "capacity"] = 3.0
    edited = pd.concat([edited, new], ignore_index=True)
    assert_same(r.origins, net.access(origins, edited, **SPEC))

    numeric = r.delta.columns.drop("id")
    expected = r.origins[numeric].astype(float) - sc.baseline[numeric].astype(float)
    assert_same(r.delta[numeric], expected)
    # Closing GPs and opening one changes some GP times, never the radiology ones.
    assert (r.delta["radiology_minutes"].fillna(0) == 0).all()
    assert (r.delta["gp_minutes"].fillna(0) != 0).any()


def test_closing_every_gp_leaves_no_gp_time(setting):
    net, origins, sites = setting
    sc = recours.Scenario(net, origins, sites, nearest=["gp"], fca=[SPEC["fca"][0]])
    r = sc.remove(sites.loc[sites["category"] == "gp", "id"])
    assert r.origins["gp_minutes"].isna().all()
    assert (r.origins["gp_e2sfca"].fillna(0) == 0).all()


def test_unknown_site_is_an_error(setting):
    net, origins, sites = setting
    sc = recours.Scenario(net, origins, sites, nearest=["gp"])
    with pytest.raises(KeyError, match="no baseline site"):
        sc.remove(["not-a-site"])
