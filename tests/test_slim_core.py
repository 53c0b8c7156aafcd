"""The slim core: a pure-Python wheel with the dataset inside, that works with numpy alone.

The wheel is built from a copy of the sources (so the checkout gets no build/ or egg-info), then
installed without dependencies into a fresh virtual environment that can import numpy and nothing
else from this machine. There the QIT_* functions must work, and the packages of the other faces
must be neither importable nor imported. This is what xlwings Lite installs in the browser.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
import zipfile
from email.parser import Parser
from pathlib import Path

import numpy
import pytest

import qitxl

ROOT = Path(__file__).resolve().parents[1]
OTHER_FACES = ("pandas", "openpyxl", "xlsxwriter", "formulas", "schedula", "defusedxml", "xlwings")

PROBE = """
import importlib.util, json, sys
import qitxl.functions as F
from qitxl.cli import main
out = {
    "file": qitxl_file if (qitxl_file := sys.modules["qitxl"].__file__) else None,
    "tier": F.qit_tier("Anhui"),
    "tiers": F.qit_tier([["Beijing"], ["安徽省"], ["Anhiu"]]),
    "score": F.qit_score("CN-AH"),
    "rank": F.qit_rank("Shandong"),
    "why": F.qit_why("QIT_TIER", "Anhiu"),
    "available": [m for m in %(faces)r if importlib.util.find_spec(m) is not None],
    "loaded": [m for m in %(faces)r if m in sys.modules],
}
out["tiers"] = [[str(c) for c in row] for row in out["tiers"]]
out["rank_cmd"] = main(["rank", "--format", "csv"])
out["loaded_after_cli"] = [m for m in %(faces)r if m in sys.modules]
print("PROBE" + json.dumps(out))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("slim")
    src = tmp / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    shutil.copytree(ROOT / "qitxl", src / "qitxl", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    dist = tmp / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--disable-pip-version-check", "-q", "-w", str(dist), str(src)], check=True)
    wheels = list(dist.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_the_wheel_is_pure_python_with_the_dataset_inside(wheel):
    assert wheel.name == f"qitxl-{qitxl.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta = Parser().parsestr(z.read(f"qitxl-{qitxl.__version__}.dist-info/METADATA").decode("utf-8"))
    data = {Path(n).name for n in names if n.startswith("qitxl/data/")}
    assert {"provinces.csv", "indicators.csv", "sources.csv", "reported_tiers.csv", "methodology.toml"} <= data
    assert "qitxl/xlwings_udfs.py" in names and "qitxl/why.py" in names
    assert not any(n.startswith(("udfs/", "tests/")) for n in names), "only the qitxl package is installed"
    assert not any(n.endswith((".so", ".pyd")) for n in names)
    required = [r for r in meta.get_all("Requires-Dist") if "extra ==" not in r]
    assert [r.split(">")[0].split("=")[0].strip() for r in required] == ["numpy"]
    assert {"workbook", "analysis", "eval", "excel", "all"} <= set(meta.get_all("Provides-Extra"))


def test_the_core_works_in_a_fresh_environment_with_numpy_alone(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False, system_site_packages=False).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                    "--disable-pip-version-check", "-q", str(wheel)], check=True)
    # numpy, and only numpy, from this machine: a folder holding links to it, put on the path by a .pth
    only = tmp_path / "numpy_only"
    only.mkdir()
    site = Path(numpy.__file__).resolve().parents[1]
    for name in ("numpy", "numpy.libs"):
        if (site / name).exists():
            (only / name).symlink_to(site / name, target_is_directory=True)
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             check=True, capture_output=True, text=True).stdout.strip()
    (Path(purelib) / "numpy_only.pth").write_text(str(only) + "\n", encoding="utf-8")

    run = subprocess.run([str(python), "-I", "-c", PROBE % {"faces": OTHER_FACES}], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    line = next(x for x in run.stdout.splitlines() if x.startswith("PROBE"))
    out = json.loads(line[len("PROBE"):])
    assert Path(out["file"]).resolve().is_relative_to(env_dir.resolve()), "qitxl must come from the wheel"
    assert out["available"] == [], f"the environment was meant to have numpy alone: {out['available']}"
    assert out["tier"] == "Leading"
    assert out["tiers"][0] == ["Leading"] and out["tiers"][1] == ["Leading"]
    assert out["tiers"][2][0].startswith('#N/A: unknown province "Anhiu"')
    assert out["score"] == pytest.approx(qitxl.score("CN-AH"))
    assert out["rank"] == 3
    assert out["why"].startswith('#N/A: unknown province "Anhiu"; did you mean Anhui?')
    assert out["loaded"] == [] and out["loaded_after_cli"] == []
    assert out["rank_cmd"] == 0 and "CN-AH" in run.stdout

    generate = subprocess.run([str(python), "-I", "-m", "qitxl.cli", "generate", "-o", "x.xlsx"], cwd=tmp_path,
                              capture_output=True, text=True, timeout=300)
    assert generate.returncode == 2
    assert "pip install 'qitxl[workbook]'" in generate.stderr and "xlsxwriter" in generate.stderr
    assert not (tmp_path / "x.xlsx").exists()
