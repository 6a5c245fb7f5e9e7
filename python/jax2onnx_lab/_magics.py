"""%jax2onnx and %%jax2onnx: convert a callable from the notebook and show it in the graph widget.

Load with ``%load_ext jax2onnx_lab``. ``%jax2onnx?`` shows the options.
"""

from __future__ import annotations

import ast
import re
from typing import Any

import numpy as np
from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from ._show import show_callable

_SPEC = re.compile(r"^\s*(?:(?P<dtype>[a-z][a-z0-9]*)\s*\[(?P<bracket>[^\]]*)\]|(?P<plain>.*))\s*$")


class MagicUsageError(UsageError):
    """Bad magic options: the message says which and what to write instead (no traceback)."""


def parse_input_spec(text: str) -> Any:
    """ "B,30" -> ("B", 30) float32; "int32[B,8]" -> ShapeDtypeStruct; "" or "()" -> a scalar."""
    # IPython splits magic lines without removing quotes (arg_split, posix=False).
    text = _unquote(text)
    m = _SPEC.match(text)
    if not m:
        raise MagicUsageError(f"--inputs {text!r}: write a shape like 'B,30' or 'int32[B,8]'")
    body = m.group("bracket") if m.group("dtype") else m.group("plain")
    body = body.strip().strip("()")
    dims: list[Any] = []
    for part in (p.strip() for p in body.split(",")) if body else []:
        if not part:
            continue
        dims.append(int(part) if re.fullmatch(r"\d+", part) else part)
    if not m.group("dtype"):
        return tuple(dims)
    try:
        dtype = np.dtype(m.group("dtype"))
    except TypeError as e:
        raise MagicUsageError(f"--inputs {text!r}: unknown dtype {m.group('dtype')!r}") from e
    # Dim names stay names: to_onnx makes one symbolic scope across all inputs.
    return _ShapeSpec(tuple(dims), dtype)


class _ShapeSpec:
    """A shape (ints and dim names) with a dtype, read by to_onnx like an array's shape/dtype."""

    def __init__(self, shape: tuple[Any, ...], dtype: np.dtype) -> None:
        self.shape, self.dtype = shape, dtype

    def __repr__(self) -> str:
        return f"{self.dtype.name}[{', '.join(map(str, self.shape))}]"


def _unquote(text: str) -> str:
    text = text.strip()
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" else text


def parse_dims(items: list[str] | None) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in map(_unquote, items or []):
        for part in item.split(","):
            name, _, value = part.partition("=")
            if not name.strip().isidentifier() or not value.strip().isdigit():
                raise MagicUsageError(f"--dims {item!r}: write NAME=SIZE, e.g. --dims B=4")
            out[name.strip()] = int(value)
    return out


def callable_of_cell(cell: str, namespace: dict[str, Any]) -> Any:
    """Runs the cell in `namespace`; returns its last expression, or the last function or class it defines."""
    tree = ast.parse(cell)
    last = tree.body[-1] if tree.body else None
    if isinstance(last, ast.Expr):
        exec(compile(ast.Module(body=tree.body[:-1], type_ignores=[]), "<jax2onnx cell>", "exec"), namespace)  # noqa: S102 - the user's own cell
        return eval(compile(ast.Expression(body=last.value), "<jax2onnx cell>", "eval"), namespace)  # noqa: S307 - the user's own cell
    exec(compile(tree, "<jax2onnx cell>", "exec"), namespace)  # noqa: S102 - the user's own cell
    defined = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    if not defined:
        raise MagicUsageError("%%jax2onnx converts the cell's last expression or the last function it defines; this cell has neither")
    return namespace[defined[-1]]


@magics_class
class Jax2OnnxMagics(Magics):
    @magic_arguments()
    @argument("name", nargs="?", help="the callable to convert (a function, or a Flax / Equinox module) from the notebook's namespace; omit it in %%jax2onnx")
    @argument("--inputs", "-i", action="append", metavar="SHAPE", help="one per positional input: 'B,30' (float32, B symbolic), 'int32[B,8]', or '' for a scalar; repeat for each input")
    @argument("--output", "-o", metavar="FILE", help="also write the model to FILE.onnx through to_onnx (atomically)")
    @argument("--opset", type=int, help="ONNX opset (default 21)")
    @argument("--dims", action="append", metavar="NAME=SIZE", help="sizes of symbolic dims for the parity inputs, e.g. --dims B=4 (default 3)")
    @argument("--model-name", help="the model's name (default: the callable's)")
    @argument("--no-parity", action="store_true", help="do not run parity against JAX")
    @argument("--no-fusions", action="store_true", help="keep JAX's ops instead of fusing them into ONNX's (Gelu, pools, ...)")
    @line_cell_magic
    def jax2onnx(self, line: str, cell: str | None = None) -> Any:
        """Convert a JAX callable to ONNX and show it in the graph widget, with parity against JAX.

        Line magic:  %jax2onnx model --inputs "B,30" [--output mlp.onnx]
        Cell magic:  %%jax2onnx --inputs "B,30"   (the cell's last expression, or the last
                     function it defines, is converted)
        The widget is the result: ``w = %jax2onnx model -i B,30`` keeps it, ``w.parity`` holds
        the parity result once the browser has run it.
        """
        args = parse_argstring(self.jax2onnx, line)
        namespace = self.shell.user_ns
        if not args.inputs:
            raise MagicUsageError("give each input's shape with --inputs, e.g. --inputs 'B,30'")
        inputs = [parse_input_spec(s) for s in args.inputs]
        dims = parse_dims(args.dims)
        if cell is not None:
            if args.name:
                raise MagicUsageError("%%jax2onnx takes no NAME: it converts the cell's last expression or the last function it defines")
            fn = callable_of_cell(cell, namespace)
        else:
            if not args.name:
                raise MagicUsageError("%jax2onnx NAME --inputs SHAPE: name the callable to convert")
            if args.name not in namespace:
                raise MagicUsageError(f"%jax2onnx: {args.name!r} is not defined in the notebook")
            fn = namespace[args.name]
        return show_callable(
            fn,
            inputs,
            model_name=args.model_name,
            opset=args.opset,
            dims=dims,
            parity=not args.no_parity,
            output_path=_unquote(args.output) if args.output else None,
            fusions=not args.no_fusions,
        )


def load_ipython_extension(ipython: Any) -> None:
    ipython.register_magics(Jax2OnnxMagics)
