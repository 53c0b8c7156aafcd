"""Strict Open XML workbooks (Excel's "Strict Open XML Spreadsheet"): read, evaluated and written back
strict. Strict files are made here from transitional ones by renaming the namespaces one to one."""

from __future__ import annotations

import datetime
import re
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from qitxl import functions as qf
from qitxl.existing import Book, evaluate_workbook
from qitxl.sheetxml import iso_serial
from qitxl.xlsxzip import InputError, read_package
from tests import libreoffice

# Transitional -> Strict (ISO/IEC 29500 Strict), the more specific names first.
STRICT = [
    ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties",
     "http://purl.oclc.org/ooxml/officeDocument/relationships/extendedProperties"),
    ("http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
     "http://purl.oclc.org/ooxml/officeDocument/extendedProperties"),
    ("http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
     "http://purl.oclc.org/ooxml/officeDocument/docPropsVTypes"),
    ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
     "http://purl.oclc.org/ooxml/officeDocument/relationships"),
    ("http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main"),
    ("http://schemas.openxmlformats.org/drawingml/2006/main", "http://purl.oclc.org/ooxml/drawingml/main"),
    ("http://schemas.openxmlformats.org/drawingml/2006/chart", "http://purl.oclc.org/ooxml/drawingml/chart"),
    ("http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
     "http://purl.oclc.org/ooxml/drawingml/spreadsheetDrawing"),
]


def strict_text(text: str, name: str) -> str:
    for transitional, strict in STRICT:
        text = text.replace(transitional, strict)
    if name == "xl/workbook.xml":
        text = re.sub(r"<workbook\b", '<workbook conformance="strict"', text, count=1)
    return text


def to_strict(src: Path, dst: Path, edit=None) -> Path:
    """A copy of ``src`` in Strict Open XML; ``edit(name, text)`` may change a part on the way."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith((".xml", ".rels")):
                text = strict_text(data.decode("utf-8"), info.filename)
                data = (edit(info.filename, text) if edit else text).encode("utf-8")
            zout.writestr(info, data)
    return dst


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def make_book(path: Path, names: list[str]) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data")
    other = wb.add_worksheet("Other")
    ws.write_column("A1", ["Province", *names])
    for r in range(2, len(names) + 2):
        ws.write_formula(f"B{r}", f"=QIT_TIER(A{r})")
        ws.write_formula(f"C{r}", f"=QIT_SCORE($A{r})")
    ws.write_formula("E2", "=QIT_PROVINCES()")        # spills: adds the dynamic-array metadata part
    other.write("A1", "Beijing")
    wb.define_name("Home", "=Other!$A$1")
    ws.write_formula("G1", "=QIT_RANK(Home)")          # a defined name, read from the strict workbook part
    ws.write_formula("G2", "=SUM(C2:C3)", None, 1)     # not ours: stays as it is
    wb.close()
    return path


@pytest.fixture()
def pair(tmp_path) -> tuple[Path, Path]:
    transitional = make_book(tmp_path / "t.xlsx", ["Anhui", "Beijing", "湖北", "Atlantis"])
    return transitional, to_strict(transitional, tmp_path / "s.xlsx")


def test_strict_workbook_is_evaluated(pair, tmp_path):
    _, strict = pair
    report = evaluate_workbook(strict, tmp_path / "out.xlsx")
    assert report.evaluated == 4 * 2 + 2 and not report.problems
    book = Book(read_package(tmp_path / "out.xlsx"))
    assert book.info.strict
    assert book.value("Data", 2, 2) == qf.qit_tier("Anhui")
    assert book.value("Data", 4, 3) == pytest.approx(qf.qit_score("湖北"))
    assert book.value("Data", 1, 7) == qf.qit_rank("Beijing")
    assert book.value("Data", 3, 5) == qf.qit_provinces()[1][0]


@pytest.mark.parametrize("values", [False, True])
def test_strict_output_is_the_strict_form_of_the_transitional_output(pair, tmp_path, values):
    """eval(strict(x)) == strict(eval(x)), member by member: the same cells written, and every
    namespace we read or add (sheets, relationships, metadata) kept strict."""
    transitional, strict = pair
    evaluate_workbook(transitional, tmp_path / "t_out.xlsx", values=values)
    evaluate_workbook(strict, tmp_path / "s_out.xlsx", values=values)
    expected = members(to_strict(tmp_path / "t_out.xlsx", tmp_path / "t_out_strict.xlsx"))
    got = members(tmp_path / "s_out.xlsx")
    assert list(got) == list(expected)
    for name, data in got.items():
        assert data == expected[name], name
    assert b"schemas.openxmlformats.org/spreadsheetml" not in b"".join(got.values())


def test_libreoffice_opens_strict_output(pair, tmp_path):
    _, strict = pair
    evaluate_workbook(strict, tmp_path / "out.xlsx")
    csv = libreoffice.convert(tmp_path / "out.xlsx", tmp_path / "lo", "csv").read_text(encoding="utf-8")
    rows = [line.split(",") for line in csv.splitlines()]
    assert rows[0][0] == "Province" and rows[1][0] == "Anhui" and rows[4][0] == "Atlantis"
    assert len(rows) >= len(qf.qit_provinces())  # the spill of E2 reached LibreOffice


def _iso_date(name: str, text: str, date1904: bool) -> str:
    """Put a Strict-style ISO 8601 date in Data!A10 (and the 1904 date system if asked)."""
    if name == "xl/worksheets/sheet1.xml":
        text = text.replace("</sheetData>", '<row r="10"><c r="A10" t="d"><v>2024-03-17T12:00:00</v></c></row>'
                                            "</sheetData>")
    if name == "xl/workbook.xml" and date1904:
        text = re.sub(r"<workbookPr\b", '<workbookPr date1904="1"', text)
    return text


@pytest.mark.parametrize("date1904,serial", [(False, 45368.5), (True, 43906.5)])
def test_iso_dates_of_strict_files_are_serial_numbers(tmp_path, date1904, serial):
    src = tmp_path / "d.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("Data")
    ws.write("A1", "Anhui")
    ws.write_formula("B1", "=A10+0*QIT_SCORE(A1)")
    ws.write_formula("C1", '=IF(A10>44000,"late","early")&QIT_TIER(A1)')
    wb.close()
    strict = to_strict(src, tmp_path / "ds.xlsx", lambda n, t: _iso_date(n, t, date1904))
    evaluate_workbook(strict, tmp_path / "out.xlsx")
    book = Book(read_package(tmp_path / "out.xlsx"))
    assert book.info.date1904 is date1904
    assert book.value("Data", 1, 2) == pytest.approx(serial)
    assert book.value("Data", 1, 3) == ("early" if date1904 else "late") + qf.qit_tier("Anhui")


@pytest.mark.parametrize("text,serial", [
    ("1900-01-01", 1), ("1900-02-28", 59), ("1900-03-01", 61), ("2024-03-17", 45368), ("1899-12-31T06:00:00", 0.25),
    ("13:45:30", (13 * 3600 + 45 * 60 + 30) / 86400), ("2024-03-17T13:45:30Z", 45368 + 49530 / 86400),
    ("2024-02-30", None), ("1899-12-30", None), ("soon", None), ("", None), ("25:00", None),
])
def test_iso_serial(text, serial):
    got = iso_serial(text)
    assert got == (pytest.approx(serial) if serial is not None else None)


@given(st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(9999, 12, 31)))
@settings(max_examples=200, deadline=None)
def test_iso_serial_round_trips_through_excel_epoch(day):
    serial = iso_serial(day.isoformat())
    assert datetime.date(1899, 12, 30) + datetime.timedelta(days=serial) == day
    if day >= datetime.date(1904, 1, 1):
        assert iso_serial(day.isoformat(), date1904=True) == serial - 1462
    else:  # before the 1904 system's epoch: no serial, so the text is kept
        assert iso_serial(day.isoformat(), date1904=True) is None


def test_annotate_keeps_a_strict_workbook_strict(tmp_path):
    from qitxl.existing import annotate_workbook

    src = tmp_path / "names.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    wb.add_worksheet("Data").write_column("A1", ["Province", "Anhui", "Beijing"])
    wb.close()
    annotate_workbook(src, tmp_path / "t_out.xlsx", "Data", "A", ["tier", "rank"])
    annotate_workbook(to_strict(src, tmp_path / "s.xlsx"), tmp_path / "s_out.xlsx", "Data", "A", ["tier", "rank"])
    expected = members(to_strict(tmp_path / "t_out.xlsx", tmp_path / "t_out_strict.xlsx"))
    assert members(tmp_path / "s_out.xlsx") == expected
    book = Book(read_package(tmp_path / "s_out.xlsx"))
    assert book.value("Data", 2, 2) == qf.qit_tier("Anhui") and book.value("Data", 3, 3) == qf.qit_rank("Beijing")


def test_workbook_in_an_unknown_namespace_is_refused(pair, tmp_path):
    transitional, _ = pair
    odd = to_strict(transitional, tmp_path / "odd.xlsx",
                    lambda n, t: t.replace("http://purl.oclc.org/ooxml/spreadsheetml/main", "urn:example:sheet"))
    with pytest.raises(InputError, match="not a SpreadsheetML workbook"):
        evaluate_workbook(odd, tmp_path / "out.xlsx")
