"""One output policy for generate, batch, eval and annotate (qitxl.atomic.check_output):
an existing OUT needs --force, missing folders are created, OUT may never be an input."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from qitxl.atomic import OutputExists, OutputRefused, check_output
from qitxl.cli import main

SCENARIOS = '[[workbook]]\nname = "one"\nprovinces = ["Anhui", "Beijing"]\n'


def _names_book(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    ws.write_column("A1", ["Province", "Anhui", "Beijing"])
    ws.write_formula("B2", "=QIT_TIER(A2)")
    wb.close()
    return path


@pytest.fixture()
def book(tmp_path) -> Path:
    return _names_book(tmp_path / "in.xlsx")


def _argv(command: str, src: Path, out: Path) -> list[str]:
    """The command line that makes ``command`` write ``out`` (from ``src`` where it has an input)."""
    if command == "eval":
        return ["eval", str(src), "-o", str(out)]
    if command == "annotate":
        return ["annotate", str(src), "-o", str(out), "--sheet", "S", "--column", "A", "--add", "tier"]
    return ["generate", "-o", str(out)]


def _run(capsys, argv: list[str]) -> tuple[int, str]:
    rc = main(argv)
    return rc, capsys.readouterr().err


FILE_COMMANDS = ["eval", "annotate", "generate"]


@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_existing_output_needs_force(tmp_path, book, capsys, command):
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"the user's own file")
    rc, err = _run(capsys, _argv(command, book, out))
    assert rc == 2 and "exists; use --force" in err
    assert out.read_bytes() == b"the user's own file"
    rc, _ = _run(capsys, [*_argv(command, book, out), "--force"])
    assert rc == 0
    assert out.read_bytes()[:2] == b"PK"


@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_missing_folders_are_created(tmp_path, book, capsys, command):
    out = tmp_path / "new" / "deeper" / "out.xlsx"
    rc, _ = _run(capsys, _argv(command, book, out))
    assert rc == 0 and out.is_file()


@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_a_file_on_the_way_is_refused(tmp_path, book, capsys, command):
    (tmp_path / "blocker").write_text("x")
    rc, err = _run(capsys, _argv(command, book, tmp_path / "blocker" / "out.xlsx"))
    assert rc == 2 and "is a file, not a folder" in err


@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_a_folder_as_output_is_refused(tmp_path, book, capsys, command):
    (tmp_path / "dir.xlsx").mkdir()
    rc, err = _run(capsys, [*_argv(command, book, tmp_path / "dir.xlsx"), "--force"])
    assert rc == 2 and "is a folder" in err


@pytest.mark.parametrize("command", ["eval", "annotate"])
@pytest.mark.parametrize("spelling", ["same", "dotted", "hardlink"])
def test_output_equal_to_input_is_refused_even_with_force(tmp_path, book, capsys, command, spelling):
    out = {"same": book, "dotted": tmp_path / "." / book.name, "hardlink": tmp_path / "link.xlsx"}[spelling]
    if spelling == "hardlink":
        out.hardlink_to(book)
    before = book.read_bytes()
    rc, err = _run(capsys, [*_argv(command, book, out), "--force"])
    assert rc == 2 and "is the input file" in err
    assert book.read_bytes() == before


def test_generate_refuses_to_write_over_its_weights_file(tmp_path, capsys):
    weights = tmp_path / "weights.xlsx"
    weights.write_text("research,1\nindustry,1\npolicy,1\ntalent,1\ninfrastructure,1\nrd_capacity,1\n")
    before = weights.read_bytes()
    rc, err = _run(capsys, ["generate", "-o", str(weights), "--weights", str(weights), "--force"])
    assert rc == 2 and "is the input file" in err
    assert weights.read_bytes() == before


def test_batch_follows_the_same_policy(tmp_path, capsys):
    scenarios = tmp_path / "s.toml"
    scenarios.write_text(SCENARIOS, encoding="utf-8")
    out_dir = tmp_path / "missing" / "folder"
    assert main(["batch", str(scenarios), "-o", str(out_dir), "-j", "1"]) == 0  # folders created
    target = out_dir / "one.xlsx"
    assert target.is_file()
    target.write_bytes(b"edited by hand")
    assert main(["batch", str(scenarios), "-o", str(out_dir), "-j", "1"]) == 1  # exists, no --force
    assert target.read_bytes() == b"edited by hand"
    assert "exists (use --force)" in capsys.readouterr().out
    assert main(["batch", str(scenarios), "-o", str(out_dir), "-j", "1", "--force"]) == 0
    assert target.read_bytes()[:2] == b"PK"


def test_check_output_is_the_one_rule(tmp_path):
    src = tmp_path / "a.xlsx"
    src.write_bytes(b"x")
    with pytest.raises(OutputRefused, match="is the input file"):
        check_output(src, force=True, inputs=[src])
    with pytest.raises(OutputExists):
        check_output(src, inputs=[tmp_path / "other.xlsx"])
    assert isinstance(OutputExists("x"), FileExistsError)
    assert check_output(tmp_path / "n" / "b.xlsx", inputs=[src, None]) == tmp_path / "n" / "b.xlsx"
    assert not (tmp_path / "n").exists()  # folders are made when writing, not when checking
