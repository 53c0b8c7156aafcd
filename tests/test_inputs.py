"""Inputs that are not .xlsx packages: encrypted workbooks, legacy .xls, other OLE files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _ole(names: list[str]) -> bytes:
    """A minimal OLE compound file (512-byte sectors) whose FAT is found only through a DIFAT sector
    chain, as in files over about 7 MB: sector 0 directory, 1 FAT, 2 DIFAT."""
    import struct

    free, end, fat_sect, dif_sect = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)
    struct.pack_into("<I", header, 44, 1)             # one FAT sector
    struct.pack_into("<I", header, 48, 0)             # directory starts at sector 0
    struct.pack_into("<II", header, 68, 2, 1)         # DIFAT chain starts at sector 2, one sector
    struct.pack_into("<109I", header, 76, *[free] * 109)
    directory = bytearray(512)
    for k, (name, kind) in enumerate([("Root Entry", 5)] + [(n, 2) for n in names[:3]]):
        raw = name.encode("utf-16-le") + b"\0\0"
        directory[k * 128:k * 128 + len(raw)] = raw
        struct.pack_into("<HB", directory, k * 128 + 64, len(raw), kind)
    fat = struct.pack("<128I", end, fat_sect, dif_sect, *[free] * 125)
    difat = struct.pack("<128I", 1, *[free] * 126, end)
    return bytes(header) + bytes(directory) + fat + difat


def test_fat_reached_through_the_difat_chain(tmp_path):
    (tmp_path / "big.xlsx").write_bytes(_ole(["EncryptionInfo", "EncryptedPackage"]))
    with pytest.raises(InputError, match="password-protected: save an unprotected copy"):
        read_package(tmp_path / "big.xlsx")
    assert ole_stream_names(_ole(["Workbook"])) == {"Workbook"}  # streams and storages; not the root


@given(st.binary(min_size=0, max_size=3000), st.integers(0, 2999))
@settings(max_examples=300, deadline=None)
def test_damaged_ole_files_are_refused_never_crash(tmp_path_factory, noise, at):
    """Random damage anywhere in a real encrypted file: always an InputError, never a crash or a hang."""
    data = bytearray(ENCRYPTED.read_bytes())
    data[8 + at:8 + at + len(noise)] = noise
    path = tmp_path_factory.mktemp("ole") / "x.xlsx"
    path.write_bytes(bytes(data))
    with pytest.raises(InputError):
        read_package(path)
