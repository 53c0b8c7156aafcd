"""QIT_WHY: the reason behind another QIT_ call's error, as text, cell for cell."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qitxl import functions as F
from qitxl.dataset import bundled
from qitxl.errors import XlError

DS = bundled()
SPELLINGS = [p.name_en for p in DS.provinces] + [p.name_zh for p in DS.provinces] + ["Anhiu", "Hefei", "Macao"]
cells = st.one_of(st.sampled_from(SPELLINGS), st.text(max_size=8), st.none(), st.integers(0, 999_999),
                  st.sampled_from(["#REF!", "#N/A", "#DIV/0!"]), st.booleans())


def expected(value: object) -> str:
    if isinstance(value, XlError):
        return str(value) if value.message else value.code
    return ""


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(cells, min_size=1, max_size=3), min_size=1, max_size=4).filter(
    lambda rows: len({len(r) for r in rows}) == 1),
       st.sampled_from(["QIT_TIER", "QIT_SCORE", "QIT_RANK", "QIT_RESOLVE", "QIT_NAME"]))
def test_a_reason_exactly_where_the_call_errs(rows, name):
    result = F.EXCEL_FUNCTIONS[name](rows)
    why = F.qit_why(name, rows)
    assert len(why) == len(result)
    for out_row, why_row in zip(result, why, strict=True):
        for out, reason in zip(out_row, why_row, strict=True):
            if isinstance(out, XlError):
                assert reason.startswith(out.code)
                assert reason == str(out) if out.message else "already holds this error" in reason
            else:
                assert reason == ""


def test_scalars_and_options_are_passed_on():
    assert F.qit_why("QIT_TIER", "Anhui") == ""
    assert F.qit_why("QIT_TIER", "Anhiu") == str(F.qit_tier("Anhiu"))
    assert F.qit_why("QIT_TIER", "Anhui", "Reported") == ""
    assert F.qit_why("QIT_TIER", "Anhui", "bogus").startswith('#VALUE!: basis must be "model" or "reported"')
    assert F.qit_why("QIT_SCORE", "Anhui", None, [[1, 2]]).startswith("#VALUE!: weights")
    assert F.qit_why("QIT_RANK", "Macao", "research").startswith("#N/A: Macao is not assessed")
    assert F.qit_why("QIT_INDICATOR", "Anhui").startswith("#VALUE!: indicator is required")
    assert F.qit_why("QIT_INDICATOR", "Anhui", "rd_intensity", 1900).startswith("#N/A: no rd_intensity value")


def test_spilling_functions_give_one_reason():
    assert F.qit_why("QIT_PROFILE", "Anhui") == ""
    assert F.qit_why("QIT_PROFILE", [["Anhui", "Beijing"]]).startswith("#VALUE!")
    assert F.qit_why("QIT_PROVINCES") == ""
    assert F.qit_why("QIT_PROVINCES", "Leading", "Northeast") == "#CALC!: no province matches these filters"
    assert F.qit_why("QIT_INFO") == ""


def test_the_function_name_is_forgiving_and_mistakes_are_explained_in_text():
    for spelling in ("QIT_TIER", "qit_tier", "tier", " =QIT_TIER() ", [["QIT_TIER"]]):
        assert F.qit_why(spelling, "Anhiu").startswith("#N/A: unknown province"), spelling
    assert F.qit_why("QIT_TEIR", "Anhui") == '#VALUE!: "QIT_TEIR" is not a QIT_ function; did you mean QIT_TIER?'
    assert F.qit_why("QIT_WHY", "x").startswith('#VALUE!: "QIT_WHY" is not a QIT_ function')
    assert "QIT_INFO takes no arguments" in F.qit_why("QIT_INFO", "x")
    assert "QIT_PROFILE takes at most 1 argument," in F.qit_why("QIT_PROFILE", "Anhui", "x")
    for bad in (None, "", 3, True, [[1, 2]]):
        out = F.qit_why(bad, "Anhui")
        assert isinstance(out, str) and out.startswith("#VALUE!: function must be"), bad
