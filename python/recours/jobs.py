"""The engine's file-based jobs from Python: ICC, zonage, a study file, the demo.

They take the published layouts (a DataFrame is written to a temporary CSV first), run the
same code as ``recours icc``, ``recours zonage``, ``recours run`` and ``recours demo``, and
read what they wrote back into frames.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from . import _recours


def _as_file(value, folder: Path, name: str) -> str | None:
    """A path for ``value``: itself when already one, else the DataFrame written as CSV."""
    if value is None:
        return None
    if isinstance(value, pd.DataFrame):
        path = folder / f"{name}.csv"
        value.to_csv(path, index=False)
        return str(path)
    return str(value)


def _read(path: Path) -> pd.DataFrame | None:
    """A written CSV, ids kept as text, or None when the job did not write it."""
    if not path.exists():
        return None
    return pd.read_csv(path, dtype={"code": str, "id": str, "commune": str, "territory": str})


@dataclass
class IccResult:
    """What :func:`icc` wrote, read back."""

    #: One row per territory × specialty (× sector): O, E, ICC, interval, missing doctors.
    table: pd.DataFrame
    #: The URPS summary.
    summary: pd.DataFrame | None
    #: ICC joined with the access indicators and the typology, when asked.
    typology: pd.DataFrame | None
    #: Rows left out, with file, line and reason.
    rejects: pd.DataFrame | None
    #: The job's printed summary.
    text: str


def icc(
    consumption,
    population,
    territories,
    *,
    rates=None,
    acts_per_fte: dict[str, float] | None = None,
    secrecy: float = 10.0,
    ci: str = "exact",
    ci_threshold: int = 100,
    level: float = 0.95,
    access=None,
    typology: str | None = None,
    out: str | PathLike | None = None,
) -> IccResult:
    """ICC (indice comparatif de consommation) per territory and specialty, like
    ``recours icc``: consumption ``code,specialty,age_band,sex,count[,sector]``, population
    ``code,age_band,sex,population``, territories (membership ``territory,commune``), rates
    ``specialty,age_band,sex,rate`` (None: rates of every unit). Each is a DataFrame or a
    path. ``typology`` is a rule ``indicator:threshold[:above|below]`` on ``access`` (a
    table ``code,<indicators…>``). Intervals: ``exact``, ``byar``, ``normal`` or ``auto``."""
    with tempfile.TemporaryDirectory(prefix="recours-icc-") as tmp:
        folder = Path(tmp)
        target = Path(out) if out is not None else folder / "icc.csv"
        done = _recours.run_icc(
            _as_file(consumption, folder, "consumption"),
            _as_file(population, folder, "population"),
            _as_file(territories, folder, "territories"),
            str(target),
            _as_file(rates, folder, "rates"),
            ",".join(f"{k}={v}" for k, v in acts_per_fte.items()) if acts_per_fte else None,
            secrecy,
            ci,
            ci_threshold,
            level,
            _as_file(access, folder, "access"),
            typology,
        )
        beside = lambda suffix: target.with_name(f"{target.stem}.{suffix}.csv")  # noqa: E731
        return IccResult(
            table=_read(target),
            summary=_read(beside("summary")),
            typology=_read(beside("typology")),
            rejects=_read(beside("rejects")),
            text=done["summary"],
        )


@dataclass
class ZonageResult:
    """What :func:`zonage` wrote, read back."""

    #: One row per unit: its class in each scheme.
    table: pd.DataFrame
    #: Units and population per class.
    summary: pd.DataFrame | None
    #: Rows left out.
    rejects: pd.DataFrame | None
    #: The job's printed summary.
    text: str


def zonage(units, config: str | PathLike, *, out: str | PathLike | None = None) -> ZonageResult:
    """Zonage of units like ``recours zonage``: ``units`` a DataFrame or CSV
    ``code,population,<criteria…>`` (e.g. ``apl``), ``config`` the settings as TOML text or
    a TOML file (``[rule_2017]``, ``[ranking]``, ``[[shares]]``, see docs)."""
    text = str(config)
    if "\n" not in text and Path(text).is_file():
        text = Path(text).read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="recours-zonage-") as tmp:
        folder = Path(tmp)
        target = Path(out) if out is not None else folder / "zonage.csv"
        done = _recours.run_zonage(_as_file(units, folder, "units"), text, str(target))
        beside = lambda suffix: target.with_name(f"{target.stem}.{suffix}.csv")  # noqa: E731
        return ZonageResult(
            table=_read(target),
            summary=_read(beside("summary")),
            rejects=_read(beside("rejects")),
            text=done["summary"],
        )


@dataclass
class StudyResult:
    """A study's outputs: layers as GeoDataFrames with their CRS, tables, manifest."""

    #: The output folder.
    out: Path
    #: Every GeoJSON layer written (``origins``, ``sites``, one per territorial level…).
    layers: dict[str, Any] = field(default_factory=dict)
    #: Every CSV written at the top of the folder (``origins``, ``rejects``, ``icc``…).
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: ``manifest.json``: engine version, inputs with size and SHA-256, settings.
    manifest: dict[str, Any] = field(default_factory=dict)
    #: Population-weighted mean of each indicator.
    means: dict[str, float | None] = field(default_factory=dict)
    #: The run's printed summary.
    text: str = ""


def read_study(out: str | PathLike, text: str = "", means: dict | None = None) -> StudyResult:
    """Reads the outputs of a finished study folder."""
    folder = Path(out)
    result = StudyResult(out=folder, text=text, means=means or {})
    layers = sorted(folder.glob("*.geojson"))
    if layers:
        import geopandas as gpd

        for p in layers:
            layer = gpd.read_file(p)
            # The GeoJSON writer keeps `population` as the text read (e.g. "5.9").
            if "population" in layer.columns:
                layer["population"] = pd.to_numeric(layer["population"], errors="coerce")
            result.layers[p.stem] = layer
    for p in sorted(folder.glob("*.csv")):
        result.tables[p.stem] = pd.read_csv(p, dtype={"id": str, "code": str})
    manifest = folder / "manifest.json"
    if manifest.exists():
        result.manifest = json.loads(manifest.read_text(encoding="utf-8"))
    return result


def run_study(path: str | PathLike, out: str | PathLike | None = None) -> StudyResult:
    """Runs a study file (``recours run``) and returns its outputs."""
    done = _recours.run_study(str(path), None if out is None else str(out))
    return read_study(done["out"], done["summary"], dict(done["means"]))


def demo(out: str | PathLike) -> StudyResult:
    """Generates the demo territory into ``out`` (inputs in the published layouts,
    ``study.toml``) and runs it; returns the study's outputs (``out/results``)."""
    text = _recours.run_demo(str(out))
    return read_study(Path(out) / "results", text)
