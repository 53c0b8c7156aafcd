"""Name resolution: every spelling a person types, and never a wrong province."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qitxl
from qitxl.names import Resolver, UnknownProvince, resolve

DS = qitxl.bundled()
PROVINCES = DS.provinces


def spellings(p) -> list[object]:
    """Every documented spelling of one province."""
    out: list[object] = [
        p.iso_code, p.iso_code.lower(), p.iso_code_legacy, p.gb_code, int(p.gb_code), float(p.gb_code),
        p.name_en, p.name_en.upper(), p.name_en.lower(), p.name_iso, p.name_zh, p.name_zh_short,
        p.pinyin_tone, *p.aliases_en, *p.abbr_zh,
    ]
    if p.iso_code != "CN-SN":  # Shaanxi's toneless pinyin is Shanxi's name
        out.append(p.pinyin)
    return out


@pytest.mark.parametrize("province", PROVINCES, ids=lambda p: p.iso_code)
def test_every_spelling_resolves_to_its_own_province(province):
    for text in spellings(province):
        assert resolve(text) == province.iso_code, text


@pytest.mark.parametrize("text,iso", [
    ("Anhui Province", "CN-AH"), ("anhui sheng", "CN-AH"), ("  Anhui\u00a0", "CN-AH"), ("ＡＮＨＵＩ", "CN-AH"),
    ("安徽 省", "CN-AH"), ("Beijing Shi", "CN-BJ"), ("Beijing Municipality", "CN-BJ"), ("Peking", "CN-BJ"),
    ("Inner Mongolia Autonomous Region", "CN-NM"), ("Nei Mongol Zizhiqu", "CN-NM"), ("内蒙古自治区", "CN-NM"),
    ("Guangxi Zhuang Autonomous Region", "CN-GX"), ("Tibet", "CN-XZ"), ("Xizang", "CN-XZ"),
    ("Hong Kong SAR", "CN-HK"), ("Macau", "CN-MO"), ("澳门特别行政区", "CN-MO"), ("cn_ah", "CN-AH"),
    ("CN AH", "CN-AH"), ("cn-34", "CN-AH"), ("340000", "CN-AH"), (340000.0, "CN-AH"), ("340000.0", "CN-AH"),
    ("Szechwan", "CN-SC"), ("an1hui1", "CN-AH"), ("Xi'an", None),
])
def test_common_spellings(text, iso):
    if iso is None:
        with pytest.raises(UnknownProvince):
            resolve(text)
    else:
        assert resolve(text) == iso


@pytest.mark.parametrize("text,iso", [
    ("Shanxi", "CN-SX"), ("Shansi", "CN-SX"), ("山西", "CN-SX"), ("山西省", "CN-SX"), ("晋", "CN-SX"),
    ("Shānxī", "CN-SX"), ("shan1xi1", "CN-SX"), ("CN-SX", "CN-SX"), ("CN-14", "CN-SX"), ("140000", "CN-SX"),
    ("Shaanxi", "CN-SN"), ("Shensi", "CN-SN"), ("陕西", "CN-SN"), ("陕西省", "CN-SN"), ("陕", "CN-SN"),
    ("秦", "CN-SN"), ("Shǎnxī", "CN-SN"), ("shan3xi1", "CN-SN"), ("Shǎnxi", "CN-SN"), ("CN-SN", "CN-SN"),
    ("CN-61", "CN-SN"), ("610000", "CN-SN"), ("Shaanxi Province", "CN-SN"), ("SHAANXI", "CN-SN"),
])
def test_shanxi_and_shaanxi_never_confused(text, iso):
    assert resolve(text) == iso


def test_ambiguous_tone_marks_are_refused_not_guessed():
    with pytest.raises(UnknownProvince) as err:
        resolve("Shanxī")  # the tone it carries fits both
    assert set(err.value.suggestions) == {"Shanxi", "Shaanxi"}


@pytest.mark.parametrize("text,suggestion", [
    ("Anhiu", "Anhui"), ("Sichaun", "Sichuan"), ("Beijin", "Beijing"), ("Shaanxii", "Shaanxi"),
    ("Inner Mongolai", "Inner Mongolia"), ("按徽", "Anhui"), ("Guangzhou", "Guangdong"), ("合肥", "Anhui"),
])
def test_near_misses_raise_with_suggestions(text, suggestion):
    with pytest.raises(UnknownProvince) as err:
        resolve(text)
    assert err.value.suggestions[0] == suggestion
    assert f"did you mean {suggestion}" in str(err.value)
    assert isinstance(err.value, LookupError)


@pytest.mark.parametrize("bad", ["", "   ", None, True, 12.5, "HN", "34", "CN-ZZ", "999999", 999999, [], "x" * 500])
def test_bad_input_raises_lookup_error(bad):
    with pytest.raises(LookupError):
        resolve(bad)


def test_error_message_is_bounded_for_long_input():
    with pytest.raises(UnknownProvince) as err:
        resolve("A" * 10_000)
    assert len(str(err.value)) < 200


def test_cache_is_not_confused_by_equal_keys_of_other_types():
    assert resolve(340000) == resolve("340000") == "CN-AH"
    with pytest.raises(UnknownProvince):
        resolve(True)  # True == 1 as a dict key; it must not hit a cached 1


@given(st.sampled_from(PROVINCES), st.sampled_from(["", " ", "\u00a0", "\u3000", "  "]),
       st.sampled_from([str, str.upper, str.lower, str.title]))
@settings(max_examples=300, deadline=None)
def test_round_trip_with_case_and_spacing(province, pad, case):
    for text in (province.name_en, province.name_iso, province.iso_code):
        assert resolve(pad + case(text) + pad) == province.iso_code


@given(st.text(alphabet=st.sampled_from("anhuisxeijgdzoqmbtlkwy -'山西陕安徽省市北京 0123456789CN"),
               min_size=1, max_size=14))
@settings(max_examples=800, deadline=None)
def test_arbitrary_text_resolves_consistently_or_raises_lookup_error(text):
    try:
        iso = resolve(text)
    except LookupError:
        return
    assert iso in {p.iso_code for p in PROVINCES}
    for variant in (text.upper(), text.lower(), f" {text} ", text.replace(" ", "\u00a0")):
        assert resolve(variant) == iso, (text, variant)


def test_two_provinces_claiming_one_key_at_equal_priority_make_it_ambiguous():
    from dataclasses import replace

    a = replace(DS.province("CN-AH"), aliases_en=("Twinland",))
    b = replace(DS.province("CN-BJ"), aliases_en=("Twinland",))
    r = Resolver([a, b])
    with pytest.raises(UnknownProvince):
        r.resolve("Twinland")
    assert r.resolve("Anhui") == "CN-AH"


@pytest.mark.parametrize("n", [100, 10_000, 1_000_000])
def test_text_far_longer_than_any_name_is_refused_with_its_length(n):
    with pytest.raises(UnknownProvince) as err:
        resolve("Anhui " * (n // 6))
    assert "far longer than any province name" in str(err.value)
    assert str(len("Anhui " * (n // 6))) in str(err.value)


def test_longest_real_spellings_are_below_the_length_limit():
    r = Resolver(PROVINCES)
    longest = max((s for p in PROVINCES for s in spellings(p) if isinstance(s, str)), key=len)
    padded = "  " + longest + " Province  "
    assert len(padded) < r.max_length
    assert r.resolve(longest) in {p.iso_code for p in PROVINCES}


@pytest.mark.parametrize("text", ["Column1", "Item 4", "Row 12", "Q3", "Sheet2", "Total 5"])
def test_words_with_digits_are_not_blamed_on_tone_marks(text):
    with pytest.raises(UnknownProvince) as err:
        resolve(text)
    assert "tone" not in str(err.value)


@pytest.mark.parametrize("text", ["Shàngxī", "xi1an", "shang4hai4hai", "Ānhuī Shěng Shěng"])
def test_tone_reason_given_where_the_input_has_tone_marks_or_tone_digits(text):
    with pytest.raises(UnknownProvince) as err:
        resolve(text)
    assert "tone marks fit no province" in str(err.value)


@pytest.mark.parametrize("province", PROVINCES, ids=lambda p: p.iso_code)
def test_every_toneless_pinyin_splits_into_syllables(province):
    from qitxl.names import _is_pinyin

    assert _is_pinyin(province.pinyin.lower().replace(" ", "").replace("'", "").replace("-", ""))


@given(st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz ABCXYZ-_."), min_size=1, max_size=40))
@settings(max_examples=500, deadline=None)
def test_text_without_tone_marks_or_digits_never_gets_the_tone_reason(text):
    try:
        resolve(text)
    except UnknownProvince as exc:
        assert "tone marks" not in str(exc)
