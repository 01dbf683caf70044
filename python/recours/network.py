"""The road network and what is computed on it: travel-time tables, nearest care,
coverage, floating-catchment indicators (2SFCA, E2SFCA, kernels) and the APL."""

from __future__ import annotations

from os import PathLike
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from . import _recours
from .frames import (
    ids_of,
    indicator_frame,
    lonlat,
    origin_arrays,
    site_arrays,
    site_frames,
    unsnapped_frame,
    with_geometry,
)


def _fca_request(name: str, category: str, method: str, params: dict[str, Any]) -> tuple:
    known = {
        "max_minutes",
        "bands",
        "side",
        "sigma_minutes",
        "beta_per_minute",
        "power",
        "min_minutes",
        "scale_minutes",
        "max_age",
    }
    unknown = set(params) - known
    if unknown:
        raise TypeError(f"unknown method parameters {sorted(unknown)}; known: {sorted(known)}")
    if "bands" in params and not isinstance(params["bands"], str):
        params = dict(params, bands=",".join(f"{t:g}:{w:g}" for t, w in params["bands"]))
    return (name, category, method, {**dict.fromkeys(known), **params})


def _ranks(ids: np.ndarray) -> np.ndarray:
    """Each id's rank in text order."""
    ranks = np.empty(len(ids), dtype=np.int64)
    ranks[np.argsort(ids, kind="stable")] = np.arange(len(ids))
    return ranks


class Network:
    """A routing graph (travel times from a profile, car or walking).

    Build it with :meth:`from_osm` or :meth:`from_lines`, or :meth:`load` one saved by
    :meth:`save` or ``recours network build``.
    """

    def __init__(self, inner: _recours.Network):
        self._net = inner

    @classmethod
    def from_osm(cls, path: str | PathLike, profile: str = "car", min_component: int | None = None) -> "Network":
        """The graph of an OpenStreetMap file (``.osm.pbf`` or ``.osm``) through a profile
        (``car``, ``walk`` or a profile TOML file)."""
        return cls(_recours.Network.from_osm(str(path), profile, min_component))

    @classmethod
    def from_lines(
        cls,
        path: str | PathLike,
        profile: str = "car",
        layer: str | None = None,
        min_component: int | None = None,
    ) -> "Network":
        """The graph of a GDAL line layer (GeoJSON, GeoPackage, Shapefile: BD TOPO, Overpass…)."""
        return cls(_recours.Network.from_lines(str(path), profile, layer, min_component))

    @classmethod
    def load(cls, path: str | PathLike) -> "Network":
        """A graph saved earlier."""
        return cls(_recours.Network.load(str(path)))

    def save(self, path: str | PathLike) -> None:
        """Saves the graph (readable by ``recours --graph`` and :meth:`load`)."""
        self._net.save(str(path))

    def info(self) -> dict[str, Any]:
        """Profile, nodes, directed edges, road pieces (and km per class when built here)."""
        return self._net.info()

    def __repr__(self) -> str:
        return repr(self._net)

    def table(
        self,
        sources: pd.DataFrame,
        destinations: pd.DataFrame,
        max_minutes: float | None = None,
        max_snap_m: float = 1000.0,
    ) -> pd.DataFrame:
        """Travel times between two point sets, like ``recours table``.

        One row per reachable pair: ``source_id, destination_id, minutes, km``, sorted by
        source then destination id (the CLI's order). Network km exclude the access legs.
        Points not snapped and pairs not reached are in ``.attrs["unsnapped"]`` and
        ``.attrs["unreachable"]`` (never silently dropped).
        """
        s_ids, d_ids = ids_of(sources), ids_of(destinations)
        s_lon, s_lat = lonlat(sources)
        d_lon, d_lat = lonlat(destinations)
        (si, di, ms, dm), un_s, un_d, unreachable = self._net._table(
            s_lon, s_lat, d_lon, d_lat, max_minutes, max_snap_m
        )
        # The CLI's order (source id, then destination id, as text) from the ids' ranks:
        # a sort of integers rather than of the pairs' strings.
        order = np.lexsort((_ranks(d_ids)[di], _ranks(s_ids)[si]))
        si, di = si[order], di[order]
        out = pd.DataFrame(
            {
                "source_id": s_ids[si],
                "destination_id": d_ids[di],
                "minutes": ms[order] / 60_000.0,
                "km": dm[order] / 10_000.0,
            }
        )
        out.attrs["unsnapped"] = pd.concat(
            [unsnapped_frame(un_s, s_ids, "sources"), unsnapped_frame(un_d, d_ids, "destinations")],
            ignore_index=True,
        )
        out.attrs["unreachable"] = pd.DataFrame(
            {"source_id": [s_ids[i] for i, _ in unreachable], "destination_id": [d_ids[j] for _, j in unreachable]}
        )
        return out

    def access(
        self,
        origins: pd.DataFrame,
        sites: pd.DataFrame,
        *,
        nearest: Sequence[str] = (),
        k: int = 1,
        nearest_max_minutes: float | None = None,
        coverage: Sequence[str] = (),
        thresholds: Sequence[float] = (),
        fca: Iterable[dict[str, Any]] = (),
        population: str = "population",
        age_weights: Sequence[float] | None = None,
        category: str = "category",
        capacity: str = "capacity",
        activity: str = "activity",
        age: str = "age",
        max_snap_m: float = 1000.0,
    ):
        """Every indicator at once, as the study computes them (one pass).

        ``fca`` is a list of dicts ``{"name", "category", "method", **parameters}``.
        Returns the origins with one column per indicator (a GeoDataFrame when ``origins``
        is one); ``.attrs["sites"]`` holds each floating-catchment indicator's site ratios
        and ``.attrs["unsnapped"]`` the points not snapped.
        """
        o_ids, s_ids = ids_of(origins), ids_of(sites)
        o = origin_arrays(origins, population, age_weights is not None)
        s = site_arrays(sites, category, capacity, activity, age)
        requests = [
            _fca_request(r["name"], r["category"], r.get("method", "e2sfca"), {x: v for x, v in r.items() if x not in ("name", "category", "method")})
            for r in fca
        ]
        result = _recours.Scenario(
            self._net,
            *o,
            *s,
            list(nearest),
            k if k > 1 else None,
            nearest_max_minutes,
            list(coverage),
            [float(t) for t in thresholds],
            requests,
            list(age_weights) if age_weights is not None else None,
            max_snap_m,
        ).baseline()
        frame = indicator_frame(result, o_ids, s_ids)
        out = with_geometry(frame, origins, o_ids)
        out.attrs["sites"] = site_frames(result, s_ids)
        out.attrs["unsnapped"] = pd.concat(
            [
                unsnapped_frame(result["unsnapped_origins"], o_ids, "origins"),
                unsnapped_frame(result["unsnapped_sites"], s_ids, "sites"),
            ],
            ignore_index=True,
        )
        return out

    def nearest(self, origins: pd.DataFrame, sites: pd.DataFrame, categories: Sequence[str] | str, k: int = 1, max_minutes: float | None = None, **kw):
        """Time (min), network km and id of each origin's nearest site of every category,
        and the time to the ``k``-th nearest when ``k > 1`` (columns ``{cat}_minutes``,
        ``{cat}_km``, ``{cat}_site``, ``{cat}_{k}th_minutes``; NaN when none is reached)."""
        cats = [categories] if isinstance(categories, str) else list(categories)
        return self.access(origins, sites, nearest=cats, k=k, nearest_max_minutes=max_minutes, **kw)

    def coverage(self, origins: pd.DataFrame, sites: pd.DataFrame, categories: Sequence[str] | str, thresholds: Sequence[float] = (5, 10, 15, 20, 30), **kw):
        """Sites and capacity each origin reaches within each threshold, per category
        (columns ``{cat}_sites_{t}min`` and ``{cat}_capacity_{t}min``)."""
        cats = [categories] if isinstance(categories, str) else list(categories)
        return self.access(origins, sites, coverage=cats, thresholds=thresholds, **kw)

    def fca(self, origins: pd.DataFrame, sites: pd.DataFrame, category: str, method: str = "e2sfca", name: str | None = None, population: str = "population", age_weights: Sequence[float] | None = None, **params):
        """A floating-catchment indicator on the network (``2sfca``, ``e2sfca``,
        ``gaussian``, ``exponential``, ``linear``, ``gravity``, ``apl``) for the sites of
        ``category``; parameters as in :func:`recours.fca` (``max_minutes``, ``bands``…)."""
        name = name or f"{category}_{method}"
        request = dict(params, name=name, category=category, method=method)
        return self.access(origins, sites, fca=[request], population=population, age_weights=age_weights)

    def apl(self, origins: pd.DataFrame, sites: pd.DataFrame, category: str = "gp", max_age: int | None = None, **kw):
        """The DREES APL (consultations a year per inhabitant) for the sites of ``category``,
        their ``activity`` (acts a year) and ``age`` columns used as the DREES does."""
        params = {} if max_age is None else {"max_age": max_age}
        return self.fca(origins, sites, category, method="apl", name="apl", **params, **kw)
