"""SpreadsheetML as text: read a workbook's structure and cells, and patch single ``<c>`` elements.

Worksheets are scanned with regular expressions over the original text and patched by splicing
new ``<c>`` elements into it, so every byte we do not mean to change stays as it was (namespace
prefixes, attribute order, extension lists, whitespace). The small parts (workbook, relationships,
shared strings) are read with defusedxml after the package reader has refused DTDs.
"""

from __future__ import annotations

import datetime
import posixpath
import re
from dataclasses import dataclass, field

from defusedxml import ElementTree as SafeET

from .cellrefs import address, col_letters, parse_address, parse_range, range_text
from .errors import CODES, XlError
from .xlsxzip import DEFAULT_LIMITS, InputError, Limits, Package, workbook_path

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_SHEET_METADATA = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sheetMetadata"
REL_CALC_CHAIN = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"
CT_METADATA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheetMetadata+xml"

# Strict Open XML (ISO/IEC 29500 Strict, Excel's "Strict Open XML Spreadsheet") renames these
# namespaces one to one; package relationships and content types are the same in both.
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships"
TO_STRICT = {NS_MAIN: STRICT_MAIN, NS_REL: STRICT_REL}


def to_strict(xml: str) -> str:
    """XML we generate (transitional namespaces, relationship types) as Strict Open XML needs it."""
    for transitional, strict in TO_STRICT.items():
        xml = xml.replace(transitional, strict)
    return xml

_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);")
_XESC = re.compile(r"_x([0-9A-Fa-f]{4})_")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_BAD_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")


# ----------------------------------------------------------------------------- text helpers

def unescape(text: str) -> str:
    """XML character references and the five predefined entities -> characters."""
    if "&" not in text:
        return text

    def sub(m: re.Match[str]) -> str:
        e = m.group(1)
        if e.startswith("#x"):
            return chr(int(e[2:], 16))
        if e.startswith("#"):
            return chr(int(e[1:]))
        return _NAMED[e]

    return _ENTITY.sub(sub, text)


def unescape_ooxml(text: str) -> str:
    """Undo OOXML's ``_xHHHH_`` escapes in cell text."""
    return _XESC.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def escape_text(text: str) -> str:
    """Cell text for XML content: markup escaped, characters XML cannot hold as ``_xHHHH_``."""
    text = _BAD_XML_CHARS.sub(lambda m: "_x005F" + m.group(0) if len(m.group(0)) > 1
                              else f"_x{ord(m.group(0)):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attrs_of(tag_body: str) -> list[tuple[str, str]]:
    """Attributes of a start tag's body, in order, values still escaped."""
    return [(m.group(1), m.group(2) if m.group(2) is not None else m.group(3)) for m in _ATTR.finditer(tag_body)]


# ----------------------------------------------------------------------------- workbook structure

@dataclass
class SheetInfo:
    name: str
    part: str     # zip member name, e.g. xl/worksheets/sheet1.xml
    index: int    # 0-based position in the workbook


@dataclass
class DefinedName:
    name: str
    text: str
    local_sheet: int | None


@dataclass
class WorkbookInfo:
    part: str
    sheets: list[SheetInfo]
    names: list[DefinedName]
    rels_part: str
    rels: dict[str, tuple[str, str]]  # rId -> (type, target part)
    shared_strings: list[str] = field(default_factory=list)
    metadata_part: str | None = None
    calc_chain_part: str | None = None
    strict: bool = False  # Strict Open XML: what we add must use the strict namespaces too
    date1904: bool = False  # workbookPr date1904: serial 0 is 1 January 1904


def _parse(data: bytes | str, name: str):  # noqa: ANN202 - an ElementTree element
    try:
        return SafeET.fromstring(data)
    except Exception as exc:  # defusedxml raises several kinds; all mean the same to us
        raise InputError(f"{name}: malformed XML ({exc})") from None


def rels_part_for(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def read_rels(pkg: Package, part: str) -> dict[str, tuple[str, str]]:
    """Relationships of ``part``: rId -> (type, resolved target member name)."""
    rels_name = rels_part_for(part)
    data = pkg.get(rels_name)
    out: dict[str, tuple[str, str]] = {}
    if data is None:
        return out
    root = _parse(data, rels_name)
    base = posixpath.dirname(part)
    for rel in root.iter(f"{{{NS_PKG_REL}}}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            resolved = target
        elif target.startswith("/"):
            resolved = target.lstrip("/")
        else:
            resolved = posixpath.normpath(posixpath.join(base, target))
        out[rel.get("Id", "")] = (rel.get("Type", ""), resolved)
    return out


def read_workbook(pkg: Package) -> WorkbookInfo:
    """Sheets (in order), defined names, relationships and shared strings of the workbook."""
    part = workbook_path(pkg)
    data = pkg.get(part) if part else None
    if data is None:
        raise InputError("no workbook part in the package")
    root = _parse(data, part)
    strict = root.tag == f"{{{STRICT_MAIN}}}workbook"
    if not strict and root.tag != f"{{{NS_MAIN}}}workbook":
        raise InputError(f"{part}: not a SpreadsheetML workbook (root element {root.tag})")
    ns_main, ns_rel = (STRICT_MAIN, STRICT_REL) if strict else (NS_MAIN, NS_REL)
    rels = read_rels(pkg, part)
    sheets: list[SheetInfo] = []
    for i, s in enumerate(root.iter(f"{{{ns_main}}}sheet")):
        rid = s.get(f"{{{ns_rel}}}id")
        if rid in rels and rels[rid][0].endswith("/worksheet"):
            sheets.append(SheetInfo(s.get("name", f"Sheet{i + 1}"), rels[rid][1], i))
        else:  # chart sheets and dialog sheets keep their place in the index but hold no cells
            sheets.append(SheetInfo(s.get("name", f"Sheet{i + 1}"), "", i))
    names = []
    for d in root.iter(f"{{{ns_main}}}definedName"):
        local = d.get("localSheetId")
        names.append(DefinedName(d.get("name", ""), d.text or "", int(local) if local is not None else None))
    info = WorkbookInfo(part, sheets, names, rels_part_for(part), rels, strict=strict)
    pr = root.find(f"{{{ns_main}}}workbookPr")
    info.date1904 = pr is not None and pr.get("date1904", "").strip().lower() in ("1", "true")
    for typ, target in rels.values():
        if typ.endswith("/sharedStrings"):
            info.shared_strings = read_shared_strings(pkg, target, ns_main)
        elif typ in (REL_SHEET_METADATA, to_strict(REL_SHEET_METADATA)):
            info.metadata_part = target
        elif typ in (REL_CALC_CHAIN, to_strict(REL_CALC_CHAIN)):
            info.calc_chain_part = target
    return info


def read_shared_strings(pkg: Package, part: str, ns_main: str = NS_MAIN) -> list[str]:
    """The shared string table, rich text runs joined (``ns_main``: the workbook's main namespace)."""
    data = pkg.get(part)
    if data is None:
        return []
    root = _parse(data, part)
    out = []
    t_tag, r_tag, si_tag = f"{{{ns_main}}}t", f"{{{ns_main}}}r", f"{{{ns_main}}}si"
    for si in root.iter(si_tag):
        parts = []
        for child in si:
            if child.tag == t_tag:
                parts.append(child.text or "")
            elif child.tag == r_tag:
                parts.extend(t.text or "" for t in child.iter(t_tag))
        out.append(unescape_ooxml("".join(parts)))
    return out


# ----------------------------------------------------------------------------- worksheet cells

@dataclass
class CellXml:
    """One ``<c>`` element as found in the sheet text."""

    row: int
    col: int
    start: int
    end: int
    attrs: list[tuple[str, str]]
    has_r: bool
    t: str | None
    f_attrs: dict[str, str] | None  # None when the cell has no <f>
    f_text: str | None              # formula text, unescaped, None for a shared formula's follower
    f_raw: str | None               # the <f> element exactly as in the file
    v: str | None                   # <v> text, unescaped
    inline: str | None              # inline string text

    @property
    def is_empty(self) -> bool:
        return self.f_attrs is None and self.v is None and self.inline is None

    def attr(self, name: str) -> str | None:
        for k, val in self.attrs:
            if k == name:
                return val
        return None


@dataclass
class RowXml:
    row: int
    start: int        # start of <row
    tag_end: int      # end of the start tag
    end: int          # end of </row> (or of <row/>)
    close_start: int  # start of </row> (== end for <row/>)
    self_closing: bool
    cells: list[CellXml]


@dataclass
class SheetXml:
    """A worksheet's text and the cells found in it."""

    name: str
    part: str
    text: str
    prefix: str                  # namespace prefix of SpreadsheetML elements, "" or "x:"
    data_start: int              # offset just after <sheetData> (of <sheetData/> if self-closing)
    data_end: int                # offset of </sheetData> (just after <sheetData/>)
    data_self_closing: bool
    rows: list[RowXml]
    cells: dict[tuple[int, int], CellXml]

    @property
    def max_row(self) -> int:
        return max((r for r, _ in self.cells), default=0)


def parse_sheet(name: str, part: str, text: str, limits: Limits = DEFAULT_LIMITS) -> SheetXml:
    """Find every row and cell of a worksheet's text."""
    root = re.search(r"<(\w+:)?worksheet\b", text)
    if not root:
        raise InputError(f"{part}: not a worksheet")
    p = root.group(1) or ""
    sd = re.search(rf"<{p}sheetData\b[^>]*?(/?)>", text)
    if not sd:
        raise InputError(f"{part}: worksheet has no sheetData")
    if sd.group(1):
        return SheetXml(name, part, text, p, sd.start(), sd.end(), True, [], {})
    close = text.find(f"</{p}sheetData>", sd.end())
    if close < 0:
        raise InputError(f"{part}: unterminated sheetData")
    row_re = re.compile(rf"<{p}row\b([^>]*?)(/?)>")
    cell_re = re.compile(rf"<{p}c\b([^>]*?)(?:/>|>(.*?)</{p}c>)", re.S)
    f_re = re.compile(rf"<{p}f\b([^>]*?)(?:/>|>(.*?)</{p}f>)", re.S)
    v_re = re.compile(rf"<{p}v\b[^>]*?(?:/>|>(.*?)</{p}v>)", re.S)
    is_re = re.compile(rf"<{p}is\b[^>]*>(.*?)</{p}is>", re.S)
    t_re = re.compile(rf"<{p}t\b[^>]*?(?:/>|>(.*?)</{p}t>)", re.S)
    rph_re = re.compile(rf"<{p}rPh\b.*?</{p}rPh>", re.S)
    rows: list[RowXml] = []
    cells: dict[tuple[int, int], CellXml] = {}
    pos, row_no = sd.end(), 0
    while True:
        m = row_re.search(text, pos, close)
        if not m:
            break
        ra = dict(attrs_of(m.group(1)))
        row_no = int(ra["r"]) if "r" in ra else row_no + 1
        if m.group(2):
            rows.append(RowXml(row_no, m.start(), m.end(), m.end(), m.end(), True, []))
            pos = m.end()
            continue
        row_close = text.find(f"</{p}row>", m.end(), close)
        if row_close < 0:
            raise InputError(f"{part}: unterminated row {row_no}")
        row = RowXml(row_no, m.start(), m.end(), row_close + len(f"</{p}row>"), row_close, False, [])
        col_no = 0
        for cm in cell_re.finditer(text, m.end(), row_close):
            attrs = attrs_of(cm.group(1))
            ad = dict(attrs)
            if "r" in ad:
                try:
                    r, col_no = parse_address(ad["r"])
                except ValueError:
                    raise InputError(f"{part}: bad cell reference {ad['r']!r}") from None
                if r != row_no:
                    raise InputError(f"{part}: cell {ad['r']} is inside row {row_no}")
            else:
                col_no += 1
            body = cm.group(2) or ""
            f_attrs = f_text = f_raw = v = inline = None
            if body:
                fm = f_re.search(body)
                if fm:
                    f_attrs = dict(attrs_of(fm.group(1)))
                    f_text = unescape(fm.group(2)) if fm.group(2) else None
                    f_raw = fm.group(0)
                    if f_text is not None and len(f_text) > limits.max_formula_length:
                        raise InputError(f"{part}: formula in {address(row_no, col_no)} is longer than "
                                         f"{limits.max_formula_length} characters")
                vm = v_re.search(body)
                if vm:
                    v = unescape(vm.group(1) or "")
                im = is_re.search(body)
                if im:
                    inner = rph_re.sub("", im.group(1))
                    inline = unescape_ooxml("".join(unescape(t.group(1) or "") for t in t_re.finditer(inner)))
            c = CellXml(row_no, col_no, cm.start(), cm.end(), attrs, "r" in ad, ad.get("t"), f_attrs, f_text,
                        f_raw, v, inline)
            row.cells.append(c)
            cells[(row_no, col_no)] = c
            if len(cells) > limits.max_cells_per_sheet:
                raise InputError(f"{part}: more than {limits.max_cells_per_sheet} cells in sheet {name!r} "
                                 "(configured limit)")
        rows.append(row)
        pos = row.end
    return SheetXml(name, part, text, p, sd.end(), close, False, rows, cells)


def merged_ranges(sheet: SheetXml) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges as (r1, c1, r2, c2); ``<mergeCells>`` follows ``<sheetData>``."""
    out = []
    for m in re.finditer(rf'<{sheet.prefix}mergeCell\b[^>]*?\bref="([^"]*)"', sheet.text[sheet.data_end:]):
        try:
            out.append(parse_range(m.group(1)))
        except ValueError:
            raise InputError(f"{sheet.part}: bad merged range {m.group(1)!r}") from None
    return out


def is_formatted(c: CellXml) -> bool:
    """True when the cell carries a style other than the default (``s`` present and not 0)."""
    return c.attr("s") not in (None, "", "0")


_ISO = re.compile(r"(?:(\d{4})-(\d{2})-(\d{2}))?(?:T?(\d{2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?)?(?:Z|[+-]\d{2}:?\d{2})?")


def iso_serial(text: str, date1904: bool = False) -> float | None:
    """The serial number Excel gives an ISO 8601 date/time cell (``t="d"``, as Strict files store
    dates), in the workbook's date system; None if the text is not such a date or predates the system."""
    m = _ISO.fullmatch(text.strip())
    if not m or not (m.group(1) or m.group(4)):
        return None
    frac = 0.0
    if m.group(4):
        h, mi, sec = int(m.group(4)), int(m.group(5)), float(m.group(6) or 0)
        if h > 24 or mi > 59 or sec >= 60:
            return None
        frac = (h * 3600 + mi * 60 + sec) / 86400
    if not m.group(1):
        return frac
    try:
        day = datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    if date1904:
        days = (day - datetime.date(1904, 1, 1)).days
    else:
        # Serial 60 is Excel's phantom 29 February 1900: earlier dates sit one lower.
        days = (day - datetime.date(1899, 12, 30)).days - (day < datetime.date(1900, 3, 1))
        if day < datetime.date(1899, 12, 31):  # 1899-12-31 is serial 0, Excel's "1900-01-00"
            return None
    return None if days < 0 else days + frac


def cell_value(c: CellXml, shared: list[str], date1904: bool = False) -> object:
    """The cell's cached value as Python: None, float, str, bool or XlError (``t="d"`` ISO dates
    become serial numbers in the workbook's date system, as Excel holds them)."""
    t = c.t or "n"
    if t == "inlineStr":
        return c.inline if c.inline is not None else (unescape_ooxml(c.v) if c.v is not None else None)
    if c.v is None:
        return None
    if t == "s":
        try:
            return shared[int(c.v)]
        except (ValueError, IndexError):
            return XlError("#REF!", f"shared string {c.v} missing")
    if t == "b":
        return c.v.strip() in ("1", "true")
    if t == "e":
        code = c.v.strip()
        return XlError(code) if code in CODES else XlError("#VALUE!", code)
    if t == "d":
        serial = iso_serial(c.v, date1904)
        return unescape_ooxml(c.v) if serial is None else serial
    if t == "str":
        return unescape_ooxml(c.v)
    try:
        return float(c.v)
    except ValueError:
        return c.v


# ----------------------------------------------------------------------------- writing cells

def value_xml(value: object, p: str) -> tuple[str | None, str]:
    """(t attribute, inner XML) of a cell holding ``value`` as a formula's cached value."""
    if isinstance(value, XlError):
        return "e", f"<{p}v>{value.code}</{p}v>"
    if isinstance(value, bool):
        return "b", f"<{p}v>{int(value)}</{p}v>"
    if isinstance(value, int | float):
        return None, f"<{p}v>{number_text(float(value))}</{p}v>"
    if value is None:
        return None, ""
    return "str", f"<{p}v{_space(str(value))}>{escape_text(str(value))}</{p}v>"


def plain_value_xml(value: object, p: str) -> tuple[str | None, str]:
    """(t, inner XML) of a constant cell: text goes in as an inline string, never as a formula."""
    if isinstance(value, str):
        return "inlineStr", f"<{p}is><{p}t{_space(value)}>{escape_text(value)}</{p}t></{p}is>"
    return value_xml(value, p)


def _space(text: str) -> str:
    return ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""


def number_text(x: float) -> str:
    if x != x or x in (float("inf"), float("-inf")):
        raise ValueError("not a finite number")
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def build_cell(p: str, ref: str, keep_attrs: list[tuple[str, str]], t: str | None, inner: str,
               cm: str | None = None) -> str:
    """A ``<c>`` element: r first, the original attributes (style and others) kept, t/cm set."""
    out = [f'<{p}c r="{ref}"']
    for k, v in keep_attrs:
        if k not in ("r", "t", "cm"):
            out.append(f' {k}="{v}"')
    if t:
        out.append(f' t="{t}"')
    if cm:
        out.append(f' cm="{cm}"')
    if not inner:
        return "".join(out) + "/>"
    return "".join(out) + f">{inner}</{p}c>"


def formula_xml(p: str, text: str, attrs: dict[str, str] | None = None) -> str:
    a = "".join(f' {k}="{v}"' for k, v in (attrs or {}).items())
    return f"<{p}f{a}>{escape_text(text)}</{p}f>"


def patch_sheet(sheet: SheetXml, edits: dict[tuple[int, int], str]) -> str:
    """The sheet text with the ``<c>`` at each (row, col) in ``edits`` replaced by the given XML
    (or inserted in order, creating its row if needed); nothing else changes except the
    ``<dimension>`` and a row's ``spans`` hint when new cells fall outside them."""
    if not edits:
        return sheet.text
    text, p = sheet.text, sheet.prefix
    by_row: dict[int, dict[int, str]] = {}
    for (r, c), xml in edits.items():
        by_row.setdefault(r, {})[c] = xml
    if sheet.data_self_closing:  # <sheetData/>: data_start..data_end spans the empty element
        rows = "".join(_new_row(p, r, by_row[r]) for r in sorted(by_row))
        new = text[:sheet.data_start] + f"<{p}sheetData>{rows}</{p}sheetData>" + text[sheet.data_end:]
        return _fix_dimension(new, p, sheet, edits)
    out: list[str] = []
    pos = sheet.data_start
    pending = sorted(by_row)
    k = 0
    for row in sheet.rows:
        if k < len(pending) and pending[k] <= row.row:
            out.append(text[pos:row.start])
            pos = row.start
            while k < len(pending) and pending[k] < row.row:
                out.append(_new_row(p, pending[k], by_row[pending[k]]))
                k += 1
            if k < len(pending) and pending[k] == row.row:
                out.append(_patch_row(text, p, row, by_row[row.row]))
                pos = row.end
                k += 1
    out.append(text[pos:sheet.data_end])
    pos = sheet.data_end
    out.extend(_new_row(p, r, by_row[r]) for r in pending[k:])
    new = text[:sheet.data_start] + "".join(out) + text[pos:]
    return _fix_dimension(new, p, sheet, edits)


def _new_row(p: str, r: int, cells: dict[int, str]) -> str:
    return f'<{p}row r="{r}">' + "".join(cells[c] for c in sorted(cells)) + f"</{p}row>"


def _patch_row(text: str, p: str, row: RowXml, edits: dict[int, str]) -> str:
    start_tag = text[row.start:row.tag_end]
    new_cols = [c for c in edits if not any(x.col == c for x in row.cells)]
    if new_cols:
        start_tag = _widen_spans(start_tag, min(new_cols), max(new_cols))
    if row.self_closing:
        start_tag = start_tag[:start_tag.rfind("/>")] + ">"
        return start_tag + "".join(edits[c] for c in sorted(edits)) + f"</{p}row>"
    out = [start_tag]
    pos = row.tag_end
    todo = sorted(edits)
    i = 0
    for cell in row.cells:
        out.append(text[pos:cell.start])
        while i < len(todo) and todo[i] < cell.col:
            out.append(edits[todo[i]])
            i += 1
        if i < len(todo) and todo[i] == cell.col:
            out.append(edits[todo[i]])
            i += 1
        else:
            raw = text[cell.start:cell.end]
            if not cell.has_r:  # neighbours may move: pin its position
                raw = f'<{p}c r="{address(cell.row, cell.col)}"' + raw[len(p) + 2:]
            out.append(raw)
        pos = cell.end
    out.append(text[pos:row.close_start])
    out.extend(edits[c] for c in todo[i:])
    out.append(text[row.close_start:row.end])
    return "".join(out)


def _widen_spans(tag: str, lo: int, hi: int) -> str:
    m = re.search(r'\bspans="(\d+):(\d+)"', tag)
    if not m:
        return tag
    a, b = int(m.group(1)), int(m.group(2))
    if lo >= a and hi <= b:
        return tag
    return tag[:m.start()] + f'spans="{min(a, lo)}:{max(b, hi)}"' + tag[m.end():]


def _fix_dimension(text: str, p: str, sheet: SheetXml, edits: dict[tuple[int, int], str]) -> str:
    m = re.search(rf'<{p}dimension\b[^>]*?\bref="([^"]*)"', text)
    if not m:
        return text
    try:
        r1, c1, r2, c2 = parse_range(m.group(1))
    except ValueError:
        return text
    rows = [r for r, _ in edits]
    cols = [c for _, c in edits]
    nr1, nc1, nr2, nc2 = min(r1, *rows), min(c1, *cols), max(r2, *rows), max(c2, *cols)
    if (nr1, nc1, nr2, nc2) == (r1, c1, r2, c2):
        return text
    if not sheet.cells and m.group(1) == "A1":
        nr1, nc1 = min(rows), min(cols)
    new = range_text(nr1, nc1, nr2, nc2)
    return text[:m.start(1)] + new + text[m.end(1):]


__all__ = ["CellXml", "SheetXml", "WorkbookInfo", "build_cell", "cell_value", "col_letters", "formula_xml",
           "is_formatted", "merged_ranges", "parse_sheet", "patch_sheet", "read_workbook", "value_xml",
           "plain_value_xml"]
