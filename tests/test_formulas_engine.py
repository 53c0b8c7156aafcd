"""The formula engine (``qitxl.engine`` over ``qitxl.xlcalc``) gives what ``qitxl.functions`` gives,
and refuses what it does not reproduce."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qitxl import functions as qf
from qitxl.engine import Evaluator, Unsupported
from qitxl.errors import XlError
from qitxl.xlcalc import number_text
from qitxl.xltext import text_format

PROVINCES = ["Anhui", "Beijing", "Atlantis", "湖北", "CN-GD"]


def _code(v: object) -> object:
    return v.code if isinstance(v, XlError) else v


def _evaluator(cells: dict[tuple[int, int], object]) -> Evaluator:
    def read(sheet, r1, c1, r2, c2):
        if (r1, c1) == (r2, c2):
            return cells.get((r1, c1))
        return [[cells.get((r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]

    return Evaluator(read, lambda name: None, lambda sheet: max(r for r, _ in cells))


def test_direct_and_engine_paths_agree():
    cells = {(r, 1): name for r, name in enumerate(PROVINCES, start=1)}
    ev = _evaluator(cells)
    for r, name in enumerate(PROVINCES, start=1):
        direct = ev.evaluate(f"QIT_TIER(A{r})", r, 2)
        via_engine = ev.evaluate(f"QIT_TIER(A{r})&\"\"", r, 3)
        assert _code(direct) == _code(qf.qit_tier(name))
        assert _code(via_engine) == _code(qf.qit_tier(name))
    assert ev.direct_calls > 0 and ev.engine_calls > 0


def test_nested_and_arrays():
    cells = {(r, 1): name for r, name in enumerate(PROVINCES, start=1)}
    ev = _evaluator(cells)
    assert ev.evaluate('IF(QIT_RANK(A2)<=3,"Top 3","")', 2, 2) == ("Top 3" if qf.qit_rank("Beijing") <= 3 else "")
    spilled = ev.evaluate("QIT_TIER(A1:A5)", 1, 3)
    assert [[_code(x) for x in row] for row in spilled] == [[_code(x) for x in row]
                                                            for row in qf.qit_tier([[n] for n in PROVINCES])]
    assert ev.evaluate("INDEX(QIT_PROFILE(A1),1,2)", 1, 4) == qf.qit_profile("Anhui")[0][1]
    assert ev.evaluate("COUNTA(QIT_PROVINCES())", 1, 5) == len(qf.qit_provinces())
    err = ev.evaluate("QIT_TIER(A3)", 3, 2)
    assert isinstance(err, XlError) and err.code == "#N/A" and "Atlantis" in err.message


def test_errors_keep_their_reasons():
    ev = _evaluator({(1, 1): "Atlantis"})
    assert ev.evaluate('IFERROR(QIT_SCORE(A1),"missing")', 1, 2) == "missing"
    assert ev.evaluate("ISNA(QIT_SCORE(A1))", 1, 3) is True
    err = ev.evaluate("QIT_SCORE(A1)+1", 1, 4)
    assert err.code == "#N/A" and "Atlantis" in err.message


@pytest.mark.parametrize("formula", ["OFFSET(A1,1,0)", "INDIRECT(\"A1\")", "NOW()", "A1 A2", "(A1,A2)",
                                     "Table1[Col]", "[1]Sheet1!A1", "TEXT(1,\"0.0;(0.0)\")", "1E+20&\"\""])
def test_refused_with_a_reason(formula):
    ev = _evaluator({(1, 1): 1.0, (2, 1): 2.0})
    with pytest.raises(Unsupported) as info:
        ev.evaluate(formula, 5, 5)
    assert str(info.value)


@given(st.floats(min_value=1e-4, max_value=1e14, allow_nan=False) | st.integers(-10**14, 10**14).map(float))
def test_number_text_has_at_most_15_significant_digits(x):
    text = number_text(x)
    digits = text.lstrip("-").replace(".", "").lstrip("0")
    assert len(digits) <= 15 and "e" not in text.lower()
    assert float(text) == pytest.approx(x, rel=1e-14)


@given(st.integers(0, 10 * 86400))
def test_elapsed_hours_count_whole_days(seconds):
    text = text_format(seconds / 86400, "[h]:mm:ss", False)
    h, m, s = (int(p) for p in text.split(":"))
    assert h * 3600 + m * 60 + s == seconds


@given(st.sets(st.tuples(st.integers(1, 40), st.integers(1, 6)), max_size=30),
       st.tuples(st.integers(1, 40), st.integers(1, 6), st.integers(1, 40), st.integers(1, 6)))
def test_changed_cells_hit_exactly_the_rectangles_that_cover_them(cells, rect):
    from qitxl.dependents import _Changed

    changed = _Changed()
    for r, c in cells:
        changed.add("S", r, c, r, c)
    r1, c1, r2, c2 = min(rect[0], rect[2]), min(rect[1], rect[3]), max(rect[0], rect[2]), max(rect[1], rect[3])
    expected = any(r1 <= r <= r2 and c1 <= c <= c2 for r, c in cells)
    assert changed.hits(("S", r1, c1, r2, c2)) == expected
    assert changed.hits(("S", 1, c1, 1_048_576, c2)) == any(c1 <= c <= c2 for _, c in cells)


@pytest.mark.parametrize(("xml", "want"), [
    ('<workbook><sheets/><calcPr calcId="191029"/></workbook>',
     '<workbook><sheets/><calcPr calcId="191029" fullCalcOnLoad="1"/></workbook>'),
    ('<workbook><calcPr fullCalcOnLoad="0"></calcPr></workbook>',
     '<workbook><calcPr fullCalcOnLoad="1"></calcPr></workbook>'),
    ('<x:workbook><x:sheets/><x:extLst/></x:workbook>',
     '<x:workbook><x:sheets/><x:calcPr fullCalcOnLoad="1"/><x:extLst/></x:workbook>'),
    ("<workbook><sheets/></workbook>", '<workbook><sheets/><calcPr fullCalcOnLoad="1"/></workbook>'),
])
def test_full_calc_on_load_goes_where_the_schema_wants_it(xml, want):
    from qitxl.dependents import full_calc_on_load

    assert full_calc_on_load(xml) == want


_SCALARS = (st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 3)) | st.booleans()
            | st.text(alphabet="abcXYZ 019", max_size=4) | st.none())


@given(_SCALARS, _SCALARS)
def test_comparison_is_a_total_order_like_excels(a, b):
    from qitxl.xlcalc import compare

    lt, eq, gt = (compare(op, a, b) for op in ("<", "=", ">"))
    assert [lt, eq, gt].count(True) == 1
    assert compare(">", b, a) == lt and compare("<>", a, b) == (not eq)
    kinds = {type(x) for x in (a, b) if x is not None}
    if kinds == {float, str}:  # numbers sort before text
        assert lt == isinstance(a, float)


@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(1, 4))
def test_broadcasting_repeats_single_rows_and_pads_with_na(h1, w1, h2, w2):
    from qitxl.xlcalc import binary

    a = [[1.0] * w1 for _ in range(h1)]
    b = [[2.0] * w2 for _ in range(h2)]
    out = binary("+", a, b)
    assert (len(out), len(out[0])) == (max(h1, h2), max(w1, w2))
    for i, row in enumerate(out):
        for j, x in enumerate(row):
            inside = all((h == 1 or i < h) and (w == 1 or j < w) for h, w in ((h1, w1), (h2, w2)))
            assert x == 3.0 if inside else x.code == "#N/A"


def test_error_literals_and_array_constants():
    ev = _evaluator({(1, 1): 1.0})
    assert ev.evaluate("IFERROR(#N/A,\"x\")", 2, 2) == "x"
    assert ev.evaluate("ISNA({1,#N/A})", 2, 2) == [[False, True]]
    assert ev.evaluate("#DIV/0!", 2, 2).code == "#DIV/0!"
    assert ev.evaluate("SUM({1,2;3,4})", 2, 2) == 10
