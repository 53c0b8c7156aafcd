"""The ranking workbook: formulas checked by a real spreadsheet engine (headless LibreOffice).

LibreOffice is required: the harness raises (the test fails) when soffice is missing.
"""

from __future__ import annotations

import math
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from qitxl import DatasetError, load_dataset
from qitxl.cli import main
from qitxl.dataset import _bundled_dir, bundled
from qitxl.model import compute
from qitxl.workbook import DEFAULT_PATH, build, render
from qitxl.workbook.layout import SC_ISO, SC_LEVEL, SC_PILLAR0, SC_RANK, SC_SCORE, SC_TIER, WT_WEIGHT, Layout
from qitxl.workbook.text import SHEETS, text

from .libreoffice import read_values, recalculate, render_png

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / DEFAULT_PATH
# functions both Excel 2010+ and LibreOffice 7.4 compute
ALLOWED = {"IF", "ISNUMBER", "INDEX", "MATCH", "SUMPRODUCT", "SUM", "MIN", "MAX", "COUNT", "LN", "ABS", "TEXT", "ROUND",
           "MID", "_xlfn.RANK.EQ"}
TOL = 1e-9


def formulas(path: Path) -> dict[str, dict[str, str]]:
    """sheet -> {cell: formula text} for every formula cell."""
    wb = openpyxl.load_workbook(path)
    try:
        return {ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row
                           if isinstance(c.value, str) and c.value.startswith("=")} for ws in wb.worksheets}
    finally:
        wb.close()


def same(a: object, b: object) -> bool:
    """Equal as spreadsheet values: numbers to TOL, blank and "" alike."""
    a = None if a == "" else a
    b = None if b == "" else b
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return abs(a - b) <= TOL
    return a == b


def check_against_model(values: dict[str, dict[str, object]], layout: Layout, res, lang: str) -> None:
    """The Indicators scores block holds exactly the model's pillar scores, composite, rank and tier."""
    ind = values[layout.names["indicators"]]

    def at(r: int, c: int) -> object:
        from xlsxwriter.utility import xl_rowcol_to_cell

        return ind.get(xl_rowcol_to_cell(r, c))

    ind_j = {iid: j for j, iid in enumerate(res.indicator_ids)}
    for i, iso in enumerate(res.iso_codes):
        r = layout.sc_first + i
        assert at(r, SC_ISO) == iso
        assert same(at(r, SC_SCORE), res.scores[i]), (iso, at(r, SC_SCORE), res.scores[i])
        assert at(r, SC_RANK) == int(res.ranks[i]), iso
        tier = res.tier(iso, lang)
        assert at(r, SC_LEVEL) == tier.level and at(r, SC_TIER) == tier.label, iso
        for k in range(len(res.pillar_ids)):
            exp = res.pillars[i, k]
            assert same(at(r, SC_PILLAR0 + k), None if math.isnan(exp) else exp), (iso, res.pillar_ids[k])
        for ind_obj in layout.indicators:
            exp = res.normalised[i, ind_j[ind_obj.id]]
            got = at(layout.norm_first + i, layout.ind_col[ind_obj.id])
            assert same(got, None if math.isnan(exp) else exp), (iso, ind_obj.id, got, exp)


def check_recalculated(src: Path, tmp: Path, ds, lang: str, weights=None) -> dict[str, dict[str, object]]:
    """Recalculate in LibreOffice; every formula's result equals its cached value and the model's."""
    cached = read_values(src)
    recalc = read_values(recalculate(src, tmp / "lo"))
    forms = formulas(src)
    assert sum(len(v) for v in forms.values()) > 300
    for sheet, cells in forms.items():
        for addr, f in cells.items():
            got, exp = recalc[sheet].get(addr), cached[sheet].get(addr)
            assert not (isinstance(got, str) and got.startswith("#")), (sheet, addr, got, f)
            assert same(got, exp), (sheet, addr, got, exp, f)
    res = compute(ds, weights)
    check_against_model(recalc, Layout(ds, res, lang), res, lang)
    check_against_model(cached, Layout(ds, res, lang), res, lang)
    return recalc


@pytest.mark.libreoffice
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_libreoffice_recalculation_matches_cached_values_and_model(tmp_path: Path, lang: str) -> None:
    src = build(tmp_path / f"wb_{lang}.xlsx", lang=lang)
    check_recalculated(src, tmp_path, bundled(), lang)


def _dataset_variant(tmp: Path, method: dict[str, str] | None = None, drop: tuple[tuple[str, str], ...] = (),
                     reverse: str | None = None) -> Path:
    """A dataset folder: the bundled one with method choices changed, values dropped, one direction reversed."""
    folder = tmp / "ds"
    folder.mkdir()
    toml = (_bundled_dir() / "methodology.toml").read_text(encoding="utf-8")
    for k, v in (method or {}).items():
        toml, n = re.subn(rf'(?m)^{k} = "[^"]*"', f'{k} = "{v}"', toml)
        assert n == 1, k
    if reverse:
        toml, n = re.subn(rf"(\[indicators\.{reverse}\][^\[]*?)direction = 1", r"\1direction = -1", toml)
        assert n == 1
    (folder / "methodology.toml").write_text(toml, encoding="utf-8")
    lines = (_bundled_dir() / "indicators.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    keep = [ln for ln in lines if not any(ln.startswith(f"{iso},{ind},") for iso, ind in drop)]
    assert len(keep) < len(lines) or not drop
    (folder / "indicators.csv").write_text("".join(keep), encoding="utf-8")
    return folder


@pytest.mark.libreoffice
@pytest.mark.parametrize("variant", [
    {"drop": (("CN-SH", "qit_policy"), ("CN-XJ", "rd_intensity"), ("CN-XJ", "rd_expenditure"),
              ("CN-XJ", "invention_patents"))},
    {"method": {"normalisation": "rank"}, "drop": (("CN-SH", "rd_intensity"),)},
    {"method": {"normalisation": "goalposts"}, "reverse": "rd_intensity"},
], ids=["missing-values", "rank", "goalposts-reversed"])
def test_formulas_follow_the_model_on_other_methods_and_missing_values(tmp_path: Path, variant: dict) -> None:
    ds = load_dataset(_dataset_variant(tmp_path, **variant))
    res = compute(ds)
    if "drop" in variant and "method" not in variant:
        assert res.missing and any(math.isnan(x) for x in res.pillars.ravel())  # a whole pillar re-weighted
    src = tmp_path / "variant.xlsx"
    src.write_bytes(render(dataset=ds))
    check_recalculated(src, tmp_path, ds, "en")


@pytest.mark.libreoffice
def test_changing_a_weight_in_the_file_moves_scores_and_ranks_as_the_model_says(tmp_path: Path) -> None:
    ds = bundled()
    src = build(tmp_path / "wb.xlsx")
    new = {"research": 0.05, "industry": 0.05, "policy": 0.1, "talent": 0.1, "infrastructure": 0.1,
           "rd_capacity": 3.0}  # does not sum to 1: the workbook must rescale as the model does
    layout = Layout(ds, compute(ds), "en")
    wb = openpyxl.load_workbook(src)
    ws = wb[layout.names["weights"]]
    for pid, w in new.items():
        r, c = layout.weight_input(pid)
        ws.cell(row=r + 1, column=c + 1).value = w
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    before, after = compute(ds), compute(ds, new)
    assert list(before.ranks) != list(after.ranks)  # the edit must actually move ranks
    recalc = read_values(recalculate(edited, tmp_path / "lo"))
    check_against_model(recalc, Layout(ds, after, "en"), after, "en")
    # the Rankings sheet follows too (rows are per ISO code)
    rk = recalc[layout.names["rankings"]]
    for row in range(5, 5 + len(after.iso_codes)):
        iso = rk[f"B{row}"]
        assert rk[f"A{row}"] == after.rank(iso) and same(rk[f"I{row}"], after.score(iso)), iso
    assert WT_WEIGHT == 2


def test_formulas_use_only_functions_excel_2010_and_libreoffice_share(tmp_path: Path) -> None:
    src = tmp_path / "wb.xlsx"
    src.write_bytes(render())
    used: set[str] = set()
    for cells in formulas(src).values():
        for f in cells.values():
            body = re.sub(r'"[^"]*"', '""', f)  # drop string literals
            used |= set(re.findall(r"([A-Za-z_][A-Za-z0-9_.]*)\(", body))
    assert used <= ALLOWED, used - ALLOWED
    assert "_xlfn.RANK.EQ" in used


def test_render_is_deterministic_and_has_fixed_timestamps() -> None:
    a, b = render(), render()
    assert a == b
    import io

    with zipfile.ZipFile(io.BytesIO(a)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert bundled().date in core


def test_committed_workbook_is_current() -> None:
    assert COMMITTED.exists(), f"{DEFAULT_PATH} is missing: run `qitxl generate --force`"
    assert COMMITTED.read_bytes() == render(), f"{DEFAULT_PATH} is stale: run `qitxl generate --force` and commit it"


def test_cached_values_in_both_languages_without_recalculation(tmp_path: Path) -> None:
    for lang in ("en", "zh"):
        src = tmp_path / f"{lang}.xlsx"
        src.write_bytes(render(lang=lang))
        res = compute()
        check_against_model(read_values(src), Layout(bundled(), res, lang), res, lang)
        names = text(lang)
        wb = openpyxl.load_workbook(src, read_only=True)
        assert wb.sheetnames[0] == names["sheet.overview"] and len(wb.sheetnames) == len(SHEETS)
        wb.close()


def test_build_refuses_existing_file_and_writes_atomically(tmp_path: Path) -> None:
    target = tmp_path / "out" / "wb.xlsx"
    assert build(target) == target
    stamp = target.read_bytes()
    with pytest.raises(FileExistsError):
        build(target, lang="zh")
    assert target.read_bytes() == stamp
    build(target, lang="zh", force=True)
    assert target.read_bytes() != stamp
    assert [p.name for p in target.parent.iterdir()] == ["wb.xlsx"]  # no temp files left


def test_bad_weights_write_nothing(tmp_path: Path) -> None:
    target = tmp_path / "wb.xlsx"
    for bad in ({"research": -1}, {"nope": 1}, [0, 0, 0, 0, 0, 0], [1, 2]):
        with pytest.raises(ValueError):
            build(target, weights=bad)
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_provinces_restrict_rankings_but_not_the_model(tmp_path: Path) -> None:
    res = compute()
    target = build(tmp_path / "wb.xlsx", provinces=["CN-SH", "CN-AH"])
    layout = Layout(bundled(), res, "en")
    values = read_values(target)
    rk = values[layout.names["rankings"]]
    assert [rk["B5"], rk["B6"]] == ["CN-AH", "CN-SH"] and "B7" not in rk
    assert rk["A6"] == res.rank("CN-SH")  # rank among all assessed provinces
    with pytest.raises(ValueError, match="CN-HK"):
        render(provinces=["CN-HK"])


def test_generate_command_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "wb.xlsx"
    assert main(["generate", "-o", str(out)]) == 0 and out.exists()
    assert main(["generate", "-o", str(out)]) == 2
    assert "exists" in capsys.readouterr().err
    toml = tmp_path / "w.toml"
    toml.write_text("[weights]\nresearch = 1\nindustry = 1\n", encoding="utf-8")
    assert main(["generate", "-o", str(tmp_path / "t.xlsx"), "--weights", str(toml)]) == 0
    res = compute(weights={"research": 1, "industry": 1})
    vals = read_values(tmp_path / "t.xlsx")[text("en")["sheet.rankings"]]
    assert vals["B5"] == res.order()[0]
    csv_ok = tmp_path / "w.csv"
    csv_ok.write_text("pillar,weight\nresearch,2\npolicy,1\n", encoding="utf-8")
    assert main(["generate", "-o", str(tmp_path / "c.xlsx"), "--weights", str(csv_ok), "--lang", "zh"]) == 0
    for name, body in (("bad.csv", "research,abc\n"), ("neg.csv", "research,-1\n"), ("bad.toml", "research = [\n"),
                       ("unknown.toml", "nope = 1\n")):
        f = tmp_path / name
        f.write_text(body, encoding="utf-8")
        target = tmp_path / f"{name}.xlsx"
        assert main(["generate", "-o", str(target), "--weights", str(f)]) == 2
        assert not target.exists()
        assert name in capsys.readouterr().err
    bad_ds = tmp_path / "badds"
    bad_ds.mkdir()
    (bad_ds / "sources.csv").write_text("source_id,title\n", encoding="utf-8")
    assert main(["generate", "-o", str(tmp_path / "d.xlsx"), "--dataset", str(bad_ds)]) == 2
    assert not (tmp_path / "d.xlsx").exists()
    with pytest.raises(DatasetError):
        load_dataset(bad_ds)


@pytest.mark.libreoffice
def test_renders_pages_in_both_languages(tmp_path: Path) -> None:
    for lang in ("en", "zh"):
        src = build(tmp_path / f"wb_{lang}.xlsx", lang=lang)
        pages = render_png(src, tmp_path / f"png_{lang}")
        assert len(pages) >= 9, pages  # at least one page per sheet
        assert all(p.stat().st_size > 5_000 for p in pages)


def test_libreoffice_is_installed() -> None:
    assert shutil.which("soffice") or shutil.which("libreoffice"), "LibreOffice is required for these tests"
