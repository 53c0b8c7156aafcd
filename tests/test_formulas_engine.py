"""The QIT_ functions registered in the ``formulas`` engine give what ``qitxl.functions`` gives."""

from __future__ import annotations

import formulas
import numpy as np
import pytest
import xlsxwriter

from qitxl import functions as qf
from qitxl.engine import Evaluator, register, to_python
from qitxl.errors import XlError

PROVINCES = ["Anhui", "Beijing", "Atlantis", "湖北", "CN-GD"]


def test_whole_workbook_through_formulas(tmp_path):
    path = tmp_path / "engine.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    for i, name in enumerate(PROVINCES, start=1):
        ws.write(f"A{i}", name)
        ws.write_formula(f"B{i}", f"=QIT_TIER(A{i})")
        ws.write_formula(f"C{i}", f"=QIT_SCORE(A{i})")
        ws.write_formula(f"D{i}", f'=IFERROR(QIT_RANK(A{i}),"none")')
        ws.write_formula(f"E{i}", f'=QIT_NAME(A{i},"zh")&"!"')
    wb.close()
    register()
    sol = formulas.ExcelModel().loads(str(path)).finish().calculate()
    got = {k.split("!")[1]: to_python(v.value) for k, v in sol.items() if "!" in k}
    for i, name in enumerate(PROVINCES, start=1):
        tier, score, rank, zh = qf.qit_tier(name), qf.qit_score(name), qf.qit_rank(name), qf.qit_name(name, "zh")
        assert _code(got[f"B{i}"]) == _code(tier)
        if isinstance(score, XlError):
            assert _code(got[f"C{i}"]) == score.code
        else:
            assert got[f"C{i}"] == pytest.approx(score)
        assert got[f"D{i}"] == ("none" if isinstance(rank, XlError) else rank)
        assert _code(got[f"E{i}"]) == (zh.code if isinstance(zh, XlError) else zh + "!")


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


def test_errors_reach_the_engine_as_errors():
    ev = _evaluator({(1, 1): "Atlantis"})
    assert ev.evaluate('IFERROR(QIT_SCORE(A1),"missing")', 1, 2) == "missing"
    assert ev.evaluate("ISNA(QIT_SCORE(A1))", 1, 3) is True
    assert isinstance(to_python(np.array([[1.0, 2.0]])), list)
