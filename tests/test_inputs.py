"""Inputs that are not .xlsx packages: encrypted workbooks, legacy .xls, other OLE files."""

from __future__ import annotations

from pathlib import Path

import pytest

from qitxl.cli import main
from qitxl.xlsxzip import InputError, ole_stream_names, read_package

FIXTURES = Path(__file__).parent / "fixtures"
ENCRYPTED = FIXTURES / "encrypted_qitxl.xlsx"
LEGACY = FIXTURES / "legacy.xls"


def _run(capsys, *argv: str) -> tuple[int, str]:
    rc = main(list(argv))
    return rc, capsys.readouterr().err


@pytest.mark.parametrize("command", ["eval", "annotate"])
def test_encrypted_workbook_is_refused_with_exit_2(tmp_path, capsys, command):
    extra = ["--sheet", "Data", "--column", "A"] if command == "annotate" else []
    rc, err = _run(capsys, command, str(ENCRYPTED), "-o", str(tmp_path / "out.xlsx"), *extra)
    assert rc == 2
    assert "password-protected: save an unprotected copy" in err
    assert "not a zip" not in err
    assert not (tmp_path / "out.xlsx").exists()


def test_legacy_xls_gets_its_own_message(tmp_path, capsys):
    rc, err = _run(capsys, "eval", str(LEGACY), "-o", str(tmp_path / "out.xlsx"))
    assert rc == 2
    assert "legacy Excel 97-2003 .xls" in err and "save it as .xlsx" in err
    assert "password" not in err


def test_directory_of_real_files_is_read():
    assert {"EncryptionInfo", "EncryptedPackage"} <= ole_stream_names(ENCRYPTED.read_bytes())
    names = ole_stream_names(LEGACY.read_bytes())
    assert "Workbook" in names and "EncryptionInfo" not in names


def test_other_ole_document_is_not_called_a_workbook(tmp_path):
    data = LEGACY.read_bytes()
    renamed = data.replace("Workbook".encode("utf-16-le"), "Document".encode("utf-16-le"))
    assert renamed != data
    (tmp_path / "doc.xlsx").write_bytes(renamed)
    with pytest.raises(InputError) as err:
        read_package(tmp_path / "doc.xlsx")
    assert "not an Excel workbook" in str(err.value) and "legacy" not in str(err.value)


@pytest.mark.parametrize("cut", [8, 300, 600, 2000])
def test_truncated_ole_file_is_refused_as_damaged(tmp_path, cut):
    (tmp_path / "cut.xlsx").write_bytes(ENCRYPTED.read_bytes()[:cut])
    with pytest.raises(InputError) as err:
        read_package(tmp_path / "cut.xlsx")
    assert "OLE compound file" in str(err.value) or "password-protected" in str(err.value)


def test_loop_in_directory_chain_is_refused(tmp_path):
    """A FAT whose directory chain points at itself must not loop forever."""
    import struct

    data = bytearray(ENCRYPTED.read_bytes())
    size = 1 << struct.unpack_from("<H", data, 30)[0]
    first_dir = struct.unpack_from("<I", data, 48)[0]
    fat_sector = struct.unpack_from("<I", data, 76)[0]
    struct.pack_into("<I", data, (fat_sector + 1) * size + 4 * first_dir, first_dir)
    with pytest.raises(ValueError, match="broken"):
        ole_stream_names(bytes(data))
