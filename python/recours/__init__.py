"""recours — access to care on road networks, from Python.

The engine is the Rust crate `recours`; this package calls it directly (no command line,
no CSV round trip for the network indicators) and hands results back as NumPy arrays and
pandas / GeoPandas frames:

- :class:`Network` — a routing graph from OpenStreetMap or a line layer; travel-time
  tables, nearest care, coverage, floating-catchment indicators and the APL on it;
- :func:`fca` — floating-catchment indicators on a travel-time table you bring (like
  PySAL ``access``);
- :class:`Scenario` — a baseline, then edits (remove, add, move, change capacity) computed
  by the study's incremental engine, returned with their deltas;
- :func:`icc`, :func:`zonage`, :func:`run_study`, :func:`demo` — the engine's file-based
  jobs, read back as frames.

Times are in minutes, lengths in kilometres, coordinates in WGS84 degrees (a GeoDataFrame in
another CRS is reprojected). Errors of the engine raise :class:`RecoursError` with the
command line's message.
"""

from __future__ import annotations

from ._recours import RecoursError
from .jobs import IccResult, StudyResult, ZonageResult, demo, icc, read_study, run_study, zonage
from .network import Network
from .pairs import FcaResult, fca
from .scenario import Scenario, ScenarioResult

__all__ = [
    "Network",
    "Scenario",
    "ScenarioResult",
    "FcaResult",
    "IccResult",
    "ZonageResult",
    "StudyResult",
    "RecoursError",
    "fca",
    "icc",
    "zonage",
    "run_study",
    "read_study",
    "demo",
]
