"""Which formulas depend on the cells ``qitxl eval`` recomputes, and the fullCalcOnLoad switch.

A formula depends on a recomputed cell when one of its references (direct, through a defined
name, across sheets) covers that cell or a cell of its spill range; dependence is followed
transitively. Formulas whose references are not resolved here (``INDIRECT``, ``OFFSET``,
structured table references, sheet-scoped names) are treated as dependent, so they are refused
and reported rather than left stale in silence.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from typing import TYPE_CHECKING

from . import cellrefs
from .cellrefs import MAX_COL, MAX_ROW, FormulaSyntaxError
from .xlcalc import Unsupported

if TYPE_CHECKING:
    from .existing import Book, QitCell

#: Functions whose references are computed at run time: their formulas may read any cell.
DYNAMIC_REFS = {"INDIRECT", "OFFSET"}
Rect = tuple[str, int, int, int, int]
_ANYWHERE: Rect = ("*", 1, 1, MAX_ROW, MAX_COL)


def precedents(book: Book, sheet: str, tokens: list[cellrefs.Token]) -> list[Rect]:
    """The rectangles a formula on ``sheet`` reads (``("*", ...)`` for anywhere)."""
    out: list[Rect] = []
    toks = [t for t in tokens if not (t.kind == "other" and t.text.isspace())]
    for i, t in enumerate(toks):
        nxt = toks[i + 1].text if i + 1 < len(toks) else ""
        if t.kind == "ref" and t.match is not None:
            out.append(_rect(t.match, sheet))
        elif t.kind == "word" and nxt == "(":
            if cellrefs.function_name(t.text).split(".")[-1] in DYNAMIC_REFS:
                out.append(_ANYWHERE)
        elif t.kind == "word" and t.text.upper() not in ("TRUE", "FALSE") and nxt != "!":
            out.extend(_name_rects(book, sheet, t.text))
        elif (t.kind == "bracket" and not re.fullmatch(r"\[\d+\]", t.text)) or t.kind == "quoted" or (
                t.kind == "word" and nxt == "!"):
            # A table column, a sheet-scoped name: where they point is not resolved here.
            out.append(_ANYWHERE)
    return out


def _rect(m: re.Match[str], sheet: str) -> Rect:
    name = cellrefs.unquote_sheet(m.group("sheet")) if m.group("sheet") else sheet
    if m.group("c1"):
        r1, c1, r2, c2 = cellrefs.parse_range(m.group(0).rpartition("!")[2].replace("$", ""))
    elif m.group("col1"):
        c1, c2 = sorted(cellrefs.col_number(m.group(g).lstrip("$")) for g in ("col1", "col2"))
        r1, r2 = 1, MAX_ROW
    else:
        r1, r2 = sorted(int(m.group(g).lstrip("$")) for g in ("row1", "row2"))
        c1, c2 = 1, MAX_COL
    return (name.upper(), r1, c1, r2, c2)


def _name_rects(book: Book, sheet: str, word: str) -> list[Rect]:
    book.current.append(sheet)
    try:
        target = book.name_target(word.upper())
    except Unsupported:
        target = "formula"
    finally:
        book.current.pop()
    if target is None:
        return []
    if isinstance(target, tuple):
        s, r1, c1, r2, c2 = target
        return [((s or sheet).upper(), r1, c1, r2, c2)]
    if target == "formula":
        d = next((d for d in book.info.names if d.name.upper() == word.upper()), None)
        try:
            return precedents(book, sheet, cellrefs.tokenize(d.text.lstrip("="))) if d else [_ANYWHERE]
        except FormulaSyntaxError:
            return [_ANYWHERE]
    return []


class _Changed:
    """The cells that get new values, by sheet, for fast rectangle tests."""

    def __init__(self) -> None:
        self.cells: dict[str, set[tuple[int, int]]] = defaultdict(set)
        self._rows: dict[str, dict[int, list[int]]] = {}  # sheet -> column -> sorted rows (lazy)

    def add(self, sheet: str, r1: int, c1: int, r2: int, c2: int) -> None:
        key = sheet.upper()
        self.cells[key].update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
        self._rows.pop(key, None)

    def hits(self, rect: Rect) -> bool:
        sheet, r1, c1, r2, c2 = rect
        if sheet == "*":
            return any(self.cells.values())
        cells = self.cells.get(sheet)
        if not cells:
            return False
        if (r2 - r1 + 1) * (c2 - c1 + 1) <= 64:
            return any((r, c) in cells for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
        by_col = self._rows.get(sheet)
        if by_col is None:
            by_col = defaultdict(list)
            for r, c in cells:
                by_col[c].append(r)
            for rows in by_col.values():
                rows.sort()
            self._rows[sheet] = by_col
        cols = [c for c in by_col if c1 <= c <= c2] if c2 - c1 > len(by_col) else range(c1, c2 + 1)
        for c in cols:
            rows = by_col.get(c)
            if rows:
                i = bisect.bisect_left(rows, r1)
                if i < len(rows) and rows[i] <= r2:
                    return True
        return False


def find_dependents(book: Book, pending: list[QitCell]) -> list[QitCell]:
    """Every formula cell that reads, directly or transitively, a cell in ``pending`` (their
    anchors, old spill ranges and new results); returned as new pending cells in sheet order."""
    from .existing import QitCell, formula_cells

    candidates: list[tuple[QitCell, list[Rect]]] = []
    for info in book.info.sheets:
        if not info.part:
            continue
        for r, c, text, attrs in formula_cells(book, info.name):
            if (info.name, r, c) in book.qit:
                continue
            try:
                tokens = cellrefs.tokenize(text)
            except FormulaSyntaxError:
                tokens = []
            qc = QitCell(info.name, r, c, text, tokens, cellrefs.relative_key(tokens, r, c))
            qc.legacy, qc.dependent = attrs.get("t") != "array", True
            candidates.append((qc, precedents(book, info.name, tokens) if tokens else [_ANYWHERE]))
    found: list[QitCell] = []
    if not candidates:
        return found
    changed = _Changed()
    for qc in pending:
        _mark(changed, book, qc)
    grew = True
    while grew:
        grew = False
        rest = []
        for qc, rects in candidates:
            if any(changed.hits(rect) for rect in rects):
                found.append(qc)
                _mark(changed, book, qc)
                grew = True
            else:
                rest.append((qc, rects))
        candidates = rest
    order = {info.name: info.index for info in book.info.sheets}
    found.sort(key=lambda q: (order[q.sheet], q.row, q.col))
    return found


def _mark(changed: _Changed, book: Book, qc: QitCell) -> None:
    from .existing import _old_spill, _shape

    changed.add(qc.sheet, qc.row, qc.col, qc.row, qc.col)
    old = _old_spill(book.sheet(qc.sheet), qc.row, qc.col)
    if old:
        changed.add(qc.sheet, *old)
    if qc.state == "done" and qc.problem is None:
        h, w = _shape(qc.value)
        changed.add(qc.sheet, qc.row, qc.col, qc.row + h - 1, qc.col + w - 1)


_CALC_AFTER = ("oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing",
               "fileRecoveryPr", "webPublishObjects", "extLst")


def full_calc_on_load(xml: str) -> str:
    """workbook.xml with ``<calcPr fullCalcOnLoad="1"/>``: Excel recalculates everything on open."""
    m = re.search(r"<(\w+:)?calcPr\b[^>]*?(/?)>", xml)
    if m:
        tag = m.group(0)
        if re.search(r'\bfullCalcOnLoad="[^"]*"', tag):
            new = re.sub(r'\bfullCalcOnLoad="[^"]*"', 'fullCalcOnLoad="1"', tag)
        else:
            end = len(tag) - (2 if tag.endswith("/>") else 1)
            new = tag[:end].rstrip() + ' fullCalcOnLoad="1"' + tag[end:]
        return xml[:m.start()] + new + xml[m.end():]
    root = re.search(r"<(\w+:)?workbook\b", xml)
    prefix = (root.group(1) or "") if root else ""
    element = f'<{prefix}calcPr fullCalcOnLoad="1"/>'
    for name in _CALC_AFTER:
        after = re.search(rf"<{re.escape(prefix)}{name}\b", xml)
        if after:
            return xml[:after.start()] + element + xml[after.start():]
    close = xml.rfind(f"</{prefix}workbook>")
    if close < 0:
        raise ValueError("workbook.xml has no closing </workbook>")
    return xml[:close] + element + xml[close:]
