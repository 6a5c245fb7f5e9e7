"""Every case declared beside a lowering rule (plugins/**/*_cases.py), converted and compared
with JAX in onnxruntime and onnxruntime-web."""

import importlib.util
from collections import Counter
from pathlib import Path

import pytest

from harness import ROOT, check_conversion
from jax2onnx_lab.testing import Case, float64_twin

PLUGINS = ROOT / "plugins"


def _load_cases() -> list[tuple[str, Case]]:
    found = []
    for path in sorted(PLUGINS.rglob("*_cases.py")):
        spec = importlib.util.spec_from_file_location(f"cases_{path.parent.name}_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        cases = getattr(module, "CASES", None)
        assert cases, f"{path} defines no CASES"
        for case in cases:
            twin = float64_twin(case)
            for c in (case, twin) if twin else (case,):
                found.append((f"{path.relative_to(PLUGINS).with_suffix('')}::{c.name}", c))
    return found


CASES = _load_cases()


def test_case_names_are_unique():
    names = Counter(name for name, _ in CASES)
    assert not [n for n, k in names.items() if k > 1]


def test_every_rule_file_has_cases():
    # plugins/shared/ holds helpers several rules use (index arithmetic, kernel dtypes), no rules.
    rule_files = {
        p.with_suffix("")
        for p in PLUGINS.rglob("*.ts")
        if p.name != "index.ts" and not p.name.endswith(".test.ts") and p.parent.name != "shared"
    }
    case_files = {p.with_name(p.name.removesuffix("_cases.py")) for p in PLUGINS.rglob("*_cases.py")}
    assert sorted(str(p.relative_to(PLUGINS)) for p in rule_files - case_files) == []


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[n for n, _ in CASES])
def test_case(case: Case, ort_web):
    model = check_conversion(
        case.fn,
        case.inputs,
        ort_web=ort_web,
        dims=case.dims,
        input_params=case.input_params,
        rtol=case.rtol,
        atol=case.atol,
        sample=case.sample,
        opset=case.opset,
        x64=case.x64,
    )
    ops = {n.op_type for n in model.graph.node}
    missing = [op for op in case.expect_ops if op not in ops]
    assert not missing, f"expected ONNX ops {missing} in the graph, got {sorted(ops)}"
