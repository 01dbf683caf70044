#!/usr/bin/env python3
"""Executes every notebook of a folder with a real Jupyter kernel (nbclient), in the
notebook's folder, and fails on the first cell error or on a notebook that shows no
figure. Prints one line per notebook and a closing `N passed, N failed` line. With
$RECOURS_NOTEBOOKS_OUT set, the executed notebooks (outputs and figures) are written there."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def figures(nb) -> int:
    """Image outputs of an executed notebook."""
    return sum(
        1
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if "image/png" in out.get("data", {})
    )


def run(path: Path) -> str | None:
    """Executes ``path``; the failure's message, or None."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as e:
        lines = [line for line in str(e).splitlines() if line.strip()]
        return "\n".join(lines[-12:]) if lines else repr(e)
    # Errors raised outside the cell's code (matplotlib's drawing hooks) are outputs only.
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                return f"{o.get('ename')}: {o.get('evalue')}"
    out = os.environ.get("RECOURS_NOTEBOOKS_OUT")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, Path(out) / path.name)
    if figures(nb) == 0:
        return "no figure shown"
    return None


def main(folder: str) -> int:
    paths = sorted(Path(folder).glob("*.ipynb"))
    if not paths:
        print(f"no notebook in {folder}")
        return 1
    passed = failed = 0
    for p in paths:
        t = time.monotonic()
        why = run(p)
        took = time.monotonic() - t
        if why is None:
            passed += 1
            print(f"ok   {p.name} ({took:.0f} s)")
        else:
            failed += 1
            print(f"FAIL {p.name} ({took:.0f} s): {why}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "notebooks"))
