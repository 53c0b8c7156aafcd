"""xlwings decorators over qitxl.functions: the QIT_* functions in Excel's QIT category.

Point the xlwings add-in's "UDF Modules" at ``qit_udfs`` and click "Import Functions". Each
docstring is what Excel's function wizard shows (at most 255 characters). Arguments carry no type
hints on purpose: xlwings would use them as converters.
"""

import xlwings as xw

from qitxl import functions as F

_PROVINCE = ("A province: name in English or Chinese, pinyin, ISO code (CN-AH) or GB/T code (340000); "
             "or a range of them, which gives a range of the same shape")
_IF_NOT_FOUND = ("Optional. What to return instead of #N/A when the province is unknown or not assessed, "
                 "as in XLOOKUP")
_PILLAR = ("Optional. A pillar id or label: research, industry, policy, talent, infrastructure, rd_capacity. "
           "Blank for the composite")
_WEIGHTS = ("Optional. Pillar weights: two columns (pillar, weight), or a row or column of 6 numbers in "
            "pillar order. Rescaled to sum to 1. Blank for the default weights")


@xw.func(category="QIT")
@xw.arg("province", ndim=2, err_to_str=True, doc=_PROVINCE)
@xw.arg("basis", err_to_str=True, doc='Optional. "model" (default): tier from the composite score; '
                                      '"reported": the tier named in the seed article')
@xw.arg("if_not_found", err_to_str=True, doc=_IF_NOT_FOUND)
@xw.ret()
def QIT_TIER(province, basis=None, if_not_found=None):
    """Tier of a province in quantum information technology: Leading, Strong, Emerging or Early stage (model), or the seed article's tier (basis "reported")."""  # noqa: E501
    return F.xlwings_result(F.qit_tier, province, basis, if_not_found)


@xw.func(category="QIT")
@xw.arg("province", ndim=2, err_to_str=True, doc=_PROVINCE)
@xw.arg("pillar", err_to_str=True, doc=_PILLAR)
@xw.arg("weights", ndim=2, err_to_str=True, doc=_WEIGHTS)
@xw.arg("if_not_found", err_to_str=True, doc=_IF_NOT_FOUND)
@xw.ret()
def QIT_SCORE(province, pillar=None, weights=None, if_not_found=None):
    """Quantum information technology score of a province, 0-100: the composite, or one pillar's score. Optional pillar weights."""  # noqa: E501
    return F.xlwings_result(F.qit_score, province, pillar, weights, if_not_found)


@xw.func(category="QIT")
@xw.arg("province", ndim=2, err_to_str=True, doc=_PROVINCE)
@xw.arg("pillar", err_to_str=True, doc=_PILLAR)
@xw.arg("weights", ndim=2, err_to_str=True, doc=_WEIGHTS)
@xw.arg("if_not_found", err_to_str=True, doc=_IF_NOT_FOUND)
@xw.ret()
def QIT_RANK(province, pillar=None, weights=None, if_not_found=None):
    """Rank of a province among the assessed provinces (1 = top; ties share the best rank, as RANK.EQ), on the composite or one pillar."""  # noqa: E501
    return F.xlwings_result(F.qit_rank, province, pillar, weights, if_not_found)


@xw.func(category="QIT")
@xw.arg("province", ndim=2, err_to_str=True,
        doc="One province: name in English or Chinese, pinyin, ISO code (CN-AH) or GB/T code (340000)")
@xw.ret()
def QIT_PROFILE(province):
    """Spills a two-column table (field, value) about one province: names, codes, region, score, rank, tiers, pillar scores and indicator values."""  # noqa: E501
    return F.xlwings_result(F.qit_profile, province)


@xw.func(category="QIT")
@xw.arg("tier", err_to_str=True,
        doc='Optional. Only this model tier: a label (Leading, Strong, Emerging, Early stage) or level 1-4; '
            '"not assessed" lists the provinces without a score')
@xw.arg("region", err_to_str=True, doc="Optional. Only this NBS region: East, Central, West or Northeast")
@xw.arg("lang", err_to_str=True, doc='Optional. Names in "en" (default), "zh", "zh_full", "pinyin" or "iso" codes')
@xw.ret()
def QIT_PROVINCES(tier=None, region=None, lang=None):
    """Spills the assessed provinces in rank order, one per row, optionally only one tier or region."""
    return F.xlwings_result(F.qit_provinces, tier, region, lang)


@xw.func(category="QIT")
@xw.arg("province", ndim=2, err_to_str=True, doc=_PROVINCE)
@xw.arg("indicator", err_to_str=True,
        doc="An indicator id or label, e.g. rd_expenditure, rd_intensity, invention_patents, qit_research")
@xw.arg("year", err_to_str=True, doc="Optional. The year, e.g. 2022. Blank for the year the model uses")
@xw.ret()
def QIT_INDICATOR(province, indicator, year=None):
    """Value of one indicator for a province (R&D spending, patents, coded QIT ratings), for the model's year or the year given."""  # noqa: E501
    return F.xlwings_result(F.qit_indicator, province, indicator, year)


@xw.func(category="QIT")
@xw.arg("province", ndim=2, err_to_str=True, doc=_PROVINCE)
@xw.arg("indicator", err_to_str=True,
        doc="Optional. An indicator id or label. Blank for the sources of all the province's model values")
@xw.ret()
def QIT_SOURCE(province, indicator=None):
    """Citation (publisher, title, date, URL) of the sources behind a province's indicator value, or behind all its model values."""  # noqa: E501
    return F.xlwings_result(F.qit_source, province, indicator)


@xw.func(category="QIT")
@xw.arg("text", ndim=2, err_to_str=True,
        doc="A province as typed anywhere (English, Chinese, pinyin, old or new codes), or a range of them")
@xw.arg("if_not_found", err_to_str=True, doc="Optional. What to return instead of #N/A for text that is no province")
@xw.ret()
def QIT_RESOLVE(text, if_not_found=None):
    """ISO 3166-2:CN code (e.g. CN-AH) for any spelling of a province. For cleaning a column of names."""
    return F.xlwings_result(F.qit_resolve, text, if_not_found)


@xw.func(category="QIT")
@xw.arg("province", ndim=2, err_to_str=True, doc=_PROVINCE)
@xw.arg("lang", err_to_str=True,
        doc='Optional. "en" (default), "zh" (安徽), "zh_full" (安徽省), "pinyin" (Ānhuī) or "iso" (CN-AH)')
@xw.arg("if_not_found", err_to_str=True, doc="Optional. What to return instead of #N/A for text that is no province")
@xw.ret()
def QIT_NAME(province, lang=None, if_not_found=None):
    """Standard name of a province in English, Chinese or pinyin, or its ISO code."""
    return F.xlwings_result(F.qit_name, province, lang, if_not_found)


@xw.func(category="QIT")
@xw.ret()
def QIT_INFO():
    """Versions of the qitxl package and of its dataset (version and date), and how many provinces are assessed."""
    return F.xlwings_result(F.qit_info)
