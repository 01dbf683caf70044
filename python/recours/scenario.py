"""What-if scenarios on supply: a baseline computed once, then variants (sites removed,
added, moved, their capacity changed) recomputed by the study's incremental engine
(``AccessEngine::update``: only the changed sites' catchments are searched again, and the
numbers are bit-identical to a full recomputation), returned with their deltas."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from . import _recours
from .frames import ids_of, indicator_frame, origin_arrays, site_arrays, site_frames, with_geometry
from .network import Network, _fca_request


@dataclass
class ScenarioResult:
    """A variant's indicators, their change from the baseline, and what was recomputed."""

    #: One row per origin, one column per indicator (as :meth:`Network.access`).
    origins: pd.DataFrame
    #: Variant minus baseline for every numeric indicator column (NaN where either is).
    delta: pd.DataFrame
    #: Removed, added and changed sites, categories updated or swept again, catchment
    #: searches made, seconds.
    stats: dict[str, Any]
    #: Per floating-catchment indicator, the variant's site ratios.
    sites: dict[str, pd.DataFrame]


class Scenario:
    """A baseline of network indicators on ``sites``, and its variants.

    Takes the same arguments as :meth:`Network.access`.
    """

    def __init__(
        self,
        network: Network,
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
        self._origins = origins
        self._o_ids = ids_of(origins)
        self._cols = dict(category=category, capacity=capacity, activity=activity, age=age)
        self.sites = sites.reset_index(drop=True)
        self._s_ids = ids_of(self.sites)
        requests = [
            _fca_request(r["name"], r["category"], r.get("method", "e2sfca"), {x: v for x, v in r.items() if x not in ("name", "category", "method")})
            for r in fca
        ]
        self._inner = _recours.Scenario(
            network._net,
            *origin_arrays(origins, population, age_weights is not None),
            *site_arrays(self.sites, category, capacity, activity, age),
            list(nearest),
            k if k > 1 else None,
            nearest_max_minutes,
            list(coverage),
            [float(t) for t in thresholds],
            requests,
            list(age_weights) if age_weights is not None else None,
            max_snap_m,
        )
        result = self._inner.baseline()
        self._base = indicator_frame(result, self._o_ids, self._s_ids)
        #: The baseline's indicators, one row per origin.
        self.baseline = with_geometry(self._base, origins, self._o_ids)
        self.baseline.attrs["sites"] = site_frames(result, self._s_ids)

    def variant(
        self,
        remove: Iterable[str] = (),
        add: pd.DataFrame | None = None,
        move: Mapping[str, tuple[float, float]] | None = None,
        capacity: Mapping[str, float] | None = None,
    ) -> ScenarioResult:
        """The indicators with sites ``remove``d (by id), ``add``ed (a frame like the
        sites), ``move``d (id → (lon, lat) WGS84) and with a new ``capacity`` (id → value)."""
        known = set(self._s_ids)
        edits = {"remove": list(remove), "move": dict(move or {}), "capacity": dict(capacity or {})}
        for what, ids in edits.items():
            unknown = [i for i in ids if str(i) not in known]
            if unknown:
                raise KeyError(f"{what}: no baseline site with id {unknown[0]!r}")
        gone = {str(i) for i in edits["remove"]}
        for what in ("move", "capacity"):
            both = [i for i in edits[what] if str(i) in gone]
            if both:
                raise ValueError(f"{what}: site {both[0]!r} is also removed")
        kept = ~pd.Series(self._s_ids).isin([str(i) for i in edits["remove"]]).to_numpy()
        sites = self.sites.loc[kept].copy()
        from_base: list[int | None] = list(np.flatnonzero(kept).tolist())
        has_geom = "geometry" in sites.columns and hasattr(sites, "crs")
        kept_ids = self._s_ids[kept]
        for sid, (lon, lat) in edits["move"].items():
            row = sites.index[kept_ids == str(sid)]
            if has_geom:
                from shapely.geometry import Point

                point = Point(lon, lat)
                if sites.crs is not None and sites.crs.to_epsg() != 4326:
                    import geopandas as gpd

                    point = gpd.GeoSeries([point], crs=4326).to_crs(sites.crs).iloc[0]
                sites.loc[row, "geometry"] = point
            else:
                sites.loc[row, ["lon", "lat"]] = (lon, lat)
        cap_col = self._cols["capacity"]
        for sid, value in edits["capacity"].items():
            sites.loc[sites.index[kept_ids == str(sid)], cap_col] = value
        if add is not None and len(add):
            if has_geom and not hasattr(add, "crs"):
                import geopandas as gpd

                add = gpd.GeoDataFrame(add, geometry=gpd.points_from_xy(add["lon"], add["lat"]), crs=4326).to_crs(sites.crs)
            sites = pd.concat([sites, add], ignore_index=True)
            from_base += [None] * len(add)
        s_ids = ids_of(sites)
        result, stats = self._inner.update(from_base, *site_arrays(sites, **self._cols))
        frame = indicator_frame(result, self._o_ids, s_ids)
        numeric = [c for c in frame.columns if frame[c].dtype.kind in "fiu" and c in self._base.columns]
        delta = frame[numeric].astype(float) - self._base[numeric].astype(float)
        return ScenarioResult(
            origins=with_geometry(frame, self._origins, self._o_ids),
            delta=with_geometry(delta, self._origins, self._o_ids),
            stats=stats,
            sites=site_frames(result, s_ids),
        )

    def remove(self, ids: Iterable[str]) -> ScenarioResult:
        """The sites ``ids`` closed."""
        return self.variant(remove=ids)

    def add(self, sites: pd.DataFrame) -> ScenarioResult:
        """New sites opened (``id``, ``category``, ``capacity``, a point or lon/lat)."""
        return self.variant(add=sites)

    def move(self, moves: Mapping[str, tuple[float, float]]) -> ScenarioResult:
        """Sites moved: id → (lon, lat) in WGS84."""
        return self.variant(move=moves)

    def set_capacity(self, capacities: Mapping[str, float]) -> ScenarioResult:
        """Sites' capacity changed: id → new capacity."""
        return self.variant(capacity=capacities)
