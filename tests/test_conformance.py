"""Conformance: formulas mixing QIT_ calls with everyday Excel idioms, through the real ``qitxl eval``.

Each case is a formula, the value Excel gives for it, and one line on why. The workbook is built
with XlsxWriter; ``evaluate_workbook`` evaluates it; the values are read back with openpyxl.
Cases marked ``L`` are saved as legacy (pre-dynamic-array) formulas, the others as dynamic
arrays. A case whose expected value is ``REFUSED`` must be left as it was and reported: that is
the documented behaviour for what the engine does not reproduce (docs/existing.md).

Sheet Data: A2:A7 Anhui, Beijing, Shanghai, Atlantis (unknown), Guangdong, Hubei; B2:B7 10..60;
C2 "3" (text), C3 TRUE, C4 empty, C5 "abc", C6 0.5, C7 "Leading"; D2:D7 =QIT_TIER(A2) ...;
E2:E7 =QIT_SCORE(A2) ...; H2 =QIT_PROVINCES("Leading") (spills H2:H3). Names: Provinces =
Data!$A$2:$A$7, Home = Data!$A$3, Scores = Data!$E$2:$E$4, Rate = 2.

The QIT_ functions run on a frozen dataset (tests/fixtures/dataset_2026_11_2, through
``functions.use_dataset``), so that the expected values, worked out by hand from its ranks, tiers
and scores, test Excel's semantics and do not move when the bundled data are revised.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

import qitxl
from qitxl import functions as qf
from qitxl.dataset import load_dataset
from qitxl.existing import evaluate_workbook

FROZEN = load_dataset(Path(__file__).parent / "fixtures" / "dataset_2026_11_2")
REFUSED = object()
S = {p: qitxl.score(p, dataset=FROZEN) for p in ("Anhui", "Beijing", "Shanghai", "Guangdong", "Hubei")}
EQUAL_WEIGHTS = qitxl.score("Anhui", weights=[1, 1, 1, 1, 1, 1], dataset=FROZEN)


@pytest.fixture(scope="module", autouse=True)
def frozen_dataset():
    """Every QIT_ call in this module answers from the frozen dataset."""
    qf.use_dataset(FROZEN)
    assert qf.qit_info().count("2026.11.2") == 1
    yield
    qf.use_dataset(None)

# (formula, Excel's value, why, "L" for legacy or "" for dynamic); placed in Calc!B2, B6, B10, ...
# (four rows apart, so that spilled results have room)
CASES = [
    ('SUMPRODUCT(--(QIT_TIER(Data!A2:A4)="Leading"))', 2, "-- turns TRUE/FALSE into 1/0: two Leading", ""),
    ("SUM(--ISNUMBER(QIT_SCORE(Data!A2:A7)))", 5, "every province but Atlantis has a score", ""),
    ('--QIT_TIER("Anhui")', "#VALUE!", "negating text that is not a number is #VALUE!", ""),
    ('-QIT_RANK("Beijing")', -1, "unary minus on a number", ""),
    ("-(QIT_RANK(\"Beijing\")=1)", -1, "unary minus on TRUE gives -1", ""),
    ('QIT_SCORE("Anhui")&""', "78.2259858339412", "& shows a number with 15 significant digits", ""),
    ('QIT_RANK("Anhui")&"/"&QIT_RANK("Beijing")', "2/1", "whole numbers have no decimal point", ""),
    ("QIT_TIER(Data!A3)=Data!C7", True, "text equality", ""),
    ('QIT_TIER("Anhui")="LEADING"', True, "text comparison ignores case", ""),
    ('QIT_RANK("Anhui")<"1"', True, "any number sorts before any text", ""),
    ('QIT_TIER("Anhui")<TRUE', True, "any text sorts before a logical", ""),
    ('QIT_RANK("Anhui")+Data!C4', 2, "an empty cell is 0 in arithmetic", ""),
    ('QIT_TIER("Anhui")&Data!C4', "Leading", 'an empty cell is "" in &', ""),
    ('IF(Data!C4="",QIT_TIER("Hubei"),"x")', "Emerging", 'an empty cell equals ""', ""),
    ('AND(Data!C4=0,QIT_RANK("Beijing")=1)', True, "an empty cell also equals 0", ""),
    ('QIT_RANK("Anhui")+Data!C2', 5, 'numeric text "3" is 3 in arithmetic', ""),
    ('QIT_RANK("Anhui")*Data!C3', 2, "TRUE is 1 in arithmetic", ""),
    ('QIT_RANK("Anhui")+Data!C5', "#VALUE!", "text that is not a number", ""),
    ('QIT_SCORE("Atlantis")+1', "#N/A", "errors propagate through operators", ""),
    ('IFERROR(QIT_SCORE("Atlantis"),-1)', -1, "IFERROR catches the #N/A", ""),
    ('IFNA(QIT_TIER("Tibet"),"not assessed")', "not assessed", "Tibet is known but not assessed: #N/A", ""),
    ('ISNA(QIT_RANK("Atlantis"))', True, "unknown province is #N/A", ""),
    ('IFERROR(1/(QIT_RANK("Beijing")-1),"div0")', "div0", "1/0 is #DIV/0!, caught", ""),
    ("ROWS(QIT_PROVINCES())", 12, "twelve assessed provinces, one per row", ""),
    ('COLUMNS(QIT_PROFILE("Anhui"))', 2, "the profile has label and value columns", ""),
    ('ROWS(QIT_PROFILE("Anhui"))', 35, "the profile has 35 rows", ""),
    ('COLUMN(Data!E2)*QIT_RANK("Anhui")', 10, "column E is 5", ""),
    ('ROW(Data!A5)&QIT_TIER("Hubei")', "5Emerging", "ROW(ref) is the reference's row", ""),
    ('QIT_SCORE("Anhui",,{1,1,1,1,1,1})', EQUAL_WEIGHTS, "a skipped pillar is missing: the composite", ""),
    ('QIT_SCORE("Anhui",,{1,1,1,1,1,1})=QIT_SCORE("Anhui","",{1,1,1,1,1,1})', True, "skipped equals blank", ""),
    ('COUNTIF(Data!D2:D7,"Leading")', 2, "recomputed after the QIT_ cells it counts", ""),
    ('COUNTIF(Data!D2:D4,"<>Leading")', 1, "only Shanghai is not Leading", ""),
    ('COUNTIFS(Data!D2:D7,"Strong",Data!B2:B7,">40")', 1, "Strong with B over 40: Guangdong", ""),
    ('SUMIFS(Data!B2:B7,Data!D2:D7,"Leading")', 30, "B of the two Leading rows", ""),
    ('SUMIF(Data!D2:D7,"Str*",Data!B2:B7)', 80, "wildcard * in a criterion", ""),
    ("SUM(Data!E2:E4)", S["Anhui"] + S["Beijing"] + S["Shanghai"], "a total of recomputed scores", ""),
    ("AVERAGE(Data!E2:E3)", (S["Anhui"] + S["Beijing"]) / 2, "average of two scores", ""),
    ("SUM(Data!D2:D7)", "#N/A", "SUM propagates the #N/A of Atlantis", ""),
    ("INDEX(Data!A2:A7,MATCH(1,QIT_RANK(Data!A2:A7),0))", "Beijing", "INDEX/MATCH on a QIT_ array", ""),
    ('MATCH("Strong",QIT_TIER(Data!A2:A7),0)', 3, "first Strong is the third", ""),
    ("XLOOKUP(1,QIT_RANK(Data!A2:A7),Data!A2:A7)", "Beijing", "XLOOKUP exact match", ""),
    ('XLOOKUP("Nowhere",Data!A2:A7,QIT_TIER(Data!A2:A7),"none")', "none", "XLOOKUP's if_not_found", ""),
    ('TEXTJOIN(", ",TRUE,QIT_PROVINCES("Leading"))', "Beijing, Anhui", "in rank order", ""),
    ('FILTER(Data!A2:A4,QIT_TIER(Data!A2:A4)="Leading")', [["Anhui"], ["Beijing"]], "FILTER spills", ""),
    ('SORT(QIT_PROVINCES("Leading"))', [["Anhui"], ["Beijing"]], "SORT is alphabetical", ""),
    ('TEXTJOIN("|",TRUE,SORT(QIT_TIER(Data!A2:A4)))', "Leading|Leading|Strong", "sorted tiers", ""),
    ('LET(s,QIT_SCORE("Beijing"),t,QIT_SCORE("Anhui"),ROUND(s-t,2))', 5.35, "LET names, ROUND half up", ""),
    ("LET(x,QIT_RANK(Data!A2:A4),SUM(x))", 7, "ranks 2, 1 and 4", ""),
    ('QIT_TIER({"Anhui";"Hubei"})', [["Leading"], ["Emerging"]], "an array constant spills down", ""),
    ('INDEX(QIT_TIER({"Anhui","Hubei"}),2)', "Emerging", "INDEX on a one-row array takes a column", ""),
    ('SUM(QIT_RANK({"Anhui","Beijing"}))', 3, "2 + 1", ""),
    ("QIT_TIER(Home)", "Leading", "defined name Home is Beijing", ""),
    ("COUNT(QIT_RANK(Provinces))", 5, "defined name over a range; Atlantis is no number", ""),
    ('QIT_RANK("Anhui")*Rate', 4, "defined name holding a constant", ""),
    ('_xldudf_QIT_TIER("Anhui")', "Leading", "the name Excel gives an Office add-in function", ""),
    ("_xldudf_QIT_RANK(Data!A3)+1", 2, "add-in name inside a formula", ""),
    ("QIT_TIER('My Data'!A1)", "Strong", "a sheet name with a space", ""),
    ("ROWS(_xlfn.ANCHORARRAY(Data!H2))", 2, "Data!H2# is the two Leading provinces", ""),
    ("INDEX(_xlfn.ANCHORARRAY(Data!H2),2)", "Anhui", "second row of the spill", ""),
    ('TEXT(QIT_RANK("Hubei")/24,"[h]:mm")', "7:00", "seven hours", ""),
    ('TEXT(QIT_SCORE("Xinjiang"),"[h]:mm")', "144:00", "elapsed hours count whole days", ""),
    ('TEXT(QIT_SCORE("Anhui"),"0.00")', "78.23", "two decimals, rounded", ""),
    ('TEXT(QIT_SCORE("Anhui")/100,"0.0%")', "78.2%", "percent format", ""),
    ('TEXT(QIT_RANK("Hubei")*10000,"yyyy-mm-dd")', "2091-08-25", "serial 70000 in the 1900 date system", ""),
    ('QIT_RANK("Anhui")^-1', 0.5, "power with a negative exponent", ""),
    ('-2^2+QIT_RANK("Beijing")', 5, "negation binds tighter than ^ in Excel", ""),
    ('QIT_RANK("Anhui")%', 0.02, "percent operator", ""),
    ('QIT_SCORE("Anhui")*1E+300*1E+10', "#NUM!", "overflow is #NUM!", ""),
    ('CONCATENATE(QIT_NAME("Anhui","zh"),"-",QIT_RANK("Anhui"))', "安徽-2", "CONCATENATE with a number", ""),
    ('UPPER(QIT_TIER("Hubei"))', "EMERGING", "UPPER", ""),
    ('LEN(QIT_TIER("Xinjiang"))', 11, '"Early stage"', ""),
    ('IF(QIT_RANK(Data!A2:A4)<=2,"top","rest")', [["top"], ["top"], ["rest"]], "IF lifts over an array", ""),
    ('VLOOKUP("Beijing",Data!A2:E7,5,FALSE)', S["Beijing"], "VLOOKUP reads a recomputed score", ""),
    ("Data!E3-Data!E2", S["Beijing"] - S["Anhui"], "plain arithmetic on QIT_ cells", ""),
    ('RANK(QIT_SCORE("Shanghai"),Scores)', 3, "third highest of the three scores, descending", ""),
    ('LARGE(QIT_SCORE(Data!A2:A4),1)', S["Beijing"], "the highest score", ""),
    ("MEDIAN(QIT_RANK(Data!A2:A4))", 2, "median of 2, 1, 4", ""),
    ('AVERAGEIFS(Data!B2:B7,Data!D2:D7,"Strong")', 40, "B of the two Strong rows: 30 and 50", ""),
    ('CONCAT(QIT_PROVINCES("Leading"))', "BeijingAnhui", "CONCAT joins a whole array", ""),
    ('ISERR(QIT_TIER("Atlantis"))', False, "ISERR is false for #N/A", ""),
    ('RANK.EQ(QIT_SCORE("Anhui"),Scores,1)', 2, "ascending rank among 78.2, 83.6, 49.2", ""),
    ('REPT("*",QIT_RANK("Shanghai"))', "****", "Shanghai ranks 4th", ""),
    ('SEQUENCE(QIT_RANK("Anhui"))', [[1], [2]], "SEQUENCE spills 1..2 down", ""),
    ('CHOOSE(QIT_RANK("Anhui"),"a","b","c")', "b", "CHOOSE the second", ""),
    ('QIT_TIER(INDIRECT("Data!A2"))', REFUSED, "INDIRECT is not on the allowlist", ""),
    ('TEXT(QIT_SCORE("Anhui"),"General")', REFUSED, "TEXT's General format is not reproduced", ""),
    ('QIT_SCORE("Anhui")*1E-20&""', REFUSED, "scientific General text is not reproduced", ""),
]

# Formulas whose result depends on the row they are in: (cell on sheet Rows, formula, value, why, kind).
ROWS_CASES = [
    ("B3", "QIT_TIER(_xlfn.SINGLE(Data!A2:A7))", "Leading", "@ picks row 3: Beijing", "L"),
    ("B4", "QIT_TIER(_xlfn.SINGLE(Data!A2:A7))", "Strong", "@ in a dynamic formula, row 4: Shanghai", ""),
    ("B6", 'Data!A2:A7&"-"&QIT_TIER(Data!A6)', "Guangdong-Strong", "legacy: implicit intersection", "L"),
    ("B5", 'IF(Data!B2:B7>40,QIT_TIER("Anhui"),"small")', "small", "legacy: row 5 holds 40", "L"),
    ("B20", "QIT_TIER(_xlfn.SINGLE(Data!A2:A7))", "#VALUE!", "row 20 meets no cell of A2:A7", "L"),
    ("B21", 'SUMPRODUCT((Data!D2:D4="Strong")*Data!B2:B4)', 30, "legacy SUMPRODUCT keeps arrays: Shanghai's 30", "L"),
    ("B22", 'MATCH(1,INDEX((Data!D2:D4="Strong")*(Data!B2:B4>20),0),0)', 3, "legacy INDEX(...,0) idiom", "L"),
    ("B23", 'SUMPRODUCT((Data!D2:D7="Strong")*Data!B2:B7)', "#N/A", "Atlantis's #N/A reaches the product", "L"),
    ("C9", 'ROW()+QIT_RANK("Beijing")', 10, "ROW() is the formula's row", ""),
    ("D9", 'COLUMN()&QIT_TIER("Hubei")', "4Emerging", "COLUMN() is the formula's column", ""),
]

# Dependents: no QIT_ call of their own, recomputed because they read QIT_ cells.
DEPS_CASES = [
    ("A1", 'COUNTIF(Data!D2:D7,"Leading")', 2, "reads QIT_ cells"),
    ("A2", "Deps!A1*10", 20, "reads a dependent: transitive"),
    ("A3", "SUM(Scores)", S["Anhui"] + S["Beijing"] + S["Shanghai"], "through a defined name"),
    ("A4", "OFFSET(Data!E2,0,0)", REFUSED, "OFFSET may read any cell: refused, left alone"),
    ("A5", "Deps!A4+1", REFUSED, "reads a refused cell: refused too"),
]


def _build(path, date_1904=False):
    wb = xlsxwriter.Workbook(str(path), {"use_future_functions": True, "date_1904": date_1904})
    data = wb.add_worksheet("Data")
    names = ["Anhui", "Beijing", "Shanghai", "Atlantis", "Guangdong", "Hubei"]
    for i, name in enumerate(names, start=2):
        data.write_string(f"A{i}", name)
        data.write_number(f"B{i}", 10 * (i - 1))
        data.write_formula(f"D{i}", f"=QIT_TIER(A{i})", None, 0)
        data.write_formula(f"E{i}", f"=QIT_SCORE(A{i})", None, 0)
    data.write_string("C2", "3")
    data.write_boolean("C3", True)
    data.write_string("C5", "abc")
    data.write_number("C6", 0.5)
    data.write_string("C7", "Leading")
    data.write_dynamic_array_formula("H2:H2", '=QIT_PROVINCES("Leading")')
    wb.add_worksheet("My Data").write_string("A1", "Shanghai")
    wb.define_name("Provinces", "=Data!$A$2:$A$7")
    wb.define_name("Home", "=Data!$A$3")
    wb.define_name("Scores", "=Data!$E$2:$E$4")
    wb.define_name("Rate", "=2")
    calc = wb.add_worksheet("Calc")
    for i, (formula, _, _, kind) in enumerate(CASES):
        _write(calc, f"B{2 + 4 * i}", formula, kind)
    rows = wb.add_worksheet("Rows")
    for cell, formula, _, _, kind in ROWS_CASES:
        _write(rows, cell, formula, kind)
    deps = wb.add_worksheet("Deps")
    for cell, formula, _, _ in DEPS_CASES:
        deps.write_formula(cell, "=" + formula, None, 0)
    wb.close()


def _write(ws, cell, formula, kind):
    if kind == "L":
        ws.write_formula(cell, "=" + formula, None, 0)
    else:
        ws.write_dynamic_array_formula(f"{cell}:{cell}", "=" + formula, None, 0)


@pytest.fixture(scope="module")
def result(tmp_path_factory, frozen_dataset):
    tmp = tmp_path_factory.mktemp("conformance")
    src, out = tmp / "in.xlsx", tmp / "out.xlsx"
    _build(src)
    report = evaluate_workbook(src, out)
    return openpyxl.load_workbook(out, data_only=True), dict(report.problems)


def _check(ws, problems, sheet, cell, want, why):
    addr = f"{sheet}!{cell}"
    if want is REFUSED:
        assert addr in problems, f"{addr} should be refused ({why})"
        assert ws[cell].value == 0, "a refused cell keeps its cached value"
        return
    assert addr not in problems, f"{addr} refused: {problems.get(addr)}"
    if isinstance(want, list):
        got = [[ws.cell(ws[cell].row + i, ws[cell].column + j).value for j in range(len(want[0]))]
               for i in range(len(want))]
        assert got == want, why
        return
    got = ws[cell].value
    if isinstance(want, bool | str):
        assert got == want, why
    else:
        assert got == pytest.approx(want, rel=1e-12), why


@pytest.mark.parametrize(("i", "case"), list(enumerate(CASES)), ids=[c[0][:40] for c in CASES])
def test_calc(result, i, case):
    book, problems = result
    formula, want, why, _ = case
    _check(book["Calc"], problems, "Calc", f"B{2 + 4 * i}", want, why)


@pytest.mark.parametrize("case", ROWS_CASES, ids=[c[0] for c in ROWS_CASES])
def test_rows(result, case):
    book, problems = result
    cell, _, want, why, _ = case
    _check(book["Rows"], problems, "Rows", cell, want, why)


@pytest.mark.parametrize("case", DEPS_CASES, ids=[c[0] for c in DEPS_CASES])
def test_dependents(result, case):
    book, problems = result
    cell, _, want, why = case
    _check(book["Deps"], problems, "Deps", cell, want, why)


def test_enough_cases():
    assert len(CASES) + len(ROWS_CASES) + len(DEPS_CASES) >= 60


def test_1904_date_system(tmp_path):
    # The same serial is a different date when the workbook counts from 1904.
    src, out = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    wb = xlsxwriter.Workbook(str(src), {"date_1904": True})
    ws = wb.add_worksheet("S")
    ws.write_formula("A1", '=TEXT(QIT_RANK("Hubei")*10000,"yyyy-mm-dd")', None, 0)
    ws.write_formula("A2", '=YEAR(QIT_RANK("Hubei")*10000)', None, 0)
    wb.close()
    evaluate_workbook(src, out)
    got = openpyxl.load_workbook(out, data_only=True)["S"]
    assert got["A1"].value == "2095-08-26"
    assert got["A2"].value == 2095


def test_full_calc_on_load(tmp_path):
    src, out = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    wb.add_worksheet("S").write_formula("A1", '=QIT_TIER("Anhui")', None, 0)
    wb.close()
    report = evaluate_workbook(src, out, full_calc=True)
    import zipfile

    with zipfile.ZipFile(out) as z:
        xml = z.read("xl/workbook.xml").decode()
    assert 'fullCalcOnLoad="1"' in xml and any("fullCalcOnLoad" in n for n in report.notes)
    assert openpyxl.load_workbook(out)["S"]["A1"].value == '=QIT_TIER("Anhui")'


@pytest.mark.libreoffice
def test_libreoffice_opens_the_result(tmp_path):
    from tests import libreoffice

    src, out = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    _build(src)
    evaluate_workbook(src, out, full_calc=True)
    converted = libreoffice.convert(out, tmp_path / "lo", "csv")
    assert "Anhui" in converted.read_text(encoding="utf-8", errors="replace")


def test_values_snapshot_keeps_dependents_formulas(tmp_path):
    src, out = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    _build(src)
    report = evaluate_workbook(src, out, values=True)
    formulas = openpyxl.load_workbook(out)
    values = openpyxl.load_workbook(out, data_only=True)
    assert formulas["Data"]["D2"].value == "Leading"  # a QIT_ cell becomes its value
    assert formulas["Deps"]["A1"].value == '=COUNTIF(Data!D2:D7,"Leading")'  # a dependent keeps its formula
    assert values["Deps"]["A1"].value == 2 and report.recalculated >= 3


def test_refusals_give_exit_status_1(tmp_path, capsys):
    from qitxl.cli import main

    src, out = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("S")
    ws.write_string("A1", "Anhui")
    ws.write_formula("B1", "=QIT_RANK(A1)", None, 0)
    ws.write_formula("C1", "=B1*2", None, 0)
    ws.write_formula("D1", "=SUBTOTAL(9,B1:C1)", None, 7)
    wb.close()
    assert main(["eval", str(src), "-o", str(out)]) == 1
    text = capsys.readouterr().out
    assert "S!D1: depends on a QIT_ cell but was not recalculated: uses SUBTOTAL" in text
    got = openpyxl.load_workbook(out, data_only=True)["S"]
    assert (got["B1"].value, got["C1"].value, got["D1"].value) == (2, 4, 7)


def test_legacy_array_result_with_intersection_is_refused(tmp_path):
    # Written as a dynamic array the formula would no longer intersect: no faithful value exists.
    src, out = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("S")
    for i, name in enumerate(["Anhui", "Beijing", "Hubei"], start=1):
        ws.write_string(f"A{i}", name)
    ws.write_formula("C2", '=QIT_TIER(A1:A3)&A1:A3', None, 0)
    wb.close()
    report = evaluate_workbook(src, out)
    assert "S!C2" in dict(report.problems)


def test_dependents_that_are_legacy_array_formulas(tmp_path):
    src, out = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("S")
    ws.write_column("A1", ["Anhui", "Beijing", "Hubei"])
    ws.write_formula("B1", "=QIT_PROFILE(A1)", None, 0)  # spills further than before: a second round
    ws.write_array_formula("D1:D1", "{=SUM(LEN(B1:B3))}", None, 0)   # one-cell CSE: a scalar
    ws.write_array_formula("E1:E2", "{=LEN(B1:B2)}", None, 0)        # multi-cell CSE: not recalculated
    wb.close()
    report = evaluate_workbook(src, out)
    problems = dict(report.problems)
    got = openpyxl.load_workbook(out, data_only=True)["S"]
    profile = qf.qit_profile("Anhui")
    assert got["D1"].value == sum(len(str(profile[i][0])) for i in range(3))
    assert "S!E1" in problems and "Ctrl+Shift+Enter" in problems["S!E1"]
