"""``qitxl eval`` / ``qitxl annotate`` on workbooks written by other tools (XlsxWriter, Excel via
xlwings' quickstart.xlsm): results are right, and nothing else in the package changes."""

from __future__ import annotations

import io
import re
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
import xlwings

from qitxl import functions as qf
from qitxl.cli import main
from qitxl.errors import XlError
from qitxl.existing import evaluate_workbook
from qitxl.sheetxml import parse_sheet
from qitxl.xlsxzip import InputError, Limits
from tests import libreoffice

NAMES = ["Anhui", "Beijing", "Atlantis", "广东", "CN-SH", None, "shanghai"]


def tiny_png() -> bytes:
    """A valid 2x2 red PNG, made here so the test needs no image file."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def make_rich_workbook(path: Path) -> None:
    """Charts, an image, sparklines, data bars, comments, a table, a text box, defined names,
    cross-sheet references and QIT_ formulas (plain, nested, spilling), written by XlsxWriter."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Provinces")
    other = wb.add_worksheet("Lookup")
    ws.write_row(0, 0, ["Province", "Tier", "Rank", "Top", "Score", "Trend1", "Trend2", "Spark"])
    for i, name in enumerate(NAMES, start=2):
        if name is not None:
            ws.write(i - 1, 0, name)
        ws.write_formula(i - 1, 1, f"=QIT_TIER(A{i})")
        ws.write_formula(i - 1, 2, f"=QIT_RANK(A{i})")
        ws.write_formula(i - 1, 3, f'=IF(ISNUMBER(QIT_RANK(A{i})),IF(QIT_RANK(A{i})<=3,"Top 3",""),"n/a")')
        ws.write_formula(i - 1, 4, f"=QIT_SCORE($A{i})")
        ws.write_number(i - 1, 5, i * 1.5)
        ws.write_number(i - 1, 6, i * 2.5)
    ws.add_sparkline(1, 7, {"range": "Provinces!F2:G2"})
    ws.conditional_format("F2:F8", {"type": "data_bar", "bar_solid": True, "data_bar_2010": True})
    ws.write_comment("A2", "A comment written by XlsxWriter")
    ws.insert_image("J2", "dot.png", {"image_data": io.BytesIO(tiny_png())})
    ws.insert_textbox("J10", "A text box")
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": "=Provinces!$F$2:$F$8", "categories": "=Provinces!$A$2:$A$8"})
    ws.insert_chart("L2", chart)
    other.write(0, 0, "Zhejiang")
    other.write(1, 0, "Sichuan")
    other.add_table("C1:D3", {"data": [["Jiangsu", 1], ["Hubei", 2]], "columns": [{"header": "Name"},
                                                                                   {"header": "N"}]})
    wb.define_name("HomeProvince", "=Lookup!$A$1")
    ws.write_formula("A12", "=QIT_SCORE(Lookup!A2)")
    ws.write_formula("B12", "=QIT_TIER(HomeProvince)")
    ws.write_formula("C12", '=QIT_NAME(A2,"zh")')
    ws.write_formula("D12", "=SUM(F2:F8)", None, 123)  # not ours: must stay exactly as it is
    ws.write_formula("A14", "=QIT_PROFILE(A3)")       # spills 2 columns down from A14
    ws.write_formula("E14", "=QIT_PROVINCES()")       # spills down column E
    ws.write("F20", "in the way")                      # ... but not into F: single column
    ws.write_formula("H14", "=QIT_PROFILE(A2)")       # blocked by H15 below
    ws.write("H15", "blocker")
    wb.close()


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def infos(path: Path) -> list[tuple[str, tuple, int]]:
    with zipfile.ZipFile(path) as zf:
        return [(i.filename, i.date_time, i.compress_type) for i in zf.infolist()]


def raw_cells(path: Path, part: str) -> dict[tuple[int, int], str]:
    text = members(path)[part].decode("utf-8")
    sh = parse_sheet("s", part, text)
    return {k: text[c.start:c.end] for k, c in sh.cells.items()}


def expected(fn, *args):
    """What openpyxl reads back for fn(*args): error codes as text, empty text as None."""
    v = fn(*args)
    return v.code if isinstance(v, XlError) else (None if v == "" else v)


@pytest.fixture(scope="module")
def rich(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("rich")
    path = folder / "rich.xlsx"
    make_rich_workbook(path)
    return path


@pytest.fixture(scope="module")
def evaluated(rich: Path) -> tuple[Path, int, str]:
    out = rich.with_name("rich-out.xlsx")
    code = main(["eval", str(rich), "-o", str(out)])
    return out, code, ""


def test_eval_values_are_right(evaluated, rich):
    out, code, _ = evaluated
    assert code == 0
    ws = openpyxl.load_workbook(out, data_only=True)["Provinces"]
    for i, name in enumerate(NAMES, start=2):
        assert ws[f"B{i}"].value == expected(qf.qit_tier, name)
        assert ws[f"C{i}"].value == expected(qf.qit_rank, name)
        assert ws[f"E{i}"].value == pytest.approx(expected(qf.qit_score, name))
        rank = qf.qit_rank(name)
        numeric = isinstance(rank, int | float)
        top = ("Top 3" if rank <= 3 else None) if numeric else "n/a"
        assert ws[f"D{i}"].value == top
    assert ws["A12"].value == pytest.approx(qf.qit_score("Sichuan"))
    assert ws["B12"].value == qf.qit_tier("Zhejiang")
    assert ws["C12"].value == qf.qit_name("Anhui", "zh")
    assert ws["D12"].value == 123  # someone else's formula keeps its cached value
    # Spills: the whole profile of Beijing from A14, the province list down E.
    profile = qf.qit_profile("Beijing")
    for k, (label, value) in enumerate(profile):
        assert ws.cell(14 + k, 1).value == label
        assert ws.cell(14 + k, 2).value == (None if value == "" else value)
    for k, (name,) in enumerate(qf.qit_provinces()):
        assert ws.cell(14 + k, 5).value == name
    assert ws["H14"].value == "#SPILL!"
    assert ws["H15"].value == "blocker"
    df = pd.read_excel(out, sheet_name="Provinces")
    assert list(df["Tier"][:2]) == [qf.qit_tier("Anhui"), qf.qit_tier("Beijing")]


def test_eval_changes_nothing_else(evaluated, rich):
    out, _, _ = evaluated
    before, after = members(rich), members(out)
    sheet = "xl/worksheets/sheet1.xml"
    added = {"xl/metadata.xml"}
    assert set(after) == set(before) | added
    assert [n for n, *_ in infos(out) if n not in added] == [n for n, *_ in infos(rich)]
    assert [i for i in infos(out) if i[0] not in added] == infos(rich)  # order, timestamps, compression
    for name, data in before.items():
        if name in (sheet, "xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
            continue
        assert after[name] == data, name
    # The relationships and content types only gained the metadata part.
    rels_before = before["xl/_rels/workbook.xml.rels"].decode()
    rels_after = after["xl/_rels/workbook.xml.rels"].decode()
    assert re.sub(r'<Relationship Id="rId\d+" Type="[^"]+/sheetMetadata" Target="metadata.xml"/>', "",
                  rels_after) == rels_before
    ct_after = after["[Content_Types].xml"].decode()
    assert ct_after.replace('<Override PartName="/xl/metadata.xml" ContentType="application/vnd.openxmlformats-'
                            'officedocument.spreadsheetml.sheetMetadata+xml"/>', "") == before["[Content_Types].xml"
                                                                                              ].decode()
    # Inside the sheet: every cell we did not evaluate or spill into is byte-identical.
    cb, ca = raw_cells(rich, sheet), raw_cells(out, sheet)
    ws = openpyxl.load_workbook(rich)["Provinces"]
    ours = {(c.row, c.column) for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and "QIT_" in c.value}
    for k, xml in cb.items():
        if k not in ours:
            assert ca[k] == xml, k
    # Outside sheetData the sheet text is unchanged except the dimension.
    tb, ta = before[sheet].decode(), after[sheet].decode()
    strip = re.compile(r"<sheetData>.*</sheetData>|<dimension ref=\"[^\"]*\"/>", re.S)
    assert strip.sub("", tb) == strip.sub("", ta)


def test_dynamic_array_storage(evaluated):
    out, _, _ = evaluated
    m = members(out)
    sheet = m["xl/worksheets/sheet1.xml"].decode()
    n = len(qf.qit_provinces())
    assert f'<c r="E14" t="str" cm="1"><f t="array" ref="E14:E{13 + n}">QIT_PROVINCES()</f>' in sheet
    meta = m["xl/metadata.xml"].decode()
    assert 'name="XLDAPR"' in meta and 'fDynamic="1"' in meta and '<rc t="1" v="0"/>' in meta


def test_libreoffice_opens_result(evaluated, rich, tmp_path):
    out, _, _ = evaluated
    converted = libreoffice.convert(out, tmp_path / "lo", "csv")
    text = converted.read_text(encoding="utf-8", errors="replace")
    assert "Province" in text and "Anhui" in text


def test_values_snapshot(rich, tmp_path):
    out = tmp_path / "snap.xlsx"
    assert main(["eval", str(rich), "-o", str(out), "--values"]) == 0
    sheet = members(out)["xl/worksheets/sheet1.xml"].decode()
    assert "QIT_" not in sheet
    assert "SUM(F2:F8)" in sheet
    ws = openpyxl.load_workbook(out, data_only=True)["Provinces"]
    assert ws["B2"].value == qf.qit_tier("Anhui")
    # LibreOffice recalculates everything on load: with no QIT_ formulas left, it sees our values.
    lo = libreoffice.read_values(libreoffice.recalculate(out, tmp_path / "lo"))["Provinces"]
    assert lo["B2"] == qf.qit_tier("Anhui")
    assert lo["C3"] == qf.qit_rank("Beijing")
    assert lo["E15"] == qf.qit_provinces()[1][0]


def test_xlsm_from_xlwings_keeps_vba(tmp_path):
    src = Path(xlwings.__file__).parent / "quickstart.xlsm"
    book = tmp_path / "quick.xlsm"
    shutil.copy(src, book)
    patched = tmp_path / "quick-qit.xlsm"
    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(patched, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                rows = ('<row r="1"><c r="A1" t="inlineStr"><is><t>Anhui</t></is></c>'
                        '<c r="B1" t="str"><f t="shared" ref="B1:B3" si="0">_xludf.QIT_TIER(A1)</f>'
                        '<v>#NAME?</v></c></row>'
                        '<row r="2"><c r="A2" t="inlineStr"><is><t>Beijing</t></is></c>'
                        '<c r="B2"><f t="shared" si="0"/><v>0</v></c></row>'
                        '<row r="3"><c r="A3" t="inlineStr"><is><t>Hubei</t></is></c>'
                        '<c r="B3"><f t="shared" si="0"/><v>0</v></c>'
                        '<c r="C3" t="str"><f>IF(QIT_RANK(A3)&gt;3,"below","top")</f><v></v></c></row>')
                data = data.replace(b"<sheetData/>", f"<sheetData>{rows}</sheetData>".encode())
            zout.writestr(info, data)
    out = tmp_path / "quick-out.xlsm"
    assert main(["eval", str(patched), "-o", str(out)]) == 0
    before, after = members(patched), members(out)
    assert set(before) == set(after)
    for name in before:
        if name != "xl/worksheets/sheet1.xml":
            assert before[name] == after[name], name
    assert after["xl/vbaProject.bin"] == members(src)["xl/vbaProject.bin"]
    ws = openpyxl.load_workbook(out, data_only=True, keep_vba=True).worksheets[0]
    assert [ws[f"B{r}"].value for r in (1, 2, 3)] == [qf.qit_tier(n) for n in ("Anhui", "Beijing", "Hubei")]
    assert ws["C3"].value == ("below" if qf.qit_rank("Hubei") > 3 else "top")
    sheet = after["xl/worksheets/sheet1.xml"].decode()
    assert '<f t="shared" si="0"/>' in sheet  # shared formulas stay shared
    # Snapshot: the shared master goes, so nothing may still point at it.
    snap = tmp_path / "quick-snap.xlsm"
    assert main(["eval", str(patched), "-o", str(snap), "--values"]) == 0
    ws = openpyxl.load_workbook(snap, data_only=True, keep_vba=True).worksheets[0]
    assert ws["B2"].value == qf.qit_tier("Beijing")
    assert "<f" not in members(snap)["xl/worksheets/sheet1.xml"].decode().split("<sheetData>")[1]
    libreoffice.convert(out, tmp_path / "lo", "csv")


def test_calc_chain_dropped_only_when_formulas_go(tmp_path):
    src = tmp_path / "chain.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("S")
    ws.write("A1", "Anhui")
    ws.write_formula("B1", "=QIT_TIER(A1)")
    wb.close()
    with_chain = tmp_path / "chain2.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(with_chain, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>')
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxml'
                                    b'formats.org/officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/>'
                                    b"</Relationships>")
            zout.writestr(info, data)
        zout.writestr("xl/calcChain.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain '
                      'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="B1" i="1"/></calcChain>')
    kept = tmp_path / "kept.xlsx"
    assert main(["eval", str(with_chain), "-o", str(kept)]) == 0
    assert "xl/calcChain.xml" in members(kept)
    snap = tmp_path / "snap.xlsx"
    assert main(["eval", str(with_chain), "-o", str(snap), "--values"]) == 0
    m = members(snap)
    assert "xl/calcChain.xml" not in m
    assert b"calcChain" not in m["xl/_rels/workbook.xml.rels"] and b"calcChain" not in m["[Content_Types].xml"]
    assert openpyxl.load_workbook(snap, data_only=True)["S"]["B1"].value == qf.qit_tier("Anhui")


def test_annotate(tmp_path, capsys):
    src = tmp_path / "list.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("Budget")
    ws.write_row(0, 0, ["Id", "Province", "Budget"])
    for i, name in enumerate(["Anhui", "Beijng", "湖北", "Shaanxi"], start=1):
        ws.write_row(i, 0, [i, name, 100 * i])
    ws.write_comment("C2", "kept")
    wb.close()
    out = tmp_path / "annotated.xlsx"
    assert main(["annotate", str(src), "--sheet", "Budget", "--column", "B", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Beijng" in text and "Beijing" in text  # the suggestion
    ws = openpyxl.load_workbook(out, data_only=True)["Budget"]
    assert [ws.cell(1, c).value for c in (4, 5, 6)] == ["QIT tier", "QIT score", "QIT rank"]
    assert ws["D2"].value == qf.qit_tier("Anhui")
    assert ws["F4"].value == qf.qit_rank("湖北")
    assert ws["D3"].value == "#N/A"
    formulas = openpyxl.load_workbook(out)["Budget"]
    assert formulas["D5"].value == "=QIT_TIER(B5)"
    before, after = members(src), members(out)
    assert all(before[n] == after[n] for n in before if n != "xl/worksheets/sheet1.xml")
    # Columns that are not empty are refused.
    assert main(["annotate", str(src), "--sheet", "Budget", "--column", "B", "--at", "C",
                 "-o", str(tmp_path / "x.xlsx")]) == 2
    assert not (tmp_path / "x.xlsx").exists()


# ----------------------------------------------------------------------------- hostile input

def _refused(tmp_path: Path, src: Path, capsys, *extra: str) -> str:
    out = tmp_path / "out.xlsx"
    assert main(["eval", str(src), "-o", str(out), *extra]) == 2
    assert not out.exists()
    assert not list(tmp_path.glob(".out.xlsx.*"))
    return capsys.readouterr().err


def _with_member(src: Path, dst: Path, name: str, data: bytes) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, data if info.filename == name else zin.read(info))


@pytest.fixture()
def small(tmp_path) -> Path:
    path = tmp_path / "small.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    ws.write("A1", "Anhui")
    ws.write_string("A2", "=cmd|' /C calc'!A0")  # text that looks like a formula
    ws.write_formula("B1", "=QIT_TIER(A1)")
    ws.write_formula("B2", '=IF(QIT_RANK(A1)<=3,"=cmd|\' /C calc\'!A0","")')
    wb.close()
    return path


def test_not_a_zip(tmp_path, capsys):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("hello, not a workbook")
    assert "not a zip" in _refused(tmp_path, bad, capsys)


def test_zip_bomb(tmp_path, small, capsys):
    bomb = tmp_path / "bomb.xlsx"
    _with_member(small, bomb, "docProps/app.xml", b"<a>" + b" " * (40 * 1024 * 1024) + b"</a>")
    assert "zip bomb" in _refused(tmp_path, bomb, capsys)


def test_zip_bomb_with_lying_sizes(tmp_path, small):
    bomb = tmp_path / "bomb.xlsx"
    _with_member(small, bomb, "docProps/app.xml", b"<a>" + b" " * (3 * 1024 * 1024) + b"</a>")
    raw = bytearray(bomb.read_bytes())
    # Make the central directory and local header claim the member is tiny.
    with zipfile.ZipFile(bomb) as zf:
        info = zf.getinfo("docProps/app.xml")
    cd = raw.rfind(b"PK\x01\x02", 0, raw.rfind(b"docProps/app.xml"))
    raw[cd + 24:cd + 28] = struct.pack("<I", 100)
    raw[info.header_offset + 22:info.header_offset + 26] = struct.pack("<I", 100)
    bomb.write_bytes(bytes(raw))
    with pytest.raises(InputError):
        evaluate_workbook(bomb, tmp_path / "o.xlsx", limits=Limits(ratio_floor=1024, max_ratio=50))
    assert not (tmp_path / "o.xlsx").exists()


def test_billion_laughs(tmp_path, small, capsys):
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
              b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>')
    evil = tmp_path / "evil.xlsx"
    _with_member(small, evil, "xl/sharedStrings.xml", laughs)
    assert "DOCTYPE" in _refused(tmp_path, evil, capsys)


def test_unparseable_formula(tmp_path, small, capsys):
    sheet = members(small)["xl/worksheets/sheet1.xml"].replace(b"QIT_TIER(A1)</f>", b"QIT_TIER(A1</f>")
    broken = tmp_path / "broken.xlsx"
    _with_member(small, broken, "xl/worksheets/sheet1.xml", sheet)
    err = _refused(tmp_path, broken, capsys)
    assert "S!B1" in err and "cannot parse" in err


def test_sheet_too_large(tmp_path, small, capsys):
    assert "more than 3 cells" in _refused(tmp_path, small, capsys, "--max-cells", "3")


def test_output_must_differ(tmp_path, small, capsys):
    assert main(["eval", str(small), "-o", str(tmp_path / "." / small.name)]) == 2
    assert "is the input" in capsys.readouterr().err


def test_formula_injection_text_stays_text(tmp_path, small):
    for extra in ([], ["--values"]):
        out = tmp_path / f"inj{len(extra)}.xlsx"
        assert main(["eval", str(small), "-o", str(out), *extra]) == 0
        sheet = members(out)["xl/worksheets/sheet1.xml"].decode()
        assert "<f>cmd" not in sheet and "<f>=cmd" not in sheet
        ws = openpyxl.load_workbook(out, data_only=True)["S"]
        assert ws["B2"].value == "=cmd|' /C calc'!A0"
        assert ws["A2"].value == "=cmd|' /C calc'!A0"


def test_unsupported_cells_are_reported(tmp_path, capsys):
    src = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("S")
    ws.write("A1", "Anhui")
    ws.write_formula("B1", "=QIT_TIER(A1)")
    ws.write_formula("B2", "=QIT_TIER(Nowhere!A1)")
    wb.close()
    out = tmp_path / "o.xlsx"
    assert main(["eval", str(src), "-o", str(out)]) == 1
    text = capsys.readouterr().out
    assert "S!B2" in text and "Nowhere" in text
    assert openpyxl.load_workbook(out, data_only=True)["S"]["B1"].value == qf.qit_tier("Anhui")
