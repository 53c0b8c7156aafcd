"""``qitxl batch``: validation of scenarios files, parallel runs, determinism and --force semantics."""

from __future__ import annotations

import dataclasses
import io
import pickle
import zipfile
from pathlib import Path

import pytest

from qitxl.batch import (
    EXISTS,
    FAILED,
    REPLACED,
    UP_TO_DATE,
    WOULD_WRITE,
    WRITTEN,
    Progress,
    ScenarioResult,
    run_scenario,
    run_scenarios,
    summary_table,
)
from qitxl.cli import main
from qitxl.scenarios import Scenario, ScenarioError, load_scenarios

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "workbooks" / "scenarios.toml"

GOOD = """\
[defaults]
lang = "en"

[presets]
research_first = { research = 0.4, industry = 0.2, policy = 0.1, talent = 0.1, infrastructure = 0.1, rd_capacity = 0.1 }

[[workbook]]
name = "national"
title = "National ranking"

[[workbook]]
name = "east-zh"
lang = "zh"
region = "East"
weights = "equal"

[[workbook]]
name = "delta"
provinces = ["Shanghai", "江苏", "CN-AH", "Zhejiang Sheng"]
weights = "research_first"
"""


@pytest.fixture
def scenarios_file(tmp_path: Path) -> Path:
    path = tmp_path / "scenarios.toml"
    path.write_text(GOOD, encoding="utf-8")
    return path


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["batch", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def messages(exc: ScenarioError) -> list[str]:
    return [str(p) for p in exc.problems]


# --------------------------------------------------------------------------- validation


def test_shipped_scenarios_file_validates(tmp_path: Path) -> None:
    scenarios = load_scenarios(SHIPPED, tmp_path)
    assert len(scenarios) >= 5
    assert len({s.file.casefold() for s in scenarios}) == len(scenarios)
    assert {s.lang for s in scenarios} == {"en", "zh"}
    assert all(s.output.parent == tmp_path.resolve() for s in scenarios)


def test_valid_file_resolves_filters_and_weights(scenarios_file: Path, tmp_path: Path) -> None:
    national, east, delta = load_scenarios(scenarios_file, tmp_path / "out")
    assert national.provinces is None and national.weights is None and national.title == "National ranking"
    assert east.lang == "zh" and "CN-BJ" in east.provinces and "CN-AH" not in east.provinces
    assert east.weights_label == "equal" and len({w for _, w in east.weights}) == 1
    assert set(delta.provinces) == {"CN-SH", "CN-JS", "CN-AH", "CN-ZJ"}
    assert dict(delta.weights)["research"] == 0.4 and delta.weights_label == "research_first"
    assert delta.output == (tmp_path / "out" / "delta.xlsx").resolve()


def test_every_fault_is_reported_together(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("""\
[defaults]
lnag = "en"

[presets]
heavy = { research = -1 }

[[workbook]]
name = "a/b"
weights = "haevy"

[[workbook]]
name = "Report"
provinces = ["Anhwi", "北京"]
region = "Eastern"

[[workbook]]
name = "report.xlsx"
weights = { research = 1, resarch = 2 }
tier = [0]
lang = "fr"

[[workbook]]
name = "up..stairs"
colour = "blue"

[[workbook]]
title = "no name"
""", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenarios(path, tmp_path / "out")
    msgs = messages(info.value)
    expected = [
        ('[defaults], lnag', 'did you mean "lang"'),
        ("[presets] heavy, research", "must be a number >= 0"),
        ('workbook[1] "a/b", name', "path separator"),
        ('workbook[1] "a/b", weights', 'unknown preset "haevy"'),
        ('workbook[2] "Report", provinces[1]', "did you mean Anhui"),
        ('workbook[2] "Report", region', "not an NBS region"),
        ('workbook[3] "report.xlsx", name', 'same file as workbook[2] "Report"'),
        ('workbook[3] "report.xlsx", weights', "unknown pillar(s) resarch"),
        ('workbook[3] "report.xlsx", tier', "levels run 1"),
        ('workbook[3] "report.xlsx", lang', "'fr'"),
        ('workbook[4] "up..stairs", name', '".."'),
        ('workbook[4] "up..stairs", colour', "unknown key"),
        ("workbook[5], name", "missing"),
    ]
    for where, what in expected:
        assert any(m.startswith(where) and what in m for m in msgs), (where, what, msgs)
    assert len(msgs) == len(expected)


def test_bad_toml_reports_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('[[workbook]]\nname = "a"\ntitle = oops\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenarios(path, tmp_path)
    (problem,) = info.value.problems
    assert "line 3, column 9" in str(problem)


def test_filters_that_select_nothing_and_bad_datasets_are_faults(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text("""\
[[workbook]]
name = "none"
region = "East"
provinces = ["Anhui"]

[[workbook]]
name = "nodata"
dataset = "no-such-folder"

[[workbook]]
name = "unassessed"
provinces = ["Anhui", "Hong Kong"]
""", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenarios(path, tmp_path)
    msgs = messages(info.value)
    assert any("selects no assessed province" in m for m in msgs)
    assert any(m.startswith('workbook[2] "nodata", dataset') and "not a folder" in m for m in msgs)
    assert any(m.startswith('workbook[3] "unassessed", provinces[2]') and "not assessed" in m for m in msgs)
    assert len(msgs) == 3


def test_dataset_path_is_relative_to_the_scenarios_file(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "project"
    (folder / "data").mkdir(parents=True)  # an empty folder is a valid dataset: all files bundled
    (folder / "s.toml").write_text('[defaults]\ndataset = "data"\n[[workbook]]\nname = "x"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    (scenario,) = load_scenarios(folder / "s.toml", "out")
    assert scenario.dataset == str((folder / "data").resolve())
    assert scenario.output == (tmp_path / "out" / "x.xlsx").resolve()


def test_invalid_file_writes_nothing_and_exits_2(tmp_path: Path, capsys) -> None:
    path = tmp_path / "s.toml"
    path.write_text(GOOD + '\n[[workbook]]\nname = "NATIONAL"\nweights = { research = "lots" }\n', encoding="utf-8")
    out_dir = tmp_path / "out"
    code, out, err = run_cli(capsys, str(path), "-o", str(out_dir))
    assert code == 2
    assert "nothing was written" in err and "NATIONAL" in err and "must be a number" in err
    assert not out_dir.exists()


def test_scenario_is_picklable(scenarios_file: Path, tmp_path: Path) -> None:
    for s in load_scenarios(scenarios_file, tmp_path):
        assert pickle.loads(pickle.dumps(s)) == s


# --------------------------------------------------------------------------- running


def test_parallel_run_writes_every_workbook_then_is_up_to_date(scenarios_file: Path, tmp_path: Path,
                                                              capsys) -> None:
    out_dir = tmp_path / "out"
    code, out, err = run_cli(capsys, str(scenarios_file), "-o", str(out_dir), "--jobs", "2")
    assert code == 0, out + err
    files = sorted(p.name for p in out_dir.iterdir())
    assert files == ["delta.xlsx", "east-zh.xlsx", "national.xlsx"]  # no temporary files left behind
    for name in files:
        assert zipfile.is_zipfile(out_dir / name)
    assert out.count(WRITTEN) >= 3
    first = {name: (out_dir / name).read_bytes() for name in files}
    mtimes = {name: (out_dir / name).stat().st_mtime_ns for name in files}

    code, out, err = run_cli(capsys, str(scenarios_file), "-o", str(out_dir), "--jobs", "2")
    assert code == 0
    assert out.count(UP_TO_DATE) == 4  # three rows and the tally line
    assert {name: (out_dir / name).read_bytes() for name in files} == first
    assert {name: (out_dir / name).stat().st_mtime_ns for name in files} == mtimes


def test_progress_lines_are_plain_when_not_a_terminal(scenarios_file: Path, tmp_path: Path, capsys) -> None:
    code, out, err = run_cli(capsys, str(scenarios_file), "-o", str(tmp_path / "out"), "--jobs", "1")
    assert code == 0
    assert "\r" not in err and "\x1b" not in err
    lines = [ln for ln in err.splitlines() if ln.startswith("batch: [")]
    assert [ln.split("]")[0] for ln in lines] == ["batch: [1/3", "batch: [2/3", "batch: [3/3"]
    assert all(f"{WRITTEN}: " in ln and ln.endswith(" s)") for ln in lines)
    header = out.splitlines()[0].split()
    assert header == ["name", "file", "seconds", "status"]


def test_progress_bar_on_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(2, stream=stream, tty=True)
    progress(ScenarioResult("a", "a.xlsx", WRITTEN, 0.1))
    progress(ScenarioResult("b", "b.xlsx", FAILED, 0.1, "boom"))
    text = stream.getvalue()
    assert text.count("\r") == 3 and "0/2" in text and "2/2, 1 not ok" in text and text.endswith("\n")


def test_force_is_needed_to_replace_a_file_that_differs(scenarios_file: Path, tmp_path: Path, capsys) -> None:
    out_dir = tmp_path / "out"
    assert run_cli(capsys, str(scenarios_file), "-o", str(out_dir))[0] == 0
    good = (out_dir / "national.xlsx").read_bytes()
    (out_dir / "national.xlsx").write_bytes(b"edited by hand")

    code, out, err = run_cli(capsys, str(scenarios_file), "-o", str(out_dir))
    assert code == 1
    assert EXISTS in out and out.count(UP_TO_DATE) >= 2
    assert (out_dir / "national.xlsx").read_bytes() == b"edited by hand"

    code, out, err = run_cli(capsys, str(scenarios_file), "-o", str(out_dir), "--dry-run", "--force")
    assert code == 0 and "would replace" in out
    assert (out_dir / "national.xlsx").read_bytes() == b"edited by hand"

    code, out, err = run_cli(capsys, str(scenarios_file), "-o", str(out_dir), "--force")
    assert code == 0 and REPLACED in out
    assert (out_dir / "national.xlsx").read_bytes() == good


def test_dry_run_writes_nothing(scenarios_file: Path, tmp_path: Path, capsys) -> None:
    out_dir = tmp_path / "out"
    code, out, err = run_cli(capsys, str(scenarios_file), "-o", str(out_dir), "--dry-run")
    assert code == 0
    assert not out_dir.exists()
    assert out.count(WOULD_WRITE) == 4  # three rows and the tally line
    assert "research_first" in out and "dry run" in err


def test_one_failing_workbook_does_not_stop_the_others(scenarios_file: Path, tmp_path: Path, capsys) -> None:
    out_dir = tmp_path / "out"
    (out_dir / "east-zh.xlsx").mkdir(parents=True)  # a folder where the file should go: unwritable target
    code, out, err = run_cli(capsys, str(scenarios_file), "-o", str(out_dir), "--jobs", "2")
    assert code == 1
    assert (out_dir / "national.xlsx").is_file() and (out_dir / "delta.xlsx").is_file()
    row = next(ln for ln in out.splitlines() if ln.startswith("east-zh "))
    assert row.endswith(FAILED)
    assert any(ln.startswith("east-zh: ") and "is a folder" in ln for ln in out.splitlines())


def test_a_dataset_that_fails_at_run_time_fails_only_its_scenario(scenarios_file: Path, tmp_path: Path) -> None:
    good = load_scenarios(scenarios_file, tmp_path / "out")
    broken = tmp_path / "broken-data"
    broken.mkdir()
    # Valid when the file was checked, broken by the time a worker loads it.
    (broken / "sources.csv").write_text("source_id,title\nx,y\n", encoding="utf-8")
    bad = dataclasses.replace(good[0], name="broken", output=tmp_path / "out" / "broken.xlsx", dataset=str(broken))
    results = run_scenarios([bad, *good], jobs=2)
    assert [r.name for r in results] == ["broken", "national", "east-zh", "delta"]
    assert results[0].status == FAILED and "dataset fails validation" in results[0].detail
    assert "sources.csv" in results[0].detail
    assert all(r.status == WRITTEN for r in results[1:])
    assert not (tmp_path / "out" / "broken.xlsx").exists()
    assert "broken: dataset fails validation" in summary_table(results)


def test_run_scenario_in_process_matches_render(tmp_path: Path) -> None:
    from qitxl.workbook import render

    scenario = Scenario(name="one", output=tmp_path / "one.xlsx", lang="zh", provinces=("CN-AH", "CN-BJ"))
    result = run_scenario(scenario, dry_run=True)
    assert result.status == WOULD_WRITE and not scenario.output.exists()
    assert run_scenario(scenario).status == WRITTEN
    assert scenario.output.read_bytes() == render(lang="zh", provinces=("CN-AH", "CN-BJ"))
    assert run_scenario(scenario).status == UP_TO_DATE
