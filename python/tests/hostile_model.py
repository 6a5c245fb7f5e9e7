"""A valid ONNX model whose every user-visible string is hostile, for tests of whoever shows it.

Node, value, initializer, graph, function and metadata strings (and doc strings) are HTML/script
payloads (`<img src=x onerror=...>`, `<script>`, attribute breakouts) and terminal escapes. The
model passes onnx.checker (full check) and runs in onnxruntime, so a viewer cannot reject it as
broken: it must show the strings as text. Each payload, if it ran in a page, would set
`window.__jax2onnx_xss` to its number, so a UI test can assert that the flag stays undefined and
that the text is on the page.

    python python/tests/hostile_model.py out.onnx     # writes the model
"""

from __future__ import annotations

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FLAG = "__jax2onnx_xss"


def payload(n: int) -> list[str]:
    """Several forms of markup injection, each setting the flag to `n` if it ever runs."""
    js = f"window.{FLAG}={n}"
    return [
        f"<img src=x onerror={js}>",
        f"<script>{js}</script>",
        f'"><svg onload="{js}">',
        f"javascript:{js}",
    ]


# One distinct payload per place, so a test can say which string was shown (or ran).
NODE = payload(1)[0]
INPUT = payload(2)[0]
OUTPUT = payload(3)[1]
VALUE = payload(4)[2]
INITIALIZER = payload(5)[0]
GRAPH = payload(6)[1]
FUNCTION = payload(7)[0]
FUNCTION_DOMAIN = "xss." + payload(8)[3].replace(":", "_")
METADATA_KEY = payload(9)[0]
METADATA_VALUE = payload(10)[1] + "\u001b]0;owned\u0007\u202e"
DOC = payload(11)[2]
SOURCE = payload(12)[0]  # where our own models keep the source line

STRINGS = {
    "node": NODE, "input": INPUT, "output": OUTPUT, "value": VALUE, "initializer": INITIALIZER,
    "graph": GRAPH, "function": FUNCTION, "function_domain": FUNCTION_DOMAIN,
    "metadata_key": METADATA_KEY, "metadata_value": METADATA_VALUE, "doc": DOC, "source": SOURCE,
}


def hostile_model() -> onnx.ModelProto:
    """x -> Mul(x, w) -> the local function (Relu) -> y, every name a payload."""
    fn = helper.make_function(
        FUNCTION_DOMAIN,
        FUNCTION,
        inputs=["a"],
        outputs=["b"],
        nodes=[helper.make_node("Relu", ["a"], ["b"], name=NODE + "#inner", doc_string=DOC)],
        opset_imports=[helper.make_opsetid("", 21)],
        doc_string=DOC,
    )
    mul = helper.make_node("Mul", [INPUT, INITIALIZER], [VALUE], name=NODE, doc_string=DOC)
    meta = mul.metadata_props.add()
    meta.key, meta.value = "jax2onnx_lab.source", SOURCE
    call = helper.make_node(FUNCTION, [VALUE], [OUTPUT], name=NODE + "#call", domain=FUNCTION_DOMAIN)
    graph = helper.make_graph(
        [mul, call],
        GRAPH,
        [helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, ["B", 3])],
        [helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["B", 3])],
        initializer=[numpy_helper.from_array(np.array([1.0, -2.0, 3.0], np.float32), INITIALIZER)],
        value_info=[helper.make_tensor_value_info(VALUE, TensorProto.FLOAT, ["B", 3])],
        doc_string=DOC,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 21), helper.make_opsetid(FUNCTION_DOMAIN, 1)],
        functions=[fn],
        producer_name=payload(13)[0],
        doc_string=DOC,
        ir_version=10,
    )
    helper.set_model_props(model, {METADATA_KEY: METADATA_VALUE})
    return model


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python python/tests/hostile_model.py OUT.onnx")
    onnx.save(hostile_model(), sys.argv[1])
    print(f"{sys.argv[1]}: a valid ONNX model whose strings are markup payloads (flag window.{FLAG})")
