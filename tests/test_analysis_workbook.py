"""The analysis parts of the workbook as a user sees them: Profile (strengths, trends, years), What if,
the indices on Sensitivity. LibreOffice recalculates the Profile after another province is picked,
and renders the sheets to PDF, whose text is checked. Expectations come from the core."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from qitxl import bundled, compute
from qitxl.indices import rank_indices
from qitxl.profiles import components, default_margin, trends, year_label
from qitxl.whatif import run as whatif
from qitxl.workbook import render
from qitxl.workbook.layout import Layout
from qitxl.workbook.sensitivity_sheet import WORKBOOK_SAMPLES
from qitxl.workbook.text import text

from .libreoffice import convert, read_values, recalculate

TOL = 1e-9


def _rows(sheet: dict[str, object], col: str = "B") -> dict[object, int]:
    """Value in ``col`` -> row number, for finding labelled rows the way a reader scans a sheet."""
    out: dict[object, int] = {}
    for addr, v in sheet.items():
        if addr.startswith(col) and addr[len(col):].isdigit():
            out.setdefault(v, int(addr[len(col):]))
    return out


def check_profile(values: dict[str, dict[str, object]], lang: str, iso: str) -> None:
    """The Profile sheet shows ``iso``'s ranks, verdicts, lists, value years and trends as the core says."""
    ds, res, t = bundled(), compute(), text(lang)
    names = Layout(ds, res, lang).names
    pf = values[names["profile"]]
    rows = _rows(pf)
    assert pf["C4"] == ds.province(iso).name(lang)
    assert pf[f"C{rows[t['pf.rank']]}"] == res.rank(iso)
    assert pf[f"C{rows[t['pf.margin']]}"] == default_margin(len(res.iso_codes))
    comps = components(res, iso, lang)
    marks = {"strength": t["pf.strength"], "weakness": t["pf.weakness"], "": None}
    for c in comps:
        ind = ds.indicator(c.id) if c.kind == "indicator" else None
        label = c.label if ind is None or not ind.unit else f"{c.label} ({ind.unit})"
        r = rows[label]
        shown = c.rank if c.rank == c.rank_worst else c.place
        assert pf.get(f"F{r}") == shown and pf.get(f"G{r}") == c.gap, (label, pf.get(f"F{r}"), c)
        assert pf.get(f"H{r}") == marks[c.verdict], label
        if ind is not None:
            assert pf.get(f"D{r}") == c.year and abs(pf[f"C{r}"] - c.value) <= TOL, label
    sep = "、" if lang == "zh" else "; "
    for key, verdict in (("pf.strengths", "strength"), ("pf.weaknesses", "weakness")):
        shown = [f"{c.label} ({ds.indicator(c.id).unit})" if c.kind == "indicator" else c.label
                 for c in comps if c.verdict == verdict]
        assert (pf.get(f"C{rows[t[key]]}") or "") == sep.join(shown), key
    series = trends(ds, iso, lang)
    for k, y in enumerate(series[0].years):
        for col, tr in zip("CD", series, strict=False):
            assert abs(pf[f"{col}{rows[y]}"] - tr.values[k]) <= TOL, (y, tr.indicator)
    cagr_row = next(r for v, r in rows.items() if isinstance(v, str) and v == t["pf.cagr"].format(
        first=series[0].years[0], last=series[0].years[-1]))
    for col, tr in zip("CD", series, strict=False):
        assert abs(pf[f"{col}{cagr_row}"] - tr.cagr) <= TOL


@pytest.mark.libreoffice
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_profile_follows_the_drop_down_after_libreoffice_recalculates(tmp_path: Path, lang: str) -> None:
    res = compute()
    src = tmp_path / f"wb_{lang}.xlsx"
    src.write_bytes(render(lang=lang))
    check_profile(read_values(src), lang, res.order()[0])  # cached values, as a previewer shows them
    # pick the province with the most strengths and weaknesses (else the last), as a user would
    iso = max(res.order(), key=lambda i: (sum(bool(c.verdict) for c in components(res, i)), res.rank(i)))
    wb = openpyxl.load_workbook(src)
    wb[text(lang)["sheet.profile"]]["C4"] = bundled().province(iso).name(lang)
    picked = tmp_path / f"picked_{lang}.xlsx"
    wb.save(picked)
    check_profile(read_values(recalculate(picked, tmp_path / "lo")), lang, iso)


def test_whatif_sheet_holds_every_scenario() -> None:
    ds, w = bundled(), whatif()
    for lang in ("en", "zh"):
        t = text(lang)
        wb = openpyxl.load_workbook(__import__("io").BytesIO(render(lang=lang)), data_only=True)
        ws = wb[t["sheet.whatif"]]
        heads = {}
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("- "):
                    heads[c.value[2:]] = c
        for sc in w.scenarios:
            label = ds.pillar(sc.dropped).label(lang) if sc.kind == "pillar" else ds.indicator(sc.dropped).label(lang)
            head = heads[label]
            for k, iso in enumerate(w.nominal.order()):
                i = w.nominal.iso_codes.index(iso)
                assert ws.cell(head.row + 1 + k, 2).value == ds.province(iso).name(lang)
                assert ws.cell(head.row + 1 + k, 1).value == w.nominal.rank(iso)
                assert ws.cell(head.row + 1 + k, head.column).value == int(sc.ranks[i]), (label, iso)
        wb.close()


def test_sensitivity_sheet_indices_are_the_core_indices() -> None:
    ds = bundled()
    idx = rank_indices(ds, samples=WORKBOOK_SAMPLES)
    t = text("en")
    wb = openpyxl.load_workbook(__import__("io").BytesIO(render()), data_only=True)
    ws = wb[t["sheet.sensitivity"]]
    top = next(c for row in ws.iter_rows() for c in row if c.value == t["se.idx.title"])
    first = top.row + 4  # title, note, two header rows
    g = len(idx.groups)
    for c, iso in enumerate(idx.iso_codes):
        assert ws.cell(first + c, 1).value == ds.province(iso).name_en
        for k in range(g):
            for col, m in ((2 + k, idx.indices.first), (2 + g + k, idx.indices.total)):
                got, exp = ws.cell(first + c, col).value, float(m[k, c])
                if exp == exp:
                    assert abs(got - exp) <= TOL
                else:
                    assert got == t["se.idx.never"]
    wb.close()


def test_indicators_sheet_shows_the_year_of_every_column_of_values() -> None:
    ds, res = bundled(), compute()
    for lang in ("en", "zh"):
        L = Layout(ds, res, lang)
        wb = openpyxl.load_workbook(__import__("io").BytesIO(render(lang=lang)), data_only=True)
        ws = wb[L.names["indicators"]]
        assert ws.cell(L.raw_year + 1, 2).value == text(lang)["in.year"]
        for ind in L.indicators:
            assert ws.cell(L.raw_year + 1, L.ind_col[ind.id] + 1).value == year_label(res, ind.id)
        wb.close()


@pytest.mark.libreoffice
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rendered_pages_show_the_analysis(tmp_path: Path, lang: str) -> None:
    """What a reader of the PDF (or the PNGs made from it) sees: the new sections, in the right language."""
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext is missing; CI installs poppler-utils"
    src = tmp_path / f"wb_{lang}.xlsx"
    src.write_bytes(render(lang=lang))
    pdf = convert(src, tmp_path / "pdf", "pdf")
    shown = subprocess.run([tool, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    t, ds, res = text(lang), bundled(), compute()
    iso = res.order()[0]
    for key in ("pf.trends", "wi.title", "wi.pillars", "se.idx.title", "pf.strengths", "pf.weaknesses"):
        assert t[key] in shown, key
    for tr in trends(ds, iso, lang):
        assert f"{100 * tr.cagr:+.1f}%" in shown
    comps = components(res, iso, lang)
    if any(c.verdict == "weakness" for c in comps):
        assert t["pf.weakness"] in shown
