"""Evaluating formulas at a cell: a fast path for direct QIT_ calls, ``qitxl.xlcalc`` for the rest.

``Evaluator`` evaluates one formula text at a given cell, reading referenced cells through a
callback:

- a direct call such as ``QIT_TIER(A2)`` or ``QIT_SCORE(Sheet2!B3,"talent")`` (arguments that are
  references, literals or skipped) calls the Python function, and its result is memoised by
  (formula shape, argument values), since the QIT_ functions are pure for a given dataset;
- anything else (``IF(QIT_RANK(A2)<=3,"Top 3","")``) is parsed once per distinct formula *shape*
  (references relative to the cell) and evaluated by ``qitxl.xlcalc``, which reproduces Excel's
  semantics for an allowlist of functions and operators and raises ``Unsupported`` otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import cellrefs, xlcalc
from .cellrefs import Token
from .xlcalc import Context, Ref, Unsupported

#: Reads a reference: (sheet name or None for the formula's own sheet, r1, c1, r2, c2) -> the value
#: (a scalar for one cell, a 2-D list for a range). Raises LookupError for an unknown sheet.
Reader = Callable[[str | None, int, int, int, int], Any]
#: Resolves a defined name (upper case) to (sheet, r1, c1, r2, c2), a constant, or None if undefined.
NameResolver = Callable[[str], Any]
#: The range a dynamic-array formula at (sheet, row, col) spills into, or None.
SpillLookup = Callable[[str | None, int, int], tuple[int, int, int, int] | None]

__all__ = ["Evaluator", "Unsupported"]


@dataclass
class _Direct:
    name: str
    fn: Callable[..., Any]
    args: list[tuple[str, Any]]  # ("ref", match) | ("lit", value) | ("missing", None)


_BOOL = {"TRUE": True, "FALSE": False}


class Evaluator:
    """Evaluates formulas, caching parsed shapes and direct-call results across cells."""

    def __init__(self, read: Reader, names: NameResolver, max_row: Callable[[str | None], int],
                 spill: SpillLookup | None = None, date1904: bool = False):
        from .functions import EXCEL_FUNCTIONS

        self.read = read
        self.names = names
        self.max_row = max_row
        self.spill = spill
        self.date1904 = date1904
        self.functions = EXCEL_FUNCTIONS
        self.shapes: dict[tuple[Any, ...], _Direct | tuple | Exception] = {}
        self.results: dict[tuple[Any, ...], Any] = {}
        self.direct_calls = 0
        self.engine_calls = 0

    # -- public

    def evaluate(self, formula: str, row: int, col: int, tokens: list[Token] | None = None,
                 key: tuple[str, ...] | None = None, legacy: bool = True, spill_legacy: bool = True) -> Any:
        """The value of ``formula`` (no leading ``=``) in cell (row, col) of the current sheet:
        scalar or 2-D list, errors as XlError. ``legacy``: the formula was saved without dynamic
        arrays (implicit intersection applies). Raises Unsupported when it cannot be computed
        faithfully and cellrefs.FormulaSyntaxError when the text is malformed."""
        if tokens is None:
            tokens = cellrefs.tokenize(formula)
        if key is None:
            key = cellrefs.relative_key(tokens, row, col)
        shape = self.shapes.get(key)
        if shape is None:
            shape = self._prepare(formula, tokens, row, col)
            self.shapes[key] = shape
        if isinstance(shape, Exception):
            raise shape
        if isinstance(shape, _Direct):
            return self._run_direct(shape, key, tokens)
        ast = shape[0]  # references are stored relative to the cell: one AST serves every copy
        self.engine_calls += 1
        return xlcalc.result(ast, self.context(row, col, legacy), spill_legacy=spill_legacy)

    def context(self, row: int, col: int, legacy: bool) -> Context:
        """The evaluation context of a cell (references read through this evaluator)."""
        return Context(read=self._read, row=row, col=col, legacy=legacy, names=self._name,
                       max_row=self.max_row, spill=self._spill, date1904=self.date1904, udfs=self.functions)

    # -- preparing a shape

    def _prepare(self, formula: str, tokens: list[Token], row: int, col: int) -> _Direct | tuple | Exception:
        direct = self._direct(tokens)
        if direct is not None:
            return direct
        try:
            return (xlcalc.parse(formula, row, col, tokens), row, col)
        except Unsupported as exc:
            return exc

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
            if t.kind == "ref" and not t.match.group("row1") and not t.match.group("col1"):
                return ("ref", t.match)
            if t.kind == "str":
                return ("lit", t.text[1:-1].replace('""', '"'))
            if t.kind == "num":
                return ("lit", float(t.text))
            if t.kind == "word" and t.text.upper() in _BOOL:
                return ("lit", _BOOL[t.text.upper()])
        return None

    # -- running

    def _read(self, sheet: str | None, r1: int, c1: int, r2: int, c2: int) -> Any:
        try:
            return self.read(sheet, r1, c1, r2, c2)
        except LookupError as exc:
            raise Unsupported(str(exc)) from None

    def _name(self, name: str) -> Any:
        target = self.names(name)
        if isinstance(target, tuple):
            return Ref(*target)
        return target

    def _spill(self, sheet: str | None, row: int, col: int) -> Ref | None:
        if self.spill is None:
            return None
        rect = self.spill(sheet, row, col)
        return None if rect is None else Ref(sheet, *rect)

    def _run_direct(self, shape: _Direct, key: tuple[Any, ...], tokens: list[Token]) -> Any:
        refs = [t.match for t in tokens if t.kind == "ref"]
        args = []
        k = 0
        for kind, spec in shape.args:
            if kind == "ref":
                # The shape was built from another copy: read this cell's own reference.
                args.append(self._read_ref(refs[k]))
                k += 1
            elif kind == "lit":
                args.append(spec)
            else:
                args.append(None)
        memo = (key, _hashable(args))
        hit = self.results.get(memo, _MISS)
        if hit is not _MISS:
            return hit
        self.direct_calls += 1
        out = xlcalc_udf_result(shape.fn(*args))
        self.results[memo] = out
        return out

    def _read_ref(self, m: Any) -> Any:
        sheet = cellrefs.unquote_sheet(m.group("sheet")) if m.group("sheet") else None
        a = _cell(m.group("c1"))
        b = _cell(m.group("c2")) if m.group("c2") else a
        return self._read(sheet, min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))


def xlcalc_udf_result(v: Any) -> Any:
    """A QIT_ function's result as the evaluator's values (floats, 2-D lists)."""
    from .xlfuncs import _from_udf

    return _from_udf(v)


_MISS = object()
_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


def _cell(text: str) -> tuple[int, int]:
    """(row, column) of a cell reference the lexer matched (``$B$3``); ValueError off the sheet."""
    m = _CELL.fullmatch(text)
    if m is None:
        raise ValueError(f"not a cell reference: {text!r}")
    row, col = int(m.group(2)), cellrefs.col_number(m.group(1))
    if not (1 <= row <= cellrefs.MAX_ROW and 1 <= col <= cellrefs.MAX_COL):
        raise Unsupported(f"reference {text} is off the sheet")
    return row, col


def _hashable(v: Any) -> Any:
    if isinstance(v, list):
        return tuple(_hashable(x) for x in v)
    if isinstance(v, float | int | bool) or v is None:
        return (type(v).__name__, v)
    return v
