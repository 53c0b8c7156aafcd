"""QIT_ formulas inside workbooks we did not write: ``qitxl eval`` and ``qitxl annotate``.

Both read the package defensively (``xlsxzip``), find cells in the original sheet XML
(``sheetxml``), compute with ``engine.Evaluator`` and write a copy in which only the touched
worksheets differ, and inside them only the touched ``<c>`` elements (plus, when a formula
spills as a dynamic array for the first time, ``xl/metadata.xml`` with its relationship and
content type; and, when formulas are removed or change kind, the calculation chain is dropped so
Excel rebuilds it).
"""

from __future__ import annotations

import contextlib
import gc
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import cellrefs
from .atomic import OutputRefused, check_output
from .cellrefs import FormulaSyntaxError, address, range_text
from .dependents import find_dependents, full_calc_on_load
from .engine import Evaluator, Unsupported
from .errors import XlError
from .sheetxml import (
    CT_METADATA,
    NS_PKG_REL,
    REL_SHEET_METADATA,
    CellXml,
    SheetXml,
    WorkbookInfo,
    build_cell,
    cell_value,
    formula_xml,
    is_formatted,
    merged_ranges,
    parse_sheet,
    patch_sheet,
    plain_value_xml,
    read_workbook,
    rels_part_for,
    to_strict,
    value_xml,
)
from .xlsxzip import DEFAULT_LIMITS, InputError, Limits, Package, read_package, write_package

_QIT_BYTES = re.compile(rb"qit_", re.I)

METADATA_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<metadata xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:xda="http://schemas.microsoft.com/office/spreadsheetml/2017/dynamicarray">'
    '<metadataTypes count="1"><metadataType name="XLDAPR" minSupportedVersion="120000" copy="1" pasteAll="1" '
    'pasteValues="1" merge="1" splitFirst="1" rowColShift="1" clearFormats="1" clearComments="1" assign="1" '
    'coerce="1" cellMeta="1"/></metadataTypes>'
    '<futureMetadata name="XLDAPR" count="1"><bk><extLst><ext uri="{bdbb8cdc-fa1e-496e-a857-3c3f30c029c3}">'
    '<xda:dynamicArrayProperties fDynamic="1" fCollapsed="0"/></ext></extLst></bk></futureMetadata>'
    '<cellMetadata count="1"><bk><rc t="1" v="0"/></bk></cellMetadata></metadata>'
)


@dataclass
class QitCell:
    """A cell whose formula calls a QIT_ function, and what became of it."""

    sheet: str
    row: int
    col: int
    formula: str                  # explicit text (shared formulas expanded), no leading "="
    tokens: list[cellrefs.Token]
    key: tuple[str, ...]
    value: Any = None             # scalar or 2-D list once evaluated
    problem: str | None = None    # why it could not be evaluated
    state: str = "pending"        # pending, running, done
    spill: tuple[int, int, int, int] | None = None
    legacy: bool = True           # saved without dynamic arrays (no t="array"): implicit intersection
    dependent: bool = False       # not a QIT_ cell: recomputed because it depends on one
    cse: bool = False             # a one-cell Ctrl+Shift+Enter array formula: shows its top-left value
    refused: str | None = None    # refused before evaluation (kept when everything is evaluated again)

    @property
    def addr(self) -> str:
        return f"{self.sheet}!{address(self.row, self.col)}"


@dataclass
class Report:
    evaluated: int = 0
    recalculated: int = 0  # formulas without QIT_ calls recomputed because they depend on QIT_ cells
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    problems: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def print(self, out: Any = None) -> None:
        out = out or sys.stdout
        print(f"cells evaluated: {self.evaluated}", file=out)
        if self.recalculated:
            print(f"dependent cells recalculated: {self.recalculated}", file=out)
        for code, where in sorted(self.errors.items()):
            shown = ", ".join(where[:20]) + (f" and {len(where) - 20} more" if len(where) > 20 else "")
            print(f"  {code} in {len(where)} cell(s): {shown}", file=out)
        if self.problems:
            print(f"cells not evaluated: {len(self.problems)}", file=out)
            for addr, why in self.problems:
                print(f"  {addr}: {why}", file=out)
        for note in self.notes:
            print(note, file=out)


class Book:
    """A workbook package opened for evaluation: sheets parsed on demand, values read from XML.

    ``qit`` holds the cells being recomputed (QIT_ cells, then their dependents); reading one of
    them, or a cell of its old spill range, evaluates it first, so cells are computed in
    dependency order whatever their place in the file."""

    def __init__(self, pkg: Package, limits: Limits = DEFAULT_LIMITS):
        self.pkg = pkg
        self.limits = limits
        self.info: WorkbookInfo = read_workbook(pkg)
        self.by_name = {s.name.upper(): s for s in self.info.sheets}
        self._sheets: dict[str, SheetXml] = {}
        self.qit: dict[tuple[str, int, int], QitCell] = {}
        self.spill_owner: dict[tuple[str, int, int], QitCell] = {}
        self.overrides: dict[tuple[str, int, int], Any] = {}
        self.current: list[str] = []
        self.evaluator = Evaluator(self.read, self.name_target, self.max_row, self.spill_range,
                                   self.info.date1904)

    # -- sheets and values

    def sheet(self, name: str) -> SheetXml:
        info = self.by_name.get(name.upper())
        if info is None:
            raise LookupError(f"no sheet named {name!r} in this workbook")
        if info.name not in self._sheets:
            if not info.part:
                raise LookupError(f"sheet {name!r} is not a worksheet")
            text = self.pkg.text(info.part)
            if text is None:
                raise InputError(f"worksheet part {info.part} is missing")
            self._sheets[info.name] = parse_sheet(info.name, info.part, text, self.limits)
        return self._sheets[info.name]

    def max_row(self, sheet: str | None) -> int:
        return self.sheet(sheet or self.current[-1]).max_row

    def value(self, sheet: str, row: int, col: int) -> Any:
        key = (sheet, row, col)
        qc = self.qit.get(key) or self.spill_owner.get(key)
        if qc is not None:
            if qc.state != "done":
                self.evaluate(qc)
            if qc.problem is not None:
                raise Unsupported(f"depends on {qc.addr}, which was not evaluated ({qc.problem})")
            if key not in self.overrides:
                return None  # a cell the formula's old spill covered and its new result does not
        if key in self.overrides:
            return self.overrides[key]
        c = self.sheet(sheet).cells.get((row, col))
        return None if c is None else cell_value(c, self.info.shared_strings, self.info.date1904)

    def read(self, sheet: str | None, r1: int, c1: int, r2: int, c2: int) -> Any:
        name = self.sheet(sheet).name if sheet else self.current[-1]
        if (r2 - r1 + 1) * (c2 - c1 + 1) > self.limits.max_cells_per_sheet:
            raise Unsupported("a referenced range is larger than the configured cell limit")
        if r1 == r2 and c1 == c2:
            return self.value(name, r1, c1)
        return [[self.value(name, r, c) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]

    def spill_range(self, sheet: str | None, row: int, col: int) -> tuple[int, int, int, int] | None:
        """The range the dynamic-array formula at (row, col) spills into (``F2#``), or None."""
        name = self.sheet(sheet).name if sheet else self.current[-1]
        qc = self.qit.get((name, row, col))
        if qc is not None:
            if qc.state != "done":
                self.evaluate(qc)
            if qc.problem is not None:
                raise Unsupported(f"depends on {qc.addr}, which was not evaluated ({qc.problem})")
            h, w = _shape(qc.value)
            return (row, col, row + h - 1, col + w - 1)
        cell = self.sheet(name).cells.get((row, col))
        if cell is None or cell.attr("cm") is None:
            return None
        return _old_spill(self.sheet(name), row, col)

    def name_target(self, name: str) -> Any:
        """A defined name's target (sheet, r1, c1, r2, c2) or constant value; None if undefined."""
        scope, _, bare = name.rpartition("!")
        current = self.by_name.get((cellrefs.unquote_sheet(scope) if scope else self.current[-1]).upper())
        candidates = [d for d in self.info.names if d.name.upper() == bare.upper()]
        chosen = next((d for d in candidates if current and d.local_sheet == current.index), None)
        chosen = chosen or next((d for d in candidates if d.local_sheet is None), None)
        if chosen is None:
            return None
        text = chosen.text.strip().lstrip("=")
        toks = [t for t in cellrefs.tokenize(text) if not (t.kind == "other" and t.text.isspace())]
        if len(toks) == 1 and toks[0].kind == "ref" and toks[0].match is not None:
            m = toks[0].match
            sheet = cellrefs.unquote_sheet(m.group("sheet")) if m.group("sheet") else None
            if m.group("c1"):
                r1, c1, r2, c2 = cellrefs.parse_range(m.group(0).rpartition("!")[2].replace("$", ""))
                return (sheet, r1, c1, r2, c2)
        if len(toks) == 1 and toks[0].kind == "str":
            return toks[0].text[1:-1].replace('""', '"')
        if len(toks) == 1 and toks[0].kind == "num":
            return float(toks[0].text)
        raise Unsupported(f"defined name {chosen.name} is not a plain reference or constant ({chosen.text})")

    def evaluate_formula(self, text: str, row: int, col: int, tokens: list[cellrefs.Token] | None = None,
                         attrs: dict[str, str] | None = None, spill_legacy: bool = False) -> Any:
        """The value of any formula text at (row, col) of the current sheet (Unsupported if refused).
        ``attrs``: the cell's ``<f>`` attributes (``t="array"`` means no implicit intersection)."""
        if tokens is None:
            tokens = cellrefs.tokenize(text)
        legacy = (attrs or {}).get("t") != "array"
        return self.evaluator.evaluate(text, row, col, tokens, cellrefs.relative_key(tokens, row, col),
                                       legacy=legacy, spill_legacy=spill_legacy)

    # -- finding and evaluating QIT cells

    def find_qit_cells(self) -> list[QitCell]:
        """Every cell on every worksheet whose formula calls a QIT_ function, in sheet order."""
        found: list[QitCell] = []
        for info in self.info.sheets:
            if not info.part:
                continue
            data = self.pkg.get(info.part)
            if data is None or not _QIT_BYTES.search(data):
                continue
            cells = self.sheet(info.name).cells.items()
            for r, c, text, fa in expand_shared(cells, cellrefs.mentions_qit, strict_in=info.name):
                if not cellrefs.mentions_qit(text):
                    continue
                try:
                    tokens = cellrefs.tokenize(text)
                except FormulaSyntaxError as exc:
                    raise InputError(f"{info.name}!{address(r, c)}: cannot parse formula ={text} ({exc})") from None
                if not cellrefs.qit_calls(tokens):
                    continue
                qc = QitCell(info.name, r, c, text, tokens, cellrefs.relative_key(tokens, r, c))
                qc.legacy = fa.get("t") != "array"
                self.add_pending(qc)
                found.append(qc)
        return found

    def add_pending(self, qc: QitCell) -> None:
        """Register a cell to recompute (reading it, or its old spill range, evaluates it first)."""
        self.qit[(qc.sheet, qc.row, qc.col)] = qc
        old = _old_spill(self.sheet(qc.sheet), qc.row, qc.col)
        if old:
            for r in range(old[0], old[2] + 1):
                for c in range(old[1], old[3] + 1):
                    if (r, c) != (qc.row, qc.col):
                        self.spill_owner[(qc.sheet, r, c)] = qc

    def evaluate(self, qc: QitCell) -> None:
        if qc.state == "done":
            return
        if qc.state == "running":
            raise Unsupported(f"circular reference through {qc.addr}")
        qc.state = "running"
        self.current.append(qc.sheet)
        try:
            qc.value = self.evaluator.evaluate(qc.formula, qc.row, qc.col, qc.tokens, qc.key, legacy=qc.legacy,
                                               spill_legacy=not qc.dependent)
        except Unsupported as exc:
            qc.problem = str(exc)
        except RecursionError:
            qc.problem = "references nest too deeply"
        finally:
            self.current.pop()
            qc.state = "done"
        if qc.problem is None:
            self._settle(qc)

    def _settle(self, qc: QitCell) -> None:
        """Record a computed value (a blocked spill becomes #SPILL!, as Excel shows it)."""
        v = qc.value
        if isinstance(v, list) and (qc.cse or len(v) == 1 and len(v[0]) == 1):
            qc.value = v = v[0][0]
        if isinstance(v, list):
            blocked = _spill_blocker(self, qc)
            if blocked:
                qc.value = v = XlError("#SPILL!", f"spill range is blocked by {blocked}")
        if isinstance(v, list):
            for i, row in enumerate(v):
                for j, x in enumerate(row):
                    self.overrides[(qc.sheet, qc.row + i, qc.col + j)] = x
        else:
            self.overrides[(qc.sheet, qc.row, qc.col)] = v


def expand_shared(cells: Iterable[tuple[tuple[int, int], CellXml]], expand: Callable[[str], bool] = bool,
                  strict_in: str | None = None) -> Iterator[tuple[int, int, str, dict[str, str]]]:
    """Every formula cell as (row, col, explicit text, <f> attributes), with each shared formula's
    followers given their master's text moved to their own place.

    Followers whose master is missing (or comes after them) are skipped, and so are those of a master
    whose text ``expand`` rejects. A follower whose master cannot be moved is skipped, or, with
    ``strict_in`` (the sheet's name, for the message), an InputError.
    """
    masters: dict[str, tuple[int, int, str]] = {}
    for (r, c), cell in cells:
        fa = cell.f_attrs
        if fa is None:
            continue
        text = cell.f_text
        if fa.get("t") == "shared":
            si = fa.get("si", "")
            if text is not None:
                masters[si] = (r, c, text)
            else:
                m = masters.get(si)
                if m is None or not expand(m[2]):
                    continue
                try:
                    text = cellrefs.shift_formula(m[2], r - m[0], c - m[1])
                except (ValueError, FormulaSyntaxError) as exc:
                    if strict_in is None:
                        continue
                    raise InputError(f"{strict_in}!{address(r, c)}: cannot expand shared formula ={m[2]} "
                                     f"({exc})") from None
        if text:
            yield r, c, text, fa


def formula_cells(book: Book, sheet: str) -> Iterator[tuple[int, int, str, dict[str, str]]]:
    """Every formula cell of a sheet in row order, shared formulas expanded (see ``expand_shared``)."""
    return expand_shared(sorted(book.sheet(sheet).cells.items()))


# ----------------------------------------------------------------------------- writing


class SheetWriter:
    """Collects the new ``<c>`` elements of one sheet."""

    def __init__(self, sheet: SheetXml):
        self.sheet = sheet
        self.edits: dict[tuple[int, int], str] = {}
        self.claimed: set[tuple[int, int]] = set()
        self.formula_kind_changed = False
        self.formula_removed = False

    def keep_attrs(self, row: int, col: int) -> list[tuple[str, str]]:
        c = self.sheet.cells.get((row, col))
        return [(k, v) for k, v in c.attrs if k not in ("vm",)] if c else []


def _dynamic_cm(pkg: Package, info: WorkbookInfo) -> tuple[str | None, dict[str, bytes], list[tuple[str, bytes]]]:
    """The cm= index for dynamic-array cells, with the package changes that make it valid:
    (cm or None if the workbook's metadata cannot be reused, replaced members, added members)."""
    if info.metadata_part:
        text = pkg.text(info.metadata_part) or ""
        types = re.findall(r"<(?:\w+:)?metadataType\b[^>]*\bname=\"([^\"]+)\"", text)
        if "XLDAPR" not in types:
            return None, {}, []
        t_index = types.index("XLDAPR") + 1
        fm = re.search(r"<(?:\w+:)?futureMetadata\b[^>]*name=\"XLDAPR\"[^>]*>(.*?)</(?:\w+:)?futureMetadata>",
                       text, re.S)
        if not fm:
            return None, {}, []
        bks = re.findall(r"<(?:\w+:)?bk\b.*?</(?:\w+:)?bk>", fm.group(1), re.S)
        dyn = [i for i, bk in enumerate(bks) if re.search(r'fDynamic="(1|true)"', bk)]
        cmeta = re.search(r"<(?:\w+:)?cellMetadata\b[^>]*>(.*?)</(?:\w+:)?cellMetadata>", text, re.S)
        if not dyn or not cmeta:
            return None, {}, []
        for n, bk in enumerate(re.findall(r"<(?:\w+:)?bk\b.*?</(?:\w+:)?bk>", cmeta.group(1), re.S), start=1):
            rc = re.search(r'<(?:\w+:)?rc\b[^>]*\bt="(\d+)"[^>]*\bv="(\d+)"', bk)
            if rc and int(rc.group(1)) == t_index and int(rc.group(2)) in dyn:
                return str(n), {}, []
        return None, {}, []
    # No metadata part yet: add one, the way Excel (and XlsxWriter) write it.
    base = info.part.rsplit("/", 1)[0]
    part = f"{base}/metadata.xml"
    if pkg.get(part) is not None:
        return None, {}, []
    rels_name = rels_part_for(info.part)
    rels = pkg.text(rels_name)
    ct = pkg.text("[Content_Types].xml")
    if rels is None or ct is None:
        return None, {}, []
    ids = set(re.findall(r'\bId="([^"]+)"', rels))
    n = len(ids) + 1
    while f"rId{n}" in ids:
        n += 1
    rel = f'<Relationship Id="rId{n}" Type="{REL_SHEET_METADATA}" Target="metadata.xml"/>'
    metadata = to_strict(METADATA_XML) if info.strict else METADATA_XML  # keep a Strict file strict
    rel = to_strict(rel) if info.strict else rel
    close = re.search(r"</(\w+:)?Relationships>", rels)
    if not close or (close.group(1) and NS_PKG_REL not in rels):
        return None, {}, []
    if close.group(1):
        rel = rel.replace("<Relationship ", f"<{close.group(1)}Relationship ")
    new_rels = rels[:close.start()] + rel + rels[close.start():]
    ct_close = ct.rfind("</Types>")
    if ct_close < 0:
        return None, {}, []
    override = f'<Override PartName="/{part}" ContentType="{CT_METADATA}"/>'
    new_ct = ct[:ct_close] + override + ct[ct_close:]
    return "1", {rels_name: new_rels.encode("utf-8"), "[Content_Types].xml": new_ct.encode("utf-8")}, \
        [(part, metadata.encode("utf-8"))]


def _drop_calc_chain(pkg: Package, info: WorkbookInfo, replace: dict[str, bytes]) -> set[str]:
    """Remove the calculation chain (its part, relationship and content type) from the output."""
    part = info.calc_chain_part
    if not part or pkg.get(part) is None:
        return set()
    rels_name = rels_part_for(info.part)
    rels = replace.get(rels_name, b"").decode("utf-8") or pkg.text(rels_name) or ""
    rels = re.sub(r"<(?:\w+:)?Relationship\b[^>]*calcChain[^>]*/>", "", rels)
    replace[rels_name] = rels.encode("utf-8")
    ct = replace.get("[Content_Types].xml", b"").decode("utf-8") or pkg.text("[Content_Types].xml") or ""
    ct = re.sub(r'<Override\b[^>]*PartName="/' + re.escape(part) + r'"[^>]*/>', "", ct)
    replace["[Content_Types].xml"] = ct.encode("utf-8")
    return {part}


def _shape(v: Any) -> tuple[int, int]:
    if isinstance(v, list):
        return len(v), (len(v[0]) if v else 0)
    return 1, 1


def _cells(v: Any) -> Iterator[tuple[int, int, Any]]:
    if isinstance(v, list):
        for i, row in enumerate(v):
            for j, x in enumerate(row):
                yield i, j, x
    else:
        yield 0, 0, v


def _spill_blocker(book: Book, qc: QitCell) -> str | None:
    """The first cell that keeps ``qc``'s array result from spilling, or None."""
    h, w = _shape(qc.value)
    if qc.row + h - 1 > cellrefs.MAX_ROW or qc.col + w - 1 > cellrefs.MAX_COL:
        return "the sheet's edge"
    sh = book.sheet(qc.sheet)
    for i in range(h):
        for j in range(w):
            if (i, j) == (0, 0):
                continue
            key = (qc.sheet, qc.row + i, qc.col + j)
            other = sh.cells.get((qc.row + i, qc.col + j))
            if key in book.qit or (other is not None and not other.is_empty and book.spill_owner.get(key) is not qc):
                return address(qc.row + i, qc.col + j)
    return None


def _old_spill(sh: SheetXml, row: int, col: int) -> tuple[int, int, int, int] | None:
    c = sh.cells.get((row, col))
    if c and c.f_attrs and c.f_attrs.get("t") == "array" and c.f_attrs.get("ref"):
        try:
            return cellrefs.parse_range(c.f_attrs["ref"])
        except ValueError:
            return None
    return None


class _Package:
    """The package-level changes of a write: replaced, dropped and added members, and the cm=
    index of dynamic-array cells (found, or added to the package, on the first spill)."""

    def __init__(self, book: Book, report: Report):
        self.book, self.report = book, report
        self.replace: dict[str, bytes] = {}
        self.drop: set[str] = set()
        self.add: list[tuple[str, bytes]] = []
        self._cm: str | None = None
        self._cm_ready = False

    def dynamic_cm(self) -> str | None:
        if not self._cm_ready:
            self._cm, rep, added = _dynamic_cm(self.book.pkg, self.book.info)
            self.replace.update(rep)
            self.add.extend(added)
            self._cm_ready = True
            if self._cm is None:
                self.report.notes.append("note: this workbook's metadata has no dynamic-array entry to "
                                         "reuse; spilled results were written as legacy array formulas")
        return self._cm


def write_results(book: Book, cells: list[QitCell], values: bool, report: Report) -> tuple[dict[str, bytes],
                                                                                            set[str],
                                                                                            list[tuple[str, bytes]]]:
    """Plan every sheet's edits from the evaluated cells; returns (replaced, dropped, added) members."""
    writers: dict[str, SheetWriter] = {}
    by_sheet: dict[str, list[QitCell]] = defaultdict(list)
    for qc in cells:
        by_sheet[qc.sheet].append(qc)
    pkg = _Package(book, report)
    for sheet_name, group in by_sheet.items():
        sh = book.sheet(sheet_name)
        w = writers[sheet_name] = SheetWriter(sh)
        owned = _old_spill_owners(sh, group)
        broken_si = _place_spills(w, group, owned, values)
        for qc in group:
            cell = sh.cells[(qc.row, qc.col)]
            fa = cell.f_attrs or {}
            follower_broken = fa.get("t") == "shared" and fa.get("si", "") in broken_si
            if qc.problem:
                _keep_unrecalculated(w, qc, follower_broken, report)
                continue
            _count(qc, report)
            old = _old_spill(sh, qc.row, qc.col)
            if values and not qc.dependent:
                w.formula_removed = True
                _write_values(w, qc, skip_anchor=False)
            else:
                _write_formula(w, qc, follower_broken, pkg)
                _write_values(w, qc, skip_anchor=True)
            if old:
                _clear_old_spill(w, qc, old, owned)
        if w.edits:
            pkg.replace[sh.part] = patch_sheet(sh, w.edits).encode("utf-8")
    if any(w.formula_removed or w.formula_kind_changed for w in writers.values()):
        pkg.drop |= _drop_calc_chain(book.pkg, book.info, pkg.replace)
    return pkg.replace, pkg.drop, pkg.add


def _old_spill_owners(sh: SheetXml, group: list[QitCell]) -> dict[tuple[int, int], QitCell]:
    """Each cell of a previous spill range of this sheet's QIT_ cells -> the cell that spilled it."""
    owned: dict[tuple[int, int], QitCell] = {}
    for qc in group:
        old = _old_spill(sh, qc.row, qc.col)
        if old:
            for r in range(old[0], old[2] + 1):
                for c in range(old[1], old[3] + 1):
                    owned[(r, c)] = qc
    return owned


def _place_spills(w: SheetWriter, group: list[QitCell], owned: Mapping[tuple[int, int], QitCell],
                  values: bool) -> set[str]:
    """Give each array result its spill range, or #SPILL! naming what blocks it; returns the shared
    groups whose master changes shape (their followers must then carry their own text)."""
    sh = w.sheet
    qit_here = {(qc.row, qc.col) for qc in group}
    broken_si: set[str] = set()
    for qc in group:
        cell = sh.cells[(qc.row, qc.col)]
        if qc.problem:
            continue
        h, wd = _shape(qc.value)
        if (h, wd) != (1, 1):
            r2, c2 = qc.row + h - 1, qc.col + wd - 1
            blocked = _spill_blocked_by(w, qc, owned, qit_here, r2, c2)
            if blocked:
                qc.value = XlError("#SPILL!", f"spill range {range_text(qc.row, qc.col, r2, c2)} is blocked "
                                   f"by {blocked}")
            else:
                qc.spill = (qc.row, qc.col, r2, c2)
                w.claimed.update((qc.row + i, qc.col + j) for i, j, _ in _cells(qc.value))
        fa = cell.f_attrs or {}
        if fa.get("t") == "shared" and cell.f_text is not None and ((values and not qc.dependent) or qc.spill):
            broken_si.add(fa.get("si", ""))
    return broken_si


def _spill_blocked_by(w: SheetWriter, qc: QitCell, owned: Mapping[tuple[int, int], QitCell],
                   qit_here: set[tuple[int, int]], r2: int, c2: int) -> str | None:
    """What keeps ``qc``'s array from spilling to (r2, c2): the sheet's edge or a cell's address; None if free."""
    if r2 > cellrefs.MAX_ROW or c2 > cellrefs.MAX_COL:
        return "the sheet's edge"
    for i, j, _ in _cells(qc.value):
        rc = (qc.row + i, qc.col + j)
        if rc == (qc.row, qc.col):
            continue
        other = w.sheet.cells.get(rc)
        if rc in w.claimed or rc in qit_here or (other is not None and not other.is_empty and owned.get(rc) is not qc):
            return address(*rc)
    return None


def _keep_unrecalculated(w: SheetWriter, qc: QitCell, follower_broken: bool, report: Report) -> None:
    """A cell that could not be computed stays as it was (its formula in full if its shared master
    goes away) and is listed with the reason."""
    sh, p = w.sheet, w.sheet.prefix
    cell = sh.cells[(qc.row, qc.col)]
    if follower_broken:
        t = cell.t if cell.t in ("str", "b", "e") else None
        inner = formula_xml(p, qc.formula)
        v_xml = re.search(rf"<{p}v\b.*?(?:/>|</{p}v>)", sh.text[cell.start:cell.end], re.S)
        w.edits[(qc.row, qc.col)] = build_cell(p, address(qc.row, qc.col), cell.attrs, t,
                                               inner + (v_xml.group(0) if v_xml else ""))
        w.formula_kind_changed = True
    report.problems.append((qc.addr, ("depends on a QIT_ cell but was not recalculated: " if qc.dependent
                                       else "") + qc.problem))


def _count(qc: QitCell, report: Report) -> None:
    if qc.dependent:
        report.recalculated += 1
    else:
        report.evaluated += 1
    for _, _, x in _cells(qc.value):
        if isinstance(x, XlError):
            report.errors[x.code].append(qc.addr)
            break


def _write_values(w: SheetWriter, qc: QitCell, skip_anchor: bool) -> None:
    """The result's values as plain cells (all of them, or all but the formula's own cell)."""
    p = w.sheet.prefix
    for i, j, x in _cells(qc.value):
        if skip_anchor and (i, j) == (0, 0):
            continue
        r, c = qc.row + i, qc.col + j
        t, inner = plain_value_xml(x, p)
        w.edits[(r, c)] = build_cell(p, address(r, c), w.keep_attrs(r, c), t, inner)


def _write_formula(w: SheetWriter, qc: QitCell, follower_broken: bool, pkg: _Package) -> None:
    """The formula cell with its new cached value (the top-left one of an array)."""
    sh, p = w.sheet, w.sheet.prefix
    cell = sh.cells[(qc.row, qc.col)]
    fa = cell.f_attrs or {}
    ref = address(qc.row, qc.col)
    attrs = w.keep_attrs(qc.row, qc.col)
    cm = cell.attr("cm")
    anchor = qc.value[0][0] if isinstance(qc.value, list) else qc.value
    t, v_inner = value_xml(anchor, p)
    if qc.spill:
        cm = pkg.dynamic_cm()
        f_xml = formula_xml(p, qc.formula, {"t": "array", "ref": range_text(*qc.spill)})
        if fa.get("t") != "array":
            w.formula_kind_changed = True
    elif fa.get("t") == "array":
        f_xml = formula_xml(p, qc.formula, {"t": "array", "ref": ref})
    elif follower_broken:
        f_xml = formula_xml(p, qc.formula)
        w.formula_kind_changed = True
    else:
        f_xml = cell.f_raw or formula_xml(p, qc.formula)
    w.edits[(qc.row, qc.col)] = build_cell(p, ref, attrs, t, f_xml + v_inner, cm)


def _clear_old_spill(w: SheetWriter, qc: QitCell, old: tuple[int, int, int, int],
                     owned: Mapping[tuple[int, int], QitCell]) -> None:
    """Cells the previous spill covered and the new one does not: cleared, style kept."""
    sh, p = w.sheet, w.sheet.prefix
    for r in range(old[0], old[2] + 1):
        for c in range(old[1], old[3] + 1):
            if ((r, c) not in w.edits and (r, c) not in w.claimed and (r, c) != (qc.row, qc.col)
                    and owned.get((r, c)) is qc and (r, c) in sh.cells):
                w.edits[(r, c)] = build_cell(p, address(r, c), w.keep_attrs(r, c), None, "")


# ----------------------------------------------------------------------------- eval

def _check_paths(src: Path, out: Path, force: bool) -> None:
    """The output policy (``atomic.check_output``), plus: OUT must be a workbook file name."""
    try:
        check_output(out, force=force, inputs=[src])
    except OutputRefused as exc:
        raise InputError(str(exc)) from None
    if out.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError(f"output {out} must end in .xlsx or .xlsm")


def evaluate_workbook(src: Path, out: Path, values: bool = False, limits: Limits = DEFAULT_LIMITS, *,
                      full_calc: bool = False, force: bool = False) -> Report:
    """Evaluate every QIT_ formula of ``src`` and every formula that depends on one, and write the
    result to ``out`` (see module docs); ``full_calc`` also sets fullCalcOnLoad in workbook.xml; an
    existing ``out`` is replaced only with ``force``."""
    src, out = Path(src), Path(out)
    _check_paths(src, out, force)
    pkg = read_package(src, limits)
    with _no_gc_pauses():
        book = Book(pkg, limits)
        cells = book.find_qit_cells()
        everything = evaluate_all(book, cells)
        report = Report()
        replace, drop, add = write_results(book, everything, values, report)
    if full_calc:
        wb = pkg.text(book.info.part) or ""
        replace[book.info.part] = full_calc_on_load(wb).encode("utf-8")
        report.notes.append("note: fullCalcOnLoad set: Excel recalculates every formula when it opens the file")
    elif any(qc.dependent and qc.problem for qc in everything):
        report.notes.append("note: some dependent formulas keep stale values; --full-calc-on-load makes Excel "
                            "recalculate them when it opens the file")
    write_package(pkg, out, replace, drop, add, force=force)
    if drop:
        report.notes.append("note: the calculation chain was removed (formulas changed); Excel rebuilds it")
    return report


@contextlib.contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects: with a large sheet
    in memory, its repeated full scans cost more than the evaluation (nothing here makes cycles
    that must be freed early)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.collect(0)  # cheap: leaves the older generations to the collector's own schedule
            gc.enable()


def evaluate_all(book: Book, cells: list[QitCell]) -> list[QitCell]:
    """Evaluate the QIT_ cells and every formula that depends on them; returns them all."""
    deps = _add_dependents(book, cells, [])
    everything = cells + deps
    for qc in everything:
        book.evaluate(qc)
    # A result that spills further than before changes cells nobody knew were changing: find
    # their readers too, and evaluate everything again with the final shapes (memoised, cheap).
    more = _add_dependents(book, everything, everything)
    if more or any(_spills_further(book, qc) for qc in everything):
        everything += more
        book.overrides.clear()
        for qc in everything:
            qc.state, qc.problem, qc.value = ("done" if qc.refused else "pending"), qc.refused, None
        for qc in everything:
            book.evaluate(qc)
    return everything


def _add_dependents(book: Book, pending: list[QitCell], known: list[QitCell]) -> list[QitCell]:
    seen = {(q.sheet, q.row, q.col) for q in known}
    found = [qc for qc in find_dependents(book, pending) if (qc.sheet, qc.row, qc.col) not in seen]
    for qc in found:
        book.add_pending(qc)
        cell = book.sheet(qc.sheet).cells[(qc.row, qc.col)]
        old = _old_spill(book.sheet(qc.sheet), qc.row, qc.col)
        if old and old[:2] != old[2:] and cell.attr("cm") is None:
            qc.refused = "a legacy multi-cell array formula (Ctrl+Shift+Enter) is not recalculated"
            qc.state, qc.problem = "done", qc.refused
        qc.cse = not qc.legacy and cell.attr("cm") is None
    return found


def _spills_further(book: Book, qc: QitCell) -> bool:
    if qc.problem is not None or not isinstance(qc.value, list):
        return False
    h, w = _shape(qc.value)
    old = _old_spill(book.sheet(qc.sheet), qc.row, qc.col) or (qc.row, qc.col, qc.row, qc.col)
    return qc.row + h - 1 > old[2] or qc.col + w - 1 > old[3]


# ----------------------------------------------------------------------------- annotate

ANNOTATIONS = {"tier": ("QIT_TIER", "QIT tier"), "score": ("QIT_SCORE", "QIT score"),
               "rank": ("QIT_RANK", "QIT rank")}


def annotate_workbook(src: Path, out: Path, sheet: str, column: str, add: list[str], header_row: int = 1,
                      at: str | None = None, limits: Limits = DEFAULT_LIMITS, *, force: bool = False) -> Report:
    """Add live QIT_ formula columns beside a column of province names; see ``qitxl annotate -h``."""
    src, out = Path(src), Path(out)
    _check_paths(src, out, force)
    if not add:
        raise InputError(f"--add: name at least one column ({', '.join(ANNOTATIONS)})")
    for a in add:
        if a not in ANNOTATIONS:
            raise InputError(f"--add: unknown column {a!r}; choose from {', '.join(ANNOTATIONS)}")
    if header_row < 1:
        raise InputError("--header-row must be 1 or more")
    if not re.fullmatch(r"[A-Za-z]{1,3}", column):
        raise InputError(f"--column: {column!r} is not a column letter")
    pkg = read_package(src, limits)
    book = Book(pkg, limits)
    try:
        sh = book.sheet(sheet)
    except LookupError as exc:
        names = ", ".join(s.name for s in book.info.sheets)
        raise InputError(f"{exc} (sheets: {names})") from None
    src_col = cellrefs.col_number(column)
    targets = _target_columns(sh, at, len(add))
    last = max((r for (r, c), cell in sh.cells.items() if c == src_col and not cell.is_empty), default=0)
    if last <= header_row:
        raise InputError(f"column {column.upper()} of {sh.name!r} has no names below row {header_row}")
    p = sh.prefix
    edits: dict[tuple[int, int], str] = {}
    report = Report()
    for a, col in zip(add, targets, strict=True):
        t, inner = plain_value_xml(ANNOTATIONS[a][1], p)
        edits[(header_row, col)] = build_cell(p, address(header_row, col), _attrs(sh, header_row, col), t, inner)
    book.current.append(sh.name)
    for r in range(header_row + 1, last + 1):
        name_cell = sh.cells.get((r, src_col))
        name = book.value(sh.name, r, src_col) if name_cell else None
        if name is None or name == "":
            continue
        for a, col in zip(add, targets, strict=True):
            formula = f"{ANNOTATIONS[a][0]}({column.upper()}{r})"
            value = book.evaluator.evaluate(formula, r, col)
            if isinstance(value, list):
                value = XlError("#VALUE!", "unexpected array result")
            t, v_inner = value_xml(value, p)
            edits[(r, col)] = build_cell(p, address(r, col), _attrs(sh, r, col), t, formula_xml(p, formula) + v_inner)
            report.evaluated += 1
            if isinstance(value, XlError):
                report.errors[value.code].append(f"{sh.name}!{address(r, col)}")
                if a == add[0]:
                    _note_row(report, r, name, value)
    book.current.pop()
    write_package(pkg, out, {sh.part: patch_sheet(sh, edits).encode("utf-8")}, force=force)
    return report


MAX_ROW_NOTES = 20


def _note_row(report: Report, row: int, name: Any, value: XlError) -> None:
    """Say why a row's name did not resolve: the first MAX_ROW_NOTES rows in full, then a count."""
    shown = [n for n in report.notes if n.startswith("  row ")]
    if len(shown) < MAX_ROW_NOTES:
        text = repr(name) if len(str(name)) <= 60 else repr(str(name)[:57] + "...")
        report.notes.append(f"  row {row}: {text}: {value.message or value.code}")
        return
    more = "  ... and 1 more row whose name did not resolve"
    if report.notes and report.notes[-1].startswith("  ... and "):
        n = int(report.notes[-1].split()[2]) + 1
        more = f"  ... and {n} more rows whose names did not resolve"
        report.notes.pop()
    report.notes.append(more)


def _occupants(sh: SheetXml) -> tuple[list[tuple[int, int, str]], list[tuple[int, int, int, int]]]:
    """What occupies the sheet for annotate: cells with a value or formula, formatted empty cells
    (whose style a new value would inherit or drop), and merged ranges (whose hidden cells Excel
    never shows). Returns ([(row, col, what)], merged ranges)."""
    cells = [(r, c, "a value" if not cell.is_empty else "a formatted empty cell")
             for (r, c), cell in sh.cells.items() if not cell.is_empty or is_formatted(cell)]
    return cells, merged_ranges(sh)


def _target_columns(sh: SheetXml, at: str | None, n: int) -> list[int]:
    """The ``n`` columns annotate writes: from ``at``, or the first ones right of everything occupied;
    InputError naming the occupants when any of them is not entirely free."""
    cells, merges = _occupants(sh)
    if at:
        if not re.fullmatch(r"[A-Za-z]{1,3}", at):
            raise InputError(f"--at: {at!r} is not a column letter")
        start = cellrefs.col_number(at)
    else:
        start = max([c for _, c, _ in cells] + [m[3] for m in merges] + [0]) + 1
    targets = list(range(start, start + n))
    if targets[-1] > cellrefs.MAX_COL:
        raise InputError("no room to the right of the used range")
    lo, hi = targets[0], targets[-1]
    busy = [f"{address(r, c)} ({what})" for r, c, what in sorted(cells) if lo <= c <= hi]
    busy += [f"{range_text(*m)} (merged)" for m in merges if m[1] <= hi and m[3] >= lo]
    if busy:
        shown = ", ".join(busy[:5]) + (f" and {len(busy) - 5} more" if len(busy) > 5 else "")
        raise InputError(f"columns {cellrefs.col_letters(lo)}:{cellrefs.col_letters(hi)} of {sh.name!r} are "
                         f"occupied: {shown}; annotate writes only into columns with no values, no formatted "
                         "cells and no merged ranges: choose others with --at")
    return targets


def _attrs(sh: SheetXml, row: int, col: int) -> list[tuple[str, str]]:
    """Attributes of the (empty, unformatted) cell being replaced, so nothing it carried is lost."""
    c = sh.cells.get((row, col))
    return [(k, v) for k, v in c.attrs if k != "vm"] if c else []


__all__ = ["Book", "Report", "annotate_workbook", "evaluate_workbook"]
