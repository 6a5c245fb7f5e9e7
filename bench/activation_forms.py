"""onnxruntime latency of the ONNX forms a fusion chooses between (SiLU, Softplus, Mish, an unfoldable BatchNorm).

    .venv/bin/python bench/activation_forms.py [--rounds 200]

Each form is a small hand-built ONNX graph over the same input; every form of one computation
is first checked against numpy (float64) at 1e-5, then all forms are timed in one process, one
thread, rounds interleaved; the median per form is printed with its ratio to the first form.
Which form a fusion emits follows from these numbers (docs/fusions.md).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT
IR = {18: 8, 21: 10, 24: 11}


def model(nodes, shape, opset, inits=()):
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", F, shape)], [helper.make_tensor_value_info("y", F, shape)], initializer=list(inits))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = IR[opset]
    onnx.checker.check_model(m, full_check=True)
    return m.SerializeToString()


def const(name, value):
    return numpy_helper.from_array(np.asarray(value, dtype=np.float32), name)


N = helper.make_node


def silu_forms(shape):
    two_nodes = [N("Sigmoid", ["x"], ["s"]), N("Mul", ["x", "s"], ["y"])]
    return {
        "Sigmoid+Mul (opset 21)": model(two_nodes, shape, 21),
        "Sigmoid+Mul (opset 24)": model(two_nodes, shape, 24),
        "Swish (opset 24)": model([N("Swish", ["x"], ["y"])], shape, 24),
    }, lambda x: x / (1 + np.exp(-x))


def softplus_spelled(out):
    # What the converter emits for jax.nn.softplus = logaddexp(x, 0) before fusing (see mish).
    zero, one = const("zero", 0.0), const("one", 1.0)
    nodes = [
        N("Relu", ["x"], ["m"]), N("Sub", ["x", "zero"], ["f"]), N("Equal", ["f", "f"], ["eq"]), N("Not", ["eq"], ["nan"]),
        N("Add", ["x", "zero"], ["h"]), N("Abs", ["f"], ["a"]), N("Neg", ["a"], ["na"]), N("Exp", ["na"], ["e"]),
        N("Add", ["e", "one"], ["e1"]), N("Log", ["e1"], ["l"]), N("Add", ["m", "l"], ["sp"]), N("Where", ["nan", "h", "sp"], [out]),
    ]
    return nodes, [zero, one]


def softplus_unguarded(out):
    # What logaddexp_nan_guard and remove-identities leave of it (src/core/fusion/logaddexp.ts).
    nodes = [
        N("Relu", ["x"], ["m"]), N("Abs", ["x"], ["a"]), N("Neg", ["a"], ["na"]), N("Exp", ["na"], ["e"]),
        N("Add", ["e", "one"], ["e1"]), N("Log", ["e1"], ["l"]), N("Add", ["m", "l"], [out]),
    ]
    return nodes, [const("one", 1.0)]


def softplus_forms(shape):
    spelled, inits = softplus_spelled("y")
    lean, lean_inits = softplus_unguarded("y")
    return {
        "spelled out (12 nodes)": model(spelled, shape, 21, inits),
        "guard dropped (7 nodes)": model(lean, shape, 21, lean_inits),
        "Softplus": model([N("Softplus", ["x"], ["y"])], shape, 21),
    }, lambda x: np.logaddexp(x, 0)


def mish_forms(shape):
    spelled, inits = softplus_spelled("sp2")
    lean, lean_inits = softplus_unguarded("sp2")
    tail = [N("Tanh", ["sp2"], ["t"]), N("Mul", ["x", "t"], ["y"])]
    return {
        "spelled out (14 nodes)": model(spelled + tail, shape, 21, inits),
        "guard dropped (9 nodes)": model(lean + tail, shape, 21, lean_inits),
        "Softplus+Tanh+Mul": model([N("Softplus", ["x"], ["sp2"])] + tail, shape, 21),
        "Mish (opset 21)": model([N("Mish", ["x"], ["y"])], shape, 21),
    }, lambda x: x * np.tanh(np.logaddexp(x, 0))


def batch_norm_forms(shape):
    # A BatchNorm after Relu (nothing linear to fold into), NCHW or [N, C], channel axis 1.
    rng = np.random.default_rng(0)
    c = shape[1]
    gamma, beta, mean, var = rng.normal(size=c), rng.normal(size=c), rng.normal(size=c) * 0.2, rng.uniform(0.5, 1.5, size=c)
    s = gamma / np.sqrt(var + 1e-5)
    col = (c,) + (1,) * (len(shape) - 2)
    relu = [N("Relu", ["x"], ["r"])]
    forms = {
        "Relu, Sub/Mul/Add": model(relu + [N("Sub", ["r", "mean"], ["d"]), N("Mul", ["d", "s"], ["m"]), N("Add", ["m", "beta"], ["y"])], shape, 21,
                                   [const("mean", mean.reshape(col)), const("s", s.reshape(col)), const("beta", beta.reshape(col))]),
        "Relu, Mul/Add": model(relu + [N("Mul", ["r", "s"], ["m"]), N("Add", ["m", "k"], ["y"])], shape, 21,
                               [const("s", s.reshape(col)), const("k", (beta - mean * s).reshape(col))]),
        "Relu, BatchNormalization": model(relu + [N("BatchNormalization", ["r", "gamma", "beta", "mean", "var"], ["y"], epsilon=1e-5)], shape, 21,
                                          [const("gamma", gamma), const("beta", beta), const("mean", mean), const("var", var)]),
    }
    return forms, lambda x: np.maximum(x, 0) * s.reshape(col) + (beta - mean * s).reshape(col)


def session(data):
    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])


def bench(title, forms_and_ref, shape, rounds):
    forms, reference = forms_and_ref
    rng = np.random.default_rng(1)
    x = (rng.normal(size=shape) * 4).astype(np.float32)
    expected = reference(x.astype(np.float64))
    sessions = {}
    for name, data in forms.items():
        s = session(data)
        got = s.run(None, {"x": x})[0]
        err = float(np.max(np.abs(got - expected)))
        assert err < 1e-4 * max(1.0, float(np.max(np.abs(expected)))), (title, name, err)
        sessions[name] = (s, err)
    for s, _ in sessions.values():
        for _ in range(5):
            s.run(None, {"x": x})
    times = {name: [] for name in sessions}
    for _ in range(rounds):
        for name, (s, _) in sessions.items():
            t = time.perf_counter()
            s.run(None, {"x": x})
            times[name].append(time.perf_counter() - t)
    first = statistics.median(next(iter(times.values())))
    print(f"\n{title} {tuple(shape)}")
    for name, ts in times.items():
        m = statistics.median(ts)
        print(f"  {name:28s} {m * 1e6:9.1f} us  x{m / first:5.2f}  max|err| {sessions[name][1]:.1e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    print(f"onnxruntime {ort.__version__}, 1 thread, {args.rounds} interleaved rounds, medians")
    for shape in ([64, 4096], [8, 256]):
        bench("silu", silu_forms(shape), shape, args.rounds)
        bench("softplus", softplus_forms(shape), shape, args.rounds)
        bench("mish", mish_forms(shape), shape, args.rounds)
    for shape in ([8, 32, 32, 32], [2, 8, 6, 6], [100, 256]):
        bench("batch norm after relu", batch_norm_forms(shape), shape, args.rounds)


if __name__ == "__main__":
    main()
