"""Converts every example of the catalog (examples/) with one converter; run in its own venv.

    <venv>/bin/python bench/example_convert.py --converter ours|ref --out DIR

The reference venv has no jax2onnx_lab: examples that use our `onnx_function` get the
reference's own `jax2onnx.onnx_function` through a stand-in module. The last stdout line is
`RESULT <json>`: per example, nodes (main graph), function nodes, file bytes, or the error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--converter", choices=["ours", "ref"], required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.environ.setdefault("KERAS_BACKEND", "jax")
    if args.converter == "ref":
        import jax2onnx

        stand_in = types.ModuleType("jax2onnx_lab")
        stand_in.onnx_function = jax2onnx.onnx_function  # type: ignore[attr-defined]
        sys.modules["jax2onnx_lab"] = stand_in
        to_onnx = jax2onnx.to_onnx
    else:
        from jax2onnx_lab import to_onnx
    sys.path.insert(0, str(ROOT))
    import onnx

    from examples import CATALOG

    os.makedirs(args.out, exist_ok=True)
    results: dict[str, dict[str, object]] = {}
    for ex in CATALOG:
        if ex.waits_on:
            continue
        path = os.path.join(args.out, f"{ex.name}.onnx")
        try:
            kwargs = {"opset": ex.opset} if ex.opset else {}
            to_onnx(ex.build(), list(ex.inputs), return_mode="file", output_path=path, **kwargs)
            model = onnx.load(path)
            results[ex.name] = {
                "path": path,
                "nodes": len(model.graph.node),
                "function_nodes": sum(len(f.node) for f in model.functions),
                "bytes": sum(os.path.getsize(p) for p in (path, path + ".data") if os.path.exists(p)),
                "opset": next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx")),
            }
        except Exception as e:  # one example's failure must not stop the others
            results[ex.name] = {"error": f"{type(e).__name__}: {str(e).splitlines()[0][:300]}", "trace": traceback.format_exc()[-800:]}
    print("RESULT " + json.dumps(results), flush=True)


if __name__ == "__main__":
    main()
