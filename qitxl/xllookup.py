"""Lookup, criteria, array and text functions of the ``qitxl.xlfuncs`` allowlist."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from .errors import XlError
from .xlcalc import (
    _NUMERIC_TEXT,
    _SIMPLE_TEXT,
    MISSING,
    Context,
    Ref,
    Unsupported,
    compare,
    deref,
    lift,
    might_be_number,
    number_text,
    scalar_arg,
    shape,
    to_bool,
    to_number,
    to_text,
)
from .xlfuncs import FUNCTIONS, _array, _int_arg, _lifted, _register, _values
from .xltext import date_parts, date_serial, text_format

# ----------------------------------------------------------------------------- matching values


def _wildcard(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "~" and i + 1 < len(pattern) and pattern[i + 1] in "*?~":
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.S | re.I)


def _equal(v: Any, x: Any, wildcards: bool) -> bool:
    """Lookup equality: same type; text without regard to case (and with * ? ~ when asked)."""
    if isinstance(v, str):
        if not isinstance(x, str):
            return False
        if wildcards and any(ch in v for ch in "*?~"):
            return _wildcard(v).fullmatch(x) is not None
        return v.lower() == x.lower()
    if isinstance(v, bool) or isinstance(x, bool):
        return isinstance(v, bool) and isinstance(x, bool) and v == x
    if isinstance(v, float) and isinstance(x, float | int):
        return compare("=", v, float(x)) is True
    return False


def _vector(v: Any, ctx: Context, whole_ok: bool = True) -> list[Any] | None:
    a = _array(v, ctx, whole_ok)
    if len(a) == 1:
        return a[0]
    if len(a[0]) == 1:
        return [row[0] for row in a]
    return None


def _find(v: Any, vec: list[Any], mode: int, wildcards: bool) -> int | None:
    """Index of ``v`` in ``vec``: mode 0 exact; 1 largest <= v; -1 smallest >= v (sorted data only)."""
    if v is None or isinstance(v, list):
        raise Unsupported("looking up an empty cell or an array")
    if mode == 0:
        return next((i for i, x in enumerate(vec) if _equal(v, x, wildcards)), None)
    data = list(vec)
    while data and data[-1] is None:
        data.pop()
    if any(x is None or type(x) is not type(v) and not (isinstance(x, float) and isinstance(v, float)) for x in data):
        raise Unsupported("an approximate lookup over mixed or empty values (Excel's binary search)")
    for a, b in zip(data, data[1:], strict=False):
        if compare("<" if mode == 1 else ">", b, a) is True:
            raise Unsupported("an approximate lookup over unsorted values (Excel's binary search)")
    best = None
    for i, x in enumerate(data):
        if compare("<=" if mode == 1 else ">=", x, v) is True:
            best = i
    if best is not None and sum(1 for x in data if compare("=", x, data[best]) is True) > 1:
        raise Unsupported("an approximate lookup that lands on repeated values")
    return best


@_register("MATCH", 2, 3)
def _match(ctx: Context, v: Any, arr: Any, kind: Any = MISSING) -> Any:
    v = scalar_arg(v, ctx)
    mode = 1 if kind is MISSING else _int_arg(kind, ctx)
    if isinstance(mode, XlError):
        return mode
    if isinstance(v, XlError):
        return v
    vec = _vector(arr, ctx)
    if vec is None:
        return XlError("#N/A", "MATCH needs one row or one column")
    i = _find(v, vec, (mode > 0) - (mode < 0), True)
    return XlError("#N/A", "no match") if i is None else float(i + 1)


def _table_lookup(ctx: Context, v: Any, table: Any, index: Any, approx: Any, by_rows: bool) -> Any:
    v = scalar_arg(v, ctx)
    if isinstance(v, XlError):
        return v
    n = _int_arg(index, ctx)
    if isinstance(n, XlError):
        return n
    flag = True if approx is MISSING else to_bool(scalar_arg(approx, ctx))
    if isinstance(flag, XlError):
        return flag
    exact = not flag
    a = _array(table, ctx, whole_ok=True)
    if not by_rows:
        a = [list(col) for col in zip(*a, strict=True)]
    if n < 1:
        return XlError("#VALUE!", "column index below 1")
    if n > len(a[0]):
        return XlError("#REF!", "column index beyond the table")
    i = _find(v, [row[0] for row in a], 0 if exact else 1, True)
    return XlError("#N/A", "no match") if i is None else a[i][n - 1]


@_register("VLOOKUP", 3, 4)
def _vlookup(ctx: Context, v: Any, table: Any, col: Any, approx: Any = MISSING) -> Any:
    return _table_lookup(ctx, v, table, col, approx, True)


@_register("HLOOKUP", 3, 4)
def _hlookup(ctx: Context, v: Any, table: Any, row: Any, approx: Any = MISSING) -> Any:
    return _table_lookup(ctx, v, table, row, approx, False)


@_register("XLOOKUP", 3, 6)
def _xlookup(ctx: Context, v: Any, look: Any, ret: Any, nf: Any = MISSING, mode: Any = MISSING,
             search: Any = MISSING) -> Any:
    v = scalar_arg(v, ctx)
    if isinstance(v, XlError):
        return v
    m = 0 if mode is MISSING else _int_arg(mode, ctx)
    s = 1 if search is MISSING else _int_arg(search, ctx)
    if m not in (0, 2) or s not in (1, -1):
        raise Unsupported("XLOOKUP with approximate match or binary search modes")
    la = _array(look, ctx, whole_ok=True)
    ra = _array(ret, ctx, whole_ok=True)
    vertical = len(la[0]) == 1 and len(la) > 1 or (len(la) == 1 and len(la[0]) == 1)
    vec = [row[0] for row in la] if vertical else la[0] if len(la) == 1 else None
    if vec is None or (len(ra) if vertical else len(ra[0])) != len(vec):
        return XlError("#VALUE!", "XLOOKUP arrays of different sizes")
    order = range(len(vec)) if s == 1 else range(len(vec) - 1, -1, -1)
    if v is None:
        raise Unsupported("XLOOKUP of an empty cell")
    i = next((k for k in order if _equal(v, vec[k], m == 2)), None)
    if i is None:
        return XlError("#N/A", "no match") if nf is MISSING else nf
    out = [ra[i]] if vertical else [[row[i]] for row in ra]
    return out[0][0] if len(out) == 1 and len(out[0]) == 1 else out


@_register("INDEX", 2, 3)
def _index(ctx: Context, arr: Any, row: Any, col: Any = MISSING) -> Any:
    r = _int_arg(row, ctx)
    c = 0 if col is MISSING else _int_arg(col, ctx)
    for x in (r, c):
        if isinstance(x, XlError):
            return x
    h, w = (arr.height, arr.width) if isinstance(arr, Ref) else shape(arr)
    if col is MISSING and h > 1 and w > 1:
        raise Unsupported("INDEX of a 2-D range with one index")
    if col is MISSING and h == 1:
        r, c = 1, r
    elif col is MISSING:
        c = 1
    if r < 0 or c < 0 or r > h or c > w:
        return XlError("#REF!", "INDEX out of range")
    if isinstance(arr, Ref):
        r1, r2 = (arr.r1, arr.r2) if r == 0 else (arr.r1 + r - 1, arr.r1 + r - 1)
        c1, c2 = (arr.c1, arr.c2) if c == 0 else (arr.c1 + c - 1, arr.c1 + c - 1)
        return Ref(arr.sheet, r1, c1, r2, c2)
    a = arr if isinstance(arr, list) else [[arr]]
    rows = a if r == 0 else [a[r - 1]]
    out = [row if c == 0 else [row[c - 1]] for row in rows]
    return out[0][0] if len(out) == 1 and len(out[0]) == 1 else out


@_register("FILTER", 2, 3)
def _filter(ctx: Context, arr: Any, include: Any, if_empty: Any = MISSING) -> Any:
    a = _array(arr, ctx)
    inc = _array(include, ctx)
    h, w = shape(a)
    if shape(inc) == (h, 1):
        flags = [row[0] for row in inc]
    elif shape(inc) == (1, w):
        flags = inc[0]
    else:
        return XlError("#VALUE!", "FILTER's include has the wrong size")
    keep = []
    for f in flags:
        t = to_bool(f) if not isinstance(f, str) else XlError("#VALUE!", "text in FILTER's include")
        if isinstance(t, XlError):
            return t
        keep.append(t)
    out = [row for row, k in zip(a, keep, strict=True) if k] if shape(inc) == (h, 1) and not (h == 1 and w > 1) \
        else [[x for x, k in zip(row, keep, strict=True) if k] for row in a]
    if not out or not out[0]:
        return XlError("#CALC!", "FILTER found nothing") if if_empty is MISSING else if_empty
    return out


def _sort_key(x: Any) -> tuple[int, Any]:
    if isinstance(x, XlError) or x is None:
        raise Unsupported("SORT over errors or empty cells")
    if isinstance(x, str):
        if not _SIMPLE_TEXT.match(x):
            raise Unsupported("SORT of text with punctuation or non-ASCII letters (Excel's collation)")
        return (1, x.lower())
    if isinstance(x, bool):
        return (2, x)
    return (0, x)


@_register("SORT", 1, 4)
def _sort(ctx: Context, arr: Any, index: Any = MISSING, order: Any = MISSING, by_col: Any = MISSING) -> Any:
    a = _array(arr, ctx)
    k = 1 if index is MISSING else _int_arg(index, ctx)
    o = 1 if order is MISSING else _int_arg(order, ctx)
    cols = False if by_col is MISSING else to_bool(scalar_arg(by_col, ctx))
    for x in (k, o, cols):
        if isinstance(x, XlError):
            return x
    if o not in (1, -1):
        return XlError("#VALUE!", "SORT order must be 1 or -1")
    if cols:
        a = [list(c) for c in zip(*a, strict=True)]
    if not 1 <= k <= len(a[0]):
        return XlError("#VALUE!", "SORT index out of range")
    out = sorted(a, key=lambda row: _sort_key(row[k - 1]), reverse=o == -1)
    return [list(c) for c in zip(*out, strict=True)] if cols else out


@_register("SEQUENCE", 1, 4)
def _sequence(ctx: Context, rows: Any, cols: Any = MISSING, start: Any = MISSING, step: Any = MISSING) -> Any:
    vals = [_int_arg(rows, ctx), 1 if cols is MISSING else _int_arg(cols, ctx),
            1.0 if start is MISSING else to_number(scalar_arg(start, ctx)),
            1.0 if step is MISSING else to_number(scalar_arg(step, ctx))]
    for x in vals:
        if isinstance(x, XlError):
            return x
    h, w, s, d = vals
    if h < 1 or w < 1:
        return XlError("#CALC!", "SEQUENCE of no cells")
    return [[float(s + (i * w + j) * d) for j in range(w)] for i in range(h)]


@_register("TRANSPOSE", 1, 1)
def _transpose(ctx: Context, arr: Any) -> Any:
    a = _array(arr, ctx)
    return [list(c) for c in zip(*a, strict=True)]


# ----------------------------------------------------------------------------- criteria (COUNTIF and kin)

_OPS = ("<=", ">=", "<>", "=", "<", ">")


def criterion(c: Any) -> Callable[[Any], bool]:
    """A COUNTIF-style criterion as a test of one cell value. Error cells meet no positive
    criterion; whether a negative one ("<>x") counts them is not reproduced (refused)."""
    test = _criterion(c)

    def checked(v: Any) -> bool:
        met = test(v)
        if met and isinstance(v, XlError):
            raise Unsupported(f'criterion {c!r} over a range holding {v.code}')
        return met

    return checked


def _criterion(c: Any) -> Callable[[Any], bool]:
    if isinstance(c, bool):
        return lambda v: isinstance(v, bool) and v == c
    if isinstance(c, float):
        return _numeric_test("=", c)
    if c is None:  # an empty criterion cell counts as 0 (documented for COUNTIFS)
        return _numeric_test("=", 0.0)
    if not isinstance(c, str):
        raise Unsupported(f"a criterion that is {'empty' if c is None else type(c).__name__}")
    op = next((o for o in _OPS if c.startswith(o)), "")
    rest = c[len(op):]
    if _NUMERIC_TEXT.match(rest):
        return _numeric_test(op or "=", float(rest))
    if might_be_number(rest) or rest.upper() in ("TRUE", "FALSE") or rest.startswith("#"):
        raise Unsupported(f"criterion {c!r} (Excel's date, logical and error criteria are not reproduced)")
    if op in ("", "="):
        if rest == "":
            return (lambda v: v is None or v == "") if op == "" else (lambda v: v is None)
        pat = _wildcard(rest)
        return lambda v: isinstance(v, str) and pat.fullmatch(v) is not None
    if op == "<>":
        if rest == "":
            return lambda v: v is not None and _no_empty_text(v)
        pat = _wildcard(rest)
        return lambda v: not (isinstance(v, str) and pat.fullmatch(v) is not None)
    return lambda v: isinstance(v, str) and compare(op, v, rest) is True


def _no_empty_text(v: Any) -> bool:
    if v == "":
        raise Unsupported('criterion "<>" over a cell holding empty text')
    return True


def _numeric_test(op: str, x: float) -> Callable[[Any], bool]:
    def test(v: Any) -> bool:
        if isinstance(v, str) and _NUMERIC_TEXT.match(v):
            raise Unsupported("a numeric criterion over numbers stored as text")
        if isinstance(v, float | int) and not isinstance(v, bool):
            return compare(op, float(v), x) is True
        return op == "<>"
    return test


def _criteria_cells(ctx: Context, pairs: list[tuple[Any, Any]]) -> list[list[bool]] | XlError:
    """Which cells meet every (range, criterion) pair; the ranges must have one shape."""
    masks: list[list[bool]] | None = None
    size = None
    empty_matches = True
    for rng, crit in pairs:
        if not isinstance(rng, Ref):
            raise Unsupported("a criteria range that is not a range")
        if size is not None and (rng.height, rng.width) != size:
            return XlError("#VALUE!", "criteria ranges of different sizes")
        size = (rng.height, rng.width)
        c = scalar_arg(crit, ctx)
        if isinstance(c, list):
            raise Unsupported("an array of criteria")
        if isinstance(c, XlError):
            raise Unsupported("an error value as a criterion")
        test = criterion(c)
        empty_matches = empty_matches and test(None)
        values = _array(rng, ctx, whole_ok=True)
        m = [[test(v) for v in row] for row in values]
        masks = m if masks is None else [[a and b for a, b in zip(x, y, strict=False)]
                                         for x, y in zip(masks, m, strict=False)]
    if empty_matches and size is not None and size[0] == 1_048_576:
        raise Unsupported("a whole-column criterion that matches empty cells")
    assert masks is not None
    return masks


def _pairs(args: tuple[Any, ...]) -> list[tuple[Any, Any]]:
    if len(args) % 2:
        raise Unsupported("criteria must come in range/criterion pairs")
    return [(args[k], args[k + 1]) for k in range(0, len(args), 2)]


def _sum_where(ctx: Context, target: Any, masks: list[list[bool]]) -> tuple[float, int] | XlError:
    values = _array(target, ctx, whole_ok=True)
    total, n = 0.0, 0
    for vrow, mrow in zip(values, masks, strict=False):
        for v, m in zip(vrow, mrow, strict=False):
            if m:
                if isinstance(v, XlError):
                    return v
                if isinstance(v, float | int) and not isinstance(v, bool):
                    total += v
                    n += 1
    return total, n


@_register("COUNTIF", 2, 2)
def _countif(ctx: Context, rng: Any, crit: Any) -> Any:
    masks = _criteria_cells(ctx, [(rng, crit)])
    return masks if isinstance(masks, XlError) else float(sum(map(sum, masks)))


@_register("COUNTIFS", 2, 254)
def _countifs(ctx: Context, *args: Any) -> Any:
    masks = _criteria_cells(ctx, _pairs(args))
    return masks if isinstance(masks, XlError) else float(sum(map(sum, masks)))


def _resized(target: Any, like: Any) -> Any:
    if not isinstance(target, Ref) or not isinstance(like, Ref):
        raise Unsupported("a sum range that is not a range")
    return Ref(target.sheet, target.r1, target.c1, target.r1 + like.height - 1, target.c1 + like.width - 1)


@_register("SUMIF", 2, 3)
def _sumif(ctx: Context, rng: Any, crit: Any, target: Any = MISSING) -> Any:
    masks = _criteria_cells(ctx, [(rng, crit)])
    if isinstance(masks, XlError):
        return masks
    got = _sum_where(ctx, rng if target is MISSING else _resized(target, rng), masks)
    return got if isinstance(got, XlError) else got[0]


@_register("SUMIFS", 3, 255)
def _sumifs(ctx: Context, target: Any, *args: Any) -> Any:
    pairs = _pairs(args)
    if not isinstance(target, Ref) or (target.height, target.width) != (pairs[0][0].height, pairs[0][0].width):
        return XlError("#VALUE!", "SUMIFS ranges of different sizes")
    masks = _criteria_cells(ctx, pairs)
    if isinstance(masks, XlError):
        return masks
    got = _sum_where(ctx, target, masks)
    return got if isinstance(got, XlError) else got[0]


@_register("AVERAGEIFS", 3, 255)
def _averageifs(ctx: Context, target: Any, *args: Any) -> Any:
    pairs = _pairs(args)
    if not isinstance(target, Ref) or (target.height, target.width) != (pairs[0][0].height, pairs[0][0].width):
        return XlError("#VALUE!", "AVERAGEIFS ranges of different sizes")
    masks = _criteria_cells(ctx, pairs)
    if isinstance(masks, XlError):
        return masks
    got = _sum_where(ctx, target, masks)
    if isinstance(got, XlError):
        return got
    return got[0] / got[1] if got[1] else XlError("#DIV/0!", "no cells meet the criteria")


# ----------------------------------------------------------------------------- text

def _text_fn(name: str, lo: int, hi: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A lifted function whose first argument is text (numbers turned into text as Excel does)."""
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        def impl(*args: Any) -> Any:
            t = to_text(None if args[0] is MISSING else args[0])
            if isinstance(t, XlError):
                return t
            for a in args[1:]:
                if isinstance(a, XlError):
                    return a
            return fn(t, *args[1:])

        _lifted(name, lo, hi)(impl)
        return fn

    return deco


def _count_arg(v: Any, default: int) -> int | XlError:
    if v is MISSING:
        return default
    x = to_number(v)
    if isinstance(x, XlError):
        return x
    return math.trunc(x) if x >= 0 else XlError("#VALUE!", "a negative count")


def _upper_char(ch: str) -> str:
    u = ch.upper()
    return u if len(u) == 1 else ch


@_text_fn("LEN", 1, 1)
def _len(t: str) -> Any:
    if any(ord(ch) > 0xFFFF for ch in t):
        raise Unsupported("LEN of text beyond the Basic Multilingual Plane (Excel counts UTF-16 units)")
    return float(len(t))


@_text_fn("UPPER", 1, 1)
def _upper(t: str) -> Any:
    return "".join(_upper_char(ch) for ch in t)


@_text_fn("LOWER", 1, 1)
def _lower(t: str) -> Any:
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in t)


@_text_fn("TRIM", 1, 1)
def _trim(t: str) -> Any:
    return " ".join(p for p in t.split(" ") if p)


@_text_fn("LEFT", 1, 2)
def _left(t: str, n: Any = MISSING) -> Any:
    k = _count_arg(n, 1)
    return k if isinstance(k, XlError) else t[:k]


@_text_fn("RIGHT", 1, 2)
def _right(t: str, n: Any = MISSING) -> Any:
    k = _count_arg(n, 1)
    return k if isinstance(k, XlError) else (t[-k:] if k else "")


@_text_fn("MID", 3, 3)
def _mid(t: str, start: Any, n: Any) -> Any:
    s, k = to_number(start), _count_arg(n, 0)
    if isinstance(s, XlError) or isinstance(k, XlError):
        return s if isinstance(s, XlError) else k
    if s < 1:
        return XlError("#VALUE!", "MID starts before the text")
    return t[math.trunc(s) - 1:math.trunc(s) - 1 + k]


@_text_fn("REPT", 2, 2)
def _rept(t: str, n: Any) -> Any:
    k = _count_arg(n, 0)
    if isinstance(k, XlError):
        return k
    return XlError("#VALUE!", "text longer than 32,767 characters") if len(t) * k > 32767 else t * k


@_text_fn("EXACT", 2, 2)
def _exact(t: str, other: Any) -> Any:
    u = to_text(None if other is MISSING else other)
    return u if isinstance(u, XlError) else t == u


@_text_fn("SUBSTITUTE", 3, 4)
def _substitute(t: str, old: Any, new: Any, which: Any = MISSING) -> Any:
    o, n = to_text(old), to_text(new)
    if isinstance(o, XlError) or isinstance(n, XlError):
        return o if isinstance(o, XlError) else n
    if which is MISSING:
        return t.replace(o, n) if o else t
    k = _count_arg(which, 0)
    if isinstance(k, XlError) or k < 1:
        return XlError("#VALUE!", "SUBSTITUTE instance below 1")
    start = -1
    for _ in range(k):
        start = t.find(o, start + 1) if o else -1
        if start < 0:
            return t
    return t[:start] + n + t[start + len(o):]


@_text_fn("VALUE", 1, 1)
def _value(t: str) -> Any:
    return to_number(t)


@_lifted("CONCATENATE", 1, 255)
def _concatenate(*args: Any) -> Any:
    parts = []
    for a in args:
        t = to_text(None if a is MISSING else a)
        if isinstance(t, XlError):
            return t
        parts.append(t)
    out = "".join(parts)
    return XlError("#VALUE!", "text longer than 32,767 characters") if len(out) > 32767 else out


def _join(ctx: Context, delim: str, skip_empty: bool, args: tuple[Any, ...]) -> Any:
    parts = []
    for v, _ in _values(args, ctx, whole_ok=False):
        if isinstance(v, XlError):
            return v
        t = to_text(v)
        if skip_empty and t == "":
            continue
        parts.append(t)
    out = delim.join(parts)
    return XlError("#VALUE!", "text longer than 32,767 characters") if len(out) > 32767 else out


@_register("CONCAT", 1, 254)
def _concat(ctx: Context, *args: Any) -> Any:
    return _join(ctx, "", False, args)


@_register("TEXTJOIN", 3, 254)
def _textjoin(ctx: Context, delim: Any, skip: Any, *args: Any) -> Any:
    d = to_text(scalar_arg(delim, ctx))
    s = to_bool(scalar_arg(skip, ctx))
    if isinstance(d, XlError) or isinstance(s, XlError):
        return d if isinstance(d, XlError) else s
    if isinstance(d, list):
        raise Unsupported("TEXTJOIN with several delimiters")
    return _join(ctx, d, s, args)


def _text_value(v: Any, f: Any, date1904: bool) -> Any:
    f = to_text(None if f is MISSING else f)
    if isinstance(f, XlError):
        return f
    if isinstance(v, XlError):
        return v
    if isinstance(v, str | bool):
        if isinstance(v, str) and _NUMERIC_TEXT.match(v) or any(ch in f for ch in ';@"\\'):
            raise Unsupported("TEXT of text or a logical with sections, @ or literal text in the format")
        return v if isinstance(v, str) else "TRUE" if v else "FALSE"
    return text_format(0.0 if v is None or v is MISSING else float(v), f, date1904)


@_register("TEXT", 2, 2)
def _text(ctx: Context, v: Any, fmt: Any) -> Any:
    return lift(lambda a, b: _text_value(a, b, ctx.date1904), scalar_arg(v, ctx), scalar_arg(fmt, ctx))


def _date_value(y: Any, m: Any, d: Any, date1904: bool) -> Any:
    nums = [to_number(x) for x in (y, m, d)]
    for x in nums:
        if isinstance(x, XlError):
            return x
    return date_serial(*(math.trunc(x) for x in nums), date1904)


@_register("DATE", 3, 3)
def _date(ctx: Context, y: Any, m: Any, d: Any) -> Any:
    return lift(lambda a, b, c: _date_value(a, b, c, ctx.date1904), *(scalar_arg(x, ctx) for x in (y, m, d)))


def _part(index: int) -> Callable[..., Any]:
    def impl(ctx: Context, v: Any) -> Any:
        def one(a: Any) -> Any:
            x = to_number(a)
            return x if isinstance(x, XlError) else float(date_parts(x, ctx.date1904)[index])
        return lift(one, scalar_arg(v, ctx))
    return impl


for _i, _name in enumerate(("YEAR", "MONTH", "DAY")):
    FUNCTIONS[_name] = (_part(_i), 1, 1, False)

__all__ = ["criterion", "deref", "lift", "number_text"]
