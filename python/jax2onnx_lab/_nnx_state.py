"""Tracing Flax NNX models that use NNX transforms (nnx.scan, nnx.vmap, nnx.jit) inside.

NNX transforms refuse module state that is not a value of the current trace ("Cannot extract
graph node from different trace level"), and a plain trace sees the weights as constants. So
such a model is traced as ``merge(graphdef, state)(*inputs)`` with the state's arrays as extra
leading inputs; afterwards those inputs become the closed jaxpr's constvars again, bound to the
very same arrays, so weight names and the interchange are as for any model.
"""

from __future__ import annotations

import sys
from typing import Any, Callable

import jax
from jax.extend import core as jex_core

from ._modules import module_paths

TRACE_LEVEL_ERROR = "different trace level"


def needs_traced_state(error: BaseException, root: Any) -> bool:
    nnx = sys.modules.get("flax.nnx")
    return nnx is not None and isinstance(root, nnx.Module) and TRACE_LEVEL_ERROR in str(error)


def with_state_inputs(fn: Callable[..., Any], root: Any, scope_names: dict[int, str]) -> tuple[Callable[..., Any], list[Any]]:
    """`fn` as a function of (*state_leaves, *inputs), and the leaves (the model's arrays)."""
    nnx = sys.modules["flax.nnx"]
    graphdef, state = nnx.split(root)
    leaves, treedef = jax.tree_util.tree_flatten(state)
    method = getattr(fn, "__name__", "__call__") if getattr(fn, "__self__", None) is root else "__call__"

    def program(*args: Any, **kwargs: Any) -> Any:
        merged = nnx.merge(graphdef, jax.tree_util.tree_unflatten(treedef, list(args[: len(leaves)])))
        # The copy's modules get the original's scope names (by path, as module_paths gives).
        scope_names.update(module_paths(merged))
        return getattr(merged, method)(*args[len(leaves) :], **kwargs)

    return program, leaves


def state_inputs_as_consts(closed: Any, leaves: list[Any]) -> Any:
    """The closed jaxpr with its first len(leaves) invars turned into constvars bound to leaves."""
    j = closed.jaxpr
    n = len(leaves)
    jaxpr = j.replace(constvars=[*j.constvars, *j.invars[:n]], invars=j.invars[n:])
    return jex_core.ClosedJaxpr(jaxpr, [*closed.consts, *leaves])
