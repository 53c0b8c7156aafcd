"""The Excel functions ``qitxl.xlcalc`` reproduces: the allowlist.

A function is listed in ``FUNCTIONS`` only when its behaviour here matches Excel's for the
arguments it accepts; for arguments whose behaviour was not checked it raises ``Unsupported``
(a refusal, never a guess). The QIT_ functions come from ``Context.udfs`` and receive what an Excel
UDF receives: scalars, 2-D lists, None for empty cells and skipped arguments.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any

from .errors import XlError
from .xlcalc import (
    MISSING,
    Context,
    Ref,
    Unsupported,
    compare,
    deref,
    evaluate,
    finite,
    intersect,
    lift,
    scalar_arg,
    shape,
    to_bool,
    to_number,
)
from .xltext import date_serial, text_format

#: name -> (implementation, fewest arguments, most arguments, lazy). Lazy implementations receive
#: the argument nodes (IF, IFERROR, LET, CHOOSE evaluate only what they need).
FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int, bool]] = {}


def _register(name: str, lo: int, hi: int, lazy: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        FUNCTIONS[name] = (fn, lo, hi, lazy)
        return fn

    return deco


#: Parameters Excel evaluates as arrays even in a legacy formula (no implicit intersection inside):
#: every argument of SUMPRODUCT, the first of INDEX (the INDEX(...,0) idiom relies on it).
ARRAY_PARAMS: dict[str, Callable[[int], bool]] = {"SUMPRODUCT": lambda k: True, "INDEX": lambda k: k == 0}


def array_context(ctx: Context, node: tuple) -> Any:
    """Evaluate ``node`` without implicit intersection."""
    was = ctx.legacy
    ctx.legacy = False
    try:
        return evaluate(node, ctx)
    finally:
        ctx.legacy = was


def call(name: str, nodes: list[tuple], ctx: Context) -> Any:
    """Call a function by its bare upper-case name (QIT_ functions included)."""
    udf = ctx.udfs.get(name)
    if udf is not None:
        return _call_udf(udf, [evaluate(n, ctx) for n in nodes], ctx)
    entry = FUNCTIONS.get(name)
    if entry is None:
        raise Unsupported(f"uses {name}, which this engine does not reproduce (not on its allowlist)")
    fn, lo, hi, lazy = entry
    if not lo <= len(nodes) <= hi:
        raise Unsupported(f"{name} with {len(nodes)} arguments")
    if lazy:
        return fn(ctx, nodes)
    in_array = ARRAY_PARAMS.get(name)
    if in_array is not None and ctx.legacy:
        return fn(ctx, *(array_context(ctx, n) if in_array(k) else evaluate(n, ctx) for k, n in enumerate(nodes)))
    return fn(ctx, *(evaluate(n, ctx) for n in nodes))


def _call_udf(fn: Callable[..., Any], args: list[Any], ctx: Context) -> Any:
    values = [None if a is MISSING else deref(a, ctx) for a in args]
    while values and args[len(values) - 1] is MISSING:
        values.pop()
    return _from_udf(fn(*values))


def _from_udf(v: Any) -> Any:
    if isinstance(v, list):
        rows = [r if isinstance(r, list) else [r] for r in v]
        if not rows or not rows[0]:
            return XlError("#CALC!", "empty array")
        return [[_from_udf(x) for x in r] for r in rows]
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    if isinstance(v, float):
        return finite(v)
    return v


# ----------------------------------------------------------------------------- helpers

def _values(args: tuple[Any, ...], ctx: Context, whole_ok: bool = True) -> Iterator[tuple[Any, bool]]:
    """Every value of aggregate arguments, with whether it was typed directly (not from a range or array)."""
    for a in args:
        if a is MISSING:
            raise Unsupported("a skipped argument in an aggregate function")
        if isinstance(a, Ref):
            v = deref(a, ctx, whole_ok)
            if isinstance(v, list):
                for row in v:
                    for x in row:
                        yield x, False
            else:
                yield v, False
        elif isinstance(a, list):
            for row in a:
                for x in row:
                    yield x, False
        else:
            yield a, True


def _numbers(args: tuple[Any, ...], ctx: Context) -> list[float] | XlError:
    """Numbers for SUM/MIN/MAX/AVERAGE/PRODUCT: direct logicals and numeric text count, and text
    in ranges and arrays is skipped; errors propagate."""
    out: list[float] = []
    for v, direct in _values(args, ctx):
        if isinstance(v, XlError):
            return v
        if isinstance(v, bool):
            if direct:
                out.append(1.0 if v else 0.0)
        elif isinstance(v, float | int):
            out.append(float(v))
        elif direct and isinstance(v, str):
            x = to_number(v)
            if isinstance(x, XlError):
                return x
            out.append(x)
    return out


def _num(v: Any, ctx: Context) -> float | XlError:
    """One numeric argument (1-cell reference read, larger ones intersected)."""
    v = scalar_arg(v, ctx)
    if isinstance(v, list):
        raise Unsupported("an array where this function takes one number")
    return to_number(v)


def _int_arg(v: Any, ctx: Context) -> int | XlError:
    x = _num(v, ctx)
    return x if isinstance(x, XlError) else math.trunc(x)


def _lifted(name: str, lo: int, hi: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a function of scalars, applied element by element to array arguments."""
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        def impl(ctx: Context, *args: Any) -> Any:
            vals = [MISSING if a is MISSING else scalar_arg(a, ctx) for a in args]
            return lift(fn, *vals)

        FUNCTIONS[name] = (impl, lo, hi, False)
        return fn

    return deco


def _array(v: Any, ctx: Context, whole_ok: bool = False) -> list[list[Any]]:
    v = deref(v, ctx, whole_ok)
    return v if isinstance(v, list) else [[v]]


# ----------------------------------------------------------------------------- math

def _add(xs: list[float]) -> float:
    total = 0.0
    for x in xs:
        total += x
    return total


@_register("SUM", 1, 255)
def _sum(ctx: Context, *args: Any) -> Any:
    xs = _numbers(args, ctx)
    return xs if isinstance(xs, XlError) else finite(_add(xs))


@_register("PRODUCT", 1, 255)
def _product(ctx: Context, *args: Any) -> Any:
    xs = _numbers(args, ctx)
    return xs if isinstance(xs, XlError) else finite(math.prod(xs)) if xs else 0.0


@_register("MIN", 1, 255)
def _min(ctx: Context, *args: Any) -> Any:
    xs = _numbers(args, ctx)
    return xs if isinstance(xs, XlError) else min(xs) if xs else 0.0


@_register("MAX", 1, 255)
def _max(ctx: Context, *args: Any) -> Any:
    xs = _numbers(args, ctx)
    return xs if isinstance(xs, XlError) else max(xs) if xs else 0.0


@_register("AVERAGE", 1, 255)
def _average(ctx: Context, *args: Any) -> Any:
    xs = _numbers(args, ctx)
    if isinstance(xs, XlError):
        return xs
    return finite(_add(xs) / len(xs)) if xs else XlError("#DIV/0!", "no numbers to average")


@_register("COUNT", 1, 255)
def _count(ctx: Context, *args: Any) -> Any:
    def counts(v: Any, direct: bool) -> bool:
        if isinstance(v, float | int) and not isinstance(v, bool):
            return True
        return direct and (isinstance(v, bool) or isinstance(v, str) and isinstance(to_number(v), float))

    return float(sum(1 for v, direct in _values(args, ctx) if counts(v, direct)))


@_register("COUNTA", 1, 255)
def _counta(ctx: Context, *args: Any) -> Any:
    return float(sum(1 for v, _ in _values(args, ctx) if v is not None))


@_register("COUNTBLANK", 1, 1)
def _countblank(ctx: Context, rng: Any) -> Any:
    if not isinstance(rng, Ref):
        raise Unsupported("COUNTBLANK of something that is not a range")
    return float(sum(1 for row in _array(rng, ctx) for x in row if x is None or x == ""))


@_register("SUMPRODUCT", 1, 255)
def _sumproduct(ctx: Context, *args: Any) -> Any:
    arrays = [_array(a, ctx) if not isinstance(a, list) else a for a in args]
    if len({shape(a) for a in arrays}) != 1:
        return XlError("#VALUE!", "SUMPRODUCT arrays of different sizes")
    for a in arrays:
        for row in a:
            for x in row:
                if isinstance(x, XlError):
                    return x
                if isinstance(x, str):
                    raise Unsupported("SUMPRODUCT over text values")
    h, w = shape(arrays[0])
    total = 0.0
    for i in range(h):
        for j in range(w):
            p = 1.0
            for a in arrays:
                x = a[i][j]
                p *= float(x) if isinstance(x, float | int) and not isinstance(x, bool) else 0.0
            total += p
    return finite(total)


def _decimal_round(x: float, digits: int, mode: str) -> float:
    def at(value: Decimal) -> float:
        q = Decimal(1).scaleb(-digits)
        return float(value.quantize(q, rounding=mode)) if digits >= 0 else \
            float(value.scaleb(digits).quantize(Decimal(1), rounding=mode).scaleb(-digits))

    short, exact = at(Decimal(f"{x:.15g}")), at(Decimal(x))
    if short != exact:
        raise Unsupported(f"rounding {x!r}, which lies on a 15-digit boundary")
    return 0.0 if short == 0 else short


def _rounder(name: str, mode: str) -> None:
    @_lifted(name, 2, 2)
    def fn(x: Any, n: Any) -> Any:
        a, b = to_number(x), to_number(n)
        if isinstance(a, XlError) or isinstance(b, XlError):
            return a if isinstance(a, XlError) else b
        return _decimal_round(a, math.trunc(b), mode)


_rounder("ROUND", ROUND_HALF_UP)
_rounder("ROUNDUP", ROUND_UP)
_rounder("ROUNDDOWN", ROUND_DOWN)


def _unary_math(name: str, fn: Callable[[float], Any]) -> None:
    @_lifted(name, 1, 1)
    def impl(x: Any) -> Any:
        a = to_number(x)
        return a if isinstance(a, XlError) else fn(a)


def _int(x: float) -> float:
    if math.floor(x) != math.floor(float(f"{x:.15g}")):
        raise Unsupported(f"INT of {x!r}, which lies on a 15-digit boundary")
    return float(math.floor(x))


_unary_math("INT", _int)
_unary_math("ABS", abs)
_unary_math("SQRT", lambda x: XlError("#NUM!", "square root of a negative number") if x < 0 else math.sqrt(x))
_unary_math("SIGN", lambda x: float((x > 0) - (x < 0)))


@_lifted("MOD", 2, 2)
def _mod(x: Any, y: Any) -> Any:
    a, b = to_number(x), to_number(y)
    if isinstance(a, XlError) or isinstance(b, XlError):
        return a if isinstance(a, XlError) else b
    if b == 0:
        return XlError("#DIV/0!", "MOD by zero")
    if a != int(a) or b != int(b):
        raise Unsupported("MOD of fractions (Excel's rounding of the quotient is not reproduced)")
    return float(a - b * math.floor(a / b))


def _nth(ctx: Context, arr: Any, k: Any, largest: bool) -> Any:
    xs = _numbers((arr,), ctx)
    kth = _num(k, ctx)
    if isinstance(xs, XlError) or isinstance(kth, XlError):
        return xs if isinstance(xs, XlError) else kth
    if kth != int(kth):
        raise Unsupported("LARGE/SMALL with a fractional position")
    n = int(kth)
    if not 1 <= n <= len(xs):
        return XlError("#NUM!", "position out of range")
    return sorted(xs, reverse=largest)[n - 1]


@_register("LARGE", 2, 2)
def _large(ctx: Context, arr: Any, k: Any) -> Any:
    return _nth(ctx, arr, k, True)


@_register("SMALL", 2, 2)
def _small(ctx: Context, arr: Any, k: Any) -> Any:
    return _nth(ctx, arr, k, False)


@_register("MEDIAN", 1, 255)
def _median(ctx: Context, *args: Any) -> Any:
    xs = _numbers(args, ctx)
    if isinstance(xs, XlError):
        return xs
    if not xs:
        return XlError("#NUM!", "no numbers")
    xs.sort()
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2


def _rank(ctx: Context, x: Any, ref: Any, order: Any = MISSING) -> Any:
    if not isinstance(ref, Ref):
        raise Unsupported("RANK over something that is not a range")
    v = to_number(scalar_arg(x, ctx))
    asc = False if order is MISSING else to_bool(scalar_arg(order, ctx))
    if isinstance(v, XlError) or isinstance(asc, XlError):
        return v if isinstance(v, XlError) else asc
    xs = []
    for y, _ in _values((ref,), ctx):
        if isinstance(y, XlError):
            raise Unsupported("RANK over a range holding errors")
        if isinstance(y, float | int) and not isinstance(y, bool):
            xs.append(float(y))
    if not any(compare("=", y, v) is True for y in xs):
        return XlError("#N/A", "the number is not in the range")
    return float(1 + sum(1 for y in xs if compare("<" if asc else ">", y, v) is True))


FUNCTIONS["RANK"] = (_rank, 2, 3, False)
FUNCTIONS["RANK.EQ"] = (_rank, 2, 3, False)


def _checked(fn: Callable[[float], float]) -> Callable[[float], Any]:
    def impl(x: float) -> Any:
        try:
            return finite(fn(x))
        except (ValueError, OverflowError):
            return XlError("#NUM!", "outside the function's domain")
    return impl


_unary_math("EXP", _checked(math.exp))
_unary_math("LN", _checked(lambda x: math.log(x) if x > 0 else math.nan))
_unary_math("LOG10", _checked(lambda x: math.log10(x) if x > 0 else math.nan))
_unary_math("TRUNC", lambda x: float(math.trunc(x)) if math.trunc(x) == math.trunc(float(f"{x:.15g}"))
            else _boundary(x))


def _boundary(x: float) -> Any:
    raise Unsupported(f"truncating {x!r}, which lies on a 15-digit boundary")


@_lifted("POWER", 2, 2)
def _power_fn(x: Any, y: Any) -> Any:
    from .xlcalc import binary

    return binary("^", x, y)


# ----------------------------------------------------------------------------- logic and information

@_register("IF", 2, 3, lazy=True)
def _if(ctx: Context, nodes: list[tuple]) -> Any:
    cond = scalar_arg(evaluate(nodes[0], ctx), ctx)

    def branch(k: int) -> Any:
        if k >= len(nodes):
            return False
        v = evaluate(nodes[k], ctx)
        return 0.0 if v is MISSING else v

    if isinstance(cond, list):
        a, b = (scalar_arg(branch(k), ctx) for k in (1, 2))
        return lift(lambda c, x, y: (lambda t: t if isinstance(t, XlError) else (x if t else y))(to_bool(c)),
                    cond, a, b)
    t = to_bool(cond)
    if isinstance(t, XlError):
        return t
    return branch(1 if t else 2)


def _iferror(only: str | None) -> Callable[[Context, list[tuple]], Any]:
    def impl(ctx: Context, nodes: list[tuple]) -> Any:
        v = scalar_arg(evaluate(nodes[0], ctx), ctx)

        def caught(x: Any) -> bool:
            return isinstance(x, XlError) and (only is None or x.code == only)

        if isinstance(v, list):
            if not any(caught(x) for row in v for x in row):
                return v
            alt = scalar_arg(evaluate(nodes[1], ctx), ctx)
            return lift(lambda x, y: (0.0 if y is None else y) if caught(x) else x, v, alt)
        if not caught(v):
            return v
        alt = evaluate(nodes[1], ctx)
        return 0.0 if alt is MISSING else alt

    return impl


FUNCTIONS["IFERROR"] = (_iferror(None), 2, 2, True)
FUNCTIONS["IFNA"] = (_iferror("#N/A"), 2, 2, True)


def _logic(args: tuple[Any, ...], ctx: Context) -> list[bool] | XlError:
    out: list[bool] = []
    for v, direct in _values(args, ctx, whole_ok=True):
        if isinstance(v, XlError):
            return v
        if isinstance(v, bool):
            out.append(v)
        elif isinstance(v, float | int):
            out.append(v != 0)
        elif direct and isinstance(v, str):
            raise Unsupported("text typed into AND/OR")
    return out if out else XlError("#VALUE!", "no logical values")


@_register("AND", 1, 255)
def _and(ctx: Context, *args: Any) -> Any:
    vs = _logic(args, ctx)
    return vs if isinstance(vs, XlError) else all(vs)


@_register("OR", 1, 255)
def _or(ctx: Context, *args: Any) -> Any:
    vs = _logic(args, ctx)
    return vs if isinstance(vs, XlError) else any(vs)


@_lifted("NOT", 1, 1)
def _not(x: Any) -> Any:
    if isinstance(x, str):
        raise Unsupported("NOT of text")
    t = to_bool(x)
    return t if isinstance(t, XlError) else not t


_IS = {
    "ISNUMBER": lambda v: isinstance(v, float | int) and not isinstance(v, bool),
    "ISTEXT": lambda v: isinstance(v, str),
    "ISNONTEXT": lambda v: not isinstance(v, str),
    "ISLOGICAL": lambda v: isinstance(v, bool),
    "ISBLANK": lambda v: v is None,
    "ISERROR": lambda v: isinstance(v, XlError),
    "ISERR": lambda v: isinstance(v, XlError) and v.code != "#N/A",
    "ISNA": lambda v: isinstance(v, XlError) and v.code == "#N/A",
}
for _name, _test in _IS.items():
    _lifted(_name, 1, 1)(lambda v, _t=_test: _t(None if v is MISSING else v))


@_register("NA", 0, 0)
def _na(ctx: Context) -> Any:
    return XlError("#N/A")


@_register("TRUE", 0, 0)
def _true(ctx: Context) -> Any:
    return True


@_register("FALSE", 0, 0)
def _false(ctx: Context) -> Any:
    return False


@_register("LET", 3, 253, lazy=True)
def _let(ctx: Context, nodes: list[tuple]) -> Any:
    if len(nodes) % 2 == 0:
        raise Unsupported("LET needs name/value pairs and a final calculation")
    scope: dict[str, Any] = {}
    ctx.bindings.append(scope)
    try:
        for k in range(0, len(nodes) - 1, 2):
            if nodes[k][0] != "name":
                raise Unsupported("LET with a name that is not a plain name")
            scope[nodes[k][1]] = evaluate(nodes[k + 1], ctx)
        return evaluate(nodes[-1], ctx)
    finally:
        ctx.bindings.pop()


@_register("CHOOSE", 2, 255, lazy=True)
def _choose(ctx: Context, nodes: list[tuple]) -> Any:
    i = _int_arg(evaluate(nodes[0], ctx), ctx)
    if isinstance(i, XlError):
        return i
    if not 1 <= i < len(nodes):
        return XlError("#VALUE!", "CHOOSE index out of range")
    v = evaluate(nodes[i], ctx)
    return 0.0 if v is MISSING else v


@_register("SINGLE", 1, 1)
def _single(ctx: Context, v: Any) -> Any:
    """``@``: implicit intersection of a range; the first value of an array."""
    if isinstance(v, Ref):
        return intersect(v, ctx)
    if isinstance(v, list):
        return v[0][0]
    return None if v is MISSING else v


@_register("ANCHORARRAY", 1, 1)
def _anchorarray(ctx: Context, v: Any) -> Any:
    """``F2#``: the range the formula in F2 spills into."""
    if not isinstance(v, Ref) or v.height != 1 or v.width != 1:
        return XlError("#REF!", "a spill reference must name one cell")
    spilled = ctx.spill(v.sheet, v.r1, v.c1)
    return XlError("#REF!", "that cell does not hold a spilling formula") if spilled is None else spilled


# ----------------------------------------------------------------------------- positions

def _position(ctx: Context, v: Any, rows: bool) -> Any:
    if v is MISSING or v is None:
        return float(ctx.row if rows else ctx.col)
    if not isinstance(v, Ref):
        raise Unsupported("ROW/COLUMN of something that is not a reference")
    first, n = (v.r1, v.height) if rows else (v.c1, v.width)
    if n == 1 or ctx.legacy:
        return float(first)
    return [[float(first + k)] for k in range(n)] if rows else [[float(first + k) for k in range(n)]]


@_register("ROW", 0, 1)
def _row(ctx: Context, v: Any = MISSING) -> Any:
    return _position(ctx, v, True)


@_register("COLUMN", 0, 1)
def _column(ctx: Context, v: Any = MISSING) -> Any:
    return _position(ctx, v, False)


def _dims(v: Any) -> tuple[int, int] | XlError:
    if isinstance(v, Ref):
        return (v.height, v.width)
    if isinstance(v, XlError):
        return v
    return shape(v)


@_register("ROWS", 1, 1)
def _rows(ctx: Context, v: Any) -> Any:
    d = _dims(v)
    return d if isinstance(d, XlError) else float(d[0])


@_register("COLUMNS", 1, 1)
def _columns(ctx: Context, v: Any) -> Any:
    d = _dims(v)
    return d if isinstance(d, XlError) else float(d[1])


from . import xllookup as _xllookup  # noqa: E402,F401 - registers the lookup, criteria and text functions

__all__ = ["FUNCTIONS", "call", "date_serial", "text_format"]
