"""The xlwings face, checked with xlwings' own Windows UDF machinery, without Windows or Excel.

``xlwings.udfs`` (the decorators, ``generate_vba_wrapper`` and ``call_udf``) and ``xlwings._xlwindows``
(the Windows engine that converts values from COM) import once the pywin32 modules are stand-ins in
``sys.modules``. On Linux ``xw.func`` is a no-op, so ``xlwings.func/arg/ret`` are pointed at the
Windows decorators while ``qitxl/xlwings_udfs.py`` (and the add-in's entry ``udfs/qit_udfs.py``, which
re-exports it) is imported fresh. Everything is restored afterwards.
"""

from __future__ import annotations

import ctypes
import importlib
import io
import re
import sys
from types import SimpleNamespace
from unittest import mock

import pytest
import xlwings

from qitxl import functions as F

WIN_MODULES = ("pythoncom", "pywintypes", "win32api", "win32con", "win32event", "win32gui", "win32process",
               "win32timezone", "win32com", "win32com.client", "win32com.server", "win32com.server.dispatcher",
               "win32com.server.policy", "win32com.server.util")
MISSING = -2147352572  # what VBA hands over for an omitted Optional argument
COM_ERRORS = {"#REF!": -2146826265, "#N/A": -2146826246, "#VALUE!": -2146826273}
EXPECTED = {name.upper() for name in ("qit_tier", "qit_score", "qit_rank", "qit_profile", "qit_provinces",
                                      "qit_indicator", "qit_source", "qit_resolve", "qit_name", "qit_info",
                                      "qit_why")}
UDF_MODULES = ("udfs.qit_udfs", "qitxl.xlwings_udfs")


@pytest.fixture(scope="module")
def win():
    """xlwings.udfs, xlwings._xlwindows and qitxl.xlwings_udfs as they are on Windows."""
    stubs = {name: mock.MagicMock(name=name) for name in WIN_MODULES}
    stubs["pywintypes"].TimeType = type("TimeType", (), {})  # used in isinstance()
    stubs["pythoncom"].__file__ = "pythoncom.dll"
    saved_attrs = {a: getattr(xlwings, a) for a in ("func", "arg", "ret")}
    had_udfs = "xlwings.udfs" in sys.modules
    with mock.patch.dict(sys.modules, stubs), mock.patch.multiple(
            ctypes, create=True, oledll=mock.MagicMock(), windll=mock.MagicMock(), PyDLL=mock.MagicMock()):
        for name in UDF_MODULES:
            sys.modules.pop(name, None)
        udfs = importlib.import_module("xlwings.udfs")
        xlwindows = importlib.import_module("xlwings._xlwindows")
        engine = xlwings.main.Engine(impl=xlwindows.engine)
        xlwings.engines.add(engine)
        xlwings.func, xlwings.arg, xlwings.ret = udfs.xlfunc, udfs.xlarg, udfs.xlret
        try:
            entry = importlib.import_module("udfs.qit_udfs")
            module = importlib.import_module("qitxl.xlwings_udfs")
            yield SimpleNamespace(udfs=udfs, module=module, entry=entry)
        finally:
            for a, v in saved_attrs.items():
                setattr(xlwings, a, v)
            xlwings.engines.engines.remove(engine)
            xlwings.engines.engines_by_name.pop("excel", None)
            com_server = sys.modules.get("xlwings.com_server")
            if com_server is not None:
                # xlwings.com_server makes an event loop when imported (for the COM server it never
                # starts here); close it, or it is reported as an unclosed loop and two open sockets.
                com_server.loop.close()
            for sub in ("udfs", "_xlwindows", "com_server"):
                if hasattr(xlwings, sub):
                    delattr(xlwings, sub)
            for name in UDF_MODULES:
                sys.modules.pop(name, None)
    # the patch restored sys.modules: no Windows-only module or Windows-decorated UDF module is left behind
    assert ("xlwings.udfs" in sys.modules) == had_udfs
    assert not any(name in sys.modules for name in UDF_MODULES) and "pythoncom" not in sys.modules
    assert "excel" not in xlwings.engines.engines_by_name


def registered(module) -> dict[str, dict]:
    return {getattr(module, n).__xlfunc__["name"]: getattr(module, n).__xlfunc__
            for n in dir(module) if hasattr(getattr(module, n), "__xlfunc__")}


def test_every_function_is_registered_in_the_qit_category(win):
    funcs = registered(win.module)
    assert set(funcs) == EXPECTED
    assert set(funcs) == set(F.EXCEL_FUNCTIONS)
    assert registered(win.entry) == funcs, "the add-in's entry udfs.qit_udfs must expose the same functions"
    for name, info in funcs.items():
        assert info["category"] == "QIT", name
        assert not info["sub"]


def test_every_argument_has_a_real_doc_and_the_function_a_short_docstring(win):
    for name, info in registered(win.module).items():
        doc = info["ret"]["doc"]
        assert doc and "defined in" not in doc, name
        assert len(doc) <= 255, f"{name}: Excel's wizard cuts descriptions at 255 characters"
        for arg in info["args"]:
            assert not arg["doc"].startswith("Positional argument"), f"{name}({arg['name']})"
            assert 10 < len(arg["doc"]) <= 255, f"{name}({arg['name']})"


def test_arguments_match_the_plain_functions(win):
    import inspect

    for name, info in registered(win.module).items():
        plain = inspect.signature(F.EXCEL_FUNCTIONS[name]).parameters
        assert [a["name"] for a in info["args"]] == list(plain), name
        for a in info["args"]:
            assert a["options"].get("err_to_str") is True, f"{name}({a['name']}) must read error cells as text"
            assert "convert" not in a["options"], f"{name}({a['name']}): a type hint became a converter"
            if a["name"] in ("province", "text", "weights"):
                assert a["options"].get("ndim") == 2, f"{name}({a['name']}) must keep the range's shape"


def vba_for(win) -> str:
    out = io.StringIO()
    win.udfs.generate_vba_wrapper("qit_udfs", win.module, out, SimpleNamespace(Name="Ranking.xlsm"))
    return out.getvalue()


def test_vba_signatures_mark_optional_arguments(win):
    vba = vba_for(win)
    sigs = dict(re.findall(r"^Function (QIT_\w+)\((.*)\)$", vba, flags=re.M))
    assert set(sigs) == EXPECTED
    assert sigs["QIT_TIER"] == "province, Optional basis, Optional if_not_found"
    assert sigs["QIT_SCORE"] == "province, Optional pillar, Optional weights, Optional if_not_found"
    assert sigs["QIT_RANK"] == "province, Optional pillar, Optional weights, Optional if_not_found"
    assert sigs["QIT_PROFILE"] == "province"
    assert sigs["QIT_PROVINCES"] == "Optional tier, Optional region, Optional lang"
    assert sigs["QIT_INDICATOR"] == "province, indicator, Optional year"
    assert sigs["QIT_SOURCE"] == "province, Optional indicator"
    assert sigs["QIT_RESOLVE"] == "text, Optional if_not_found"
    assert sigs["QIT_NAME"] == "province, Optional lang, Optional if_not_found"
    assert sigs["QIT_INFO"] == ""
    assert sigs["QIT_WHY"] == "func, Optional arg1, Optional arg2, Optional arg3, Optional arg4"
    assert 'XLPy.CallUDF("qit_udfs", "QIT_TIER", Array(province, basis, if_not_found)' in vba


def call(win, name: str, *args, module: str = "qitxl.xlwings_udfs"):
    """As the VBA wrapper and XLPython.CallUDF do: call_udf, then unwrap 1x1 and 1xn results."""
    res = win.udfs.call_udf(module, name, args)
    if len(res) == 1 and len(res[0]) == 1:
        return res[0][0]
    if len(res) == 1 and len(res[0]) > 1:
        return res[0]
    return res


def test_call_udf_scalars_and_omitted_optionals(win):
    assert call(win, "QIT_TIER", "Anhui", MISSING, MISSING) == F.qit_tier("Anhui")
    assert call(win, "QIT_TIER", 340000.0, "reported", MISSING) == "Top tier"
    assert call(win, "QIT_SCORE", "安徽", "research", MISSING, MISSING) == pytest.approx(100.0)
    assert call(win, "QIT_INFO") == F.qit_info()
    assert call(win, "QIT_TIER", "Anhui", MISSING, MISSING, module="udfs.qit_udfs") == F.qit_tier("Anhui")


def test_call_udf_why_explains_in_text(win):
    why = call(win, "QIT_WHY", "QIT_TIER", "Anhiu", MISSING, MISSING, MISSING)
    assert why == call(win, "QIT_TIER", "Anhiu", MISSING, MISSING)  # classic shows the reason already
    assert why.startswith('#N/A: unknown province "Anhiu"')
    column = (("Anhui",), (COM_ERRORS["#REF!"],), ("Macao",))
    out = call(win, "QIT_WHY", "tier", column, MISSING, MISSING, MISSING)
    assert out[0][0] == "" and out[1][0].startswith("#REF!: ") and "not assessed" in out[2][0]


def test_call_udf_ranges_errors_and_blanks(win):
    column = (("Anhui",), (None,), (COM_ERRORS["#REF!"],), ("Anhiu",), ("Macao",))
    out = call(win, "QIT_TIER", column, MISSING, MISSING)
    assert len(out) == 5 and all(len(r) == 1 for r in out)
    assert out[0][0] == F.qit_tier("Anhui")
    assert out[1][0] == ""
    assert out[2][0] == "#REF!"
    assert out[3][0].startswith('#N/A: unknown province "Anhiu"') and "Anhui" in out[3][0]
    assert out[4][0].startswith("#N/A: Macao is not assessed")
    replaced = call(win, "QIT_TIER", column, MISSING, "-")
    assert [r[0] for r in replaced] == [F.qit_tier("Anhui"), "", "#REF!", "-", "-"]


def test_call_udf_weights_range_and_spills(win):
    equal = ((1.0, 1.0, 1.0, 1.0, 1.0, 1.0),)
    assert call(win, "QIT_SCORE", "Anhui", MISSING, equal, MISSING) == pytest.approx(
        F.qit_score("Anhui", None, [[1, 1, 1, 1, 1, 1]]))
    table = (("research", 1.0), ("industry", 1.0))
    assert call(win, "QIT_RANK", "Anhui", MISSING, table, MISSING) == F.qit_rank("Anhui", None, [["research", 1],
                                                                                               ["industry", 1]])
    profile = call(win, "QIT_PROFILE", "Anhui")
    assert profile[0] == ["Province", "Anhui"] and all(len(r) == 2 for r in profile)
    provinces = call(win, "QIT_PROVINCES", MISSING, MISSING, MISSING)
    assert [r[0] for r in provinces] == [r[0] for r in F.qit_provinces()]


def test_real_error_codes_where_the_runtime_allows_them():
    assert F.xlwings_result(F.qit_tier, "Anhiu", real_errors=True) == "#N/A"
    assert F.xlwings_result(F.qit_tier, [["Anhiu", "Anhui"]], real_errors=True) == [["#N/A", F.qit_tier("Anhui")]]
    assert F.xlwings_result(F.qit_tier, "Anhiu", real_errors=False).startswith("#N/A: ")

    def broken(*_args):
        raise RuntimeError("boom")

    assert F.xlwings_result(broken, real_errors=False).startswith("#VALUE!")
