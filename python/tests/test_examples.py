"""The examples catalog (examples/): every example converts, passes onnx.checker's full check
and matches JAX in onnxruntime and onnxruntime-web; one waiting on a missing rule still fails
the way it says; docs/examples.md is what examples.catalog writes."""

import pytest

from examples import CATALOG, catalog
from harness import ROOT, check_conversion


@pytest.mark.parametrize("example", CATALOG, ids=[e.name for e in CATALOG])
def test_example(example, ort_web):
    if example.waits_on:
        # Not a skip: when the missing piece lands this fails, and the example must be enabled.
        with pytest.raises(Exception, match=example.waits_on.replace("(", r"\(").replace(")", r"\)")):
            catalog.convert(example)
        return
    model = check_conversion(
        example.build(), example.inputs, ort_web=ort_web, dims=example.dims, rtol=example.rtol, atol=example.atol, sample=example.sample, opset=example.opset
    )
    local = {f.name for f in model.functions}
    assert local == set(example.functions)
    for f in model.functions:
        calls = [n for n in model.graph.node if n.op_type == f.name and n.domain == f.domain]
        assert len(calls) >= 2, f"{f.name} is called {len(calls)} times: no reuse"
        typed = {v.name for v in f.value_info}
        assert {o for n in f.node for o in n.output} - set(f.output) <= typed


def test_node_names_carry_module_paths():
    names = {e.name: [n.name for n in catalog.convert(e).graph.node] for e in CATALOG if e.name in ("mnist_cnn", "vit_tiny", "cnn_linen")}
    assert any(n.startswith("CNN/conv1/") for n in names["mnist_cnn"])
    assert any(n.startswith("ViT/blocks.1/attn/") for n in names["vit_tiny"])
    assert any(n.startswith("CNN/conv2/") for n in names["cnn_linen"])


def test_docs_page_is_current():
    assert (ROOT / "docs" / "examples.md").read_text() == catalog.page(), "docs/examples.md is stale: run .venv/bin/python -m examples.catalog"
