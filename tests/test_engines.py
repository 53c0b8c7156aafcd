"""The same answer in every engine: LibreOffice, Gnumeric and qitxl's own evaluator recalculate the
ranking workbooks (English, Chinese, every bundled scenario, and copies with edited weights) and give
the model's numbers; every generated file passes the OOXML schema validator.

The recalculated files are made once per module (module-scoped fixtures): LibreOffice converts all
of them in one run, Gnumeric's ssconvert one by one. Both engines are required: the harnesses raise
(the tests fail) when ``soffice`` or ``ssconvert`` is missing.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from xlsxwriter.utility import xl_rowcol_to_cell

from qitxl import cellrefs
from qitxl.batch import run_scenario
from qitxl.cellrefs import address
from qitxl.dataset import Dataset, bundled, load_dataset
from qitxl.errors import XlError
from qitxl.existing import Book, QitCell, annotate_workbook, evaluate_workbook
from qitxl.model import compute
from qitxl.scenarios import load_scenarios
from qitxl.workbook import build, profile, provinces, rankings
from qitxl.workbook.layout import SC_ISO, SC_RANK, Layout
from qitxl.xlsxzip import read_package

from . import gnumeric, libreoffice
from .test_workbook import check_against_model, formulas, same

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "workbooks" / "scenarios.toml"
# weights typed into the Weights sheet of the standard English workbook, then recalculated
EDITS = {
    "rescaled": {"research": 0.05, "industry": 0.05, "policy": 0.1, "talent": 0.1, "infrastructure": 0.1,
                 "rd_capacity": 3.0},
    # Beijing and Shandong (82.0), Hunan and Sichuan (40.0) tie exactly under these weights, as in the
    # qit-delta-custom scenario
    "tie": {"research": 3, "industry": 3, "policy": 2, "talent": 1, "infrastructure": 1, "rd_capacity": 0},
    "two-pillars": {"research": 0, "industry": 0, "policy": 1, "talent": 1, "infrastructure": 0, "rd_capacity": 0},
}
ENGINES = ("libreoffice", "gnumeric")


@dataclass(frozen=True)
class Case:
    """One workbook to recalculate, and the model run its values must equal."""

    name: str
    path: Path
    dataset: Dataset
    lang: str
    weights: dict[str, float] | None
    edited: bool = False  # weights changed in the file: its cached values are stale (or gone)


def _scenario_names() -> list[str]:
    return [sc.name for sc in load_scenarios(SCENARIOS, REPO / "unused")]


CASE_NAMES = ["standard-en", "standard-zh", *_scenario_names(), *(f"edited-{k}" for k in EDITS)]


def _edit_weights(src: Path, weights: dict[str, float], target: Path) -> None:
    """A copy of ``src`` with the Weights sheet's inputs set to ``weights`` (openpyxl drops cached values)."""
    ds = bundled()
    layout = Layout(ds, compute(ds), "en")
    wb = openpyxl.load_workbook(src)
    ws = wb[layout.names["weights"]]
    for pid, w in weights.items():
        r, c = layout.weight_input(pid)
        ws.cell(row=r + 1, column=c + 1).value = w
    wb.save(target)


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    """Every workbook the engines recalculate, written once for the module."""
    src = tmp_path_factory.mktemp("engines") / "src"
    out: dict[str, Case] = {}
    for lang in ("en", "zh"):
        name = f"standard-{lang}"
        out[name] = Case(name, build(src / f"{name}.xlsx", lang=lang), bundled(), lang, None)
    for sc in load_scenarios(SCENARIOS, src):
        result = run_scenario(sc)
        assert result.status == "written", (sc.name, result.status, result.detail)
        ds = load_dataset(sc.dataset) if sc.dataset else bundled()
        out[sc.name] = Case(sc.name, sc.output, ds, sc.lang, sc.weights_dict())
    for key, weights in EDITS.items():
        name = f"edited-{key}"
        _edit_weights(out["standard-en"].path, weights, src / f"{name}.xlsx")
        out[name] = Case(name, src / f"{name}.xlsx", bundled(), "en", weights, edited=True)
    assert list(out) == CASE_NAMES
    return out


@pytest.fixture(scope="module")
def cached(cases: dict[str, Case]) -> dict[str, dict[str, dict[str, object]]]:
    return {name: libreoffice.read_values(c.path) for name, c in cases.items() if not c.edited}


@pytest.fixture(scope="module")
def recalculated(cases: dict[str, Case], tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """engine -> case name -> the recalculated file's values (sheet -> cell -> value)."""
    root = tmp_path_factory.mktemp("recalc")
    srcs = [c.path for c in cases.values()]
    lo = libreoffice.recalculate_many(srcs, root / "libreoffice")
    gn = [gnumeric.recalculate(p, root / "gnumeric") for p in srcs]
    return {engine: {name: libreoffice.read_values(path) for name, path in zip(cases, paths, strict=True)}
            for engine, paths in (("libreoffice", lo), ("gnumeric", gn))}


def _errors(values: dict[str, dict[str, object]], forms: dict[str, dict[str, str]]) -> list[tuple]:
    return [(sheet, addr, values[sheet].get(addr), f) for sheet, cells in forms.items() for addr, f in cells.items()
            if isinstance(values[sheet].get(addr), str) and str(values[sheet].get(addr)).startswith("#")]


def check_rows_by_iso(values: dict[str, dict[str, object]], layout: Layout, res, lang: str) -> None:
    """Rankings and All provinces: rank, score and tier of each row's ISO code are the model's."""
    for sheet, first, iso_col, rank_col, score_col, tier_col in (
            ("rankings", rankings.FIRST, rankings.ISO, rankings.RANK, rankings.SCORE, rankings.TIER),
            ("provinces", provinces.FIRST, provinces.ISO, provinces.RANK, provinces.SCORE, provinces.TIER)):
        cells = values[layout.names[sheet]]
        r = first
        while (iso := cells.get(xl_rowcol_to_cell(r, iso_col))) is not None:
            if iso in res.iso_codes:
                assert cells.get(xl_rowcol_to_cell(r, rank_col)) == res.rank(iso), (sheet, iso)
                assert same(cells.get(xl_rowcol_to_cell(r, score_col)), res.score(iso)), (sheet, iso)
                assert cells.get(xl_rowcol_to_cell(r, tier_col)) == res.tier(iso, lang).label, (sheet, iso)
            r += 1
        assert r > first, sheet


def check_profile(values: dict[str, dict[str, object]], layout: Layout, res) -> None:
    """The Profile card of the province it shows: rank and score are the model's."""
    cells = values[layout.names["profile"]]
    top = layout.pf_pick[0] + 2  # the card starts two rows below the drop-down
    iso = cells[xl_rowcol_to_cell(top, profile.VALUE)]
    assert cells[xl_rowcol_to_cell(top + 2, profile.VALUE)] == res.rank(iso)
    assert same(cells[xl_rowcol_to_cell(top + 3, profile.VALUE)], res.score(iso))


@pytest.mark.libreoffice
@pytest.mark.gnumeric
@pytest.mark.parametrize("name", CASE_NAMES)
@pytest.mark.parametrize("engine", ENGINES)
def test_every_engine_gives_the_models_answer(engine: str, name: str, cases, cached, recalculated) -> None:
    case = cases[name]
    values = recalculated[engine][name]
    forms = formulas(case.path)
    assert sum(len(v) for v in forms.values()) > 300
    assert _errors(values, forms) == []
    if not case.edited:  # the cached values are the model's: every formula cell must reproduce its own
        expected = cached[name]
        wrong = [(sheet, addr, values[sheet].get(addr), expected[sheet].get(addr), f)
                 for sheet, cells in forms.items() for addr, f in cells.items()
                 if not same(values[sheet].get(addr), expected[sheet].get(addr))]
        assert wrong == [], f"{len(wrong)} cells differ, e.g. {wrong[:3]}"
    res = compute(case.dataset, case.weights)
    layout = Layout(case.dataset, res, case.lang)
    check_against_model(values, layout, res, case.lang)
    check_rows_by_iso(values, layout, res, case.lang)
    check_profile(values, layout, res)


@pytest.mark.libreoffice
@pytest.mark.gnumeric
@pytest.mark.parametrize("name", [n for n in CASE_NAMES if n.startswith("edited-")])
def test_engines_agree_cell_by_cell_after_edits(name: str, cases, recalculated) -> None:
    forms = formulas(cases[name].path)
    lo, gn = recalculated["libreoffice"][name], recalculated["gnumeric"][name]
    wrong = [(sheet, addr, lo[sheet].get(addr), gn[sheet].get(addr)) for sheet, cells in forms.items()
             for addr in cells if not same(lo[sheet].get(addr), gn[sheet].get(addr))]
    assert wrong == []
    res = compute(bundled(), EDITS[name.removeprefix("edited-")])
    assert list(res.ranks) != list(compute().ranks)  # the edit really moves ranks


@pytest.mark.libreoffice
@pytest.mark.gnumeric
@pytest.mark.parametrize("name", ["qit-delta-custom", "edited-tie"])
def test_an_exact_tie_stays_a_tie_in_every_engine(name: str, cases, recalculated) -> None:
    case = cases[name]
    res = compute(case.dataset, case.weights)
    values = case.dataset.model_values()
    qit = [i.id for i in case.dataset.indicators if i.id.startswith("qit_")]
    by_score: dict[float, list[str]] = {}
    for iso in res.iso_codes:
        by_score.setdefault(res.score(iso), []).append(iso)
    # ties between provinces with different ratings: the sums differ term by term, so only exact
    # rounding keeps them tied in an engine that carries extra precision
    ties = [g for g in by_score.values() if len({tuple(values[i][iso] for i in qit) for iso in g}) > 1]
    assert ties, "these weights must produce at least one exact tie between different rating profiles"
    layout = Layout(case.dataset, res, case.lang)
    for engine in ENGINES:
        block = recalculated[engine][name][layout.names["indicators"]]
        rank = {block[xl_rowcol_to_cell(layout.sc_first + i, SC_ISO)]: block[xl_rowcol_to_cell(layout.sc_first + i,
                                                                                                 SC_RANK)]
                for i in range(layout.n)}
        for group in ties:
            assert {rank[iso] for iso in group} == {res.rank(group[0])}, (engine, group)


# ----------------------------------------------------------------------------- qitxl's own evaluator


def evaluate_every_formula(path: Path) -> list[QitCell]:
    """Recalculate every formula of ``path`` with qitxl's evaluator (engine.Evaluator over formulas).

    Each formula cell is registered as a cell to evaluate, so a formula that reads another formula
    cell gets that cell's freshly computed value, not its cached one: a full recalculation from the
    inputs, in dependency order.
    """
    book = Book(read_package(path))
    cells = []
    for info in book.info.sheets:
        if not info.part:
            continue
        for (r, c), cell in book.sheet(info.name).cells.items():
            if cell.f_attrs is None or not cell.f_text:
                continue
            tokens = cellrefs.tokenize(cell.f_text)
            qc = QitCell(info.name, r, c, cell.f_text, tokens, cellrefs.relative_key(tokens, r, c))
            book.qit[(info.name, r, c)] = qc
            cells.append(qc)
    for qc in cells:
        book.evaluate(qc)
    return cells


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_qitxl_evaluator_recalculates_the_standard_workbook(lang: str, cases, cached) -> None:
    name = f"standard-{lang}"
    cells = evaluate_every_formula(cases[name].path)
    assert len(cells) > 300
    expected = cached[name]
    wrong = [(qc.addr, qc.value, expected[qc.sheet].get(address(qc.row, qc.col)), qc.problem, qc.formula)
             for qc in cells
             if qc.problem or isinstance(qc.value, XlError)
             or not same(qc.value, expected[qc.sheet].get(address(qc.row, qc.col)))]
    assert wrong == [], f"{len(wrong)} cells differ, e.g. {wrong[:3]}"


@pytest.mark.parametrize("name", [n for n in CASE_NAMES if not n.startswith(("standard-", "edited-"))])
def test_qitxl_evaluator_never_differs_on_scenario_workbooks(name: str, cases, cached) -> None:
    # Scenario weights can put a sum a hair off 1, where Excel snaps near-cancelling sums to 0 and
    # the evaluator refuses rather than guess: a refusal is allowed, a different value is not.
    cells = evaluate_every_formula(cases[name].path)
    expected = cached[name]
    wrong = [(qc.addr, qc.value, expected[qc.sheet].get(address(qc.row, qc.col)), qc.formula)
             for qc in cells
             if not qc.problem and (isinstance(qc.value, XlError)
                                    or not same(qc.value, expected[qc.sheet].get(address(qc.row, qc.col))))]
    assert wrong == [], f"{len(wrong)} cells differ, e.g. {wrong[:3]}"
    assert sum(1 for qc in cells if qc.problem) <= 2


# ----------------------------------------------------------------------------- the files themselves


def test_no_engine_specific_idioms(cases) -> None:
    """No -- on logicals and no ISNUMBER over a range: Gnumeric and formulas compute those differently."""
    for name in ("standard-en", "standard-zh"):
        for sheet, cells in formulas(cases[name].path).items():
            for addr, f in cells.items():
                body = re.sub(r'"[^"]*"', '""', f)
                assert "--" not in body, (sheet, addr, f)
                assert not re.search(r"ISNUMBER\([^()]*:", body), (sheet, addr, f)


def test_cached_empty_text_is_stored_as_text(cases) -> None:
    empty = 0
    for case in cases.values():
        if case.edited:
            continue
        with zipfile.ZipFile(case.path) as z:
            for part in (n for n in z.namelist() if n.startswith("xl/worksheets/sheet")):
                for m in re.finditer(r"<c ([^>]*)><f>[^<]*</f><v(?:></v>|/>)", z.read(part).decode()):
                    empty += 1
                    assert ' t="str"' in f" {m.group(1)}", (case.name, part, m.group(0)[:120])
    assert empty > 0  # the Profile sheet's empty evidence notes are such cells


def _validators():
    from openxml_audit import FileFormat, OpenXmlValidator

    return {ff.value: OpenXmlValidator(file_format=ff, max_errors=50)
            for ff in (FileFormat.OFFICE_2010, FileFormat.MICROSOFT_365)}


def _schema_errors(validators, path: Path) -> dict[str, list[str]]:
    out = {}
    for name, v in validators.items():
        result = v.validate(str(path))
        out[name] = [f"{getattr(e, 'part_uri', '')} {e.description}" for e in result.errors]
    return out


def test_every_generated_file_passes_the_ooxml_schema_validator(cases, tmp_path: Path) -> None:
    validators = _validators()
    generated = [c.path for c in cases.values() if not c.edited]
    # eval and annotate write copies of a user's workbook: check those too
    evaluated, annotated = tmp_path / "evaluated.xlsx", tmp_path / "annotated.xlsx"
    user = _user_workbook(tmp_path / "user.xlsx")
    evaluate_workbook(user, evaluated)
    annotate_workbook(user, annotated, sheet="Data", column="A", add=["rank", "tier", "score"])
    for path in [*generated, evaluated, annotated]:
        assert _schema_errors(validators, path) == {name: [] for name in validators}, path.name


def test_the_schema_validator_does_catch_a_broken_file(cases, tmp_path: Path) -> None:
    """The validator is not a no-op: a sheet with an element the schema does not allow fails."""
    src, broken = cases["standard-en"].path, tmp_path / "broken.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = data.replace(b"<sheetData>", b"<sheetData><bogus/>", 1)
            zout.writestr(item, data)
    errors = _schema_errors(_validators(), broken)
    assert all(errors.values()), errors


def _user_workbook(path: Path) -> Path:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data")
    for r, name in enumerate(["Province", "Anhui", "北京", "CN-GD", "Atlantis"]):
        ws.write_string(r, 0, name)
        if r:
            ws.write_formula(r, 1, f'=IFERROR(QIT_RANK(A{r + 1}),"")')
    wb.close()
    return path


def test_gnumeric_is_installed() -> None:
    assert shutil.which("ssconvert"), "Gnumeric's ssconvert is required for these tests"

