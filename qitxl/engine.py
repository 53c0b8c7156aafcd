"""The QIT_ functions inside a real formula engine (the ``formulas`` package), plus a fast path.

``register()`` adds every function of ``qitxl.functions.EXCEL_FUNCTIONS`` to ``formulas``'
function table (``formulas.get_functions()``), wrapped so they receive what an Excel UDF
receives (scalars, 2-D lists, ``None`` for empty cells, ``XlError`` for errors) and hand back
values ``formulas`` understands. ``Evaluator`` evaluates one formula text at a given cell,
reading referenced cells through a callback:

- a direct call such as ``QIT_TIER(A2)`` or ``QIT_SCORE(Sheet2!B3,"talent")`` (arguments that are
  references or literals) is evaluated by calling the Python function, skipping the engine;
- anything else (``IF(QIT_RANK(A2)<=3,"Top 3","")``) is compiled by ``formulas`` once per
  distinct formula *shape* (references relative to the cell), and the compiled function is
  reused for every copy of the formula;
- results are memoised by (shape, input values) unless the formula calls a volatile function,
  since the QIT_ functions are pure for a given dataset.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import schedula as sh

from . import cellrefs
from .cellrefs import Token
from .errors import CODES, XlError

#: Functions whose result depends on more than their arguments: never memoise these formulas.
VOLATILE = {"NOW", "TODAY", "RAND", "RANDBETWEEN", "RANDARRAY", "OFFSET", "INDIRECT", "CELL", "INFO"}

#: Reads a reference: (sheet name or None for the formula's own sheet, r1, c1, r2, c2) -> the value
#: (a scalar for one cell, a 2-D list for a range). Raises LookupError for an unknown sheet.
Reader = Callable[[str | None, int, int, int, int], Any]
#: Resolves a defined name (upper case, optionally "SHEET!NAME") to (sheet, r1, c1, r2, c2) or a constant.
NameResolver = Callable[[str], Any]


class Unsupported(Exception):
    """The formula is valid but this evaluator cannot compute it (said why, for the summary)."""


_registered = False
_lock = threading.Lock()
_messages = threading.local()


def _note(err: XlError) -> None:
    """Remember the reason of an error that went into the engine (it only carries the code)."""
    store = getattr(_messages, "by_code", None)
    if store is not None:
        store.setdefault(err.code, err.message)


def _fx_error(code: str) -> Any:
    from formulas.tokens.operand import Error
    from formulas.tokens.operand import XlError as FxError

    return Error.errors.get(code) or FxError(code)


def to_python(v: Any) -> Any:
    """A value from ``formulas`` as a QIT function argument (or a result to write)."""
    from formulas.tokens.operand import XlError as FxError

    if isinstance(v, np.ndarray):
        if v.ndim == 0:
            return to_python(v.item())
        if v.ndim == 1:
            v = v.reshape(1, -1)
        if v.shape == (1, 1):
            return to_python(v[0, 0])
        return [[to_python(x) for x in row] for row in v.tolist()]
    if isinstance(v, FxError):
        code = str(v)
        return XlError(code) if code in CODES else XlError("#VALUE!", code)
    if v is sh.EMPTY or v is None:
        return None
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, int | float | np.integer | np.floating):
        f = float(v)
        return XlError("#NUM!", "not a finite number") if math.isnan(f) or math.isinf(f) else f
    return v


def to_formulas(v: Any) -> Any:
    """A QIT function's result (or a cell value) as ``formulas`` expects it."""
    if isinstance(v, list):
        arr = np.empty((len(v), len(v[0]) if v else 0), object)
        for i, row in enumerate(v):
            for j, x in enumerate(row):
                arr[i, j] = to_formulas(x)
        return arr
    if isinstance(v, XlError):
        _note(v)
        return _fx_error(v.code)
    if v is None:
        return sh.EMPTY
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    return v


def _wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
    def qit(*args: Any) -> Any:
        return to_formulas(fn(*(to_python(a) for a in args)))

    qit.__name__ = fn.__name__
    return qit


def register() -> dict[str, Callable[..., Any]]:
    """Add the QIT_ functions to ``formulas``' function table (idempotent); returns that table."""
    global _registered
    from formulas.functions import get_functions, wrap_func

    from .functions import EXCEL_FUNCTIONS

    table = get_functions()
    with _lock:
        if not _registered:
            for name, fn in EXCEL_FUNCTIONS.items():
                table[name] = wrap_func(_wrap(fn))
            _registered = True
    return table


# ----------------------------------------------------------------------------- evaluation

@dataclass
class _Direct:
    name: str
    fn: Callable[..., Any]
    args: list[tuple[str, Any]]  # ("ref", match) | ("lit", value) | ("missing", None)


@dataclass
class _Compiled:
    fn: Any
    inputs: list[str]
    sources: list[tuple[str, Any]]  # per input: ("ref", match) | ("name", text)
    row: int
    col: int
    volatile: bool


_DIRECT_OK = {"str", "ref", "num", "word", "other"}
_BOOL = {"TRUE": True, "FALSE": False}
_INPUT_REF = re.compile(r"^(?:(?P<sheet>'(?:[^']|'')+'|[^!]+)!)?(?P<ref>[A-Z]{1,3}\d+(?::[A-Z]{1,3}\d+)?|"
                        r"[A-Z]{1,3}:[A-Z]{1,3}|\d+:\d+)$")


class Evaluator:
    """Evaluates QIT_ formulas, caching compiled shapes and results across cells."""

    def __init__(self, read: Reader, names: NameResolver, max_row: Callable[[str | None], int]):
        from .functions import EXCEL_FUNCTIONS

        self.read = read
        self.names = names
        self.max_row = max_row
        self.functions = EXCEL_FUNCTIONS
        self.shapes: dict[tuple[str, ...], _Direct | _Compiled | Exception] = {}
        self.results: dict[tuple[Any, ...], Any] = {}
        self.direct_calls = 0
        self.engine_calls = 0
        self.memo_hits = 0

    # -- public

    def evaluate(self, formula: str, row: int, col: int, tokens: list[Token] | None = None,
                 key: tuple[str, ...] | None = None) -> Any:
        """The value of ``formula`` (no leading ``=``) in cell (row, col) of the current sheet:
        scalar or 2-D list, errors as XlError. Raises Unsupported when it cannot be computed and
        cellrefs.FormulaSyntaxError when the text is malformed."""
        if tokens is None:
            tokens = cellrefs.tokenize(formula)
        if key is None:
            key = cellrefs.relative_key(tokens, row, col)
        shape = self.shapes.get(key)
        if shape is None:
            shape = self._prepare(formula, tokens, row, col)
            self.shapes[key] = shape
        if isinstance(shape, _PerCell):
            return evaluate_per_cell(self, formula, row, col)
        if isinstance(shape, Exception):
            raise shape
        if isinstance(shape, _Direct):
            return self._run_direct(shape, key, tokens, row, col)
        return self._run_compiled(shape, key, row, col)

    # -- preparing a shape

    def _prepare(self, formula: str, tokens: list[Token], row: int, col: int) -> _Direct | _Compiled | Exception:
        for t in tokens:
            if t.kind == "bracket":
                return Unsupported("uses a structured (table) reference or an external workbook, which this "
                                   "evaluator does not read")
        direct = self._direct(tokens)
        if direct is not None:
            return direct
        return self._compile(formula, tokens, row, col)

    def _direct(self, tokens: list[Token]) -> _Direct | None:
        toks = [t for t in tokens if not (t.kind == "other" and t.text.isspace())]
        if len(toks) < 3 or toks[0].kind != "word" or toks[1].text != "(" or toks[-1].text != ")":
            return None
        name = cellrefs.function_name(toks[0].text)
        fn = self.functions.get(name)
        if fn is None:
            return None
        args: list[tuple[str, Any]] = []
        current: list[Token] = []
        for t in [*toks[2:-1], Token("other", ",")]:
            if t.kind == "other" and t.text == ",":
                spec = self._literal(current)
                if spec is None:
                    return None
                args.append(spec)
                current = []
            else:
                current.append(t)
        if len(toks) == 3:
            args = []
        while args and args[-1][0] == "missing":
            args.pop()
        return _Direct(name, fn, args)

    @staticmethod
    def _literal(toks: list[Token]) -> tuple[str, Any] | None:
        if not toks:
            return ("missing", None)
        if len(toks) == 1:
            t = toks[0]
            if t.kind == "ref":
                return ("ref", t.match)
            if t.kind == "str":
                return ("lit", t.text[1:-1].replace('""', '"'))
            if t.kind == "num":
                return ("lit", float(t.text))
            if t.kind == "word" and t.text.upper() in _BOOL:
                return ("lit", _BOOL[t.text.upper()])
            if t.kind == "other" and t.text.startswith("#"):
                return None
        if len(toks) == 2 and toks[0].text in "+-" and toks[1].kind == "num":
            return ("lit", float(toks[1].text) * (-1 if toks[0].text == "-" else 1))
        return None

    def _compile(self, formula: str, tokens: list[Token], row: int, col: int) -> Any:
        import formulas

        register()  # only here: importing formulas costs a second or two, direct calls never need it

        # formulas does not know the prefixes Excel puts on UDF names (_xludf.): drop them.
        text = "".join(cellrefs.function_name(t.text) if t.kind == "word" and
                       cellrefs.function_name(t.text).startswith("QIT_") else t.text for t in tokens)
        try:
            fn = formulas.Parser().ast("=" + text)[1].compile()
        except Exception as exc:
            return Unsupported(f"the formula engine cannot parse it ({_short(exc)})")
        volatile = any(t.kind == "word" and cellrefs.function_name(t.text) in VOLATILE for t in tokens)
        by_norm: dict[str, list[Any]] = {}
        for t in tokens:
            if t.kind == "ref" and t.match is not None:
                by_norm.setdefault(_norm(t.text), []).append(t.match)
        inputs = list(fn.inputs)
        sources: list[tuple[str, Any]] = []
        for name in inputs:
            matches = by_norm.get(name)
            if matches:
                if len({m.group(0).upper() for m in matches}) > 1:
                    # The same cell written two ways ($A2 and A2): copies of the formula would need
                    # different inputs, so this shape is compiled per cell.
                    return _PerCell(formula)
                sources.append(("ref", matches[0]))
            else:
                sources.append(("name", name))
        return _Compiled(fn, inputs, sources, row, col, volatile)

    # -- running

    def _ref_value(self, match: Any, dr: int, dc: int, raw: bool) -> Any:
        text = cellrefs.shift_ref(match, dr, dc) if (dr or dc) else match.group(0)
        return self._read_ref(text, raw)

    def _read_ref(self, text: str, raw: bool) -> Any:
        sheet, _, ref = text.rpartition("!")
        sheet_name = cellrefs.unquote_sheet(sheet) if sheet else None
        ref = ref.replace("$", "").upper()
        a, _, b = ref.partition(":")
        if a.isalpha():  # whole columns: as far down as the sheet has cells
            r1, r2 = 1, max(self.max_row(sheet_name), 1)
            c1, c2 = cellrefs.col_number(a), cellrefs.col_number(b)
        elif a.isdigit():
            raise Unsupported("whole-row references are not supported")
        else:
            r1, c1, r2, c2 = cellrefs.parse_range(ref)
        try:
            value = self.read(sheet_name, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))
        except LookupError as exc:
            raise Unsupported(str(exc)) from None
        return value if raw else to_formulas(value)

    def _run_direct(self, shape: _Direct, key: tuple[str, ...], tokens: list[Token], row: int, col: int) -> Any:
        refs = [t.match for t in tokens if t.kind == "ref"]
        args = []
        k = 0
        for kind, spec in shape.args:
            if kind == "ref":
                # The shape was built from another copy: read this cell's own reference.
                args.append(self._read_ref(refs[k].group(0), raw=True))
                k += 1
            elif kind == "lit":
                args.append(spec)
            else:
                args.append(None)
        memo = (key, _hashable(args))
        hit = self.results.get(memo, _MISS)
        if hit is not _MISS:
            self.memo_hits += 1
            return hit
        self.direct_calls += 1
        out = shape.fn(*args)
        self.results[memo] = out
        return out

    def _run_compiled(self, shape: _Compiled, key: tuple[str, ...], row: int, col: int) -> Any:
        dr, dc = row - shape.row, col - shape.col
        values = []
        for kind, src in shape.sources:
            if kind == "ref":
                values.append(self._ref_value(src, dr, dc, raw=True))
            else:
                values.append(self._name_value(src))
        memo = None
        if not shape.volatile:
            memo = (key, _hashable(values))
            hit = self.results.get(memo, _MISS)
            if hit is not _MISS:
                self.memo_hits += 1
                return hit
        self.engine_calls += 1
        _messages.by_code = {}
        try:
            raw = shape.fn(*(to_formulas(v) for v in values))
        except Exception as exc:
            raise Unsupported(f"the formula engine failed on it ({_short(exc)})") from None
        finally:
            reasons, _messages.by_code = _messages.by_code, None
        out = to_python(raw)
        out = _with_reasons(out, reasons)
        if memo is not None:
            self.results[memo] = out
        return out

    def _name_value(self, name: str) -> Any:
        target = self.names(name)
        if target is None:
            return XlError("#NAME?", f"no defined name {name}")
        if isinstance(target, tuple):
            sheet, r1, c1, r2, c2 = target
            try:
                return self.read(sheet, r1, c1, r2, c2)
            except LookupError as exc:
                raise Unsupported(str(exc)) from None
        return target


class _PerCell(Exception):
    """Marker shape: compile this formula text separately in every cell."""

    def __init__(self, formula: str):
        super().__init__(formula)


_MISS = object()


def _norm(ref_text: str) -> str:
    """A reference as ``formulas`` names its input: no ``$``, upper case, and the sheet name unquoted
    unless it holds a space (``'Indicators'!$A$1`` -> ``INDICATORS!A1``, as formulas' _build_sheet_id),
    and a one-cell range as that cell (``C6:C6`` -> ``C6``, as its _build_ref)."""
    sheet, bang, ref = ref_text.rpartition("!")
    ref = ref.replace("$", "").upper()
    first, colon, last = ref.partition(":")
    if colon and first == last and not first.isalpha() and not first.isdigit():
        ref = first
    if not bang:
        return ref
    name = cellrefs.unquote_sheet(sheet).upper()
    return f"'{name}'!{ref}" if " " in name else f"{name}!{ref}"


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return (text[:160] + "...") if len(text) > 160 else text or type(exc).__name__


def _hashable(v: Any) -> Any:
    if isinstance(v, list):
        return tuple(_hashable(x) for x in v)
    if isinstance(v, float | int | bool) or v is None:
        return (type(v).__name__, v)
    return v


def _with_reasons(v: Any, reasons: dict[str, str]) -> Any:
    if isinstance(v, XlError) and not v.message and reasons.get(v.code):
        return XlError(v.code, reasons[v.code])
    if isinstance(v, list):
        return [[_with_reasons(x, reasons) for x in row] for row in v]
    return v


def evaluate_per_cell(ev: Evaluator, formula: str, row: int, col: int) -> Any:
    """Evaluate a formula whose shape cannot be shared, compiling it for this cell alone."""
    tokens = cellrefs.tokenize(formula)
    key = ("percell", formula, str(row), str(col))
    shape = ev._compile(formula, tokens, row, col)
    if isinstance(shape, _PerCell):  # the inputs are exact for this one cell
        import formulas

        fn = formulas.Parser().ast("=" + formula)[1].compile()
        shape = _Compiled(fn, list(fn.inputs), [], row, col, True)
        shape.sources = [("ref", _ref_match(n)) if _INPUT_REF.match(n) else ("name", n) for n in fn.inputs]
    ev.shapes[key] = shape
    if isinstance(shape, Exception):
        raise shape
    return ev._run_compiled(shape, key, row, col)


def _ref_match(text: str) -> Any:
    for t in cellrefs.tokenize(text):
        if t.kind == "ref":
            return t.match
    raise Unsupported(f"cannot read reference {text}")
