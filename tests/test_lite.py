"""``qitxl lite``: the files for xlwings Lite (their use inside Lite is checked in test_officejs.py)."""

from __future__ import annotations

import pytest
from packaging.requirements import Requirement

from qitxl import __version__
from qitxl.cli import main
from qitxl.lite import files


def requirement_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_writes_the_three_files(tmp_path, capsys):
    assert main(["lite", "-o", str(tmp_path / "lite")]) == 0
    out = tmp_path / "lite"
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "main.py", "requirements.txt"]
    reqs = [Requirement(line) for line in requirement_lines((out / "requirements.txt").read_text("utf-8"))]
    assert [r.name for r in reqs] == ["numpy", "qitxl"]
    assert str(reqs[0].specifier) == "" and str(reqs[1].specifier) == f"=={__version__}"
    compile((out / "main.py").read_text("utf-8"), "main.py", "exec")
    assert "QIT_WHY" in (out / "README.md").read_text("utf-8")
    assert "wrote" in capsys.readouterr().out


def test_never_overwrites_without_force(tmp_path, capsys):
    (tmp_path / "main.py").write_text("# the user's own code\n", encoding="utf-8")
    assert main(["lite", "-o", str(tmp_path)]) == 1
    assert "main.py" in capsys.readouterr().err
    assert (tmp_path / "main.py").read_text("utf-8") == "# the user's own code\n"
    assert not (tmp_path / "requirements.txt").exists()
    assert main(["lite", "-o", str(tmp_path), "--force"]) == 0
    assert "qitxl.xlwings_udfs" in (tmp_path / "main.py").read_text("utf-8")


def test_wheel_url(tmp_path):
    url = "https://github.com/example/qitxl/releases/download/v0.1.0/qitxl-0.1.0-py3-none-any.whl"
    assert requirement_lines(files(url)["requirements.txt"])[-1] == url
    assert main(["lite", "-o", str(tmp_path), "--wheel-url", url]) == 0


@pytest.mark.parametrize("url", ["http://example.org/qitxl-0.1.0-py3-none-any.whl", "https:///qitxl.whl",
                                 "https://example.org/qitxl-0.1.0.tar.gz",
                                 "https://example.org/numpy-2.0-cp312-cp312-emscripten_wasm32.whl"])
def test_bad_wheel_urls_are_refused_before_anything_is_written(tmp_path, url, capsys):
    assert main(["lite", "-o", str(tmp_path / "out"), "--wheel-url", url]) == 2
    assert "--wheel-url" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
