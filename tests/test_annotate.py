"""``qitxl annotate`` next to merged ranges and formatted empty cells: they count as occupied, the
target columns must be free of them, and nothing outside the written cells changes."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qitxl import functions as qf
from qitxl.cellrefs import address, col_letters
from qitxl.cli import main
from qitxl.existing import annotate_workbook
from qitxl.xlsxzip import InputError
from tests import libreoffice

FIXTURES = Path(__file__).parent / "fixtures"
MERGE_RANGE = FIXTURES / "xw__merge_range01.xlsx"   # B2 (text, merged B2:D2), C2 and D2 formatted, empty
MERGE_CELLS = FIXTURES / "xw__merge_cells01.xlsx"   # A1:A2 .. D1:D2 merged, row 2 formatted, empty


def sheet_xml(path: Path, part: str = "xl/worksheets/sheet1.xml") -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read(part).decode("utf-8")


def cell_elements(text: str) -> dict[str, str]:
    """Every <c> element of a sheet by its reference, exactly as written."""
    return {m.group(1): m.group(0) for m in re.finditer(r'<c r="([A-Z]+\d+)"[^>]*?(?:/>|>.*?</c>)', text)}


def test_excel_saved_merge_is_not_written_into(tmp_path):
    out = tmp_path / "out.xlsx"
    annotate_workbook(MERGE_RANGE, out, "Sheet1", "B", ["tier", "rank"])
    before, after = sheet_xml(MERGE_RANGE), sheet_xml(out)
    old, new = cell_elements(before), cell_elements(after)
    assert {k: new[k] for k in old} == old  # every original cell, style included, byte for byte
    assert set(new) - set(old) == {"E1", "F1", "E2", "F2"}  # right of the merge B2:D2, not inside it
    assert re.search(r"<mergeCells.*</mergeCells>", before).group(0) == re.search(
        r"<mergeCells.*</mergeCells>", after).group(0)
    ws = openpyxl.load_workbook(out)["Sheet1"]
    assert ws["E2"].value == "=QIT_TIER(B2)" and ws["F1"].value == "QIT rank"
    assert [str(r) for r in ws.merged_cells.ranges] == ["B2:D2"]


@pytest.mark.parametrize("src,at,expect", [
    (MERGE_RANGE, "C", ["C2 (a formatted empty cell)", "B2:D2 (merged)"]),
    (MERGE_RANGE, "D", ["D2 (a formatted empty cell)", "B2:D2 (merged)"]),
    (MERGE_CELLS, "B", ["B1 (a value)", "B2 (a formatted empty cell)", "B1:B2 (merged)"]),
    (MERGE_CELLS, "E", None),  # free; but its column A holds only a header, so there is nothing to annotate
])
def test_excel_saved_occupied_columns_are_refused(tmp_path, capsys, src, at, expect):
    out = tmp_path / "out.xlsx"
    argv = ["annotate", str(src), "-o", str(out), "--sheet", "Sheet1", "--column", "A", "--at", at, "--add", "tier"]
    rc = main(argv)
    err = capsys.readouterr().err
    assert rc == 2 and not out.exists()
    if expect is None:
        assert "occupied" not in err and "has no names below row 1" in err
        return
    for piece in expect:
        assert piece in err
    assert "choose others with --at" in err


def _styled_book(path: Path) -> Path:
    """Names in B, a styled but empty C4, a merged title D1:E1 and a styled empty G7 (XlsxWriter)."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data")
    fill = wb.add_format({"bg_color": "#FFFF00", "border": 1})
    ws.write_column("B1", ["Province", "Anhui", "Beijing", "湖北", "Atlantis"])
    ws.write_blank("C4", None, fill)
    ws.merge_range("D1:E1", "Merged title", fill)
    ws.write_blank("G7", None, fill)
    wb.close()
    return path


def test_xlsxwriter_default_placement_goes_right_of_everything_occupied(tmp_path):
    src = _styled_book(tmp_path / "in.xlsx")
    out = tmp_path / "out.xlsx"
    annotate_workbook(src, out, "Data", "B", ["tier", "score", "rank"])
    ws = openpyxl.load_workbook(out, data_only=True)["Data"]
    assert [ws.cell(1, c).value for c in (8, 9, 10)] == ["QIT tier", "QIT score", "QIT rank"]  # H:J
    assert ws["H2"].value == qf.qit_tier("Anhui") and ws["J4"].value == qf.qit_rank("湖北")
    assert ws["C4"].fill.fgColor.rgb.endswith("FFFF00") and ws["C4"].value is None
    assert ws["G7"].fill.fgColor.rgb.endswith("FFFF00")
    old, new = cell_elements(sheet_xml(src)), cell_elements(sheet_xml(out))
    assert {k: new[k] for k in old} == old


@pytest.mark.parametrize("at,why", [("C", "C4 (a formatted empty cell)"), ("E", "D1:E1 (merged)"),
                                    ("F", "G7 (a formatted empty cell)"), ("B", "B2 (a value)")])
def test_xlsxwriter_occupied_target_is_refused(tmp_path, at, why):
    src = _styled_book(tmp_path / "in.xlsx")
    with pytest.raises(InputError) as err:
        annotate_workbook(src, tmp_path / "out.xlsx", "Data", "B", ["tier", "score"], at=at)
    assert why in str(err.value)
    assert not (tmp_path / "out.xlsx").exists()


def test_unstyled_empty_cell_keeps_its_attributes(tmp_path):
    """A bare <c r="C2" s="0" .../> (free: no value, default style) is replaced with its attributes kept."""
    src = _styled_book(tmp_path / "in.xlsx")
    text = sheet_xml(src, "xl/worksheets/sheet1.xml")
    text = text.replace('<c r="B2" t="s"><v>1</v></c>', '<c r="B2" t="s"><v>1</v></c><c r="K2" s="0" ph="1"/>')
    patched = tmp_path / "patched.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, text.encode() if info.filename == "xl/worksheets/sheet1.xml" else data)
    out = tmp_path / "out.xlsx"
    annotate_workbook(patched, out, "Data", "B", ["tier"], at="K")
    k2 = cell_elements(sheet_xml(out))["K2"]
    assert 's="0"' in k2 and 'ph="1"' in k2 and "QIT_TIER(B2)" in k2


def test_libreoffice_opens_annotated_excel_file(tmp_path):
    out = tmp_path / "out.xlsx"
    annotate_workbook(MERGE_RANGE, out, "Sheet1", "B", ["tier"])
    csv = libreoffice.convert(out, tmp_path / "lo", "csv")
    assert csv.read_text(encoding="utf-8", errors="replace").splitlines()[0].endswith("QIT tier")


@st.composite
def layouts(draw):
    """A few styled empty cells and merged ranges scattered over columns C..H, rows 1..6."""
    styled = draw(st.sets(st.tuples(st.integers(1, 6), st.integers(3, 8)), max_size=4))
    merges = []
    for _ in range(draw(st.integers(0, 2))):
        r1, c1 = draw(st.integers(1, 5)), draw(st.integers(3, 7))
        r2, c2 = draw(st.integers(r1, r1 + 1)), draw(st.integers(c1, c1 + 1))
        if (r1, c1) != (r2, c2) and not any(a <= r2 and r1 <= b and c <= c2 and c1 <= d for a, c, b, d in merges):
            merges.append((r1, c1, r2, c2))
    at = draw(st.integers(3, 9))
    return styled, merges, at


@given(layouts())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_annotate_never_writes_into_occupied_cells(tmp_path_factory, layout):
    styled, merges, at = layout
    tmp = tmp_path_factory.mktemp("layout")
    src = tmp / "in.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("S")
    fill = wb.add_format({"italic": True})
    ws.write_column("A1", ["Province", "Anhui", "Beijing", "Shanghai", "Hubei", "Jiangsu"])
    for r, c in styled:
        ws.write_blank(r - 1, c - 1, None, fill)
    for r1, c1, r2, c2 in merges:
        ws.merge_range(r1 - 1, c1 - 1, r2 - 1, c2 - 1, "", fill)
    wb.close()
    occupied = {(r, c) for r, c in styled} | {(r, c) for r1, c1, r2, c2 in merges
                                              for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    out = tmp / "out.xlsx"
    try:
        annotate_workbook(src, out, "S", "A", ["tier", "rank"], at=col_letters(at))
    except InputError as exc:
        assert any(c in (at, at + 1) for _, c in occupied), exc
        return
    assert not any(c in (at, at + 1) for _, c in occupied)
    old, new = cell_elements(sheet_xml(src)), cell_elements(sheet_xml(out))
    assert {k: new[k] for k in old} == old
    assert set(new) - set(old) == {address(r, c) for r in range(1, 7) for c in (at, at + 1)}
