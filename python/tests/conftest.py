"""Shared fixtures: the command line to compare with, the demo territory, real data."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


def data_dir() -> Path:
    """The real data folder (`../shared/data` beside the checkout, or $RECOURS_DATA)."""
    return Path(os.environ.get("RECOURS_DATA", ROOT.parent / "shared" / "data"))


def real(relative: str) -> Path:
    """A file of the real data folder; skips the test, saying so, when it is absent."""
    path = data_dir() / relative
    if not path.exists():
        pytest.skip(f"skipped: {path} absent (real data folder not present)")
    return path


@pytest.fixture(scope="session")
def cli() -> Path:
    """The `recours` binary built from this checkout ($RECOURS_BIN, else target/debug)."""
    path = Path(os.environ.get("RECOURS_BIN", ROOT / "target" / "debug" / "recours"))
    if not path.exists():
        raise FileNotFoundError(f"{path}: build the command line first (cargo build --bin recours)")
    return path


def run_cli(cli: Path, *args: str) -> subprocess.CompletedProcess:
    """Runs the command line; the completed process (stdout and stderr as text)."""
    return subprocess.run([str(cli), *map(str, args)], capture_output=True, text=True)


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """The demo territory generated and run once by the package (`recours.demo`)."""
    import recours

    out = tmp_path_factory.mktemp("demo")
    study = recours.demo(out)
    return out, study
