"""What the traced callable's module tree tells the capture: scopes and weight names.

- Scopes: while tracing, each Flax NNX or Equinox submodule's ``__call__`` runs inside
  ``jax.named_scope(<attribute name>)``, so eqns carry their module path (``MLP/linear1``) in
  their name stack. The classes are patched only for the duration of the trace and only act on
  the instances of this model.
- Weight names: the model's arrays are found by identity among the closed jaxpr's consts, so
  initializers are named like ``linear1.kernel`` instead of ``const_3``.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import threading
from typing import Any, Callable, Iterator

import jax


def module_types() -> tuple[type, ...]:
    """Module base classes of the libraries the user has imported (a model of a library that is
    not imported cannot exist, so nothing is imported here: equinox alone takes ~0.2 s)."""
    types: list[type] = []
    if "flax.nnx" in sys.modules:
        types.append(sys.modules["flax.nnx"].Module)
    if "equinox" in sys.modules:
        types.append(sys.modules["equinox"].Module)
    return tuple(types)


def root_module(fn: Callable[..., Any]) -> Any | None:
    """The model behind a callable: the module itself, the module of a bound method, or the one
    module a wrapper holds (``jax.vmap(model)``, ``functools.partial``, ``lambda x: model(x)``)."""
    types = module_types()
    if not types:
        return None
    seen: set[int] = set()
    todo = [fn]
    while todo:
        f = todo.pop(0)
        if id(f) in seen:
            continue
        seen.add(id(f))
        if isinstance(f, types):
            return f
        owner = getattr(f, "__self__", None)
        if isinstance(owner, types):
            return owner
        if isinstance(f, functools.partial):
            todo += [f.func, *f.args, *f.keywords.values()]
        wrapped = getattr(f, "__wrapped__", None)
        if wrapped is not None:
            todo.append(wrapped)
        # A closure holding exactly one module (lambda x: model(x)) names that module.
        cells = [c.cell_contents for c in (getattr(f, "__closure__", None) or ()) if _has_contents(c)]
        modules = [c for c in cells if isinstance(c, types)]
        if len(modules) == 1:
            return modules[0]
    return None


def _has_contents(cell: Any) -> bool:
    try:
        cell.cell_contents
    except ValueError:  # an empty cell
        return False
    return True


def _children(obj: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(obj, (list, tuple)):
        yield from ((str(i), x) for i, x in enumerate(obj))
    elif isinstance(obj, dict):
        yield from ((str(k), v) for k, v in obj.items())
    else:
        for k, v in vars(obj).items() if hasattr(obj, "__dict__") else ():
            if not k.startswith("_"):
                yield k, v


def _walk(obj: Any, path: tuple[str, ...], seen: set[int], visit: Callable[[tuple[str, ...], Any], None], types: tuple[type, ...] | None = None) -> None:
    """Depth-first over modules and the lists, tuples and dicts they hold; visits every object."""
    if id(obj) in seen:
        return
    seen.add(id(obj))
    visit(path, obj)
    types = types or module_types() + (list, tuple, dict)
    if isinstance(obj, types) or _is_container(obj):
        for name, child in _children(obj):
            _walk(child, path + (name,), seen, visit, types)


def module_paths(root: Any) -> dict[int, str]:
    """id(submodule) -> scope name (the attribute name; list items as ``layers.0``)."""
    return _module_table(root)[0]


def _module_table(root: Any) -> tuple[dict[int, str], list[Any]]:
    """module_paths, and the module objects it names (one walk of the tree for both)."""
    types = module_types()
    names: dict[int, str] = {}
    instances: list[Any] = []

    def visit(path: tuple[str, ...], obj: Any) -> None:
        if isinstance(obj, types) and id(obj) not in names:
            instances.append(obj)
            if not path:
                names[id(obj)] = type(obj).__name__
            elif path[-1].isdigit() and len(path) > 1:
                names[id(obj)] = f"{path[-2]}.{path[-1]}"
            else:
                names[id(obj)] = path[-1]

    _walk(root, (), set(), visit)
    return names, instances


def _is_container(obj: Any) -> bool:
    # nnx.List / nnx.Dict and similar pytree containers hold modules as items.
    return type(obj).__name__ in {"List", "Dict", "Sequential"}


def _variable_array(var: Any) -> Any:
    """The array an NNX Variable holds, as tracing sees it. get_value() copies the value's pytree
    first (~10 us a Variable, most of this walk's time); the stored value is the same object
    unless a get-value hook transforms it or it is an array ref, which get_value() reads."""
    get_raw = getattr(var, "get_raw_value", None)  # `.raw_value` is deprecated (flax 0.12)
    metadata = getattr(var, "_var_metadata", None)
    if get_raw is not None and metadata is not None and "on_get_value" not in metadata:
        raw = get_raw()
        if isinstance(raw, jax.Array):
            return raw
    return var.get_value()


def weight_names(root: Any) -> dict[int, str]:
    """id(array) -> dotted path of every array leaf reachable from the model."""
    names: dict[int, str] = {}
    nnx = sys.modules.get("flax.nnx")
    variable_type: type | None = nnx.Variable if nnx is not None else None

    def visit(path: tuple[str, ...], obj: Any) -> None:
        value = _variable_array(obj) if variable_type is not None and isinstance(obj, variable_type) else obj
        if isinstance(value, jax.Array):
            names.setdefault(id(value), ".".join(path))

    _walk(root, (), set(), visit)
    return names


_active = threading.local()


@contextlib.contextmanager
def module_scopes(root: Any | None) -> Iterator[dict[int, str]]:
    """Within this context, calls of `root`'s modules push a named scope with their path name.
    Yields the id -> name table, so a copy of the model made while tracing (nnx.merge) can be
    named too."""
    if root is None:
        yield {}
        return
    names, instances = _module_table(root)
    classes = {type(m) for m in instances}
    saved: list[tuple[type, Any]] = []
    for cls in classes:
        original = cls.__dict__.get("__call__")
        saved.append((cls, original))
        call = cls.__call__

        def scoped(self: Any, *args: Any, __call: Any = call, **kwargs: Any) -> Any:
            name = names.get(id(self))
            active = getattr(_active, "ids", None)
            if active is None:
                active = _active.ids = set()
            # A subclass and its base may both be patched: push the scope once per call.
            if name is None or id(self) in active:
                return __call(self, *args, **kwargs)
            active.add(id(self))
            try:
                with jax.named_scope(name):
                    return __call(self, *args, **kwargs)
            finally:
                active.discard(id(self))

        functools.update_wrapper(scoped, call)
        type.__setattr__(cls, "__call__", scoped)
    try:
        yield names
    finally:
        for cls, original in saved:
            if original is None:
                type.__delattr__(cls, "__call__")
            else:
                type.__setattr__(cls, "__call__", original)
