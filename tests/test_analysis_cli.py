"""`qitxl profile`, `qitxl whatif` and `qitxl sensitivity --indices` as a user runs them (subprocesses)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest

from qitxl import bundled, compute
from qitxl.dataset import _bundled_dir
from qitxl.indices import rank_indices
from qitxl.names import resolve
from qitxl.profiles import components, default_margin, trends
from qitxl.whatif import run as whatif

from .test_cli import qitxl_cmd


def test_profile_json_is_the_core_profile_for_any_spelling() -> None:
    res = compute()
    iso = res.order()[len(res.iso_codes) // 2]
    p = bundled().province(iso)
    for spelling in (p.name_en, p.name_zh, iso.lower()):
        out = qitxl_cmd("profile", spelling, "--format", "json")
        assert out.returncode == 0, out.stderr
        d = json.loads(out.stdout)
        assert d["iso_code"] == iso and d["rank"] == res.rank(iso) and d["margin"] == default_margin(len(res.iso_codes))
        comps = components(res, iso)
        got = [(c["id"], c["rank"], c["verdict"]) for c in d["components"]]
        assert got == [(c.id, c.rank, c.verdict) for c in comps]
        assert d["strengths"] == [c.label for c in comps if c.verdict == "strength"]
        assert d["weaknesses"] == [c.label for c in comps if c.verdict == "weakness"]
        assert [t["cagr"] for t in d["trends"]] == [t.cagr for t in trends(bundled(), iso)]


def test_profile_text_in_chinese_names_strengths_weaknesses_and_growth() -> None:
    res = compute()
    iso = next(i for i in res.order() if any(c.verdict for c in components(res, i, "zh")))
    out = qitxl_cmd("profile", iso, "--lang", "zh")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert bundled().province(iso).name_zh_short in text.splitlines()[0]
    comps = components(res, iso, "zh")
    for c in comps:
        if c.verdict:
            assert c.label in text
    assert "优势" in text and "劣势" in text and "年均复合增长率" in text
    for t in trends(bundled(), iso, "zh"):
        assert f"{100 * t.cagr:+.1f}%" in text


def test_profile_margin_option_changes_the_verdicts() -> None:
    res = compute()
    iso = res.order()[-1]
    d = json.loads(qitxl_cmd("profile", iso, "--format", "json", "--margin", "1").stdout)
    assert d["margin"] == 1
    assert d["weaknesses"] == [c.label for c in components(res, iso, margin=1) if c.verdict == "weakness"]
    bad = qitxl_cmd("profile", iso, "--margin", "0")
    assert bad.returncode == 2 and "--margin" in bad.stderr


def test_profile_of_a_province_not_assessed_still_shows_its_trends(tmp_path: Path) -> None:
    """A dataset where one province with R&D statistics has no QIT evidence: no rank, but its trends."""
    ds = bundled()
    iso = compute(ds).order()[-1]
    lines = (_bundled_dir() / "indicators.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    keep = [ln for ln in lines if not ln.startswith(f"{iso},qit_")]
    assert len(keep) < len(lines)
    (tmp_path / "indicators.csv").write_text("".join(keep), encoding="utf-8")
    out = qitxl_cmd("profile", iso, "--format", "json", "--dataset", str(tmp_path))
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["assessed"] is False and "rank" not in d
    expected = trends(ds, iso)
    assert expected and expected[0].cagr is not None
    assert [t["cagr"] for t in d["trends"]] == pytest.approx([t.cagr for t in expected])
    assert "not assessed" in qitxl_cmd("profile", iso, "--dataset", str(tmp_path)).stdout
    # a division with neither evidence nor statistics (bundled data) is reported as not assessed
    other = next(p for p in ds.provinces if not p.assessed)
    text = qitxl_cmd("profile", other.name_en)
    assert text.returncode == 0 and "not assessed" in text.stdout


def test_profile_of_an_unknown_name_says_what_it_might_be() -> None:
    out = qitxl_cmd("profile", "Anhiu")
    assert out.returncode == 2 and "Anhui" in out.stderr and out.stdout == ""


def test_whatif_csv_and_json_are_the_core_scenarios() -> None:
    w = whatif()
    rows = list(csv.DictReader(io.StringIO(qitxl_cmd("whatif", "--format", "csv").stdout)))
    data = json.loads(qitxl_cmd("whatif", "--format", "json").stdout)
    assert len(rows) == len(data["scenarios"]) == len(w.scenarios) * len(w.nominal.iso_codes)
    assert data["largest_shift"] == w.largest_shift()
    for sc in w.scenarios:
        got = {r["iso_code"]: int(r["rank"]) for r in rows if r["dropped"] == sc.dropped}
        assert got == {iso: int(sc.ranks[i]) for i, iso in enumerate(w.nominal.iso_codes)}, sc.dropped


def test_whatif_table_in_both_languages() -> None:
    w = whatif()
    for lang in ("en", "zh"):
        out = qitxl_cmd("whatif", "--lang", lang)
        assert out.returncode == 0, out.stderr
        for pid in w.nominal.pillar_ids:
            assert f"-{pid}" in out.stdout
        top = bundled().province(w.nominal.order()[0]).name(lang)
        assert top in out.stdout


def test_sensitivity_indices_json_is_the_core_result() -> None:
    out = qitxl_cmd("sensitivity", "--indices", "--samples", "256", "--format", "json")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    res = rank_indices(samples=256)
    assert d["settings"]["samples"] == 256 and d["settings"]["model_runs"] == 256 * 6
    rows = res.records(bundled())
    assert [r["iso_code"] for r in d["provinces"]] == [r["iso_code"] for r in rows]
    for got, exp in zip(d["provinces"], rows, strict=True):
        for k, v in exp.items():
            if isinstance(v, float):
                assert got[k] == pytest.approx(v, abs=1e-12)
            else:
                assert got[k] == v


def test_sensitivity_indices_table_and_bad_input() -> None:
    out = qitxl_cmd("sensitivity", "--indices", "--samples", "128")
    assert out.returncode == 0 and "S1_weights" in out.stdout and "ST_normalisation" in out.stdout
    assert "Saltelli" in out.stdout and "Jansen" in out.stdout
    bad = qitxl_cmd("sensitivity", "--indices", "--samples", "1")
    assert bad.returncode == 2 and "samples" in bad.stderr
    csv_rows = list(csv.DictReader(io.StringIO(qitxl_cmd("sensitivity", "--indices", "--samples", "128",
                                                         "--format", "csv").stdout)))
    assert len(csv_rows) == len(compute().iso_codes)
    assert np.isfinite([float(r["ST_weights"]) for r in csv_rows if r["ST_weights"]]).all()
    assert resolve(csv_rows[0]["name"]) == csv_rows[0]["iso_code"]
