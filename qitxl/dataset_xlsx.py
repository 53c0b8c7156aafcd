"""Read a dataset workbook (one sheet per table, as ``qitxl dataset export`` writes) into a RawDataset.

The workbook is opened with the package reader's protections (``qitxl.xlsxzip``: zip bombs,
entity expansion, member and cell limits) and read as saved: a cell with a formula gives the value
Excel stored with it, and a formula with no stored value (or in a file that asks to be recalculated
on opening, so its stored values were never computed) is a problem naming the cell. Numbers become
text the way the CSV tables hold them (``2023``, ``0.25``); cells formatted as dates become ISO dates.

Sheets are found by name (English or Chinese, any case, ``.csv`` suffix or not), else by their
header row holding a table's required columns; other sheets (README, a user's notes) are ignored.
The header is the first row (of the first ten non-empty ones) that holds a table's required
columns, else the first non-empty row; rows above it are ignored, and so are columns without a
header. A table the workbook
lacks comes from the bundled dataset, as for a folder.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree as SafeET

from .cellrefs import address, col_letters, parse_address
from .dataset import REQUIRED, DatasetError, Problem, RawDataset, Table, bundled_methodology, bundled_table
from .errors import XlError
from .sheetxml import NS_MAIN, SheetXml, cell_value, parse_sheet
from .sheetxml import read_workbook as read_parts
from .xlsxzip import InputError, Limits, Package, read_package

#: A dataset is small (the bundled one is well under a megabyte); these bounds refuse a huge or
#: hostile file quickly instead of reading gigabytes.
MAX_FILE_BYTES = 64 * 1024 * 1024
LIMITS = Limits(max_member_bytes=256 * 1024 * 1024, max_total_bytes=512 * 1024 * 1024,
                max_cells_per_sheet=2_000_000)

METHODOLOGY = "methodology.toml"
METHODOLOGY_COLUMNS = ("table", "id", "key", "value")
HEADER_SEARCH_ROWS = 10  # the header may sit below a few title rows
#: Sheet names accepted for each table (compared after ``_sheet_key``).
SHEET_NAMES: dict[str, tuple[str, ...]] = {
    "provinces.csv": ("provinces", "province", "省份", "省级行政区"),
    "indicators.csv": ("indicators", "indicator", "data", "指标", "数据"),
    "sources.csv": ("sources", "source", "来源", "资料来源"),
    "reported_tiers.csv": ("reported_tiers", "reported", "报告梯队", "报道梯队"),
    "coding.csv": ("coding", "double_coding", "编码", "双人编码"),
    METHODOLOGY: ("methodology", "method", "方法", "方法论"),
}
#: Methodology keys whose values are numbers (text that reads as a number is taken as one) or lists.
NUMBER_KEYS = {"weight", "min_score", "level", "direction", "year", "skew_limit", "kurtosis_limit",
               "geometric_floor"}
LIST_KEYS = {"goalposts"}
# Built-in number formats that show dates or times (including the East Asian ones, 27-36, 50-58).
_DATE_FORMAT_IDS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))


def _sheet_key(name: str) -> str:
    key = name.strip().casefold()
    for suffix in (".csv", ".toml"):
        key = key.removesuffix(suffix)
    return re.sub(r"[\s\-]+", "_", key)


def header_key(text: str) -> str:
    """A header cell as a column name: ``ISO code`` and ``iso_code`` are the same column."""
    return re.sub(r"\s+", "_", text.strip().casefold())


@dataclass
class _Book:
    """What the cell reader needs from the workbook: strings, date styles, date system, recalc flag."""

    path: Path
    shared: list[str]
    date_styles: frozenset[int]
    date1904: bool
    never_calculated: bool


@dataclass
class _Sheet:
    name: str
    xml: SheetXml
    header_row: int
    columns: dict[int, str]   # column number -> column name, for headed columns


# ----------------------------------------------------------------------------- entry point


def read_workbook(path: Path) -> RawDataset:
    """The dataset tables of the workbook at ``path``; DatasetError if it cannot be read at all."""
    book, sheets = _open(path)
    problems: list[Problem] = []
    chosen = _choose_sheets(sheets, problems)
    tables: dict[str, Table] = {}
    where: dict[str, _Sheet] = {}
    for name in REQUIRED:
        sheet = chosen.get(name)
        if sheet is None:
            if name != "coding.csv":
                tables[name] = bundled_table(name, problems)
            continue
        where[name] = sheet
        tables[name] = _read_table(book, sheet, name, REQUIRED[name], problems)
    meta_sheet = chosen.get(METHODOLOGY)
    paths: dict[str, int] = {}
    if meta_sheet is None:
        meta = bundled_methodology(problems)
    else:
        meta, paths = _read_methodology(book, meta_sheet, problems)
    own = frozenset(where) | ({METHODOLOGY} if meta_sheet is not None else frozenset())

    sheets = where | ({METHODOLOGY: meta_sheet} if meta_sheet is not None else {})

    def reword(message: str) -> str:
        for name, sheet in sheets.items():  # "not in sources.csv" -> "not in sheet 'sources'"
            message = message.replace(name, f"sheet {sheet.name!r}")
        return message

    def locate(p: Problem) -> Problem:
        if p.file == METHODOLOGY and meta_sheet is not None:
            row = paths.get(p.column or "", p.row)
            return Problem(f"sheet {meta_sheet.name!r}", row, p.column, reword(p.message))
        sheet = where.get(p.file)
        if sheet is None:
            return p
        return Problem(f"sheet {sheet.name!r}", p.row, _column_label(sheet, p.column), reword(p.message))

    return RawDataset(meta, tables, str(path), own, problems, locate)


def _open(path: Path) -> tuple[_Book, list[_Sheet]]:
    def fail(message: str) -> DatasetError:
        return DatasetError([Problem(str(path), None, None, message)])

    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise fail("no such workbook") from None
    except OSError as exc:
        raise fail(f"cannot be read ({exc.strerror})") from None
    if size > MAX_FILE_BYTES:
        raise fail(f"the workbook is {size} bytes; a dataset workbook may be at most {MAX_FILE_BYTES}")
    try:
        pkg = read_package(path, LIMITS)
        info = read_parts(pkg)
        book = _Book(path, info.shared_strings, _date_styles(pkg, info.rels.values()),
                     *_workbook_flags(pkg, info.part))
        sheets = []
        for s in info.sheets:
            text = pkg.text(s.part) if s.part else None
            if text is not None:
                sheets.append(_headed(book, s.name, parse_sheet(s.name, s.part, text, LIMITS)))
    except InputError as exc:
        raise fail(str(exc)) from None
    return book, sheets


def _workbook_flags(pkg: Package, part: str) -> tuple[bool, bool]:
    """(1904 date system, file asks to be recalculated on opening) from the workbook part."""
    root = SafeET.fromstring(pkg.get(part))
    pr = root.find(f"{{{NS_MAIN}}}workbookPr")
    calc = root.find(f"{{{NS_MAIN}}}calcPr")
    date1904 = pr is not None and pr.get("date1904", "0") in ("1", "true")
    full_calc = calc is not None and calc.get("fullCalcOnLoad", "0") in ("1", "true")
    return date1904, full_calc


def _date_styles(pkg: Package, rels: Iterable[tuple[str, str]]) -> frozenset[int]:
    """Indexes of the cell styles whose number format shows a date or time."""
    part = next((target for typ, target in rels if typ.endswith("/styles")), None)
    data = pkg.get(part) if part else None
    if data is None:
        return frozenset()
    try:
        root = SafeET.fromstring(data)
    except Exception as exc:  # defusedxml raises several kinds; all mean the same here
        raise InputError(f"{part}: malformed XML ({exc})") from None
    custom = {int(f.get("numFmtId", "-1")): f.get("formatCode", "")
              for f in root.iter(f"{{{NS_MAIN}}}numFmt")}
    xfs = root.find(f"{{{NS_MAIN}}}cellXfs")
    out = set()
    for n, xf in enumerate(xfs if xfs is not None else ()):
        fid = int(xf.get("numFmtId", "0") or 0)
        if fid in _DATE_FORMAT_IDS or fid in custom and _is_date_format(custom[fid]):
            out.add(n)
    return frozenset(out)


def _is_date_format(code: str) -> bool:
    bare = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", code)
    return bool(re.search(r"[ymdhs]", bare, re.I)) and "general" not in bare.casefold()


# ----------------------------------------------------------------------------- sheets


def _headed(book: _Book, name: str, xml: SheetXml) -> _Sheet:
    """A sheet with its header row found: the first of its first rows that holds a table's required
    columns (so a title above the header is allowed), else its first non-empty row."""
    by_row: dict[int, dict[int, str]] = {}
    for (r, c), cell in xml.cells.items():
        if not cell.is_empty:
            by_row.setdefault(r, {})[c] = cell
    rows = sorted(by_row)[:HEADER_SEARCH_ROWS]
    tables = [*REQUIRED.values(), METHODOLOGY_COLUMNS]
    first = None
    for r in rows:
        columns = {}
        for c, cell in sorted(by_row[r].items()):
            v = cell_value(cell, book.shared)
            if isinstance(v, str) and v.strip():
                columns[c] = header_key(v)
        first = first or (r, columns)
        if any(set(t) <= set(columns.values()) for t in tables):
            return _Sheet(name, xml, r, columns)
    header_row, columns = first or (1, {})
    return _Sheet(name, xml, header_row, columns)


def _choose_sheets(sheets: list[_Sheet], problems: list[Problem]) -> dict[str, _Sheet]:
    """Table name -> the sheet that holds it: by name first, else by its header."""
    chosen: dict[str, _Sheet] = {}
    for table, names in SHEET_NAMES.items():
        by_name = [s for s in sheets if _sheet_key(s.name) in names]
        required = METHODOLOGY_COLUMNS if table == METHODOLOGY else REQUIRED[table]
        found = by_name or [s for s in sheets if set(required) <= set(s.columns.values())
                            and s not in chosen.values()]
        if len(found) > 1:
            listed = ", ".join(repr(s.name) for s in found)
            problems.append(Problem(f"sheets {listed}", None, None,
                                    f"each could be the {table.split('.')[0]} table; keep one (rename or delete "
                                    "the others)"))
        elif found:
            chosen[table] = found[0]
    return chosen


def _column_label(sheet: _Sheet, column: str | None) -> str | None:
    """``value`` -> ``D (value)`` for a column the sheet has; other text as it is."""
    if not column:
        return column
    for c, name in sheet.columns.items():
        if name == column:
            return f"{col_letters(c)} ({name})"
    return column


def _check_layout(sheet: _Sheet, table: str, required: tuple[str, ...], problems: list[Problem]) -> bool:
    """Merged cells and header faults; False when the table cannot be read at all."""
    label = f"sheet {sheet.name!r}"
    for ref in re.findall(r"<(?:\w+:)?mergeCell\b[^>]*\bref=\"([A-Z]+\d+:[A-Z]+\d+)\"", sheet.xml.text):
        try:
            (r1, c1), (r2, c2) = (parse_address(a) for a in ref.split(":"))
        except ValueError:
            continue
        if r2 >= sheet.header_row and any(c1 <= c <= c2 for c in sheet.columns):
            problems.append(Problem(label, r1, None, f"cells {ref} are merged; unmerge them: every column needs its "
                                    "own header and every row its own value"))
    names = list(sheet.columns.values())
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        problems.append(Problem(label, sheet.header_row, ", ".join(dupes), "column header used twice"))
    missing = [c for c in required if c not in names]
    if missing:
        problems.append(Problem(label, sheet.header_row, ", ".join(missing),
                                f"missing column(s) of the {table.split('.')[0]} table (header row "
                                f"{sheet.header_row})"))
        return False
    return not dupes


def _read_table(book: _Book, sheet: _Sheet, table: str, required: tuple[str, ...],
                problems: list[Problem]) -> Table:
    """The sheet's rows below the header as text keyed by column name (empty rows skipped)."""
    out = Table(table, tuple(sheet.columns.values()))
    if not _check_layout(sheet, table, required, problems):
        return out
    by_row: dict[int, dict[str, str]] = {}
    for (r, c), cell in sheet.xml.cells.items():
        name = sheet.columns.get(c)
        if r <= sheet.header_row or name is None:
            continue
        text = _cell_text(book, sheet, cell, problems)
        if text:
            by_row.setdefault(r, {})[name] = text
    blank = dict.fromkeys(sheet.columns.values(), "")
    for r in sorted(by_row):
        out.rows.append(blank | by_row[r])
        out.lines.append(r)
    return out


# ----------------------------------------------------------------------------- cells


def _cell_text(book: _Book, sheet: _Sheet, cell, problems: list[Problem]) -> str:  # noqa: ANN001 - a CellXml
    """A cell as the text a CSV table would hold, or "" with a problem naming the cell."""
    def bad(message: str) -> str:
        problems.append(Problem(f"sheet {sheet.name!r}", cell.row,
                                f"{col_letters(cell.col)} ({sheet.columns.get(cell.col, '')})",
                                f"cell {address(cell.row, cell.col)} {message}"))
        return ""

    if cell.f_attrs is not None:
        formula = f" (={cell.f_text})" if cell.f_text else ""
        if book.never_calculated:
            return bad(f"holds a formula{formula}, but the file was saved by a program that never calculated it "
                       "(it asks Excel to recalculate on opening), so its value is unknown: open and save it in "
                       "Excel or LibreOffice, or type the value")
        if cell.v is None or cell.v == "" and (cell.t or "n") == "n":
            return bad(f"holds a formula{formula} with no saved value: open and save the file in Excel or "
                       "LibreOffice, or type the value")
    value = cell_value(cell, book.shared)
    if isinstance(value, XlError):
        return bad(f"holds the error {value.code}")
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        style = dict(cell.attrs).get("s")
        if style is not None and style.isdigit() and int(style) in book.date_styles:
            return _excel_date(value, book.date1904) or bad(f"holds a date outside Excel's range ({value:g})")
        return number_text(value)
    if (cell.t or "") == "d":
        return value[:10] if value[10:].strip("T0:.Z") == "" else value
    return value.strip()


def number_text(x: float) -> str:
    """A number as CSV text: whole numbers without a decimal point, others as Python's shortest repr."""
    if not math.isfinite(x):
        return repr(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def _excel_date(serial: float, date1904: bool) -> str:
    """An Excel date serial as ISO text (date only when there is no time of day)."""
    if date1904:
        base = dt.datetime(1904, 1, 1)
    else:  # Excel counts a 29 February 1900 that never was; serials before it start a day later
        base = dt.datetime(1899, 12, 30) if serial >= 61 else dt.datetime(1899, 12, 31)
    try:
        when = base + dt.timedelta(days=serial)
    except OverflowError:
        return ""
    if not 1 <= when.year <= 9999:
        return ""
    when = when.replace(microsecond=0) if when.microsecond < 500_000 else when
    return when.date().isoformat() if when.time() == dt.time() else when.isoformat(timespec="seconds")


# ----------------------------------------------------------------------------- methodology


def _read_methodology(book: _Book, sheet: _Sheet, problems: list[Problem]) -> tuple[dict | None, dict[str, int]]:
    """The methodology sheet (table, id, key, value rows) as the dict methodology.toml would give,
    and the sheet row of every value by the path the validator names it with."""
    rows = _read_table(book, sheet, METHODOLOGY, METHODOLOGY_COLUMNS, problems)
    if not rows.rows and problems:
        return None, {}
    records = [(n, r["table"], r["id"], r["key"], r["value"]) for n, r in rows.numbered()]
    return unflatten(records, sheet.name, problems)


def unflatten(records: list[tuple[int, str, str, str, str]], sheet: str,
              problems: list[Problem]) -> tuple[dict, dict[str, int]]:
    """(row, table, id, key, value) records -> methodology dict, and path -> row for problems."""
    meta: dict = {"dataset": {}, "method": {}, "pillars": [], "indicators": {}, "tiers": []}
    lists: dict[tuple[str, str], dict] = {}
    paths: dict[str, int] = {}
    for n, table, ident, key, text in records:
        table = table.strip().casefold()
        if not key:
            problems.append(Problem(f"sheet {sheet!r}", n, "key", "empty"))
            continue
        value = _meta_value(key, text)
        if table in ("dataset", "method"):
            meta[table][key] = value
            paths[f"{table}.{key}"] = n
        elif table == "indicator":
            meta["indicators"].setdefault(ident, {})[key] = value
            paths.setdefault(f"indicators.{ident}", n)
            paths[f"indicators.{ident}.{key}"] = n
        elif table in ("pillar", "tier"):
            entry = lists.get((table, ident))
            if entry is None:
                first = {"id": ident} if table == "pillar" else {"level": _meta_value("level", ident)}
                entry = lists[(table, ident)] = first
                meta[f"{table}s"].append(entry)
                paths[f"{table}s[{len(meta[f'{table}s'])}]"] = n
            entry[key] = value
            paths[f"{table}s[{meta[f'{table}s'].index(entry) + 1}].{key}"] = n
        else:
            problems.append(Problem(f"sheet {sheet!r}", n, "table",
                                    f"{table!r} is not one of dataset, method, pillar, indicator, tier"))
    return meta, paths


def _meta_value(key: str, text: str) -> object:
    """A methodology value from its cell text, typed by its key (numbers typed as text are numbers)."""
    if key in NUMBER_KEYS:
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number.is_integer() and "." not in text and "e" not in text.casefold() else number
    if key in LIST_KEYS:
        parts = [p.strip() for p in text.strip().strip("[]").split(",")]
        try:
            return [float(p) for p in parts]
        except ValueError:
            return text
    return text
