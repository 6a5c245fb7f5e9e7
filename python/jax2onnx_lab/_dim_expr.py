"""JAX's symbolic dimension expressions as text (``str()`` of a ``_DimExpr``), parsed and evaluated.

The grammar is the one JAX prints and the TypeScript converter reads (src/core/ir/dims.ts):

    expr  := term (("+" | "-") term)*
    term  := power ("*" power)*
    power := atom ("^" atom)?
    atom  := "-" power | "(" expr ")" | integer | name | call
    call  := ("floordiv" | "mod" | "max" | "min") "(" expr "," expr ")" | "non_negative" "(" expr ")"

A real parser, not ``eval``: the text may come from a capture or a notebook, and nothing in it runs.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Callable, Mapping, Union

MAX_TEXT = 256  # as the capture reader (src/core/interchange/limits.ts)

_TOKEN = re.compile(r"\s*(?:([A-Za-z_][A-Za-z0-9_]*)|(\d+)|([-+*^(),]))")

_CALLS: dict[str, tuple[int, Callable[..., int]]] = {
    # JAX semantics: floordiv rounds toward -inf and mod takes the divisor's sign, as Python's.
    "floordiv": (2, lambda a, b: a // b),
    "mod": (2, lambda a, b: a % b),
    "max": (2, max),
    "min": (2, min),
    "non_negative": (1, lambda a: max(a, 0)),
}


class DimExprError(ValueError):
    pass


@dataclasses.dataclass(frozen=True)
class Int:
    value: int


@dataclasses.dataclass(frozen=True)
class Sym:
    name: str


@dataclasses.dataclass(frozen=True)
class BinOp:
    op: str  # "+", "-", "*", "^"
    a: "Expr"
    b: "Expr"


@dataclasses.dataclass(frozen=True)
class Call:
    fn: str
    args: tuple["Expr", ...]


Expr = Union[Int, Sym, BinOp, Call]


def _tokens(text: str) -> list[str]:
    out, at = [], 0
    while at < len(text):
        if text[at:].strip() == "":
            break
        m = _TOKEN.match(text, at)
        if not m or m.end() == at:
            raise DimExprError(f"cannot parse dimension expression {text!r}: unexpected {text[at:].strip()[:1]!r}")
        out.append(next(g for g in m.groups() if g is not None))
        at = m.end()
    return out


def parse_dim(text: str) -> Expr:
    if len(text) > MAX_TEXT:
        raise DimExprError(f"dimension expression of {len(text)} characters (at most {MAX_TEXT})")
    toks = _tokens(text)
    pos = 0

    def peek() -> str | None:
        return toks[pos] if pos < len(toks) else None

    def take() -> str:
        nonlocal pos
        if pos >= len(toks):
            raise DimExprError(f"unexpected end of dimension expression {text!r}")
        pos += 1
        return toks[pos - 1]

    def expect(t: str) -> None:
        if take() != t:
            raise DimExprError(f"expected {t!r} in dimension expression {text!r}")

    def expr() -> Expr:
        left = term()
        while peek() in ("+", "-"):
            op = take()
            left = BinOp(op, left, term())
        return left

    def term() -> Expr:
        left = power()
        while peek() == "*":
            take()
            left = BinOp("*", left, power())
        return left

    def power() -> Expr:
        base = atom()
        if peek() == "^":
            take()
            return BinOp("^", base, atom())
        return base

    def atom() -> Expr:
        t = take()
        if t == "-":  # unary minus binds looser than ^: JAX prints -(B^2) as "- B^2"
            return BinOp("*", Int(-1), power())
        if t == "(":
            e = expr()
            expect(")")
            return e
        if t.isdigit():
            return Int(int(t))
        if t[0].isalpha() or t[0] == "_":
            if peek() == "(" and t in _CALLS:
                take()
                args = [expr()]
                while peek() == ",":
                    take()
                    args.append(expr())
                expect(")")
                if len(args) != _CALLS[t][0]:
                    raise DimExprError(f"{t} takes {_CALLS[t][0]} arguments in dimension expression {text!r}")
                return Call(t, tuple(args))
            return Sym(t)
        raise DimExprError(f"unexpected {t!r} in dimension expression {text!r}")

    result = expr()
    if pos != len(toks):
        raise DimExprError(f"trailing {toks[pos]!r} in dimension expression {text!r}")
    return result


def symbols(e: Expr) -> set[str]:
    if isinstance(e, Sym):
        return {e.name}
    if isinstance(e, BinOp):
        return symbols(e.a) | symbols(e.b)
    if isinstance(e, Call):
        return set().union(*(symbols(a) for a in e.args))
    return set()


def evaluate(e: Expr, env: Mapping[str, int]) -> int:
    if isinstance(e, Int):
        return e.value
    if isinstance(e, Sym):
        if e.name not in env:
            raise DimExprError(f"no size for dimension {e.name!r}")
        return int(env[e.name])
    if isinstance(e, BinOp):
        a, b = evaluate(e.a, env), evaluate(e.b, env)
        if e.op == "+":
            return a + b
        if e.op == "-":
            return a - b
        if e.op == "*":
            return a * b
        if b < 0 or b > 64:
            raise DimExprError(f"exponent {b} in a dimension expression")
        return a**b
    arity, fn = _CALLS[e.fn]
    return int(fn(*(evaluate(a, env) for a in e.args)))


def eval_dim(text: str, env: Mapping[str, int], default: int | None = None) -> int:
    """The size `text` has when its names have the sizes in `env` (names missing there: `default`)."""
    e = parse_dim(text)
    if default is not None:
        env = {**{name: default for name in symbols(e)}, **env}
    return evaluate(e, env)
