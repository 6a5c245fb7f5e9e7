"""The iterative linear algebra rules (plugins/linalg: eigh, svd, qr, tridiagonal_solve) loop in
ONNX Loops and Scans: their node count follows the loop bodies, never the matrix size."""

import jax.numpy as jnp
import onnx
import pytest
from jax import lax

from jax2onnx_lab import to_onnx


def _count_nodes(graph: onnx.GraphProto) -> int:
    return sum(1 + sum(_count_nodes(a.g) for a in node.attribute if a.type == onnx.AttributeProto.GRAPH) for node in graph.node)


PROGRAMS = {
    "eigh": (jnp.linalg.eigh, lambda n: [(n, n)]),
    "eigh_odd": (jnp.linalg.eigh, lambda n: [(n + 1, n + 1)]),
    "svd": (jnp.linalg.svd, lambda n: [(n + 3, n)]),
    "svd_values": (lambda a: jnp.linalg.svd(a, compute_uv=False), lambda n: [(n, n + 1)]),
    "qr": (jnp.linalg.qr, lambda n: [(n + 2, n)]),
    "tridiagonal_solve": (lax.linalg.tridiagonal_solve, lambda n: [(n,), (n,), (n,), (n, 2)]),
}


@pytest.mark.parametrize("name", PROGRAMS)
def test_node_count_does_not_grow_with_the_matrix_size(name):
    fn, inputs = PROGRAMS[name]
    small, big = (_count_nodes(to_onnx(fn, inputs(n)).graph) for n in (4, 40))
    assert big == small
