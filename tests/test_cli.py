"""The read-only commands as a user runs them: a real subprocess of the installed `qitxl`."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import qitxl


def qitxl_cmd(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qitxl.cli", *args], capture_output=True, text=True,
                          timeout=120, encoding="utf-8")


def test_rank_table_lists_every_assessed_province_in_rank_order():
    out = qitxl_cmd("rank")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split()[:4] == ["rank", "iso_code", "name", "score"]
    body = lines[2:lines.index("")]
    assert len(body) == len(qitxl.bundled().assessed)
    assert body[0].split()[1] == qitxl.results().order()[0]


def test_rank_csv_and_json_match_the_model():
    rows = list(csv.DictReader(io.StringIO(qitxl_cmd("rank", "--format", "csv").stdout)))
    data = json.loads(qitxl_cmd("rank", "--format", "json").stdout)
    res = qitxl.results()
    assert [r["iso_code"] for r in rows] == [d["iso_code"] for d in data] == res.order()
    for d in data:
        assert abs(d["score"] - res.score(d["iso_code"])) < 0.006
        assert d["rank"] == res.rank(d["iso_code"])


def test_rank_in_chinese():
    out = qitxl_cmd("rank", "--lang", "zh")
    assert out.returncode == 0
    assert "安徽" in out.stdout and "第一梯队" in out.stdout


def test_info_traces_every_source():
    out = qitxl_cmd("info", "--format", "json")
    info = json.loads(out.stdout)
    ds = qitxl.bundled()
    assert info["dataset_version"] == ds.version
    assert info["provinces"] == 34
    assert {s["source_id"] for s in info["sources"]} == set(ds.sources)
    text = qitxl_cmd("info").stdout
    assert "stats.gov.cn" in text and ds.version in text


def test_resolve_command_reports_misses():
    out = qitxl_cmd("resolve", "安徽省", "Anhiu")
    assert out.returncode == 1
    assert "CN-AH" in out.stdout and "did you mean Anhui?" in out.stdout


def test_bad_dataset_folder_exits_2_with_problems(tmp_path):
    (tmp_path / "indicators.csv").write_text("iso_code\nCN-AH\n", encoding="utf-8")
    out = qitxl_cmd("rank", "--dataset", str(tmp_path))
    assert out.returncode == 2
    assert "indicators.csv" in out.stderr and "missing column" in out.stderr
    assert qitxl_cmd("validate", str(tmp_path)).returncode == 1
