"""xlwings decorators over qitxl.functions: the QIT_* functions for Excel, on every xlwings route.

One module serves three hosts:

- **classic xlwings** (Windows): point the add-in's "UDF Modules" at ``qitxl.xlwings_udfs`` and click
  "Import Functions"; the functions are VBA wrappers in Excel's QIT category. Errors come back as
  text that starts with the code (``#N/A: unknown province ...``): VBA wrappers cannot return a real
  error.
- **xlwings Lite** (Pyodide in the browser; Windows, Mac, web): ``main.py`` imports this module
  (``qitxl lite`` writes it). Functions keep their plain names (``=QIT_TIER``).
- **xlwings Server** (``XLWINGS_ON_SERVER=true``): import it into the server's custom-functions module.

Under Office.js (Lite and Server) the arguments with fixed choices are ``Literal`` drop-downs, every
function has a help URL, and results pass through ``OfficeJsResult``, which knows the runtime
Excel reports: from CustomFunctionsRuntime 1.4 an error becomes a real error cell (no message:
``QIT_WHY`` gives it); before 1.4 xlwings would show an error code as plain text, so the text
carries the reason, as in classic xlwings. Classic xlwings would use a ``Literal`` hint as a
converter, so the hints are set only under Office.js. Each docstring is what Excel shows (at most
255 characters).
"""

import os
import sys
from collections.abc import Callable
from typing import Annotated, Any, Literal

import xlwings as xw

from . import functions as F
from .dataset import bundled
from .errors import XlError
from .why import EXPLAINED

__all__ = ["QIT_INDICATOR", "QIT_INFO", "QIT_NAME", "QIT_PROFILE", "QIT_PROVINCES", "QIT_RANK", "QIT_RESOLVE",
           "QIT_SCORE", "QIT_SOURCE", "QIT_TIER", "QIT_WHY"]

#: True under xlwings Server (XLWINGS_ON_SERVER=true) and in xlwings Lite (Pyodide): the Office.js route.
OFFICE_JS = os.environ.get("XLWINGS_ON_SERVER") == "true" or sys.platform == "emscripten"

#: Where docs/excel.md is published, for Excel's "Help on this function" under Office.js: each function
#: links to its heading there. qitxl has no public address of its own, so a deployment sets it
#: (QITXL_HELP_URL, an https URL of docs/excel.md); unset, the functions carry no help link rather
#: than a link that goes nowhere.
HELP_URL: str | None = os.environ.get("QITXL_HELP_URL") or None

#: Error codes that xlwings' Office.js engine turns into real error cells (runtime 1.4 and later).
#: Excel's custom functions support no others (#CALC!, #SPILL! ... would arrive as plain text).
OFFICEJS_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})


def _runtime(runtime: Any) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in str(runtime).split("."))
    except ValueError:
        return (0,)


def officejs_value(value: Any, runtime: Any) -> Any:
    """A QIT_* result made showable under Office.js for the CustomFunctionsRuntime ``runtime`` ("1.4").

    From 1.4: an error becomes its bare code, which xlwings turns into a real error cell; a code
    Office.js cannot return (#CALC!) becomes #N/A, still an error that IFERROR and ISNA see. Before
    1.4: the error's full text with its reason, since a bare code would only be text anyway.
    """
    if isinstance(value, list):
        return [officejs_value(v, runtime) for v in value]
    if isinstance(value, XlError):
        if _runtime(runtime) < (1, 4):
            return str(value)
        return value.code if value.code in OFFICEJS_ERRORS else "#N/A"
    return "" if value is None else value


def _call(fn: Callable[..., Any], *args: Any) -> Any:
    """Run a QIT_* function for xlwings. Never raises."""
    if not OFFICE_JS:
        return F.xlwings_result(fn, *args, real_errors=False)
    try:
        return fn(*args)  # XlError values stay; OfficeJsResult renders them for the runtime
    except Exception as exc:  # noqa: BLE001 - nothing may reach Excel
        return XlError("#VALUE!", f"qitxl internal error: {type(exc).__name__}: {exc}")


if OFFICE_JS:
    # The Office.js decorators, also where XLWINGS_ON_SERVER is unset (Pyodide) and ``xw.func`` is a no-op.
    from xlwings import server as _xw
    from xlwings.conversion import Converter

    class OfficeJsResult(Converter):
        """Return converter: renders XlError values for the runtime the call came from."""

        @staticmethod
        def write_value(value: Any, options: dict[str, Any]) -> Any:
            return officejs_value(value, options.get("runtime"))

    _RET: dict[str, Any] = {"convert": OfficeJsResult}
else:
    _xw = xw  # classic xlwings: the Windows decorators (no-ops on other systems)
    _RET = {}


def _choices(**hints: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give arguments ``Literal`` drop-downs under Office.js. Must sit directly above ``def``."""

    def inner(f: Callable[..., Any]) -> Callable[..., Any]:
        if OFFICE_JS:
            f.__annotations__.update(hints)
        return f

    return inner


def _func(anchor: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """xw.func with the category (classic) and the help URL (Office.js)."""
    return _xw.func(category="QIT", help_url=help_url(anchor))


def help_url(anchor: str) -> str | None:
    """The help link for a function's heading in docs/excel.md, or None when HELP_URL is not set."""
    return f"{HELP_URL}#{anchor}" if HELP_URL else None


_DS = bundled()
_PILLARS = tuple(p.id for p in _DS.pillars)
_REGIONS = tuple(sorted({p.region for p in _DS.provinces if p.region}))
_TIERS = tuple(t.label_en for t in sorted(_DS.tiers, key=lambda t: t.level)) + ("not assessed",)
_LANGS = ("en", "zh", "zh_full", "pinyin", "iso")

BASIS = Annotated[Literal["model", "reported"], {"tooltips": {
    "model": "tier from the composite score (default)", "reported": "the tier named in the seed article"}}]
PILLAR = Literal[_PILLARS]  # type: ignore[valid-type]
REGION = Literal[_REGIONS]  # type: ignore[valid-type]
TIER = Literal[_TIERS]  # type: ignore[valid-type]
LANG = Annotated[Literal[_LANGS], {"tooltips": {  # type: ignore[valid-type]
    "en": "English (default)", "zh": "Chinese short name, 安徽", "zh_full": "Chinese full name, 安徽省",
    "pinyin": "pinyin with tones, Ānhuī", "iso": "ISO 3166-2 code, CN-AH"}}]
FUNCTION = Literal[EXPLAINED]  # type: ignore[valid-type]

_PROVINCE = ("A province: name in English or Chinese, pinyin, ISO code (CN-AH) or GB/T code (340000); "
             "or a range of them, which gives a range of the same shape")
_IF_NOT_FOUND = ("Optional. What to return instead of #N/A when the province is unknown or not assessed, "
                 "as in XLOOKUP")
_PILLAR = ("Optional. A pillar id or label: research, industry, policy, talent, infrastructure, rd_capacity. "
           "Blank for the composite")
_WEIGHTS = ("Optional. Pillar weights: two columns (pillar, weight), or a row or column of 6 numbers in "
            "pillar order. Rescaled to sum to 1. Blank for the default weights")
_ARG = "Optional. The {} of the call being explained, as given there (a value or a range)"


@_func("qit_tier")
@_xw.arg("province", ndim=2, err_to_str=True, doc=_PROVINCE)
@_xw.arg("basis", err_to_str=True, doc='Optional. "model" (default): tier from the composite score; '
                                      '"reported": the tier named in the seed article')
@_xw.arg("if_not_found", err_to_str=True, doc=_IF_NOT_FOUND)
@_xw.ret(**_RET)
@_choices(basis=BASIS)
def QIT_TIER(province, basis=None, if_not_found=None):
    """Tier of a province in quantum information technology: Leading, Strong, Emerging or Early stage (model), or the seed article's tier (basis "reported")."""  # noqa: E501
    return _call(F.qit_tier, province, basis, if_not_found)


@_func("qit_score-and-qit_rank")
@_xw.arg("province", ndim=2, err_to_str=True, doc=_PROVINCE)
@_xw.arg("pillar", err_to_str=True, doc=_PILLAR)
@_xw.arg("weights", ndim=2, err_to_str=True, doc=_WEIGHTS)
@_xw.arg("if_not_found", err_to_str=True, doc=_IF_NOT_FOUND)
@_xw.ret(**_RET)
@_choices(pillar=PILLAR)
def QIT_SCORE(province, pillar=None, weights=None, if_not_found=None):
    """Quantum information technology score of a province, 0-100: the composite, or one pillar's score. Optional pillar weights."""  # noqa: E501
    return _call(F.qit_score, province, pillar, weights, if_not_found)


@_func("qit_score-and-qit_rank")
@_xw.arg("province", ndim=2, err_to_str=True, doc=_PROVINCE)
@_xw.arg("pillar", err_to_str=True, doc=_PILLAR)
@_xw.arg("weights", ndim=2, err_to_str=True, doc=_WEIGHTS)
@_xw.arg("if_not_found", err_to_str=True, doc=_IF_NOT_FOUND)
@_xw.ret(**_RET)
@_choices(pillar=PILLAR)
def QIT_RANK(province, pillar=None, weights=None, if_not_found=None):
    """Rank of a province among the assessed provinces (1 = top; ties share the best rank, as RANK.EQ), on the composite or one pillar."""  # noqa: E501
    return _call(F.qit_rank, province, pillar, weights, if_not_found)


@_func("qit_profile")
@_xw.arg("province", ndim=2, err_to_str=True,
        doc="One province: name in English or Chinese, pinyin, ISO code (CN-AH) or GB/T code (340000)")
@_xw.ret(**_RET)
def QIT_PROFILE(province):
    """Spills a two-column table (field, value) about one province: names, codes, region, score, rank, tiers, pillar scores and indicator values."""  # noqa: E501
    return _call(F.qit_profile, province)


@_func("qit_provinces")
@_xw.arg("tier", err_to_str=True,
        doc='Optional. Only this model tier: a label (Leading, Strong, Emerging, Early stage) or level 1-4; '
            '"not assessed" lists the provinces without a score')
@_xw.arg("region", err_to_str=True, doc="Optional. Only this NBS region: East, Central, West or Northeast")
@_xw.arg("lang", err_to_str=True, doc='Optional. Names in "en" (default), "zh", "zh_full", "pinyin" or "iso" codes')
@_xw.ret(**_RET)
@_choices(tier=TIER, region=REGION, lang=LANG)
def QIT_PROVINCES(tier=None, region=None, lang=None):
    """Spills the assessed provinces in rank order, one per row, optionally only one tier or region."""
    return _call(F.qit_provinces, tier, region, lang)


@_func("qit_indicator-and-qit_source")
@_xw.arg("province", ndim=2, err_to_str=True, doc=_PROVINCE)
@_xw.arg("indicator", err_to_str=True,
        doc="An indicator id or label, e.g. rd_expenditure, rd_intensity, invention_patents, qit_research")
@_xw.arg("year", err_to_str=True, doc="Optional. The year, e.g. 2022. Blank for the year the model uses")
@_xw.ret(**_RET)
def QIT_INDICATOR(province, indicator, year=None):
    """Value of one indicator for a province (R&D spending, patents, coded QIT ratings), for the model's year or the year given."""  # noqa: E501
    return _call(F.qit_indicator, province, indicator, year)


@_func("qit_indicator-and-qit_source")
@_xw.arg("province", ndim=2, err_to_str=True, doc=_PROVINCE)
@_xw.arg("indicator", err_to_str=True,
        doc="Optional. An indicator id or label. Blank for the sources of all the province's model values")
@_xw.ret(**_RET)
def QIT_SOURCE(province, indicator=None):
    """Citation (publisher, title, date, URL) of the sources behind a province's indicator value, or behind all its model values."""  # noqa: E501
    return _call(F.qit_source, province, indicator)


@_func("qit_resolve-and-qit_name")
@_xw.arg("text", ndim=2, err_to_str=True,
        doc="A province as typed anywhere (English, Chinese, pinyin, old or new codes), or a range of them")
@_xw.arg("if_not_found", err_to_str=True, doc="Optional. What to return instead of #N/A for text that is no province")
@_xw.ret(**_RET)
def QIT_RESOLVE(text, if_not_found=None):
    """ISO 3166-2:CN code (e.g. CN-AH) for any spelling of a province. For cleaning a column of names."""
    return _call(F.qit_resolve, text, if_not_found)


@_func("qit_resolve-and-qit_name")
@_xw.arg("province", ndim=2, err_to_str=True, doc=_PROVINCE)
@_xw.arg("lang", err_to_str=True,
        doc='Optional. "en" (default), "zh" (安徽), "zh_full" (安徽省), "pinyin" (Ānhuī) or "iso" (CN-AH)')
@_xw.arg("if_not_found", err_to_str=True, doc="Optional. What to return instead of #N/A for text that is no province")
@_xw.ret(**_RET)
@_choices(lang=LANG)
def QIT_NAME(province, lang=None, if_not_found=None):
    """Standard name of a province in English, Chinese or pinyin, or its ISO code."""
    return _call(F.qit_name, province, lang, if_not_found)


@_func("qit_info")
@_xw.ret(**_RET)
def QIT_INFO():
    """Versions of the qitxl package and of its dataset (version and date), and how many provinces are assessed."""
    return _call(F.qit_info)


@_func("qit_why")
@_xw.arg("func", err_to_str=True, doc='The QIT_ function whose error to explain, e.g. "QIT_TIER"')
@_xw.arg("arg1", ndim=2, err_to_str=True, doc=_ARG.format("first argument"))
@_xw.arg("arg2", ndim=2, err_to_str=True, doc=_ARG.format("second argument"))
@_xw.arg("arg3", ndim=2, err_to_str=True, doc=_ARG.format("third argument"))
@_xw.arg("arg4", ndim=2, err_to_str=True, doc=_ARG.format("fourth argument"))
@_xw.ret(**_RET)
@_choices(func=FUNCTION)
def QIT_WHY(func, arg1=None, arg2=None, arg3=None, arg4=None):
    """Why a QIT_ call gives an error: give the function's name and the same arguments, e.g. QIT_WHY("QIT_TIER", A2). Text; blank where there is no error."""  # noqa: E501
    return _call(F.qit_why, func, arg1, arg2, arg3, arg4)
