"""A1 references and formula text: tokenise, find QIT_ calls, shift references (shared formulas).

This is deliberately a small lexer, not a parser: it knows string literals, quoted sheet names,
references (cells, ranges, whole columns and rows, optionally sheet-qualified), words (function
and defined names) and everything else as single characters. That is enough to expand shared
formulas, relativise a formula for caching, and spot QIT_ calls without being fooled by text.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .exceptions import QitxlError

MAX_ROW = 1_048_576
MAX_COL = 16_384

_TOKEN = re.compile(
    r"""
     (?P<str>"(?:[^"]|"")*")
    |(?P<ref>(?:(?P<sheet>'(?:[^']|'')+'|[A-Za-z_\\][\w.]*)!)?(?:
          (?P<c1>\$?[A-Za-z]{1,3}\$?\d+)(?::(?P<c2>\$?[A-Za-z]{1,3}\$?\d+))?
         |(?P<col1>\$?[A-Za-z]{1,3}):(?P<col2>\$?[A-Za-z]{1,3})
         |(?P<row1>\$?\d+):(?P<row2>\$?\d+)
       )(?![\w(.!\[]))
    |(?P<bracket>\[[^\]]*\])
    |(?P<quoted>'(?:[^']|'')*'?)
    |(?P<word>[A-Za-z_\\][\w.]*)
    |(?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
    |(?P<other>\s+|.)
    """,
    re.X | re.S,
)
_CELL = re.compile(r"(\$?)([A-Za-z]{1,3})(\$?)(\d+)")
_ADDR = re.compile(r"^([A-Z]{1,3})(\d+)$")
#: Prefixes Excel may store in front of a user-defined function's name.
_UDF_PREFIX = re.compile(r"^(?:_xludf\.|_xll\.|_xlfn\.|_xlws\.|_xldudf_)+", re.I)


class FormulaSyntaxError(QitxlError, ValueError):
    """The formula text is malformed (unbalanced brackets, unclosed string or sheet name)."""


def col_number(letters: str) -> int:
    """``"A"`` -> 1, ``"XFD"`` -> 16384."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def col_letters(n: int) -> str:
    """1 -> ``"A"``, 16384 -> ``"XFD"``."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def parse_address(addr: str) -> tuple[int, int]:
    """``"B3"`` (no ``$``, no sheet) -> (row 3, column 2); ValueError if it is not one."""
    m = _ADDR.match(addr.replace("$", "").upper())
    if not m:
        raise ValueError(f"not a cell address: {addr!r}")
    row, col = int(m.group(2)), col_number(m.group(1))
    if not (1 <= row <= MAX_ROW and 1 <= col <= MAX_COL):
        raise ValueError(f"cell address out of range: {addr!r}")
    return row, col


def address(row: int, col: int) -> str:
    return f"{col_letters(col)}{row}"


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """``"A1:B5"`` or ``"A1"`` -> (row1, col1, row2, col2)."""
    a, _, b = ref.partition(":")
    r1, c1 = parse_address(a)
    r2, c2 = parse_address(b) if b else (r1, c1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def range_text(r1: int, c1: int, r2: int, c2: int) -> str:
    first, last = address(r1, c1), address(r2, c2)
    return first if first == last else f"{first}:{last}"


class Token(NamedTuple):
    kind: str  # str, ref, bracket, quoted, word, num, other
    text: str
    match: re.Match[str] | None = None


def tokenize(formula: str) -> list[Token]:
    """Split formula text (without the leading ``=``) into tokens; FormulaSyntaxError if malformed."""
    tokens = [Token(m.lastgroup, m.group(), m) for m in _TOKEN.finditer(formula)]
    depth = 0
    for kind, text, _ in tokens:
        if kind == "other":
            if text == "(":
                depth += 1
            elif text == ")":
                depth -= 1
                if depth < 0:
                    raise FormulaSyntaxError("unbalanced parentheses")
            elif text == '"':
                raise FormulaSyntaxError("unclosed string")
        elif kind == "quoted" and (len(text) < 2 or text[-1] != "'"):
            raise FormulaSyntaxError("unclosed quoted sheet name")
    if depth:
        raise FormulaSyntaxError("unbalanced parentheses")
    return tokens


def function_name(word: str) -> str:
    """The bare upper-case name of a called function (``_xludf.qit_tier`` -> ``QIT_TIER``)."""
    return _UDF_PREFIX.sub("", word).upper()


def qit_calls(tokens: list[Token]) -> list[str]:
    """Names of the QIT_ functions a tokenised formula calls (in order, with repeats)."""
    out = []
    for i, t in enumerate(tokens):
        if t.kind == "word" and function_name(t.text).startswith("QIT_"):
            j = i + 1
            while j < len(tokens) and tokens[j].kind == "other" and tokens[j].text.isspace():
                j += 1
            if j < len(tokens) and tokens[j].text == "(":
                out.append(function_name(t.text))
    return out


_QIT_HINT = re.compile(r"qit_\w*\s*\(", re.I)


def mentions_qit(formula: str) -> bool:
    """Quick test before tokenising: could this formula call a QIT_ function?"""
    return bool(_QIT_HINT.search(formula))


def _shift_cell(text: str, dr: int, dc: int) -> str:
    m = _CELL.fullmatch(text)
    assert m
    dcol, letters, drow, digits = m.groups()
    col = col_number(letters) + (0 if dcol else dc)
    row = int(digits) + (0 if drow else dr)
    if not (1 <= col <= MAX_COL and 1 <= row <= MAX_ROW):
        raise ValueError("shifted reference leaves the sheet")
    return f"{dcol}{col_letters(col)}{drow}{row}"


def _shift_part(text: str, dr: int, dc: int, kind: str) -> str:
    absolute = text.startswith("$")
    bare = text.lstrip("$")
    if kind == "col":
        return text if absolute else col_letters(col_number(bare) + dc)
    return text if absolute else str(int(bare) + dr)


def shift_ref(m: re.Match[str], dr: int, dc: int) -> str:
    """The reference matched by the lexer, moved by (dr, dc) rows/columns where it is relative."""
    sheet = m.group("sheet")
    prefix = f"{sheet}!" if sheet else ""
    if m.group("c1"):
        out = _shift_cell(m.group("c1"), dr, dc)
        if m.group("c2"):
            out += ":" + _shift_cell(m.group("c2"), dr, dc)
    elif m.group("col1"):
        out = _shift_part(m.group("col1"), dr, dc, "col") + ":" + _shift_part(m.group("col2"), dr, dc, "col")
    else:
        out = _shift_part(m.group("row1"), dr, dc, "row") + ":" + _shift_part(m.group("row2"), dr, dc, "row")
    return prefix + out


def shift_formula(formula: str, dr: int, dc: int) -> str:
    """Formula text as it reads (dr, dc) away: what a shared formula's master means in another cell."""
    if not dr and not dc:
        return formula
    return "".join(shift_ref(t.match, dr, dc) if t.kind == "ref" and t.match else t.text
                   for t in tokenize(formula))


def _relative_cell(text: str, row: int, col: int) -> str:
    m = _CELL.fullmatch(text)
    assert m
    dcol, letters, drow, digits = m.groups()
    c = f"C{col_number(letters)}" if dcol else f"C[{col_number(letters) - col}]"
    r = f"R{digits}" if drow else f"R[{int(digits) - row}]"
    return r + c


def _relative_line(text: str, origin: int, axis: str) -> str:
    bare = text.lstrip("$")
    n = col_number(bare) if axis == "C" else int(bare)
    return f"{axis}{n}" if text.startswith("$") else f"{axis}[{n - origin}]"


def relative_key(tokens: list[Token], row: int, col: int) -> tuple[str, ...]:
    """The formula with every reference in R1C1 form relative to (row, col): equal keys mean the
    formulas are copies of each other (the same compiled function serves both)."""
    out = []
    for t in tokens:
        m = t.match
        if t.kind == "ref" and m is not None:
            sheet = (m.group("sheet") or "").upper()
            if m.group("c1"):
                body = _relative_cell(m.group("c1"), row, col)
                if m.group("c2"):
                    body += ":" + _relative_cell(m.group("c2"), row, col)
            elif m.group("col1"):
                body = ":".join(_relative_line(m.group(g), col, "C") for g in ("col1", "col2"))
            else:
                body = ":".join(_relative_line(m.group(g), row, "R") for g in ("row1", "row2"))
            out.append(f"{sheet}!{body}")
        elif t.kind in ("word", "bracket"):
            out.append(t.text.upper())
        elif t.kind == "other" and t.text.isspace():
            continue
        else:
            out.append(t.text)
    return tuple(out)


def unquote_sheet(name: str) -> str:
    """``'My Sheet'`` -> ``My Sheet``; unquoted names are returned as they are."""
    if len(name) >= 2 and name[0] == name[-1] == "'":
        return name[1:-1].replace("''", "'")
    return name
