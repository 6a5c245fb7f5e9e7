"""Module paths for Flax Linen, Haiku and Keras 3 (NNX and Equinox: _modules.py).

- Scopes: Flax Linen (flax_profile, on by default: ``jax.named_scope`` per module call, the
  top module by its class name, submodules by attribute or auto name: ``CNN/Conv_0``), Haiku
  (``mlp/linear_0``) and Keras 3 on the JAX backend (``sequential/dense``) name their module
  calls themselves, so eqns carry their paths with nothing patched here; lifted Linen modules
  (``nn.scan``, ``nn.remat``, ``nn.vmap``) carry them into their bodies' eqns.
- Weight names: Linen and Haiku weights live in the variables dict the callable closes over
  (``functools.partial(model.apply, variables)``, ``lambda x: f.apply(params, None, x)``):
  ``params/Conv_0/kernel`` becomes ``Conv_0.kernel`` (the collection name dropped),
  ``mlp/~/linear_0/w`` becomes ``mlp.linear_0.w``. Keras weights are named by their ``path``
  (``dense/kernel`` -> ``dense.kernel``).
Nothing here imports a framework the user has not imported.
"""

from __future__ import annotations

import functools
import sys
from typing import Any, Iterator

import jax

# Linen's variable collections: the first key of a variables dict, not part of a module path.
LINEN_COLLECTIONS = frozenset({"params", "batch_stats", "cache", "constants", "intermediates", "state"})


def _callable_parts(fn: Any) -> Iterator[Any]:
    """What a callable holds: partial args, closure cells, dicts it reads from its module's
    globals, the bound object, wrapped callables."""
    seen: set[int] = set()
    todo = [fn]
    while todo:
        f = todo.pop()
        if id(f) in seen:
            continue
        seen.add(id(f))
        yield f
        if isinstance(f, functools.partial):
            todo += [f.func, *f.args, *f.keywords.values()]
        for attr in ("__self__", "__wrapped__"):
            inner = getattr(f, attr, None)
            if inner is not None:
                todo.append(inner)
        for cell in getattr(f, "__closure__", None) or ():
            try:
                todo.append(cell.cell_contents)
            except ValueError:
                pass
        # Module-level names the function reads (`lambda x: f.apply(params, x)` in a script).
        code, globs = getattr(f, "__code__", None), getattr(f, "__globals__", None)
        if code is not None and globs is not None:
            todo += [globs[n] for n in code.co_names if n in globs and isinstance(globs[n], dict)]


def _dict_weights(tree: Any, prefix: tuple[str, ...], names: dict[int, str]) -> None:
    if isinstance(tree, jax.Array):
        names.setdefault(id(tree), ".".join(p for part in prefix for p in part.replace("/~/", "/").split("/") if p))
    elif isinstance(tree, dict) or type(tree).__name__ == "FrozenDict":
        for k, v in tree.items():
            _dict_weights(v, prefix + (str(k),), names)


def framework_weight_names(fn: Any) -> dict[int, str]:
    """id(array) -> module path of the Linen / Haiku variables and Keras weights `fn` holds."""
    names: dict[int, str] = {}
    keras_layer = getattr(sys.modules.get("keras"), "Layer", None)
    for part in _callable_parts(fn):
        if keras_layer is not None and isinstance(part, keras_layer):
            for w in part.weights:
                value = getattr(w, "value", None)
                if isinstance(value, jax.Array):
                    names.setdefault(id(value), w.path.replace("/", "."))
        elif isinstance(part, dict) or type(part).__name__ == "FrozenDict":
            for k, v in part.items():
                # A Linen variables dict starts with collections; Haiku's params with module names.
                _dict_weights(v, () if k in LINEN_COLLECTIONS else (str(k),), names)
    return names
