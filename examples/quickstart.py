"""Quickstart: the Flax NNX MLP from the README, converted to mlp.onnx and checked against JAX.

    .venv/bin/python examples/quickstart.py [--output mlp.onnx]
"""

import argparse
import os
import time
from collections import Counter

import onnx
from flax import nnx

from jax2onnx_lab import allclose, to_onnx


class MLP(nnx.Module):
    def __init__(self, din, dmid, dout, *, rngs):
        self.linear1 = nnx.Linear(din, dmid, rngs=rngs)
        self.dropout = nnx.Dropout(rate=0.1, rngs=rngs)
        self.bn = nnx.BatchNorm(dmid, rngs=rngs)
        self.linear2 = nnx.Linear(dmid, dout, rngs=rngs)

    def __call__(self, x):
        x = nnx.gelu(self.dropout(self.bn(self.linear1(x))))
        return self.linear2(x)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="mlp.onnx")
    args = parser.parse_args()

    model = MLP(din=30, dmid=20, dout=10, rngs=nnx.Rngs(0))
    model.eval()  # Dropout off, BatchNorm uses its running statistics

    start = time.perf_counter()
    to_onnx(model, [("B", 30)], return_mode="file", output_path=args.output)
    seconds = time.perf_counter() - start

    proto = onnx.load(args.output)
    onnx.checker.check_model(proto, full_check=True)
    ops = Counter(n.op_type for n in proto.graph.node)
    print(f"wrote {args.output}: {os.path.getsize(args.output)} bytes in {seconds:.2f} s, opset {proto.opset_import[0].version}")
    print(f"  {len(proto.graph.node)} nodes: {', '.join(f'{op} x{n}' for op, n in ops.most_common())}")
    for kind, values in (("input ", proto.graph.input), ("output", proto.graph.output)):
        for v in values:
            dims = [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
            print(f"  {kind} {v.name}: {onnx.helper.tensor_dtype_to_np_dtype(v.type.tensor_type.elem_type)}{dims}")
    print("  onnx.checker (full_check): ok")
    for batch in (1, 4, 17):
        ok, report = allclose(model, args.output, [("B", 30)], dims={"B": batch})
        print(f"  onnxruntime vs JAX at B={batch}: {'ok' if ok else 'MISMATCH'} ({report})")
        if not ok:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
