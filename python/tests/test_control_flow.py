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
    assert any(n.op_type == "Scan" for n in big.graph.node)


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


def test_a_carry_that_changes_shape_stops_naming_the_loop_and_the_line():
    from jax2onnx_lab import ConversionError

    def grows(c, _):
        return jnp.concatenate([c, c]), None

    def scanned(x):
        return lax.scan(grows, x, None, length=3)[0]  # LINE-LOOP

    def looped(x):
        return lax.while_loop(lambda c: c.sum() < 9, lambda c: grows(c, 0)[0], x)  # LINE-LOOP

    lines = [i for i, text in enumerate(open(__file__), 1) if "# LINE-LOOP" in text and "lines = " not in text]
    for program, name, line in ((scanned, "scan", lines[0]), (looped, "while_loop", lines[1])):
        with pytest.raises(ConversionError, match=rf"{name} needs the same shapes .* at .*test_control_flow.py:{line} \({program.__name__}\)"):
            to_onnx(program, [(3,)])


def _normalize(x, train):
    """Batch statistics in training, fixed ones in inference: Python control flow on `train`."""
    if train:
        return (x - jnp.mean(x, axis=0)) / (jnp.std(x, axis=0) + 1e-3)
    return (x - 0.5) / 2.0


def test_a_bool_input_param_in_python_control_flow_becomes_a_runtime_switch():
    import numpy as np

    from jax2onnx_lab._parity import run_onnxruntime

    model = to_onnx(_normalize, [("B", 3)], input_params={"train": True})
    onnx.checker.check_model(model, full_check=True)
    assert [n.op_type for n in model.graph.node if n.op_type in ("If", "Where", "Cast")] == ["If"]
    assert [i.name for i in model.graph.input] == ["in_0", "train"]
    assert model.graph.input[1].type.tensor_type.elem_type == onnx.TensorProto.BOOL
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    for train in (True, False):
        (got,) = run_onnxruntime(model.SerializeToString(), {"in_0": x, "train": np.array(train)})
        np.testing.assert_allclose(got, _normalize(x, train), rtol=1e-5, atol=1e-5)


def test_input_params_that_cannot_switch_are_fixed_with_a_warning_naming_them():
    import numpy as np

    from jax2onnx_lab._parity import run_onnxruntime
    from jax2onnx_lab._switches import StaticParamWarning

    def repeat(x, times, scale):
        for _ in range(times):  # an int steering Python: cannot be a runtime input
            x = jnp.sin(x) * scale
        return x

    with pytest.warns(StaticParamWarning, match=r"input_params\['times'\].*times=3"):
        model = to_onnx(repeat, [(3,)], input_params={"times": 3, "scale": 2.0})
    assert [i.name for i in model.graph.input] == ["in_0", "times", "scale"]
    x = np.linspace(-1, 1, 3, dtype=np.float32)
    (got,) = run_onnxruntime(model.SerializeToString(), {"in_0": x, "times": np.array(7, np.int32), "scale": np.array(0.5, np.float32)})
    np.testing.assert_allclose(got, repeat(x, 3, 0.5), rtol=1e-5, atol=1e-6)

    def shape_changes(x, flag):
        return jnp.concatenate([x, x]) if flag else x

    with pytest.warns(StaticParamWarning, match=r"input_params\['flag'\].*outputs differ"):
        model = to_onnx(shape_changes, [(3,)], input_params={"flag": False})
    assert model.graph.output[0].type.tensor_type.shape.dim[0].dim_value == 3


def test_eqx_error_if_is_dropped_with_a_warning_and_gives_nan_where_it_fails():
    import equinox as eqx
    import numpy as np

    from jax2onnx_lab._parity import run_onnxruntime
    from jax2onnx_lab._runtime_checks import DroppedCheckWarning

    def checked(x):
        return jnp.sqrt(eqx.error_if(x, x < 0, "x must be non-negative"))  # LINE-CHECK

    line = next(i for i, text in enumerate(open(__file__), 1) if "# LINE-CHECK" in text and "next(" not in text)
    with pytest.warns(DroppedCheckWarning, match=rf"'x must be non-negative' at python/tests/test_control_flow.py:{line}") as record:
        model = to_onnx(checked, [(3,)])
    assert len([w for w in record if issubclass(w.category, DroppedCheckWarning)]) == 1
    onnx.checker.check_model(model, full_check=True)
    (ok,) = run_onnxruntime(model.SerializeToString(), {"in_0": np.array([1.0, 4.0, 9.0], np.float32)})
    np.testing.assert_allclose(ok, [1.0, 2.0, 3.0])
    (failed,) = run_onnxruntime(model.SerializeToString(), {"in_0": np.array([1.0, -4.0, 9.0], np.float32)})
    assert np.isnan(failed).all()


def test_other_python_callbacks_stop_the_conversion_naming_the_function():
    import numpy as np

    from jax2onnx_lab import ConversionError

    def host_side(x):
        return np.sin(x)

    with pytest.raises(ConversionError, match=r"pure_callback calls the Python function .*host_side"):
        to_onnx(lambda x: jax.pure_callback(host_side, jax.ShapeDtypeStruct(x.shape, x.dtype), x), [(3,)])


def test_a_switch_whose_other_trace_cannot_convert_is_fixed_with_a_warning():
    from flax import nnx

    from jax2onnx_lab._switches import StaticParamWarning

    dropout = nnx.Dropout(0.5, rngs=nnx.Rngs(0))

    def f(x, deterministic):
        return dropout(x * 2.0, deterministic=deterministic)

    with pytest.warns(StaticParamWarning, match=r"input_params\['deterministic'\].*cannot be joined.*deterministic=True"):
        model = to_onnx(f, [(3,)], input_params={"deterministic": True})
    assert [n.op_type for n in model.graph.node] == ["Mul"]


def test_a_joined_trace_that_cannot_convert_falls_back_to_the_given_value():
    """trace_with_switches asks the capture whether the joined program converts (PRNG keys that
    reach an output do not); when not, the switch is fixed at its value with a warning."""
    from jax2onnx_lab._switches import StaticParamWarning, flat_program, trace_with_switches

    def f(x, flag):
        return x * 2.0 if flag else x - 1.0

    def trace(static, switches):
        return jax.make_jaxpr(flat_program(f, 1, ["flag"], static, switches))(jnp.ones(3), True)

    joined = trace_with_switches(trace, {"flag": True})
    assert [e.primitive.name for e in joined.jaxpr.eqns] == ["convert_element_type", "cond"]
    with pytest.warns(StaticParamWarning, match=r"input_params\['flag'\].*cannot convert \(it makes keys\).*flag=True"):
        fixed = trace_with_switches(trace, {"flag": True}, lambda closed: "it makes keys" if len(closed.jaxpr.eqns) > 1 else None)
    assert [e.primitive.name for e in fixed.jaxpr.eqns] == ["mul"]
