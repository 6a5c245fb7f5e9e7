"""Control flow as a whole: graph size follows the body, bodies carry value_info and source
lines, and what cannot lower says where."""

import jax
import jax.numpy as jnp
import onnx
import pytest
from jax import lax
from jax.extend.core import Primitive

from jax2onnx_lab import UnsupportedPrimitiveError, to_onnx


def _count_nodes(graph: onnx.GraphProto) -> int:
    n = 0
    for node in graph.node:
        n += 1
        for a in node.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                n += _count_nodes(a.g)
    return n


def _stepper(steps: int):
    def run(x):
        def step(c, _):
            c = c + 0.01 * jnp.sin(c)
            return c, jnp.sum(c)

        return lax.scan(step, x, None, length=steps)

    return run


def _subgraphs(graph: onnx.GraphProto):
    for node in graph.node:
        for a in node.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                yield a.g
                yield from _subgraphs(a.g)


def test_node_count_follows_the_body_not_the_trip_count():
    small = to_onnx(_stepper(10), [(3,)])
    big = to_onnx(_stepper(1000), [(3,)])
    assert _count_nodes(big.graph) <= _count_nodes(small.graph)
    assert any(n.op_type == "Loop" for n in big.graph.node)


def test_bodies_have_value_info_and_source_lines():
    def f(xs):
        return lax.scan(lambda c, x: (jnp.tanh(c * x + 1.0), c * 2.0), jnp.zeros(xs.shape[1:]), xs)  # LINE-BODY

    model = to_onnx(f, [(5, "B", 3)])
    (body,) = list(_subgraphs(model.graph))
    produced = {o for n in body.node for o in n.output} - {o.name for o in body.output}
    assert produced and produced <= {v.name for v in body.value_info}
    for v in body.value_info:
        assert v.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
        assert [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim] == ["B", 3]
    lines = {p.value for n in body.node for p in n.metadata_props if p.key == "jax2onnx_lab.source"}
    line = next(i for i, text in enumerate(open(__file__), 1) if "# LINE-BODY" in text and "next(" not in text)
    assert any(s.startswith(f"python/tests/test_control_flow.py:{line}:") for s in lines), lines


_opaque = Primitive("opaque_test_only")
_opaque.def_impl(lambda x: x)
_opaque.def_abstract_eval(lambda x: x)


def test_a_primitive_without_a_rule_inside_a_body_is_named_with_its_line():
    def f(x):
        return lax.while_loop(lambda c: jnp.sum(c) < 10.0, lambda c: _opaque.bind(c) + 1.0, x)

    with pytest.raises(UnsupportedPrimitiveError) as e:
        to_onnx(f, [(3,)])
    assert "opaque_test_only" in str(e.value) and "test_control_flow.py" in str(e.value)


def test_a_carry_that_changes_shape_is_refused_by_jax_naming_the_carry():
    def f(x):
        return lax.scan(lambda c, _: (jnp.concatenate([c, c]), None), x, None, length=3)[0]

    with pytest.raises(TypeError, match="carry"):
        to_onnx(f, [(3,)])
