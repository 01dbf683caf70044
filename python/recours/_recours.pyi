"""Type stubs of the compiled module ``recours._recours`` (the Rust side of the package)."""

from typing import Any, Optional, Sequence

import numpy as np
import numpy.typing as npt

class RecoursError(Exception):
    """An error of the recours engine, with the command line's message."""

Unsnapped = list[tuple[int, str]]

class Network:
    """A road network's routing graph (times in ms, lengths in dm)."""

    @staticmethod
    def from_osm(path: str, profile: str = "car", min_component: Optional[int] = None) -> "Network": ...
    @staticmethod
    def from_lines(path: str, profile: str = "car", layer: Optional[str] = None, min_component: Optional[int] = None) -> "Network": ...
    @staticmethod
    def load(path: str) -> "Network": ...
    def save(self, path: str) -> None: ...
    def info(self) -> dict[str, Any]: ...
    def _table(
        self,
        src_lon: npt.NDArray[np.float64],
        src_lat: npt.NDArray[np.float64],
        dst_lon: npt.NDArray[np.float64],
        dst_lat: npt.NDArray[np.float64],
        max_minutes: Optional[float] = None,
        max_snap_m: float = 1000.0,
    ) -> tuple[
        tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64], npt.NDArray[np.uint32], npt.NDArray[np.uint32]],
        Unsnapped,
        Unsnapped,
        list[tuple[int, int]],
    ]: ...

FcaRequest = tuple[str, str, str, dict[str, Any]]

class Scenario:
    """A baseline of network indicators, and its variants (incremental engine)."""

    def __init__(
        self,
        network: Network,
        o_lon: npt.NDArray[np.float64],
        o_lat: npt.NDArray[np.float64],
        o_population: npt.NDArray[np.float64],
        o_ages: Optional[npt.NDArray[np.float64]],
        s_id: list[str],
        s_lon: npt.NDArray[np.float64],
        s_lat: npt.NDArray[np.float64],
        s_category: list[str],
        s_capacity: npt.NDArray[np.float64],
        s_activity: npt.NDArray[np.float64],
        s_age: npt.NDArray[np.int64],
        nearest: list[str],
        kth: Optional[int],
        nearest_max_minutes: Optional[float],
        coverage: list[str],
        thresholds: list[float],
        fca: list[FcaRequest],
        age_weights: Optional[list[float]],
        max_snap_m: float,
    ) -> None: ...
    def baseline(self) -> dict[str, Any]: ...
    def update(
        self,
        from_base: Sequence[Optional[int]],
        s_id: list[str],
        s_lon: npt.NDArray[np.float64],
        s_lat: npt.NDArray[np.float64],
        s_category: list[str],
        s_capacity: npt.NDArray[np.float64],
        s_activity: npt.NDArray[np.float64],
        s_age: npt.NDArray[np.int64],
    ) -> tuple[dict[str, Any], dict[str, Any]]: ...

def fca_pairs(
    origin: npt.NDArray[np.uint32],
    site: npt.NDArray[np.uint32],
    minutes: npt.NDArray[np.float64],
    demand: npt.NDArray[np.float64],
    capacity: npt.NDArray[np.float64],
    method_name: str,
    params: dict[str, Any],
    activity: Optional[npt.NDArray[np.float64]] = None,
    age: Optional[npt.NDArray[np.int64]] = None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_], npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
def run_icc(
    consumption: str,
    population: str,
    territories: str,
    out: str,
    rates: Optional[str] = None,
    acts_per_fte: Optional[str] = None,
    secrecy: float = 10.0,
    ci: str = "exact",
    ci_threshold: int = 100,
    level: float = 0.95,
    access: Optional[str] = None,
    typology: Optional[str] = None,
) -> dict[str, Any]: ...
def run_zonage(units: str, config: str, out: str) -> dict[str, Any]: ...
def run_study(path: str, out: Optional[str] = None) -> dict[str, Any]: ...
def run_demo(out: str) -> str: ...
