"""Every tutorial notebook runs top to bottom in a real kernel (nbclient), in a scratch directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from harness import ROOT

NOTEBOOKS = sorted((ROOT / "tutorials").glob("*.ipynb"))


def test_there_are_tutorials():
    assert any(p.name == "quickstart.ipynb" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_tutorial_runs(path: Path, tmp_path: Path):
    shutil.copy(path, tmp_path / path.name)
    nb = nbformat.read(tmp_path / path.name, as_version=4)
    # Widget state can be big (captures, parity data); it is not what this test checks.
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}, store_widget_state=False).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
    if path.name == "quickstart.ipynb":
        widgets = [o for c in nb.cells for o in c.get("outputs", []) if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
        assert len(widgets) >= 2, "the quickstart shows the graph widget (the magic and show())"
