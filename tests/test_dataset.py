"""The bundled dataset is complete and sourced; a user's folder gets precise problems."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

import qitxl
from qitxl.dataset import CONFIDENCE_LEVELS, DatasetError, load_dataset

DS = qitxl.bundled()
DATA = Path(qitxl.__file__).parent / "data"


def test_all_34_divisions_with_codes_and_names():
    assert len(DS.provinces) == 34
    assert len({p.iso_code for p in DS.provinces}) == 34
    assert len({p.gb_code for p in DS.provinces}) == 34
    for p in DS.provinces:
        assert p.gb_code.endswith("0000") and len(p.gb_code) == 6
        assert p.iso_code_legacy.startswith("CN-") and p.iso_code_legacy[3:].isdigit()
        assert p.name_en and p.name_zh and p.name_zh_short and p.pinyin_tone and p.abbr_zh
    types = {p.type for p in DS.provinces}
    assert types == {"Province", "Municipality", "Autonomous region", "Special administrative region"}


def test_known_reference_faults_are_fixed():
    hubei = DS.province("CN-HB")
    assert "North of the lake" not in hubei.aliases_en
    for iso in ("CN-HK", "CN-MO", "CN-TW"):
        p = DS.province(iso)
        assert p.region == "" and not p.nbs_statistics
        assert not [o for o in DS.observations if o.iso_code == iso]


def test_nbs_regions_match_the_2011_definition():
    expected = {
        "East": "京津冀沪苏浙闽鲁粤琼",
        "Central": "晋皖赣豫鄂湘",
        "West": "蒙桂渝川贵云藏陕甘青宁新",
        "Northeast": "辽吉黑",
    }
    for region, abbrs in expected.items():
        got = {p.abbr_zh[0] for p in DS.provinces if p.region == region}
        assert got == set(abbrs), region


def test_every_value_has_a_known_source_and_confidence():
    for o in DS.observations:
        assert o.source_ids and all(s in DS.sources for s in o.source_ids)
        assert o.confidence in CONFIDENCE_LEVELS
    used = {s for o in DS.observations for s in o.source_ids}
    assert "nbs_rd_communique_2023" in used and "cssty_patents_techme" in used


def test_official_2023_figures_as_published():
    def value(iso, ind, year=2023):
        return DS.observation(iso, ind, year).value

    assert value("CN-BJ", "rd_expenditure") == 2947.1
    assert value("CN-BJ", "rd_intensity") == 6.73
    assert value("CN-GD", "rd_expenditure") == 4802.6
    assert value("CN-XZ", "rd_intensity") == 0.30
    assert value("CN-AH", "invention_patents") == 30526
    years = {o.year for o in DS.observations if o.indicator == "rd_intensity" and o.iso_code == "CN-AH"}
    assert years == set(range(2011, 2024))
    # The patent series' garbled 2010 and 2012 names were repaired, not dropped.
    assert DS.observation("CN-SX", "patent_grants", 2012).value == 7196
    assert DS.observation("CN-XZ", "patent_grants", 2012).value == 133


def test_coded_evidence_covers_every_pillar_of_assessed_provinces():
    qit = [i.id for i in DS.indicators if i.id.startswith("qit_")]
    assert len(qit) >= 5
    for p in DS.assessed:
        for ind in qit:
            o = DS.observation(p.iso_code, ind)
            assert o is not None, (p.iso_code, ind)
            assert 0 <= o.value <= 5 and o.note, (p.iso_code, ind)
    assert {p.iso_code for p in DS.assessed} >= {"CN-AH", "CN-BJ", "CN-SD", "CN-SH", "CN-GD"}


def test_every_mainland_province_assessed_and_the_rest_out_of_scope():
    mainland = {p.iso_code for p in DS.provinces if p.nbs_statistics}
    assert len(mainland) == 31 and {p.iso_code for p in DS.assessed} == mainland
    for name in ("Hong Kong", "Macao", "Taiwan"):
        with pytest.raises(qitxl.NotAssessed, match="31 mainland"):
            qitxl.score(name)
    assert not {"CN-HK", "CN-MO", "CN-TW"} & set(qitxl.results().iso_codes)


def test_reported_tiers_are_the_seed_articles_and_disagreements_show():
    reported = {p.iso_code: p.reported_tier for p in DS.provinces if p.reported_tier}
    assert reported == {"CN-AH": 1, "CN-BJ": 1, "CN-SH": 2, "CN-GD": 2, "CN-ZJ": 2, "CN-SC": 3, "CN-HB": 3,
                        "CN-JS": 4, "CN-SN": 4}
    assert DS.province("CN-SD").reported_tier is None
    assert qitxl.tier("Shandong", basis="reported").label == "not mentioned"
    assert qitxl.tier("Shandong").level <= 2  # the evidence puts it among the leaders


def test_weights_sum_to_one_and_version_is_set():
    assert abs(sum(DS.default_weights.values()) - 1) < 1e-12
    assert DS.version and DS.date


def test_dataset_is_immutable():
    with pytest.raises(AttributeError):
        DS.version = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        DS.sources["x"] = None  # type: ignore[index]


# ------------------------------------------------------------------ a user's folder


def copy_bundled(tmp_path: Path) -> Path:
    folder = tmp_path / "mydata"
    shutil.copytree(DATA, folder)
    return folder


def edit_csv(path: Path, row: int, column: str, value: str) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[row - 2][column] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def test_user_folder_with_only_some_files_falls_back_to_bundled(tmp_path):
    folder = tmp_path / "only_sources"
    folder.mkdir()
    shutil.copy(DATA / "sources.csv", folder)
    ds = load_dataset(folder)
    assert len(ds.provinces) == 34 and ds.origin == str(folder)


def test_every_problem_is_reported_with_file_row_and_column(tmp_path):
    folder = copy_bundled(tmp_path)
    edit_csv(folder / "indicators.csv", 2, "value", "abc")
    edit_csv(folder / "indicators.csv", 3, "source_id", "nowhere")
    edit_csv(folder / "indicators.csv", 4, "year", "20x3")
    edit_csv(folder / "provinces.csv", 5, "gb_code", "12")
    text = (folder / "methodology.toml").read_text(encoding="utf-8").replace("weight = 0.25", "weight = 0.5", 1)
    (folder / "methodology.toml").write_text(text, encoding="utf-8")
    with pytest.raises(DatasetError) as err:
        load_dataset(folder)
    found = {(p.file, p.row, p.column) for p in err.value.problems}
    assert ("indicators.csv", 2, "value") in found
    assert ("indicators.csv", 3, "source_id") in found
    assert ("indicators.csv", 4, "year") in found
    assert ("provinces.csv", 5, "gb_code") in found
    assert any(p.file == "methodology.toml" and "sum to" in p.message for p in err.value.problems)
    assert "indicators.csv, row 3, column source_id: unknown source 'nowhere'" in str(err.value)


@pytest.mark.parametrize("content,expect", [
    (b"\xff\xfe\x00garbage", "not UTF-8"),
    (b"iso_code,indicator\nCN-AH,x\n", "missing column"),
    (b'iso_code,indicator,value,year,unit,source_id,confidence,note\nCN-AH,qit_research,9,2026,rating 0-5,'
     b'qitxl_review_2026,review,x\n', "outside"),
    (b"iso_code,indicator,value,year,unit,source_id,confidence,note\nCN-AH,rd_intensity,inf,2023,% of GDP,"
     b"nbs_rd_communique_2023,official,\n", "finite"),
    (b"iso_code,indicator,value,year,unit,source_id,confidence,note\nCN-AH,rd_intensity,2,2023,percent,"
     b"nbs_rd_communique_2023,official,\n", "unit"),
])
def test_malformed_indicator_files(tmp_path, content, expect):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "indicators.csv").write_bytes(content)
    with pytest.raises(DatasetError) as err:
        load_dataset(folder)
    assert expect in str(err.value)


def test_duplicate_rows_and_unknown_provinces(tmp_path):
    folder = copy_bundled(tmp_path)
    lines = (folder / "indicators.csv").read_text(encoding="utf-8").splitlines()
    lines.append(lines[1])
    lines.append(lines[1].replace("CN-AH", "CN-ZZ", 1))
    (folder / "indicators.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError) as err:
        load_dataset(folder)
    messages = str(err.value)
    assert "duplicate row" in messages and "unknown province 'CN-ZZ'" in messages


def test_bad_toml_is_reported(tmp_path):
    folder = tmp_path / "toml"
    folder.mkdir()
    (folder / "methodology.toml").write_text("[dataset\nversion=", encoding="utf-8")
    with pytest.raises(DatasetError, match="not valid TOML"):
        load_dataset(folder)


def test_not_a_folder(tmp_path):
    with pytest.raises(DatasetError, match="not a folder"):
        load_dataset(tmp_path / "missing")


def test_a_users_changed_value_moves_the_model(tmp_path):
    folder = copy_bundled(tmp_path)
    with (folder / "indicators.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    n = next(i for i, r in enumerate(rows) if r["iso_code"] == "CN-SN" and r["indicator"] == "qit_research")
    edit_csv(folder / "indicators.csv", n + 2, "value", "5")
    mine = load_dataset(folder)
    assert qitxl.score("Shaanxi", dataset=mine) > qitxl.score("Shaanxi")
