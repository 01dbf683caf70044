"""Floating-catchment indicators on a travel-time table you bring (INSEE Metric, OSRM,
Valhalla, PySAL ``access`` cost tables): ``recours fca --times`` without the files.

The formulas (Luo & Wang 2003; Luo & Qi 2009; DREES APL 2012) are those of
``recours::indicators::fca``: stage 1 ``R_j = S_j / Σ_i f(t_ij)·D_i``, stage 2
``A_i = Σ_j f(t_ij)·R_j``. Rows that cannot be used (ids in neither table, a pair given
twice, a missing or negative time) are not used and are listed in ``result.rejects``
with their row and reason, as the command line's rejects file lists them.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import _recours


@dataclass
class FcaResult:
    """What :func:`fca` computed."""

    #: One row per demand origin: ``access`` (NaN when in no catchment), ``in_catchment``
    #: and, with ``normalize=True``, ``access_normalized``.
    origins: pd.DataFrame
    #: One row per site: ``weighted_demand`` and ``ratio`` (NaN when no demand reaches it).
    sites: pd.DataFrame
    #: Rows of the times table left out: ``row``, ``origin``, ``destination``, ``reason``.
    rejects: pd.DataFrame
    #: Σ D_i·A_i / Σ D_i over every origin (PySAL's ``normalize`` divisor).
    mean_access: float


def _reject(times: pd.DataFrame, mask: np.ndarray, o: str, d: str, reason: str) -> pd.DataFrame:
    rows = times.loc[mask]
    return pd.DataFrame({"row": rows.index, "origin": rows[o].astype(str), "destination": rows[d].astype(str), "reason": reason})


def fca(
    times: pd.DataFrame,
    demand: pd.DataFrame,
    supply: pd.DataFrame,
    method: str = "2sfca",
    *,
    origin: str = "origin",
    destination: str = "destination",
    minutes: str = "minutes",
    demand_id: str = "id",
    population: str = "population",
    supply_id: str = "id",
    capacity: str = "capacity",
    activity: str = "activity",
    age: str = "age",
    normalize: bool = False,
    **params: Any,
) -> FcaResult:
    """Floating-catchment access from a times table.

    ``method``: ``2sfca``, ``e2sfca``, ``apl``, ``gaussian``, ``exponential``, ``linear`` or
    ``gravity``; ``params``: ``max_minutes`` (catchment radius, default 30), ``bands``
    (``"10:1,20:0.68,30:0.22"`` or pairs), ``side`` (``upper_inclusive`` | ``upper_exclusive``),
    ``sigma_minutes``, ``beta_per_minute``, ``power``, ``min_minutes``, ``scale_minutes``,
    ``max_age`` (APL; 0 = none). Access is in supply units per unit of demand.
    """
    from .network import _fca_request

    _, _, method, params = _fca_request("fca", "", method, params)
    for frame, cols, what in ((times, [origin, destination, minutes], "times"), (demand, [demand_id, population], "demand"), (supply, [supply_id, capacity], "supply")):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ValueError(f"{what}: expected columns {','.join(cols)}; found {list(frame.columns)}")
    d_ids = demand[demand_id].astype(str)
    s_ids = supply[supply_id].astype(str)
    for ids, what in ((d_ids, "demand"), (s_ids, "supply")):
        if ids.duplicated().any():
            raise ValueError(f"{what}: id {ids[ids.duplicated()].iloc[0]!r} is given twice")
    oi = pd.Index(d_ids).get_indexer(times[origin].astype(str))
    si = pd.Index(s_ids).get_indexer(times[destination].astype(str))
    t = pd.to_numeric(times[minutes], errors="coerce").to_numpy(np.float64)
    rejects = []
    bad_o = oi < 0
    bad_s = (si < 0) & ~bad_o
    bad_t = ~(np.isfinite(t) & (t >= 0)) & ~bad_o & ~bad_s
    ok = ~(bad_o | bad_s | bad_t)
    dup = np.zeros(len(t), bool)
    dup[ok] = pd.Series(oi[ok].astype(np.int64) * max(len(s_ids), 1) + si[ok]).duplicated().to_numpy()
    ok &= ~dup
    for mask, reason in ((bad_o, "origin is not in the demand table"), (bad_s, "destination is not in the supply table"), (bad_t, "minutes is not a non-negative number"), (dup, "pair given twice")):
        if mask.any():
            rejects.append(_reject(times, mask, origin, destination, reason))
    rejects = pd.concat(rejects, ignore_index=True) if rejects else pd.DataFrame(columns=["row", "origin", "destination", "reason"])
    if len(rejects):
        warnings.warn(f"{len(rejects)} rows of the times table not used (see result.rejects): {rejects['reason'].value_counts().to_dict()}", stacklevel=2)
    pop = pd.to_numeric(demand[population], errors="raise").to_numpy(np.float64)
    cap = pd.to_numeric(supply[capacity], errors="raise").to_numpy(np.float64)
    act = pd.to_numeric(supply[activity], errors="raise").to_numpy(np.float64) if activity in supply.columns else None
    ages = pd.to_numeric(supply[age], errors="raise").fillna(-1).to_numpy(np.int64) if age in supply.columns else None
    access, reached, weighted, ratio = _recours.fca_pairs(
        np.ascontiguousarray(oi[ok], dtype=np.uint32),
        np.ascontiguousarray(si[ok], dtype=np.uint32),
        np.ascontiguousarray(t[ok]),
        pop,
        cap,
        method,
        params,
        act,
        ages,
    )
    total = pop.sum()
    mean = float((access * pop).sum() / total) if total > 0 else 0.0
    origins = pd.DataFrame({"access": np.where(reached, access, np.nan), "in_catchment": reached}, index=pd.Index(d_ids.to_numpy(), name=demand_id))
    if normalize:
        origins["access_normalized"] = origins["access"] / mean if mean > 0 else np.nan
    sites = pd.DataFrame({"weighted_demand": weighted, "ratio": ratio}, index=pd.Index(s_ids.to_numpy(), name=supply_id))
    return FcaResult(origins=origins, sites=sites, rejects=rejects, mean_access=mean)
