"""A small formula evaluator that reproduces Excel's semantics, or refuses.

Why not a general engine: a wrong value that looks right is the worst outcome for ``qitxl eval``.
This module implements only what has been checked against Excel (see tests/test_conformance.py
and benchmarks/corpus_sweep.py): the operators, value coercions and implicit intersection here,
and the functions listed in ``qitxl.xlfuncs.FUNCTIONS``. Anything else raises ``Unsupported``
with a reason that names the function or feature, and the caller leaves the cell alone.

Values while evaluating: ``float``, ``str``, ``bool``, ``XlError``, ``None`` (an empty cell),
2-D lists (arrays), ``Ref`` (a rectangle of cells, read lazily) and ``MISSING`` (a skipped argument).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from . import cellrefs
from .cellrefs import MAX_COL, MAX_ROW, Token
from .errors import CODES, XlError
from .exceptions import QitxlError


class Unsupported(QitxlError):
    """The formula is valid but cannot be computed faithfully here (the message says why)."""


class Ref(NamedTuple):
    """A rectangle of cells; ``sheet`` None means the formula's own sheet."""

    sheet: str | None
    r1: int
    c1: int
    r2: int
    c2: int

    @property
    def height(self) -> int:
        return self.r2 - self.r1 + 1

    @property
    def width(self) -> int:
        return self.c2 - self.c1 + 1


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()

#: Reads a rectangle: (sheet or None, r1, c1, r2, c2) -> scalar for one cell, else a 2-D list.
Reader = Callable[[str | None, int, int, int, int], Any]


@dataclass
class Context:
    """Where and how a formula is evaluated."""

    read: Reader
    row: int
    col: int
    legacy: bool                                # saved without dynamic arrays: implicit intersection
    names: Callable[[str], Any] = lambda name: None
    max_row: Callable[[str | None], int] = lambda sheet: MAX_ROW
    spill: Callable[[str | None, int, int], Ref | None] = lambda sheet, r, c: None
    date1904: bool = False
    udfs: dict[str, Callable[..., Any]] = field(default_factory=dict)
    bindings: list[dict[str, Any]] = field(default_factory=list)
    intersected: bool = False                   # a range was intersected with the formula's cell


# ----------------------------------------------------------------------------- parsing

_PREFIX = re.compile(r"^(?:_xlfn\.|_xlws\.|_xludf\.|_xll\.|_xldudf_|_xlpm\.)+", re.I)
_BIN_PREC = {"=": 1, "<>": 1, "<": 1, ">": 1, "<=": 1, ">=": 1, "&": 2, "+": 3, "-": 3, "*": 4, "/": 4, "^": 5}
_ERRORS = sorted(CODES, key=len, reverse=True)


def bare_name(word: str) -> str:
    """A function or parameter name without the prefixes Excel stores (``_xlfn._xlws.SORT``)."""
    return _PREFIX.sub("", word).upper()


class _Parser:
    """Recursive descent over ``cellrefs`` tokens into nested tuples (the AST)."""

    def __init__(self, formula: str, tokens: list[Token], row: int, col: int):
        self.text = formula
        self.toks = [t for t in tokens if not (t.kind == "other" and t.text.isspace())]
        self.i = 0
        self.row, self.col = row, col

    def parse(self) -> tuple:
        node = self.expr(0)
        if self.i != len(self.toks):
            raise Unsupported(f"cannot read the formula at {self._rest()!r}")
        return node

    def _rest(self) -> str:
        return "".join(t.text for t in self.toks[self.i:self.i + 4])

    def peek(self, k: int = 0) -> Token | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def take(self) -> Token:
        t = self.peek()
        if t is None:
            raise Unsupported("the formula ends too early")
        self.i += 1
        return t

    def _binop(self) -> str | None:
        t = self.peek()
        if t is None or t.kind != "other":
            return None
        nxt = self.peek(1)
        if t.text in "<>" and nxt is not None and nxt.kind == "other" and nxt.text in "=>" and t.text + nxt.text in (
                "<=", ">=", "<>"):
            return t.text + nxt.text
        return t.text if t.text in _BIN_PREC else None

    def expr(self, min_prec: int) -> tuple:
        left = self.unary()
        while True:
            op = self._binop()
            if op is None or _BIN_PREC[op] < min_prec:
                return left
            prec = _BIN_PREC[op]
            self.i += len(op)
            right = self.expr(prec + 1)
            left = ("bin", op, left, right)

    def unary(self) -> tuple:
        t = self.peek()
        if t is not None and t.kind == "other" and t.text in ("+", "-"):
            self.i += 1
            return ("neg" if t.text == "-" else "pos", self.unary())
        if t is not None and t.kind == "other" and t.text == "@":
            self.i += 1
            return ("call", "SINGLE", [self.unary()])
        return self.postfix(self.primary())

    def postfix(self, node: tuple) -> tuple:
        while True:
            t = self.peek()
            if t is not None and t.kind == "other" and t.text == "%":
                self.i += 1
                node = ("pct", node)
            elif t is not None and t.kind == "other" and t.text == "#" and node[0] in ("ref", "call"):
                self.i += 1
                node = ("call", "ANCHORARRAY", [node])
            else:
                return node

    def primary(self) -> tuple:
        t = self.take()
        if t.kind == "num":
            return ("lit", float(t.text))
        if t.kind == "str":
            return ("lit", t.text[1:-1].replace('""', '"'))
        if t.kind == "ref":
            return self.ref(t)
        if t.kind == "word":
            return self.word(t)
        if t.text == "(":
            node = self.expr(0)
            if self.take().text != ")":
                raise Unsupported("a union of references (A1,B1) is not supported")
            return node
        if t.text == "{":
            return self.array()
        if t.text == "#":
            return ("lit", self.error())
        if t.kind == "bracket":
            raise Unsupported("structured (table) references and external workbooks are not supported")
        raise Unsupported(f"cannot read the formula at {t.text!r}")

    def error(self) -> XlError:
        start = self.toks[self.i - 1].match.start() if self.toks[self.i - 1].match else 0
        for code in _ERRORS:
            if self.text[start:start + len(code)].upper() == code:
                while self.peek() is not None and self.peek().match.start() < start + len(code):
                    self.i += 1
                return XlError(code)
        raise Unsupported("an unknown error literal")

    def ref(self, t: Token) -> tuple:
        m = t.match
        assert m is not None
        nxt = self.peek()
        if nxt is not None and nxt.kind == "other" and nxt.text == ":":
            raise Unsupported("a range built with ':' from a function result is not supported")
        sheet = cellrefs.unquote_sheet(m.group("sheet")) if m.group("sheet") else None
        if m.group("c1"):
            a = _cell_parts(m.group("c1"))
            b = _cell_parts(m.group("c2")) if m.group("c2") else a
        elif m.group("col1"):
            a = (1, True, cellrefs.col_number(m.group("col1").lstrip("$")), m.group("col1").startswith("$"))
            b = (MAX_ROW, True, cellrefs.col_number(m.group("col2").lstrip("$")), m.group("col2").startswith("$"))
        else:
            a = (int(m.group("row1").lstrip("$")), m.group("row1").startswith("$"), 1, True)
            b = (int(m.group("row2").lstrip("$")), m.group("row2").startswith("$"), MAX_COL, True)
        # Relative parts are stored as offsets from the formula's cell, so copies share the AST.
        parts = tuple(v if absolute else v - origin for v, absolute, origin in (
            (a[0], a[1], self.row), (a[2], a[3], self.col), (b[0], b[1], self.row), (b[2], b[3], self.col)))
        flags = (a[1], a[3], b[1], b[3])
        return ("ref", sheet, parts, flags)

    def word(self, t: Token) -> tuple:
        nxt = self.peek()
        if nxt is not None and nxt.text == "(":
            self.i += 1
            return ("call", bare_name(t.text), self.args())
        if nxt is not None and nxt.text == "!":
            raise Unsupported("sheet-scoped names and 3-D references (Sheet1:Sheet3!A1) are not supported")
        upper = t.text.upper()
        if upper in ("TRUE", "FALSE"):
            return ("lit", upper == "TRUE")
        return ("name", bare_name(t.text))

    def args(self) -> list[tuple]:
        out: list[tuple] = []
        if self.peek() is not None and self.peek().text == ")":
            self.i += 1
            return out
        while True:
            t = self.peek()
            if t is not None and t.kind == "other" and t.text in ",)":
                out.append(("missing",))
            else:
                out.append(self.expr(0))
            sep = self.take()
            if sep.text == ")":
                return out
            if sep.text != ",":
                raise Unsupported(f"cannot read the formula at {sep.text!r}")

    def array(self) -> tuple:
        rows: list[list[Any]] = [[]]
        while True:
            t = self.take()
            sign = 1.0
            if t.kind == "other" and t.text in "+-":
                sign = -1.0 if t.text == "-" else 1.0
                t = self.take()
            if t.kind == "num":
                rows[-1].append(sign * float(t.text))
            elif t.kind == "str":
                rows[-1].append(t.text[1:-1].replace('""', '"'))
            elif t.kind == "word" and t.text.upper() in ("TRUE", "FALSE"):
                rows[-1].append(t.text.upper() == "TRUE")
            elif t.text == "#":
                rows[-1].append(self.error())
            else:
                raise Unsupported("an array constant holds something other than constants")
            sep = self.take()
            if sep.text == "}":
                break
            if sep.text == ";":
                rows.append([])
            elif sep.text != ",":
                raise Unsupported("cannot read an array constant")
        if len({len(r) for r in rows}) != 1:
            raise Unsupported("an array constant has rows of different lengths")
        return ("lit", rows)


def _cell_parts(text: str) -> tuple[int, bool, int, bool]:
    m = re.fullmatch(r"(\$?)([A-Za-z]{1,3})(\$?)(\d+)", text)
    assert m
    return int(m.group(4)), bool(m.group(3)), cellrefs.col_number(m.group(2)), bool(m.group(1))


def parse(formula: str, row: int, col: int, tokens: list[Token] | None = None) -> tuple:
    """The AST of a formula (no leading ``=``) written in cell (row, col); Unsupported if unreadable."""
    if tokens is None:
        tokens = cellrefs.tokenize(formula)
    return _Parser(formula, tokens, row, col).parse()


def _walk(node: tuple) -> Iterator[tuple]:
    """Every node of an AST, depth first (a call's arguments, an operator's operands)."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if n[0] == "call":
            stack.extend(n[2])
        elif n[0] == "bin":
            stack.extend(n[2:])
        elif n[0] in ("neg", "pos", "pct"):
            stack.append(n[1])


def functions_used(node: tuple) -> set[str]:
    """Names of the functions an AST calls."""
    return {n[1] for n in _walk(node) if n[0] == "call"}


def refs_used(node: tuple, row: int, col: int) -> list[Ref]:
    """Every reference of an AST, placed for the copy of the formula in (row, col)."""
    return [place(n, row, col) for n in _walk(node) if n[0] == "ref"]


def place(node: tuple, row: int, col: int) -> Ref:
    """A reference node as the rectangle it means in cell (row, col)."""
    _, sheet, parts, flags = node
    r1, c1, r2, c2 = (v if absolute else v + origin for v, absolute, origin in
                      zip(parts, flags, (row, col, row, col), strict=True))
    if not (1 <= r1 <= MAX_ROW and 1 <= r2 <= MAX_ROW and 1 <= c1 <= MAX_COL and 1 <= c2 <= MAX_COL):
        return Ref(sheet, 0, 0, -1, -1)  # off the sheet: #REF!
    return Ref(sheet, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))


# ----------------------------------------------------------------------------- values and coercions

_NUMERIC_TEXT = re.compile(r"^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: Words Excel may accept inside text it reads as a number, date or time ("5 Jan 2020", "3 PM").
_DATE_WORDS = {*_MONTHS, *(m[:3] for m in _MONTHS), "sept", *_DAYS, *(d[:3] for d in _DAYS),
               "am", "pm", "a", "p", "e", "t", "st", "nd", "rd", "th"}


def might_be_number(text: str) -> bool:
    """Whether Excel might read this text as a number, date or time: it has a digit, and its only
    words are month or day names, AM/PM and the like. Text with other words (an address such as
    "Obere Str. 57") is plain text to Excel."""
    if not any(ch.isdigit() for ch in text):
        return False
    return all(w.lower() in _DATE_WORDS for w in re.findall(r"[^\W\d_]+", text))


def deref(v: Any, ctx: Context, whole_ok: bool = False) -> Any:
    """A value with references read: scalar for one cell, 2-D list for more."""
    if not isinstance(v, Ref):
        return v
    if v.r2 < v.r1:
        return XlError("#REF!", "reference off the sheet")
    r2 = v.r2
    if v.r2 == MAX_ROW and v.r1 == 1:
        used = max(ctx.max_row(v.sheet), 1)
        if used < MAX_ROW and not whole_ok:
            raise Unsupported("a whole-column reference is used element by element")
        r2 = min(r2, used)
    if v.c2 == MAX_COL and v.c1 == 1:
        raise Unsupported("whole-row references are not supported")
    return ctx.read(v.sheet, v.r1, v.c1, r2, v.c2)


def intersect(ref: Ref, ctx: Context) -> Any:
    """Implicit intersection: the cell of ``ref`` in the formula's row or column, else #VALUE!."""
    if ref.r2 < ref.r1:
        return XlError("#REF!", "reference off the sheet")
    if ref.height == 1 and ref.width == 1:
        return ctx.read(ref.sheet, ref.r1, ref.c1, ref.r1, ref.c1)
    r = ref.r1 if ref.height == 1 else (ctx.row if ref.r1 <= ctx.row <= ref.r2 else None)
    c = ref.c1 if ref.width == 1 else (ctx.col if ref.c1 <= ctx.col <= ref.c2 else None)
    ctx.intersected = True
    if r is None or c is None:
        return XlError("#VALUE!", "implicit intersection found no cell in the formula's row or column")
    return ctx.read(ref.sheet, r, c, r, c)


def scalar_arg(v: Any, ctx: Context) -> Any:
    """Where Excel wants one value: a 1-cell reference is read; a larger one intersects in legacy
    formulas and stays an array (lifting the operation) in dynamic-array formulas."""
    if isinstance(v, Ref):
        if v.height == 1 and v.width == 1 and v.r2 >= v.r1:
            return ctx.read(v.sheet, v.r1, v.c1, v.r1, v.c1)
        return intersect(v, ctx) if ctx.legacy else deref(v, ctx)
    if v is MISSING:
        return None
    return v


def to_number(v: Any) -> float | XlError:
    """Excel's coercion of a value to a number (arithmetic, unary minus)."""
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, float):
        return v
    if v is None:
        return 0.0
    if isinstance(v, XlError):
        return v
    if isinstance(v, int):
        return float(v)
    if isinstance(v, str):
        if _NUMERIC_TEXT.match(v):
            return float(v)
        if might_be_number(v):
            raise Unsupported(f"text {v[:30]!r} used as a number (Excel's date, time and currency parsing "
                              "is not reproduced)")
        return XlError("#VALUE!", f"text {v[:30]!r} is not a number")
    raise Unsupported(f"cannot use {type(v).__name__} as a number")


def number_text(x: float) -> str:
    """A number as Excel turns it into text (General format, 15 significant digits)."""
    if x == 0:
        return "0"
    if not 1e-4 <= abs(x) < 1e15:
        raise Unsupported(f"turning {x!r} into text (Excel's scientific General format is not reproduced)")
    text = f"{x:.15g}"
    if "e" in text:
        raise Unsupported(f"turning {x!r} into text (Excel's scientific General format is not reproduced)")
    return text


def to_text(v: Any) -> str | XlError:
    """Excel's coercion of a value to text (``&``, text functions)."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float | int):
        return number_text(float(v))
    if v is None:
        return ""
    if isinstance(v, XlError):
        return v
    raise Unsupported(f"cannot use {type(v).__name__} as text")


def to_bool(v: Any) -> bool | XlError:
    """Excel's coercion of a condition (IF, NOT, FILTER's include)."""
    if isinstance(v, bool):
        return v
    if isinstance(v, float | int):
        return v != 0
    if v is None:
        return False
    if isinstance(v, XlError):
        return v
    if isinstance(v, str):
        if v.upper() in ("TRUE", "FALSE"):
            return v.upper() == "TRUE"
        return XlError("#VALUE!", f"text {v[:30]!r} is not a condition")
    raise Unsupported(f"cannot use {type(v).__name__} as a condition")


def finite(x: float) -> float | XlError:
    """A computed number, or #NUM! where Excel overflows."""
    if math.isnan(x) or math.isinf(x) or abs(x) > 1.7976931348623157e308:
        return XlError("#NUM!", "the result is too large")
    return 0.0 if x == 0 else x


def shape(v: Any) -> tuple[int, int]:
    return (len(v), len(v[0])) if isinstance(v, list) else (1, 1)


def lift(fn: Callable[..., Any], *args: Any) -> Any:
    """Apply a scalar function element by element when some arguments are arrays (Excel's
    broadcasting: a single row or column is repeated; cells outside a smaller array are #N/A)."""
    arrays = [a for a in args if isinstance(a, list)]
    if not arrays:
        return fn(*args)
    h = max(len(a) for a in arrays)
    w = max(len(a[0]) for a in arrays)

    def pick(a: Any, i: int, j: int) -> Any:
        if not isinstance(a, list):
            return a
        ah, aw = len(a), len(a[0])
        ii = 0 if ah == 1 else i
        jj = 0 if aw == 1 else j
        if ii >= ah or jj >= aw:
            return XlError("#N/A", "arrays of different sizes")
        return a[ii][jj]

    return [[fn(*(pick(a, i, j) for a in args)) for j in range(w)] for i in range(h)]


# ----------------------------------------------------------------------------- operators

def _first_error(*vals: Any) -> XlError | None:
    for v in vals:
        if isinstance(v, XlError):
            return v
    return None


def _arith(op: str, a: Any, b: Any) -> Any:
    x, y = to_number(a), to_number(b)
    err = _first_error(x, y)
    if err is not None:
        return err
    assert isinstance(x, float) and isinstance(y, float)
    if op == "+" or op == "-":
        r = x + y if op == "+" else x - y
        if r != 0 and abs(r) < 1e-15 * max(abs(x), abs(y)):
            raise Unsupported("a sum of nearly equal numbers (Excel snaps some such results to 0)")
        return finite(r)
    if op == "*":
        return finite(x * y)
    if op == "/":
        return XlError("#DIV/0!", "division by zero") if y == 0 else finite(x / y)
    return _power(x, y)


def _power(x: float, y: float) -> Any:
    if x == 0 and y == 0:
        return XlError("#NUM!", "0^0")
    if x == 0 and y < 0:
        return XlError("#DIV/0!", "0 to a negative power")
    if x < 0 and y != int(y):
        return XlError("#NUM!", "a negative number to a fractional power")
    try:
        return finite(math.pow(x, y))
    except OverflowError:
        return XlError("#NUM!", "the result is too large")


def _rank(v: Any) -> int:
    return 0 if isinstance(v, float | int) and not isinstance(v, bool) else 1 if isinstance(v, str) else 2


_SIMPLE_TEXT = re.compile(r"^[A-Za-z0-9 ]*$")


def compare(op: str, a: Any, b: Any) -> Any:
    """Excel's comparison: errors first; an empty cell as 0, "" or FALSE to match the other side;
    numbers < text < logicals; text without regard to case."""
    err = _first_error(a, b)
    if err is not None:
        return err
    if a is None and b is None:
        a = b = 0.0
    elif a is None:
        a = "" if isinstance(b, str) else False if isinstance(b, bool) else 0.0
    elif b is None:
        b = "" if isinstance(a, str) else False if isinstance(a, bool) else 0.0
    ra, rb = _rank(a), _rank(b)
    if ra != rb:
        c = -1 if ra < rb else 1
    elif ra == 1:
        x, y = a.lower(), b.lower()
        if x != y and op not in ("=", "<>") and not (_SIMPLE_TEXT.match(x) and _SIMPLE_TEXT.match(y)):
            raise Unsupported("ordering text with punctuation or non-ASCII letters (Excel's collation is "
                              "not reproduced)")
        c = (x > y) - (x < y)
    elif ra == 0:
        x, y = float(a), float(b)
        if x != y and f"{x:.15g}" == f"{y:.15g}":
            raise Unsupported("comparing numbers equal to 15 significant digits (Excel's tolerance)")
        c = (x > y) - (x < y)
    else:
        c = (bool(a) > bool(b)) - (bool(a) < bool(b))
    return {"=": c == 0, "<>": c != 0, "<": c < 0, ">": c > 0, "<=": c <= 0, ">=": c >= 0}[op]


def _concat(a: Any, b: Any) -> Any:
    x, y = to_text(a), to_text(b)
    err = _first_error(x, y)
    if err is not None:
        return err
    out = x + y
    return XlError("#VALUE!", "text longer than 32,767 characters") if len(out) > 32767 else out


def _negate(v: Any) -> Any:
    x = to_number(v)
    return x if isinstance(x, XlError) else (0.0 if x == 0 else -x)


def _percent(v: Any) -> Any:
    x = to_number(v)
    return x if isinstance(x, XlError) else x / 100


def binary(op: str, a: Any, b: Any) -> Any:
    """An operator on two evaluated operands (scalars or arrays)."""
    if op == "&":
        return lift(_concat, a, b)
    if op in ("=", "<>", "<", ">", "<=", ">="):
        return lift(lambda x, y: compare(op, x, y), a, b)
    return lift(lambda x, y: _arith(op, x, y), a, b)


# ----------------------------------------------------------------------------- evaluation

def evaluate(node: tuple, ctx: Context) -> Any:
    """The value of an AST node (may be a Ref, an array or MISSING)."""
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "ref":
        return place(node, ctx.row, ctx.col)
    if kind == "call":
        from .xlfuncs import call

        return call(node[1], node[2], ctx)
    if kind == "bin":
        a = scalar_arg(evaluate(node[2], ctx), ctx)
        b = scalar_arg(evaluate(node[3], ctx), ctx)
        return binary(node[1], a, b)
    if kind == "neg":
        return lift(_negate, scalar_arg(evaluate(node[1], ctx), ctx))
    if kind == "pos":
        return evaluate(node[1], ctx)  # Excel's unary plus changes nothing, not even the type
    if kind == "pct":
        return lift(_percent, scalar_arg(evaluate(node[1], ctx), ctx))
    if kind == "name":
        return name_value(node[1], ctx)
    if kind == "missing":
        return MISSING
    raise Unsupported(f"unknown node {kind}")


def name_value(name: str, ctx: Context) -> Any:
    """A LET variable or a defined name."""
    for scope in reversed(ctx.bindings):
        if name in scope:
            return scope[name]
    target = ctx.names(name)
    if target is None:
        return XlError("#NAME?", f"no defined name {name}")
    return target


def result(node: tuple, ctx: Context, spill_legacy: bool = False) -> Any:
    """The value a formula shows in its cell: references read (intersected in legacy formulas),
    empty cells as 0; a scalar or a 2-D list. A legacy formula shows an array's top-left value,
    unless ``spill_legacy`` (eval rewrites that formula as a dynamic array, see docs/existing.md)."""
    v = evaluate(node, ctx)
    if v is MISSING:
        v = 0.0
    if isinstance(v, Ref):
        v = scalar_arg(v, ctx)
    if isinstance(v, list):
        v = [[0.0 if x is None else x for x in row] for row in v]
        if len(v) == 1 and len(v[0]) == 1 or ctx.legacy and not spill_legacy:
            v = v[0][0]
        elif ctx.legacy and ctx.intersected:
            raise Unsupported("a legacy formula mixes implicit intersection with an array result")
    return 0.0 if v is None else v
