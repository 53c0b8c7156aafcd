"""The Office.js face (xlwings Lite, xlwings Server), checked with xlwings' own Office.js code path.

With ``XLWINGS_ON_SERVER=true`` the decorators are ``xlwings.server.func/arg/ret``;
``custom_functions_meta`` gives the metadata Excel registers and ``custom_functions_call`` runs a
call exactly as the JavaScript runtime posts it. ``xlwings.server`` checks a licence key when
imported: the noncommercial key is set for the test. Nothing here needs Excel; what only Excel for
Mac or the web can show is listed in docs/excel.md.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import xlwings
from hypothesis import given
from hypothesis import strategies as st

from qitxl import functions as F
from qitxl.dataset import bundled
from qitxl.errors import CODES, XlError

ROOT = Path(__file__).resolve().parents[1]
NAMES = {"QIT_TIER", "QIT_SCORE", "QIT_RANK", "QIT_PROFILE", "QIT_PROVINCES", "QIT_INDICATOR", "QIT_SOURCE",
         "QIT_RESOLVE", "QIT_NAME", "QIT_INFO", "QIT_WHY"}
REF = {"type": "Error", "basicValue": "#REF!", "errorType": "Ref"}  # an error cell as Office.js sends it
NA = {"type": "Error", "errorType": "NotAvailable"}
VALUE = {"type": "Error", "errorType": "Value"}


@pytest.fixture(scope="module")
def ojs():
    """qitxl.xlwings_udfs imported fresh as it is under xlwings Server / Lite."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XLWINGS_ON_SERVER", "true")
        mp.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
        mp.setenv("QITXL_HELP_URL", "https://docs.example.org/qitxl/docs/excel.md")
        server = importlib.import_module("xlwings.server")
        # What ``import xlwings`` does when it finds a licence key; here xlwings was imported before the
        # key was set, so the Office.js engine is added by hand (and removed afterwards).
        from xlwings.pro import _xlofficejs

        engine = xlwings.main.Engine(impl=_xlofficejs.engine)
        had_engine = "officejs" in xlwings.engines.engines_by_name
        if not had_engine:
            xlwings.engines.add(engine)
        mp.setattr(xlwings, "__pro__", True)
        sys.modules.pop("qitxl.xlwings_udfs", None)
        try:
            module = importlib.import_module("qitxl.xlwings_udfs")
            assert module.OFFICE_JS
            yield SimpleNamespace(server=server, module=module, meta=server.custom_functions_meta(module))
        finally:
            sys.modules.pop("qitxl.xlwings_udfs", None)
            if not had_engine:
                xlwings.engines.engines.remove(engine)
                xlwings.engines.engines_by_name.pop("officejs", None)


def call(ojs, name: str, *args, runtime: str = "1.4"):
    """POST body of the custom-functions runtime: 2-D lists for ranges, None for an omitted argument."""
    body = {"client": "Office.js", "func_name": name, "args": list(args), "caller_address": "[Book1.xlsx]Sheet1!B2",
            "content_language": "en-US", "version": xlwings.__version__, "runtime": runtime}
    return asyncio.run(ojs.server.custom_functions_call(body, ojs.module))


def functions(ojs) -> dict[str, dict]:
    return {f["id"]: f for f in ojs.meta["functions"]}


def github_anchor(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


# ----------------------------------------------------------------------------- metadata


def test_every_function_has_its_plain_name_and_a_description(ojs):
    funcs = functions(ojs)
    assert set(funcs) == NAMES == set(F.EXCEL_FUNCTIONS)
    for name, f in funcs.items():
        assert f["name"] == name, f"{name} must keep its plain name (no namespace) so =QIT_TIER works"
        assert 20 < len(f["description"]) <= 255, name
        assert f["result"] == {"dimensionality": "matrix", "type": "any"}, name
    assert ojs.meta["allowErrorForDataTypeAny"] is True


def test_every_function_has_a_help_url_into_the_docs(ojs):
    anchors = {github_anchor(line.lstrip("#")) for line in (ROOT / "docs" / "excel.md").read_text("utf-8").splitlines()
               if line.startswith("#")}
    for name, f in functions(ojs).items():
        base, _, anchor = f["helpUrl"].partition("#")
        assert base == ojs.module.HELP_URL and base.endswith("docs/excel.md"), name
        assert anchor in anchors, f"{name}: no heading in docs/excel.md for #{anchor}"


def test_no_help_link_without_a_published_address(ojs, monkeypatch):
    monkeypatch.setattr(ojs.module, "HELP_URL", None)
    assert ojs.module.help_url("qit_tier") is None
    monkeypatch.setattr(ojs.module, "HELP_URL", "https://x.test/docs/excel.md")
    assert ojs.module.help_url("qit_tier") == "https://x.test/docs/excel.md#qit_tier"


def test_parameters_names_and_optional_flags_match_the_plain_functions(ojs):
    for name, f in functions(ojs).items():
        plain = inspect.signature(F.EXCEL_FUNCTIONS[name]).parameters
        assert [p["name"] for p in f["parameters"]] == list(plain), name
        for p in f["parameters"]:
            has_default = plain[p["name"]].default is not inspect.Parameter.empty
            assert p.get("optional", False) is has_default, f"{name}({p['name']})"
            assert 10 < len(p["description"]) <= 255 and not p["description"].startswith("Positional"), name


def test_enumerated_arguments_are_drop_downs_with_the_datasets_choices(ojs):
    ds = bundled()
    expected = {
        "basis": ["model", "reported"],
        "pillar": [p.id for p in ds.pillars],
        "region": sorted({p.region for p in ds.provinces if p.region}),
        "tier": [t.label_en for t in sorted(ds.tiers, key=lambda t: t.level)] + ["not assessed"],
        "lang": ["en", "zh", "zh_full", "pinyin", "iso"],
        "func": sorted(NAMES - {"QIT_WHY"}),
    }
    enums = {e["id"]: e for e in ojs.meta["enums"]}
    seen = set()
    for name, f in functions(ojs).items():
        for p in f["parameters"]:
            if p["name"] in expected:
                assert p["type"] == "string" and p["dimensionality"] == "scalar", f"{name}({p['name']})"
                enum = enums[p["customEnumId"]]
                values = [v["stringValue"] for v in enum["values"]]
                key = sorted if p["name"] == "func" else list
                assert key(values) == expected[p["name"]], f"{name}({p['name']})"
                seen.add(p["name"])
            else:
                assert "customEnumId" not in p and p["type"] == "any" and p["dimensionality"] == "matrix", name
    assert seen == set(expected)
    basis = enums["QIT_TIER.BASIS"]["values"]
    assert all(v.get("tooltip") for v in basis), "basis choices explain themselves"


def test_every_drop_down_choice_is_accepted_by_the_function(ojs):
    for enum in ojs.meta["enums"]:
        fname, pname = enum["id"].split(".")
        fn = F.EXCEL_FUNCTIONS[fname]
        pos = list(inspect.signature(fn).parameters).index(pname.lower())
        params = list(inspect.signature(fn).parameters)
        for v in enum["values"]:
            args = ["Anhui" if p in ("province", "text") else None for p in params]
            args[pos] = v["stringValue"]
            out = fn(*args)
            assert not (isinstance(out, XlError) and out.code == "#VALUE!"), (enum["id"], v, out)
            assert "is not a QIT_ function" not in str(out), (enum["id"], v, out)


# ----------------------------------------------------------------------------- calls as the runtime sends them


@pytest.mark.parametrize("runtime", ["1.3", "1.4"])
def test_scalar_and_range(ojs, runtime):
    assert call(ojs, "QIT_TIER", [["Anhui"]], None, None, runtime=runtime) == [[F.qit_tier("Anhui")]]
    assert call(ojs, "QIT_TIER", [[340000]], "reported", None, runtime=runtime) == [["Top tier"]]
    score = call(ojs, "QIT_SCORE", [["安徽"]], "research", None, None, runtime=runtime)
    assert score == [[pytest.approx(100.0)]]
    column = [["Anhui"], ["Beijing"], [None], ["Shandong"]]
    ranks = call(ojs, "QIT_RANK", column, None, None, None, runtime=runtime)
    assert ranks == [[F.qit_rank("Anhui")], [F.qit_rank("Beijing")], [""], [F.qit_rank("Shandong")]]
    row = call(ojs, "QIT_NAME", [["CN-SN", "皖"]], "zh", None, runtime=runtime)
    assert row == [["陕西", "安徽"]]
    assert call(ojs, "QIT_INFO", runtime=runtime) == [[F.qit_info()]]


def test_runtime_1_4_returns_real_errors(ojs):
    column = [["Anhui"], ["Anhiu"], [REF], ["Macao"], [None]]
    out = call(ojs, "QIT_TIER", column, None, None)
    assert out == [[F.qit_tier("Anhui")], [NA], [{"type": "Error", "errorType": "Ref"}], [NA], [""]]
    assert call(ojs, "QIT_TIER", column, None, "-") == [[F.qit_tier("Anhui")], ["-"],
                                                        [{"type": "Error", "errorType": "Ref"}], ["-"], [""]]
    assert call(ojs, "QIT_TIER", [["Anhui"]], "bogus", None) == [[VALUE]]
    assert call(ojs, "QIT_SCORE", [["Anhui"]], None, [["x", 1]], None) == [[VALUE]]


def test_runtime_1_3_returns_the_reason_as_text(ojs):
    column = [["Anhui"], ["Anhiu"], [REF], ["Macao"]]
    out = call(ojs, "QIT_TIER", column, None, None, runtime="1.3")
    assert out[0] == [F.qit_tier("Anhui")]
    assert out[1][0].startswith('#N/A: unknown province "Anhiu"; did you mean Anhui?')
    assert out[2] == ["#REF!"]
    assert out[3][0].startswith("#N/A: Macao is not assessed")


def test_calc_error_becomes_a_real_na_from_1_4_and_text_before(ojs):
    assert call(ojs, "QIT_PROVINCES", "Leading", "Northeast", None) == [[NA]]
    assert call(ojs, "QIT_PROVINCES", "Leading", "Northeast", None, runtime="1.3") == [
        ["#CALC!: no province matches these filters"]]
    leading = F.qit_provinces("Leading", None, "zh")
    assert leading and call(ojs, "QIT_PROVINCES", "Leading", None, "zh") == leading


@pytest.mark.parametrize("runtime", ["1.3", "1.4"])
def test_qit_why_gives_the_reason_text_the_error_cell_lacks(ojs, runtime):
    assert call(ojs, "QIT_WHY", "QIT_TIER", [["Anhiu"]], None, None, None, runtime=runtime) == [
        ['#N/A: unknown province "Anhiu"; did you mean Anhui?']]
    out = call(ojs, "QIT_WHY", "QIT_TIER", [["Anhui"], [REF], ["Macao"]], None, None, None, runtime=runtime)
    assert out[0] == [""] and out[1][0].startswith("#REF!: ") and "not assessed" in out[2][0]
    assert call(ojs, "QIT_WHY", "QIT_PROVINCES", [["Leading"]], [["Northeast"]], None, None, runtime=runtime) == [
        ["#CALC!: no province matches these filters"]]
    typo = call(ojs, "QIT_WHY", "QIT_TEIR", [["Anhui"]], None, None, None, runtime=runtime)
    assert typo[0][0].startswith("#VALUE!") and "did you mean QIT_TIER" in typo[0][0]


def test_spilling_functions(ojs):
    profile = call(ojs, "QIT_PROFILE", [["Anhui"]])
    assert profile[0] == ["Province", "Anhui"] and all(len(r) == 2 for r in profile)
    provinces = call(ojs, "QIT_PROVINCES", None, None, None)
    assert [r[0] for r in provinces] == [r[0] for r in F.qit_provinces()]


def test_an_exception_inside_a_function_is_a_value_error_not_a_failed_call(ojs, monkeypatch):
    def broken(*_args):
        raise RuntimeError("boom")

    monkeypatch.setattr(ojs.module.F, "qit_tier", broken)
    assert call(ojs, "QIT_TIER", [["Anhui"]], None, None) == [[VALUE]]
    assert call(ojs, "QIT_TIER", [["Anhui"]], None, None, runtime="1.3")[0][0].startswith("#VALUE!: qitxl internal")


# ----------------------------------------------------------------------------- the renderer alone

cells = st.recursive(
    st.one_of(st.none(), st.text(max_size=5), st.floats(allow_nan=False), st.integers(),
              st.builds(XlError, st.sampled_from(CODES), st.text(max_size=10))),
    lambda inner: st.lists(inner, max_size=3), max_leaves=12)


def _shape(v):
    return [_shape(x) for x in v] if isinstance(v, list) else None


@given(cells, st.sampled_from(["1.1", "1.2", "1.3", "1.4", "1.5", "2.0", None]))
def test_rendering_keeps_the_shape_and_only_returns_codes_office_js_carries(value, runtime):
    from qitxl.xlwings_udfs import OFFICEJS_ERRORS, officejs_value

    out = officejs_value(value, runtime)
    assert _shape(out) == _shape(value)

    def walk(a, b):
        if isinstance(a, list):
            for x, y in zip(a, b, strict=True):
                walk(x, y)
        elif isinstance(a, XlError):
            if runtime in ("1.4", "1.5", "2.0"):
                assert b in OFFICEJS_ERRORS and (b == a.code or a.code not in OFFICEJS_ERRORS)
            else:
                assert b == str(a) and b.startswith(a.code)
        else:
            assert b == ("" if a is None else a)

    walk(value, out)


# ----------------------------------------------------------------------------- xlwings Lite's main.py


def test_lite_main_py_registers_every_function_as_lite_loads_it(ojs):
    """xlwings Lite execs the main.py text into a fresh module named "main" and asks for its metadata."""
    import importlib.util

    from qitxl.lite import files

    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("main", loader=None))
    exec(files()["main.py"], module.__dict__)  # noqa: S102 - what Lite does with the main.py tab
    meta = ojs.server.custom_functions_meta(module)
    assert {f["name"] for f in meta["functions"]} == NAMES
    body = {"client": "Office.js", "func_name": "QIT_TIER", "args": [[["Anhiu"]], None, None],
            "caller_address": "[Book1.xlsx]Sheet1!A1", "version": xlwings.__version__, "runtime": "1.4"}
    assert asyncio.run(ojs.server.custom_functions_call(body, module)) == [[NA]]
