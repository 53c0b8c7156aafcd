"""Evidence figures (qitxl.evidence) and the double-coding record (coding.csv) on real and edited datasets."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

import qitxl
from qitxl.agreement import compare
from qitxl.dataset import DatasetError, load_dataset
from qitxl.evidence import REVIEW_SOURCE, TARGET_ALPHA, evidence_report
from qitxl.functions import qit_score

DATA = Path(qitxl.__file__).parent / "data"
DS = qitxl.bundled()


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def _qit_cells() -> list[dict[str, str]]:
    return [r for r in _rows(DATA / "indicators.csv") if r["indicator"].startswith("qit_")]


def _coding_for(cells: list[dict[str, str]], b_shift: int = 0) -> list[dict[str, str]]:
    out = []
    for r in cells:
        v = int(float(r["value"]))
        b = min(5, max(0, v + b_shift))
        out.append({"iso_code": r["iso_code"], "indicator": r["indicator"], "coder_a": str(v), "coder_b": str(b),
                    "final": str(v), "resolution": "" if b == v else "coder A's reading kept: test"})
    return out


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(DATA / "indicators.csv", tmp_path / "indicators.csv")
    shutil.copy(DATA / "sources.csv", tmp_path / "sources.csv")
    return tmp_path


def test_bundled_report_counts_every_rated_cell():
    rep = evidence_report(DS)
    qit = [o for o in DS.observations if o.indicator.startswith("qit_")]
    assert rep.cells_rated == len(qit) and sum(rep.by_rating.values()) == len(qit)
    assert rep.provinces_in_scope == 31 and rep.cells_in_scope == 155
    assert sum(rep.confidence_mix.values()) == len(qit)
    assert not rep.unsourced


def test_bundled_coding_record_agrees_with_shipped_ratings():
    if not DS.coding:
        pytest.fail("the bundled dataset ships no double-coding record (qitxl/data/coding.csv)")
    shipped = {(o.iso_code, o.indicator): o.value for o in DS.observations if o.indicator.startswith("qit_")}
    assert {(c.iso_code, c.indicator) for c in DS.coding} == set(shipped)
    rep = evidence_report(DS)
    assert rep.agreement is not None and rep.agreement.cells == len(shipped)


def test_agreement_from_a_coding_record(folder: Path):
    cells = _qit_cells()
    _write(folder / "coding.csv", _coding_for(cells, b_shift=1))
    ds = load_dataset(folder)
    rep = evidence_report(ds)
    a = [int(float(r["value"])) for r in cells]
    expected = compare(a, [min(5, v + 1) for v in a])
    assert rep.agreement == expected
    assert rep.changed_in_reconciliation == sum(1 for v in a if v < 5)
    flags = " ".join(rep.flags())
    assert ("AGREEMENT" in flags) == (expected.alpha_ordinal < TARGET_ALPHA)


def test_review_only_rating_above_zero_is_flagged(folder: Path):
    rows = _rows(folder / "indicators.csv")
    target = next(r for r in rows if r["indicator"].startswith("qit_") and float(r["value"]) >= 1)
    target["source_id"] = REVIEW_SOURCE
    _write(folder / "indicators.csv", rows)
    rep = evidence_report(load_dataset(folder))
    assert f"{target['iso_code']} {target['indicator']}" in rep.unsourced
    assert any(f.startswith("UNSOURCED") for f in rep.flags())


def test_high_rating_on_one_publisher_is_flagged(folder: Path):
    rows = _rows(folder / "indicators.csv")
    target = next(r for r in rows if r["indicator"].startswith("qit_"))
    target["value"], target["source_id"] = "5", "nbs_rd_communique_2023"
    _write(folder / "indicators.csv", rows)
    rep = evidence_report(load_dataset(folder))
    assert f"{target['iso_code']} {target['indicator']}" in rep.high_single_publisher


def test_coding_record_must_match_shipped_ratings(folder: Path):
    coding = _coding_for(_qit_cells())
    coding[0]["final"] = str((int(coding[0]["final"]) + 1) % 6)
    coding[1]["coder_b"] = str((int(coding[1]["coder_a"]) + 2) % 6)     # differs, no reason given
    coding[2]["coder_a"] = "six"
    _write(folder / "coding.csv", coding)
    with pytest.raises(DatasetError) as err:
        load_dataset(folder)
    text = str(err.value)
    assert "coding.csv, row 2, column resolution" in text   # final differs from both coders, no reason
    assert "coding.csv, row 3, column resolution" in text
    assert "coding.csv, row 4, column coder_a: 'six' is not a rating 0-5" in text


def test_rating_revised_after_coding_is_flagged(folder: Path):
    coding = _coding_for(_qit_cells())
    _write(folder / "coding.csv", coding)
    rows = _rows(folder / "indicators.csv")
    target = next(r for r in rows if r["indicator"].startswith("qit_") and r["value"] != "5")
    target["value"] = "5"
    target["source_id"] = "nbs_rd_communique_2023|chen2021_nature"
    _write(folder / "indicators.csv", rows)
    rep = evidence_report(load_dataset(folder))
    assert rep.edited_after_coding == (f"{target['iso_code']} {target['indicator']}",)
    assert any(f.startswith("EDITED: 1 rating") for f in rep.flags())


def test_bundled_record_not_applied_to_a_users_ratings(folder: Path):
    # A user's indicators.csv with the bundled coding.csv would mismatch: the record is not carried over.
    rows = _rows(folder / "indicators.csv")
    target = next(r for r in rows if r["indicator"].startswith("qit_"))
    target["value"] = str((int(float(target["value"])) + 1) % 6)
    _write(folder / "indicators.csv", rows)
    ds = load_dataset(folder)
    assert ds.coding == () and evidence_report(ds).agreement is None


def test_not_assessed_reason_names_the_scope():
    with pytest.raises(qitxl.NotAssessed, match="31 mainland divisions"):
        qitxl.score("Hong Kong")
    assert "31 mainland" in str(qit_score("Macao"))


ROOT = Path(__file__).resolve().parents[1]
EVIDENCE = ROOT / "docs" / "evidence"


def test_bundled_ratings_meet_the_codebooks_source_rules():
    rep = evidence_report(DS)
    assert rep.cells_rated == rep.cells_in_scope == 155
    assert not rep.unsourced and not rep.high_single_publisher
    for o in DS.observations:
        if o.indicator.startswith("qit_"):
            assert (o.value == 0) == (o.source_ids == (REVIEW_SOURCE,)), (o.iso_code, o.indicator)
            for sid in o.source_ids:
                src = DS.sources[sid]
                assert sid == REVIEW_SOURCE or (src.url and src.date and src.accessed), sid


def test_every_zero_rests_on_logged_searches_by_both_coders():
    for coder in ("coder_a", "coder_b"):
        logged = {r["iso_code"] for r in _rows(EVIDENCE / coder / "search_log.csv")}
        zeros = {o.iso_code for o in DS.observations if o.indicator.startswith("qit_") and o.value == 0}
        assert zeros <= logged, (coder, sorted(zeros - logged))


def test_published_agreement_is_what_the_record_gives():
    a = DS.coding
    agreement = compare([c.coder_a for c in a], [c.coder_b for c in a])
    text = (ROOT / "docs" / "methodology.md").read_text(encoding="utf-8")
    assert f"{agreement.alpha_ordinal:.3f}" in text and f"{agreement.kappa_quadratic:.3f}" in text
