"""Points and sites out of (Geo)DataFrames, indicators back into them.

A point frame has an ``id`` column (else its index gives the ids) and either a point
geometry (a GeoDataFrame, reprojected to WGS84 when it has another CRS) or ``lon`` and
``lat`` columns in WGS84 degrees.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Filosofi's age-band columns, in the engine's order.
AGE_COLUMNS = [
    "ind_0_3",
    "ind_4_5",
    "ind_6_10",
    "ind_11_17",
    "ind_18_24",
    "ind_25_39",
    "ind_40_54",
    "ind_55_64",
    "ind_65_79",
    "ind_80p",
]


def ids_of(df: pd.DataFrame, column: str = "id") -> np.ndarray:
    """The ids of a frame's rows as strings: its ``column`` when present, else its index."""
    values = df[column] if column in df.columns else df.index.to_series()
    ids = values.astype(str).to_numpy()
    if len(set(ids)) != len(ids):
        dup = pd.Series(ids)[pd.Series(ids).duplicated()].iloc[0]
        raise ValueError(f"{column}: id {dup!r} is given twice")
    return ids


def lonlat(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude (WGS84 degrees) of a frame's points, as float64 arrays."""
    geom = getattr(df, "geometry", None) if "geometry" in df.columns else None
    if geom is not None and hasattr(geom, "x"):
        if geom.crs is not None and geom.crs.to_epsg() != 4326:
            geom = geom.to_crs(4326)
        if not (geom.geom_type == "Point").all():
            geom = geom.representative_point()
        return geom.x.to_numpy(np.float64), geom.y.to_numpy(np.float64)
    if {"lon", "lat"} <= set(df.columns):
        return df["lon"].to_numpy(np.float64), df["lat"].to_numpy(np.float64)
    raise ValueError(
        "points need a point geometry (GeoDataFrame) or lon and lat columns (WGS84); "
        f"found columns {list(df.columns)}"
    )


def column_or(df: pd.DataFrame, name: str | None, default: float, dtype=np.float64) -> np.ndarray:
    """A numeric column as an array, or ``default`` for every row when absent."""
    if name is not None and name in df.columns:
        return pd.to_numeric(df[name], errors="raise").to_numpy(dtype)
    return np.full(len(df), default, dtype=dtype)


def site_arrays(sites: pd.DataFrame, category: str | None, capacity: str, activity: str, age: str):
    """The arrays of the engine's sites: ids, lon, lat, categories, capacity, activity (NaN
    unknown), age (−1 unknown)."""
    lon, lat = lonlat(sites)
    if category is not None and category in sites.columns:
        cats = sites[category].astype(str).tolist()
    else:
        raise ValueError(f"sites need a {category!r} column (category of care)")
    ages = pd.to_numeric(sites[age], errors="raise") if age in sites.columns else None
    age_arr = ages.fillna(-1).to_numpy(np.int64) if ages is not None else np.full(len(sites), -1, np.int64)
    return (
        ids_of(sites).tolist(),
        lon,
        lat,
        cats,
        column_or(sites, capacity, 1.0),
        column_or(sites, activity, np.nan),
        age_arr,
    )


def origin_arrays(origins: pd.DataFrame, population: str, use_ages: bool):
    """The arrays of the engine's origins: lon, lat, population, age bands (n × 10) when
    asked and present."""
    lon, lat = lonlat(origins)
    pop = column_or(origins, population, 1.0)
    ages = None
    if use_ages and set(AGE_COLUMNS) <= set(origins.columns):
        ages = np.ascontiguousarray(origins[AGE_COLUMNS].to_numpy(np.float64))
    return lon, lat, pop, ages


def ordinal(k: int) -> str:
    """``3`` → ``3rd``, as the study names its k-th nearest columns."""
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def indicator_frame(result: dict, origin_ids: np.ndarray, site_ids: np.ndarray) -> pd.DataFrame:
    """One row per origin, one column per indicator of an engine result dict:
    ``{cat}_minutes``, ``{cat}_km``, ``{cat}_site``, ``{cat}_{k}th_minutes`` (``gp_3rd_minutes``);
    ``{cat}_sites_{t}min`` and ``{cat}_capacity_{t}min`` (NaN for an origin not on the
    network); ``{name}`` and
    ``{name}_in_catchment`` per floating-catchment indicator (NaN: no value, never 0)."""
    cols: dict[str, np.ndarray] = {}
    for cat, d in result["nearest"].items():
        cols[f"{cat}_minutes"] = d["minutes"]
        cols[f"{cat}_km"] = d["km"]
        site = d["site"]
        cols[f"{cat}_site"] = np.where(site >= 0, site_ids[np.maximum(site, 0)], None)
        if "kth_minutes" in d:
            cols[f"{cat}_{ordinal(d['k'])}_minutes"] = d["kth_minutes"]
    # Coverage of an origin not on the network is no value (as the study writes it), not 0.
    unsnapped = np.array([i for i, _ in result["unsnapped_origins"]], dtype=np.intp)
    for cat, d in result["coverage"].items():
        for k, t in enumerate(d["thresholds"]):
            label = f"{t:g}"
            for name, values in (("sites", d["sites"]), ("capacity", d["capacity"])):
                column = values[:, k].astype(np.float64)
                column[unsnapped] = np.nan
                cols[f"{cat}_{name}_{label}min"] = column
    for name, d in result["fca"].items():
        cols[name] = d["access"]
        cols[f"{name}_in_catchment"] = d["in_catchment"]
    frame = pd.DataFrame(cols, index=pd.Index(origin_ids, name="id"))
    frame["demand"] = result["demand"]
    return frame


def site_frames(result: dict, site_ids: np.ndarray) -> dict[str, pd.DataFrame]:
    """Per floating-catchment indicator, its sites' weighted demand and ratio."""
    return {
        name: pd.DataFrame(
            {"weighted_demand": d["weighted_demand"], "ratio": d["ratio"]},
            index=pd.Index(site_ids[d["sites"]], name="site"),
        )
        for name, d in result["fca"].items()
    }


def unsnapped_frame(pairs: list[tuple[int, str]], ids: np.ndarray, what: str) -> pd.DataFrame:
    """The points that could not be snapped: ``id``, ``reason``."""
    return pd.DataFrame(
        {"id": [ids[i] for i, _ in pairs], "reason": [r for _, r in pairs], "input": what},
        columns=["id", "reason", "input"],
    )


def with_geometry(frame: pd.DataFrame, like: pd.DataFrame, ids: np.ndarray):
    """``frame`` (indexed by id) with the geometry of ``like`` when it is a GeoDataFrame."""
    if "geometry" in like.columns and hasattr(like, "crs"):
        import geopandas as gpd

        out = frame.reset_index()
        return gpd.GeoDataFrame(out, geometry=like.geometry.to_numpy(), crs=like.crs)
    return frame.reset_index()
