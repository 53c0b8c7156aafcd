"""The QIT_* functions called as Excel calls them: scalars, floats for codes, ranges with blanks and
error cells, wrong types. Expected values come from the model and dataset, not from the functions."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qitxl
from qitxl import functions as F
from qitxl.dataset import bundled
from qitxl.errors import XlError
from qitxl.model import rank_basis, results

DS = bundled()
RES = results()
ASSESSED = [p for p in DS.provinces if p.assessed]
UNASSESSED = [p for p in DS.provinces if not p.assessed]
SPELLINGS = sorted({s for p in DS.provinces for s in (p.name_en, p.name_zh, p.name_zh_short, p.iso_code,
                                                      p.iso_code_legacy, p.gb_code, p.name_iso, *p.aliases_en)})
ISO_OF = {s: qitxl.resolve(s) for s in SPELLINGS}


def is_error(v: object, code: str = "#N/A") -> bool:
    return isinstance(v, XlError) and v.code == code


# --------------------------------------------------------------------------- QIT_TIER


def test_tier_scalar_spellings_and_numbers():
    expected = RES.tier("CN-AH").label
    for spelling in ("Anhui", "安徽省", "皖", "cn-ah", "CN-34", "340000", 340000.0, 340000, " anhui province "):
        assert F.qit_tier(spelling) == expected, spelling


def test_tier_reported_basis():
    assert F.qit_tier("Beijing", "reported") == DS.province("CN-BJ").reported("en")
    assert F.qit_tier("Tibet", "Reported") == "not mentioned"
    assert F.qit_tier("Anhui", "model") == F.qit_tier("Anhui") == F.qit_tier("Anhui", "")


def test_unknown_province_is_na_with_a_suggestion():
    out = F.qit_tier("Anhiu")
    assert is_error(out)
    assert 'unknown province "Anhiu"' in out.message and "Anhui" in out.message
    assert str(out).startswith('#N/A: unknown province "Anhiu"; did you mean Anhui')


def test_not_assessed_is_na_saying_so():
    out = F.qit_score("Hong Kong")
    assert is_error(out) and "not assessed" in out.message
    assert is_error(F.qit_tier(UNASSESSED[0].name_en))


def test_if_not_found_replaces_only_the_functions_own_na():
    assert F.qit_tier("Anhiu", None, "n/a") == "n/a"
    assert F.qit_tier("Macao", None, 0.0) == 0.0
    assert F.qit_tier("Anhui", None, "n/a") == RES.tier("CN-AH").label
    # an error handed in is not "not found": it comes back, as XLOOKUP does with an error lookup value
    assert is_error(F.qit_tier("#N/A", None, "n/a"), "#N/A")
    assert is_error(F.qit_tier(True, None, "n/a"), "#VALUE!")
    assert F.qit_score("Anhiu", None, None, [[""]]) == ""


def test_error_cells_pass_through_and_blanks_stay_blank():
    assert F.qit_tier("#REF!") == XlError("#REF!")
    assert F.qit_tier(XlError("#DIV/0!", "x")) == XlError("#DIV/0!", "x")
    assert F.qit_score("#VALUE!") == XlError("#VALUE!")
    assert F.qit_tier(None) == ""
    assert F.qit_tier("") == ""
    assert F.qit_tier("   ") == ""


def test_wrong_types_are_value_errors():
    for bad in (True, False, object(), {"a": 1}):
        assert is_error(F.qit_tier(bad), "#VALUE!"), bad
    assert is_error(F.qit_tier("Anhui", "bogus"), "#VALUE!")
    assert is_error(F.qit_tier("Anhui", 3.0), "#VALUE!")
    assert is_error(F.qit_tier("Anhui", [["model", "reported"]]), "#VALUE!")


def test_numbers_that_are_not_codes_are_na():
    assert is_error(F.qit_tier(1.0))
    assert is_error(F.qit_tier(340000.5))
    assert is_error(F.qit_tier(math.nan))
    # a boolean never picks up a number's remembered answer (True == 1 in a dict)
    F.qit_tier(1.0)
    assert is_error(F.qit_tier(True), "#VALUE!")


def test_range_keeps_shape_and_one_bad_cell_spoils_nothing():
    rng = [["Anhui", None, "Beijing"], ["#REF!", "Anhiu", 110000.0], [True, "Taiwan", "上海"]]
    out = F.qit_tier(rng)
    assert [len(r) for r in out] == [3, 3, 3]
    assert out[0] == [RES.tier("CN-AH").label, "", RES.tier("CN-BJ").label]
    assert out[1][0] == XlError("#REF!") and is_error(out[1][1]) and out[1][2] == RES.tier("CN-BJ").label
    assert is_error(out[2][0], "#VALUE!") and is_error(out[2][1]) and out[2][2] == RES.tier("CN-SH").label


def test_one_dimensional_lists_and_tuples():
    assert F.qit_rank(["Anhui", "Beijing"]) == [RES.rank("CN-AH"), RES.rank("CN-BJ")]
    assert F.qit_rank((("Anhui",), ("Beijing",))) == [[RES.rank("CN-AH")], [RES.rank("CN-BJ")]]
    assert F.qit_rank([]) == []


def test_every_province_in_a_column():
    column = [[p.name_en] for p in DS.provinces]
    out = F.qit_tier(column)
    for (name,), (tier,) in zip(column, out, strict=True):
        iso = qitxl.resolve(name)
        if iso in RES.iso_codes:
            assert tier == RES.tier(iso).label
        else:
            assert is_error(tier) and "not assessed" in tier.message


# --------------------------------------------------------------------------- QIT_SCORE / QIT_RANK


def test_score_and_rank_match_the_model():
    for p in ASSESSED:
        assert F.qit_score(p.name_en) == pytest.approx(RES.score(p.iso_code))
        assert F.qit_rank(p.name_zh) == RES.rank(p.iso_code)
        for pid in RES.pillar_ids:
            assert F.qit_score(p.iso_code, pid) == pytest.approx(RES.score(p.iso_code, pid))
            assert F.qit_rank(p.iso_code, pid) == RES.rank(p.iso_code, pid)


def test_pillar_by_label_and_bad_pillar():
    pil = DS.pillars[0]
    assert F.qit_score("Anhui", pil.label_en) == F.qit_score("Anhui", pil.id) == F.qit_score("Anhui", pil.label_zh)
    assert F.qit_score("Anhui", "") == F.qit_score("Anhui")
    out = F.qit_score("Anhui", "quantumness")
    assert is_error(out, "#VALUE!") and "research" in out.message


def test_weights_as_numbers_and_as_a_two_column_table():
    ids = [p.id for p in DS.pillars]
    w = [3, 1, 1, 1, 1, 1]
    expected = results(w)
    row = F.qit_score("Anhui", None, [[float(x) for x in w]])
    column = F.qit_score("Anhui", None, [[float(x)] for x in w])
    flat = F.qit_score("Anhui", None, w)
    table = F.qit_score("Anhui", None, [["Pillar", "Weight"], *[[i, float(x)] for i, x in zip(ids, w, strict=True)]])
    for got in (row, column, flat, table):
        assert got == pytest.approx(expected.score("CN-AH"))
    assert F.qit_rank("Beijing", None, [[i, float(x)] for i, x in zip(ids, w, strict=True)]) == expected.rank("CN-BJ")
    # pillars left out of a table weigh 0
    only = F.qit_score("Anhui", None, [["research", 1.0]])
    assert only == pytest.approx(RES.score("CN-AH", "research"))


@pytest.mark.parametrize("weights", [
    [[1.0, 2.0]],                                   # too few
    [[1.0, 1.0, 1.0, 1.0, 1.0, -1.0]],              # negative
    [[0.0] * 6],                                    # all zero
    [["research", "heavy"]],                        # not a number
    [["astrology", 1.0], ["research", 1.0]],        # unknown pillar
    [["research", 1.0], ["research", 2.0]],         # twice
    [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]],             # a block, not a row or column
    [[1.0, 1.0, 1.0, 1.0, 1.0, "x"]],
    0.5,
    True,
])
def test_bad_weights_are_value_errors(weights):
    out = F.qit_score("Anhui", None, weights)
    assert is_error(out, "#VALUE!"), out
    assert out.message


def test_error_in_weights_comes_back():
    assert F.qit_score("Anhui", None, [[1.0, "#DIV/0!", 1.0, 1.0, 1.0, 1.0]]) == XlError("#DIV/0!")


def test_blank_weights_mean_default():
    assert F.qit_score("Anhui", None, [[None, None], [None, None]]) == F.qit_score("Anhui")
    assert F.qit_score("Anhui", None, "") == F.qit_score("Anhui")


# --------------------------------------------------------------------------- spills


def test_profile_is_a_two_column_table():
    out = F.qit_profile("安徽")
    assert all(len(r) == 2 for r in out)
    fields = dict((k, v) for k, v in out)
    assert fields["ISO code"] == "CN-AH"
    assert fields["Score"] == pytest.approx(RES.score("CN-AH"))
    assert fields["Rank"] == RES.rank("CN-AH")
    assert fields["Tier (model)"] == RES.tier("CN-AH").label
    assert fields["Tier (reported)"] == DS.province("CN-AH").reported("en")
    out[0][1] = "changed"
    assert F.qit_profile("Anhui")[0][1] == "Anhui", "callers get a copy"


def test_profile_of_unassessed_unknown_and_ranges():
    fields = dict(tuple(r) for r in F.qit_profile("Hong Kong"))
    assert fields["Assessed"] == "no" and fields["Score"] == "not assessed"
    assert is_error(F.qit_profile("Anhiu"))
    assert F.qit_profile([["Anhui"]]) == F.qit_profile("Anhui")
    assert is_error(F.qit_profile([["Anhui", "Beijing"]]), "#VALUE!")
    assert F.qit_profile(None) == ""


def test_provinces_in_rank_order_and_filters():
    out = F.qit_provinces()
    assert out == [[DS.province(iso).name_en] for iso in RES.order()]
    leading = F.qit_provinces("Leading")
    assert leading == F.qit_provinces(1.0) == F.qit_provinces("领先")
    assert all(RES.tier(qitxl.resolve(n)).level == 1 for (n,) in leading)
    east = F.qit_provinces(None, "east", "iso")
    assert east and all(DS.province(c).region == "East" for (c,) in east)
    assert F.qit_provinces(None, None, "zh")[0][0] == DS.province(RES.order()[0]).name_zh_short
    rest = F.qit_provinces("not assessed")
    assert sorted(qitxl.resolve(n) for (n,) in rest) == sorted(p.iso_code for p in UNASSESSED)


def test_provinces_bad_filters():
    assert is_error(F.qit_provinces("Galactic"), "#VALUE!")
    assert is_error(F.qit_provinces(9), "#VALUE!")
    assert is_error(F.qit_provinces(None, "Mars"), "#VALUE!")
    assert is_error(F.qit_provinces(None, None, "klingon"), "#VALUE!")
    assert F.qit_provinces("#REF!") == XlError("#REF!")
    empty = F.qit_provinces(1, "Northeast")
    assert is_error(empty, "#CALC!")


# --------------------------------------------------------------------------- data lookups


def test_indicator_values_and_years():
    obs = DS.observation("CN-AH", "rd_expenditure")
    assert F.qit_indicator("Anhui", "rd_expenditure") == obs.value
    assert F.qit_indicator("Anhui", "R&D expenditure") == obs.value
    old = DS.observation("CN-AH", "rd_intensity", 2020)
    assert F.qit_indicator("Anhui", "rd_intensity", 2020.0) == old.value
    assert F.qit_indicator([["Anhui"], [None]], "rd_intensity", 2020) == [[old.value], [""]]


def test_indicator_errors():
    out = F.qit_indicator("Anhui", "rd_expendture")
    assert is_error(out) and "rd_expenditure" in out.message
    assert is_error(F.qit_indicator("Anhui", "rd_intensity", 1850))
    assert is_error(F.qit_indicator("Anhui", "rd_intensity", 2020.5), "#VALUE!")
    assert is_error(F.qit_indicator("Anhui", None), "#VALUE!")
    assert is_error(F.qit_indicator("Anhiu", "rd_intensity"))


def test_source_citations():
    obs = DS.observation("CN-AH", "qit_research")
    text = F.qit_source("Anhui", "qit_research")
    assert isinstance(text, str)
    for sid in obs.source_ids:
        assert DS.sources[sid].citation() in text
    everything = F.qit_source("Anhui")
    assert text in everything or all(DS.sources[s].citation() in everything for s in obs.source_ids)
    assert is_error(F.qit_source("Anhiu"))
    assert F.qit_source([["Anhui", None]], "qit_research") == [[text, ""]]


def test_resolve_and_name():
    assert F.qit_resolve("安徽省") == "CN-AH"
    assert F.qit_resolve(340000.0) == "CN-AH"
    assert F.qit_resolve([["Shaanxi", "Shanxi"], ["陕西", None]]) == [["CN-SN", "CN-SX"], ["CN-SN", ""]]
    hefei = F.qit_resolve("Hefei")
    assert is_error(hefei) and "capital of Anhui" in hefei.message
    assert F.qit_resolve("Hefei", "?") == "?"
    assert F.qit_name("CN-SN") == "Shaanxi"
    assert F.qit_name("CN-SN", "zh") == "陕西"
    assert F.qit_name("CN-SN", "zh_full") == "陕西省"
    assert F.qit_name("CN-SN", "iso") == "CN-SN"
    assert is_error(F.qit_name("CN-SN", "fr"), "#VALUE!")


def test_info():
    out = F.qit_info()
    assert qitxl.__version__ in out and DS.version in out and DS.date in out


def test_contract():
    assert set(F.EXCEL_FUNCTIONS) == {"QIT_TIER", "QIT_SCORE", "QIT_RANK", "QIT_PROFILE", "QIT_PROVINCES",
                                      "QIT_INDICATOR", "QIT_SOURCE", "QIT_RESOLVE", "QIT_NAME", "QIT_INFO", "QIT_WHY"}
    for name, fn in F.EXCEL_FUNCTIONS.items():
        assert fn is getattr(F, name.lower())


def test_nothing_raises_on_garbage():
    garbage = [None, "", "#REF!", True, 1.5, -0.0, math.inf, object(), [[object()]], [[[1]]], [[None, [None]]],
               {"x": 1}, b"bytes", XlError("#NUM!")]
    for fn in F.EXCEL_FUNCTIONS.values():
        for g in garbage:
            for args in ((), (g,), (g, g), (g, g, g), (g, g, g, g), ("Anhui", g), ("Anhui", g, g)):
                try:
                    fn(*args)
                except TypeError as exc:  # only a wrong number of arguments may raise, as in Python
                    assert "argument" in str(exc)


# --------------------------------------------------------------------------- properties

cells = st.one_of(st.sampled_from(SPELLINGS), st.none(), st.just(""), st.sampled_from(["#REF!", "#N/A"]),
                  st.text(max_size=8), st.floats(allow_nan=True), st.booleans(), st.integers())
ranges = st.integers(1, 6).flatmap(lambda w: st.lists(st.lists(cells, min_size=w, max_size=w), min_size=1,
                                                      max_size=6))


@settings(max_examples=150, deadline=None)
@given(ranges)
def test_any_range_gives_the_same_shape_and_each_cell_as_alone(rng):
    for fn in (F.qit_tier, F.qit_score, F.qit_rank, F.qit_resolve, F.qit_name):
        out = fn(rng)
        assert [len(r) for r in out] == [len(r) for r in rng]
        for row_in, row_out in zip(rng, out, strict=True):
            for c, o in zip(row_in, row_out, strict=True):
                assert o == fn(c) or (isinstance(o, float) and math.isnan(o))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(SPELLINGS), min_size=1, max_size=40))
def test_valid_spellings_never_give_an_error_other_than_not_assessed(names):
    out = F.qit_tier([[n] for n in names])
    for (n,), (t,) in zip([[n] for n in names], out, strict=True):
        if ISO_OF[n] in RES.iso_codes:
            assert t == RES.tier(ISO_OF[n]).label
        else:
            assert is_error(t) and "not assessed" in t.message


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.0, 10.0), min_size=6, max_size=6).filter(lambda w: sum(w) > 0),
       st.sampled_from([None, *[p.id for p in DS.pillars]]))
def test_rank_agrees_with_score_ordering(weights, pillar):
    names = [[p.name_en] for p in ASSESSED]
    scores = [s for (s,) in F.qit_score(names, pillar, [weights])]
    ranks = [r for (r,) in F.qit_rank(names, pillar, [weights])]
    for s, r in zip(scores, ranks, strict=True):  # ranked on scores rounded as model.rank_basis rounds them
        assert r == 1 + sum(rank_basis(other) > rank_basis(s) for other in scores)
        assert r <= 1 + sum(other > s for other in scores)  # rounding can only join scores, never part them


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([p.iso_code for p in DS.provinces]), st.sampled_from(["en", "zh", "zh_full", "pinyin", "iso"]))
def test_name_round_trips_through_resolve(iso, lang):
    assert F.qit_resolve(F.qit_name(iso, lang)) == iso
