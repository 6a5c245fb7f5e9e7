"""docs/coverage.md is generated (scripts/gen-coverage.py): the committed table must be what the
registry and the cases give now. The pass column is checked against this run's case results
when the plugin cases ran in the same session (it runs after them), else ignored."""

import importlib.util

import conftest
from harness import ROOT


def _generator():
    spec = importlib.util.spec_from_file_location("gen_coverage", ROOT / "scripts" / "gen-coverage.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_coverage_table_is_current():
    gen = _generator()
    ran_all = len(conftest.CASE_RESULTS) == len(gen.load_cases())
    fresh = gen.generate(conftest.CASE_RESULTS if ran_all else None)
    committed = (ROOT / "docs" / "coverage.md").read_text()
    if not ran_all:
        fresh, committed = gen.strip_status(fresh), gen.strip_status(committed)
    assert committed == fresh, "docs/coverage.md is stale: run .venv/bin/python scripts/gen-coverage.py (after the tests, for the pass column: see its --results)"
