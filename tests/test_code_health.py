"""Structural rules of the code base, checked on the source itself.

The core (everything in qitxl/ but cli.py and the commands package) knows nothing of the command
line; ``import qitxl`` stays light; the command line imports only the command that runs.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "qitxl"
HEAVY = ("xlsxwriter", "openpyxl", "pandas")


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _core_modules() -> list[Path]:
    return [p for p in _modules() if p.name != "cli.py" and "commands" not in p.relative_to(PACKAGE).parts]


def _imported(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports made absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            names.add(base)
            names.update(f"{base}.{a.name}" for a in node.names)
    return names


def test_the_walk_finds_the_core():
    found = {p.relative_to(PACKAGE).as_posix() for p in _core_modules()}
    assert {"model.py", "dataset.py", "existing.py", "batch.py", "workbook/__init__.py"} <= found
    assert "cli.py" not in found and "commands/info.py" not in found


@pytest.mark.parametrize("path", _core_modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_core_module_imports_the_command_line(path):
    bad = sorted(n for n in _imported(path)
                 if n == "argparse" or n in ("qitxl.cli", "qitxl.commands") or n.startswith("qitxl.commands."))
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


MAX_FUNCTION_LINES = 80


def _long_functions(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{path.relative_to(root)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]


def test_no_function_is_longer_than_a_screen():
    assert [f for p in _modules() for f in _long_functions(p)] == []


def test_the_length_check_finds_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "m.py").write_text(f"def long():\n{body}\n\n\ndef short():\n    pass\n", encoding="utf-8")
    assert _long_functions(tmp_path / "m.py", tmp_path) == [f"m.py:1 long ({MAX_FUNCTION_LINES + 1} lines)"]


def test_the_import_walk_sees_relative_imports():
    names = _imported(PACKAGE / "commands" / "info.py")
    assert "argparse" in names and "qitxl.model" in names and "qitxl.commands.common" in names


def _loaded_after(code: str) -> list[str]:
    probe = f"import json, sys\n{code}\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT), "PATH": ""})
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_qitxl_loads_no_workbook_or_table_package():
    assert _loaded_after("import qitxl") == []


def test_qitxl_info_loads_no_workbook_or_table_package():
    code = "import contextlib, io\nfrom qitxl.cli import main\nwith contextlib.redirect_stdout(io.StringIO()):\n" \
           "    assert main(['info']) == 0"
    assert _loaded_after(code) == []


def test_the_probe_would_see_a_heavy_import():
    assert _loaded_after("import qitxl.audit") == ["pandas"]


def test_help_imports_no_command_module():
    code = ("import contextlib, io\nfrom qitxl.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    main([])\n"
            "assert not [m for m in sys.modules if m.startswith('qitxl.commands.')], sys.modules")
    assert _loaded_after(code) == []


# ----------------------------------------------------------------------------- one error family

def test_every_input_error_is_a_qitxl_error_and_keeps_its_builtin_base():
    from qitxl.atomic import OutputExists, OutputRefused
    from qitxl.cellrefs import FormulaSyntaxError
    from qitxl.dataset import DatasetError
    from qitxl.exceptions import QitxlError
    from qitxl.lite import WheelUrlError
    from qitxl.model import ModelError, NotAssessed
    from qitxl.names import UnknownProvince
    from qitxl.scenarios import ScenarioError
    from qitxl.weights_file import WeightsError
    from qitxl.xlcalc import Unsupported
    from qitxl.xlsxzip import InputError

    family = (OutputRefused, OutputExists, FormulaSyntaxError, DatasetError, NotAssessed, UnknownProvince,
              ScenarioError, WeightsError, Unsupported, InputError, ModelError, WheelUrlError)
    assert all(issubclass(e, QitxlError) for e in family)
    value_errors = (DatasetError, ScenarioError, WeightsError, ModelError, WheelUrlError)
    assert all(issubclass(e, ValueError) for e in value_errors)
    assert issubclass(UnknownProvince, LookupError) and issubclass(NotAssessed, LookupError)
    assert issubclass(OutputExists, FileExistsError)
    import qitxl

    assert qitxl.QitxlError is QitxlError


def _bad_dataset(folder: Path) -> Path:
    (folder / "indicators.csv").write_text("iso_code\nCN-AH\n", encoding="utf-8")
    return folder


def test_bad_input_is_one_message_on_stderr_and_exit_2(tmp_path, capsys):
    from qitxl.cli import main

    assert main(["rank", "--dataset", str(_bad_dataset(tmp_path))]) == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err.startswith("qitxl rank: dataset has ") and "missing column" in out.err
    assert main(["profile", "Atlantis"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err.startswith("qitxl profile: ")
    assert main(["sensitivity", "--draws", "0"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err.startswith("qitxl sensitivity: draws must be")
    assert main(["dataset", "export", "-o", str(tmp_path / "out.csv")]) == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err.startswith("qitxl dataset: ") and "must be an .xlsx file" in out.err


def test_findings_are_output_on_stdout_and_exit_1(tmp_path, capsys):
    from qitxl.cli import main

    assert main(["validate", str(_bad_dataset(tmp_path))]) == 1
    out = capsys.readouterr()
    assert "missing column" in out.out and out.err == ""
    assert main(["resolve", "Atlantis"]) == 1
    out = capsys.readouterr()
    assert "#N/A" in out.out and out.err == ""


# ----------------------------------------------------------------------------- one way to localise

def test_localised_reads_the_pair_of_fields_for_a_language():
    from qitxl.dataset import bundled
    from qitxl.i18n import localised, word

    pillar = bundled().pillars[0]
    assert localised(pillar, "label", "zh") == pillar.label_zh == pillar.label("zh")
    assert localised(pillar, "label", "en") == pillar.label_en == pillar.label("en")
    assert localised({"name_en": "Anhui", "name_zh": "安徽"}, "name", "zh") == "安徽"
    assert word("not_mentioned", "zh") == "未提及" and word("not_mentioned", "en") == "not mentioned"
