"""`Network.table` equals `recours table` on the same points, row for row (ids, minutes
and km as the command line writes them), on the real Monaco extract and on the demo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import recours
from conftest import real, run_cli


def random_points(rng, n, bbox, prefix):
    lon = rng.uniform(bbox[0], bbox[2], n)
    lat = rng.uniform(bbox[1], bbox[3], n)
    return pd.DataFrame({"id": [f"{prefix}{i:03d}" for i in range(n)], "lon": lon.round(6), "lat": lat.round(6)})


def as_cli_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The package's table formatted as the command line writes it (3 decimals)."""
    return pd.DataFrame(
        {
            "source_id": table["source_id"],
            "destination_id": table["destination_id"],
            "minutes": [f"{m:.3f}" for m in table["minutes"]],
            "km": [f"{k:.3f}" for k in table["km"]],
        }
    )


def compare_with_cli(cli, tmp_path, source_args, net, sources, destinations, max_minutes=None):
    s, d, out = tmp_path / "sources.csv", tmp_path / "destinations.csv", tmp_path / "table.csv"
    sources.to_csv(s, index=False)
    destinations.to_csv(d, index=False)
    args = ["table", *source_args, "--sources", s, "--destinations", d, "--out", out]
    if max_minutes is not None:
        args += ["--max-minutes", str(max_minutes)]
    done = run_cli(cli, *args)
    assert done.returncode == 0, done.stderr
    want = pd.read_csv(out, dtype=str, keep_default_na=False)
    got = net.table(sources, destinations, max_minutes=max_minutes)
    assert len(got) > 0
    pd.testing.assert_frame_equal(as_cli_rows(got), want)
    rejects = pd.read_csv(tmp_path / "table.rejects.csv", dtype=str, keep_default_na=False)
    assert len(rejects) == len(got.attrs["unsnapped"]) + len(got.attrs["unreachable"])
    return got


def test_monaco_table_equals_the_command_line(cli, tmp_path):
    pbf = real("osm/monaco.osm.pbf")
    rng = np.random.default_rng(2026)
    bbox = (7.405, 43.725, 7.44, 43.75)
    sources = random_points(rng, 40, bbox, "s")
    destinations = random_points(rng, 25, bbox, "d")
    net = recours.Network.from_osm(pbf, profile="car")
    got = compare_with_cli(cli, tmp_path, ["--osm", pbf], net, sources, destinations)
    assert got["minutes"].between(0, 60).all()


def test_demo_table_equals_the_command_line_with_a_bound(cli, tmp_path, demo):
    out, study = demo
    net = recours.Network.from_osm(out / "input" / "territory.osm.pbf")
    origins = study.tables["origins"].iloc[::25][["id", "lon", "lat"]]
    sites = study.tables["sites"][["id", "lon", "lat"]].drop_duplicates("id").iloc[::3]
    got = compare_with_cli(cli, tmp_path, ["--osm", out / "input" / "territory.osm.pbf"], net, origins, sites, max_minutes=20)
    assert got["minutes"].max() <= 20


def test_save_load_and_geodataframes(tmp_path, demo):
    gpd = pytest.importorskip("geopandas")
    out, study = demo
    net = recours.Network.from_osm(out / "input" / "territory.osm.pbf")
    info = net.info()
    assert info["nodes"] > 0 and info["edges"] > 0 and info["profile"] == "car"
    net.save(tmp_path / "g.bin")
    again = recours.Network.load(tmp_path / "g.bin")
    assert again.info()["edges"] == info["edges"]
    pts = study.tables["origins"].iloc[::40][["id", "lon", "lat"]]
    # The same points as a GeoDataFrame in Lambert-93: reprojected to WGS84 first.
    geo = gpd.GeoDataFrame(pts[["id"]], geometry=gpd.points_from_xy(pts["lon"], pts["lat"]), crs=4326).to_crs(2154)
    a = net.table(pts, pts.iloc[:5])
    b = again.table(geo, geo.iloc[:5])
    pd.testing.assert_frame_equal(as_cli_rows(a), as_cli_rows(b))


def test_engine_errors_are_python_exceptions_with_the_cli_message(cli, tmp_path):
    missing = tmp_path / "nowhere.osm.pbf"
    done = run_cli(cli, "network", "build", "--osm", missing, "--out", tmp_path / "g.bin")
    assert done.returncode != 0
    message = done.stderr.strip().splitlines()[-1].removeprefix("error: ")
    with pytest.raises(recours.RecoursError) as e:
        recours.Network.from_osm(missing)
    assert str(e.value) == message
    with pytest.raises(recours.RecoursError, match="profile"):
        recours.Network.from_osm(missing, profile="bicycle-on-the-moon")
