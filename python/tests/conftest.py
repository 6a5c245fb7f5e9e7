import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
# The repo root, so tests convert the examples catalog's own models instead of copies of them.
sys.path.insert(1, str(Path(__file__).parents[2]))

from harness import OrtWeb  # noqa: E402


@pytest.fixture(scope="session")
def ort_web():
    runner = OrtWeb()
    yield runner
    runner.close()


def _newest_source(root: Path) -> Path | None:
    sources = [p for d in ("src", "plugins") for p in (root / d).rglob("*.ts") if not p.name.endswith(".test.ts")]
    return max(sources, key=lambda p: p.stat().st_mtime, default=None)


def pytest_sessionstart(session):
    # The tests run the built converter bundle: one older than the TypeScript would test old code.
    root = Path(__file__).parents[2]
    bundle = root / "python" / "jax2onnx_lab" / "_js" / "jax2onnx-lab.cjs"
    newest = _newest_source(root)
    if newest is None:  # an installed package without its sources
        return
    if not bundle.exists() or bundle.stat().st_mtime < newest.stat().st_mtime:
        raise pytest.UsageError(
            f"the converter bundle {bundle.relative_to(root)} is {'missing' if not bundle.exists() else 'older than ' + str(newest.relative_to(root))}: "
            "the tests would run old code. Run `npm run -s build` (scripts/setup.sh does), then the tests."
        )


# Outcomes of the plugin cases in this run, by case id, for the coverage table's pass column
# (test_coverage_table.py runs last; see pytest_collection_modifyitems).
CASE_RESULTS: dict[str, str] = {}


def pytest_runtest_logreport(report):
    if report.when == "call" and "test_plugin_cases.py::test_case[" in report.nodeid:
        CASE_RESULTS[report.nodeid.split("test_case[", 1)[1][:-1]] = report.outcome


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: item.nodeid.startswith("python/tests/test_coverage_table.py") or "test_coverage_table.py" in item.nodeid)


def pytest_sessionfinish(session):
    # For scripts/gen-coverage.py --results: JAX2ONNX_LAB_CASE_RESULTS=path pytest ... writes them.
    import json
    import os

    path = os.environ.get("JAX2ONNX_LAB_CASE_RESULTS")
    if path and CASE_RESULTS:
        with open(path, "w") as f:
            json.dump(CASE_RESULTS, f, indent=0, sort_keys=True)
