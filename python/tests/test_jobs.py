"""The file-based jobs from Python against the command line on the same inputs (ICC,
zonage), and a study's outputs read back and recomputed by the package's network calls."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import recours
from conftest import run_cli

ZONAGE = """
[rule_2017]
column = "apl"
zip_b_population = 5000
zac_population = 5000
outside_eligible_share = 0.05
"""


def read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_icc_equals_the_command_line(cli, tmp_path, demo):
    out, _ = demo
    inp = out / "input"
    args = dict(rates=inp / "reference_rates.csv", acts_per_fte={"radiology": 9000, "gastro": 4500})
    got = recours.icc(inp / "consumption.csv", read(inp / "population_by_age_sex.csv"), inp / "cpts.csv", **args)
    done = run_cli(
        cli, "icc", "--consumption", inp / "consumption.csv", "--population", inp / "population_by_age_sex.csv",
        "--territories", inp / "cpts.csv", "--rates", inp / "reference_rates.csv",
        "--acts-per-fte", "radiology=9000,gastro=4500", "--out", tmp_path / "icc.csv",
    )
    assert done.returncode == 0, done.stderr
    want = pd.read_csv(tmp_path / "icc.csv", dtype={"territory": str})
    pd.testing.assert_frame_equal(got.table, want)
    pd.testing.assert_frame_equal(got.summary, pd.read_csv(tmp_path / "icc.summary.csv"))
    assert (got.table["icc"] > 0).all()


def test_icc_typology_joins_access(demo):
    out, study = demo
    inp = out / "input"
    cpts = study.layers["cpts"]
    access = pd.DataFrame({"code": cpts["code"], "radiology_minutes_mean": cpts["radiology_minutes_mean"]})
    r = recours.icc(inp / "consumption.csv", inp / "population_by_age_sex.csv", inp / "cpts.csv",
                    rates=inp / "reference_rates.csv", access=access, typology="radiology_minutes_mean:5:above")
    assert set(r.typology["typology"].dropna()) <= {"low ICC & far", "low ICC & near", "high ICC & far", "high ICC & near"}
    assert len(r.typology) == len(r.table[r.table["level"] == "territory"])


def test_zonage_equals_the_command_line(cli, tmp_path, demo):
    out, study = demo
    communes = study.tables["zonage_commune"]
    units = pd.DataFrame({"code": communes["code"], "population": communes["population"], "apl": communes["rule_2017_apl"]})
    got = recours.zonage(units, ZONAGE)
    units.to_csv(tmp_path / "units.csv", index=False)
    (tmp_path / "z.toml").write_text(ZONAGE)
    done = run_cli(cli, "zonage", "--units", tmp_path / "units.csv", "--config", tmp_path / "z.toml", "--out", tmp_path / "z.csv")
    assert done.returncode == 0, done.stderr
    pd.testing.assert_frame_equal(got.table, pd.read_csv(tmp_path / "z.csv", dtype={"code": str}))
    assert set(got.table["rule_2017_class"].dropna()) <= {"zip-a", "zip-b", "zac", "vigilance", "outside-eligible", "outside"}
    assert (got.table["rule_2017_class"] == "zip-a").any()
    with pytest.raises(recours.RecoursError, match="zonage settings"):
        recours.zonage(units, "[rule_2017]\nzip_mx = 2\n")


def test_study_layers_and_manifest(demo):
    _, study = demo
    for name in ("origins", "sites", "commune", "qpv", "cpts"):
        assert study.layers[name].crs.to_epsg() == 4326, name
    assert len(study.layers["origins"]) == len(study.tables["origins"])
    assert study.manifest and "inputs" in study.manifest
    ran = recours.read_study(study.out)
    assert ran.tables["origins"].equals(study.tables["origins"])


STUDY = """
name = "package against study"
[network]
osm = "{pbf}"
[population]
kind = "points"
path = "origins.csv"
[[supply]]
kind = "points"
path = "sites.csv"
columns = {{ category = "category", capacity = "capacity" }}
[indicators]
nearest = ["gp", "radiology"]
kth = 3
coverage = ["gp"]
thresholds = [10, 20]
[[indicators.fca]]
name = "gp_e2sfca"
category = "gp"
method = "e2sfca"
max_minutes = 30
[output]
dir = "results"
"""


def test_network_indicators_equal_a_study_on_the_same_points(tmp_path, demo):
    """`net.access` on points equals `recours run` (the study engine) on the same points,
    to the digits the study writes."""
    out, study = demo
    origins = study.tables["origins"][["id", "lon", "lat", "demand"]].rename(columns={"demand": "population"})
    sites = study.tables["sites"][["id", "lon", "lat", "category", "capacity"]]
    sites = sites[sites["category"].isin(["gp", "radiology"])]
    origins.to_csv(tmp_path / "origins.csv", index=False)
    sites.to_csv(tmp_path / "sites.csv", index=False)
    pbf = out / "input" / "territory.osm.pbf"
    (tmp_path / "study.toml").write_text(STUDY.format(pbf=pbf))
    ran = recours.run_study(tmp_path / "study.toml")
    want = ran.tables["origins"].set_index("id")
    net = recours.Network.from_osm(pbf)
    got = net.access(
        origins, sites, nearest=["gp", "radiology"], k=3, coverage=["gp"], thresholds=[10, 20],
        fca=[{"name": "gp_e2sfca", "category": "gp", "method": "e2sfca", "max_minutes": 30}],
    ).set_index("id")
    assert got.index.equals(want.index)
    for col in ["gp_minutes", "gp_km", "gp_3rd_minutes", "radiology_minutes", "radiology_3rd_minutes"]:
        mine = got[col].map(lambda v: "" if np.isnan(v) else f"{v:.3f}")
        theirs = want[col].map(lambda v: "" if np.isnan(v) else f"{v:.3f}")
        assert (mine == theirs).all(), col
    assert (got["gp_site"].fillna("") == want["gp_site"].fillna("")).all()
    for col in ["gp_sites_10min", "gp_capacity_20min"]:
        a, b = got[col].to_numpy(np.float64), want[col].to_numpy(np.float64)
        bad = ~((a == b) | (np.isnan(a) & np.isnan(b)))
        assert not bad.any(), (col, got.loc[bad, col].head().to_dict(), want.loc[bad, col].head().to_dict())
    np.testing.assert_allclose(got["gp_e2sfca"], want["gp_e2sfca"], rtol=1e-12)
    assert got["gp_minutes"].notna().mean() > 0.9
    assert ran.means["gp_minutes"] is not None
