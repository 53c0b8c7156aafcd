"""Read an .xlsx/.xlsm package defensively and write a copy that changes only chosen members.

Reading bounds everything a hostile file could inflate: member count, each member's declared
and actual decompressed size, its compression ratio, and the total. XML members that declare a
DOCTYPE or entities are refused (billion laughs, external entities) before anything parses them.
Writing copies every untouched member's bytes, name, order, timestamp, compression and
attributes, and writes the file atomically under the output policy of ``atomic``.
"""

from __future__ import annotations

import mmap
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import output_target, same_file  # noqa: F401 - same_file re-exported
from .exceptions import QitxlError


class InputError(QitxlError):
    """The input cannot be used (not a workbook, hostile, too large, malformed): exit status 2."""


@dataclass(frozen=True)
class Limits:
    """Bounds on what a workbook may make us read or hold."""

    max_members: int = 10_000
    max_member_bytes: int = 512 * 1024 * 1024
    max_total_bytes: int = 2 * 1024 * 1024 * 1024
    max_ratio: float = 200.0        # decompressed / compressed, per member above ratio_floor
    ratio_floor: int = 1024 * 1024  # tiny members compress absurdly well; ignore their ratio
    max_cells_per_sheet: int = 5_000_000
    max_formula_length: int = 8192  # Excel's own limit on formula text


DEFAULT_LIMITS = Limits()


@dataclass
class Member:
    info: zipfile.ZipInfo
    data: bytes


@dataclass
class Package:
    """The members of a workbook package, in their original order."""

    path: Path
    members: list[Member] = field(default_factory=list)

    def names(self) -> list[str]:
        return [m.info.filename for m in self.members]

    def get(self, name: str) -> bytes | None:
        for m in self.members:
            if m.info.filename == name:
                return m.data
        return None

    def text(self, name: str) -> str | None:
        data = self.get(name)
        return None if data is None else decode_xml(data, name)


_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.I)
_XML_SUFFIXES = (".xml", ".rels", ".vml")


def decode_xml(data: bytes, name: str) -> str:
    """XML member bytes as text (UTF-8, or UTF-16 with a BOM)."""
    try:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not valid UTF-8/UTF-16 XML ({exc})") from None


def check_xml(data: bytes, name: str) -> None:
    """Refuse XML with a DOCTYPE or entity declaration (billion laughs, external entities)."""
    probe = data
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        probe = decode_xml(data, name).encode("utf-8")
    if _DTD.search(probe):
        raise InputError(f"{name}: XML declares a DOCTYPE or entities; refusing it (possible entity "
                         "expansion or external entity attack)")


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def ole_stream_names(data: bytes | mmap.mmap) -> set[str]:
    """Names of the streams and storages in an OLE compound file (MS-CFB), read from its directory.

    Only as much of the format as naming the entries needs: the header, the FAT (through the
    DIFAT, including its chain) and the directory sector chain. ValueError if the file is damaged.
    """
    if len(data) < 512 or data[:8] != OLE_MAGIC:
        raise ValueError("not an OLE compound file")
    shift = struct.unpack_from("<H", data, 30)[0]
    if shift not in (9, 12):
        raise ValueError(f"sector size 2^{shift} is not 512 or 4096")
    size = 1 << shift
    n_sectors = len(data) // size  # an upper bound on every chain's length

    def sector(n: int) -> bytes:
        start = (n + 1) * size
        if start + size > len(data):
            raise ValueError(f"sector {n} lies outside the file")
        return data[start:start + size]

    difat = list(struct.unpack_from("<109I", data, 76))
    nxt, hops = struct.unpack_from("<I", data, 68)[0], 0
    while nxt < 0xFFFFFFFA and hops <= n_sectors:
        entries = struct.unpack(f"<{size // 4}I", sector(nxt))
        difat.extend(entries[:-1])
        nxt, hops = entries[-1], hops + 1
    fat: list[int] = []
    for n in difat:
        if n < 0xFFFFFFFA:
            fat.extend(struct.unpack(f"<{size // 4}I", sector(n)))
    names: set[str] = set()
    n, hops = struct.unpack_from("<I", data, 48)[0], 0
    while n < 0xFFFFFFFA:
        if hops > n_sectors or n >= len(fat):
            raise ValueError("directory chain is broken")
        block = sector(n)
        for off in range(0, size, 128):
            length = struct.unpack_from("<H", block, off + 64)[0]
            if block[off + 66] in (1, 2) and 2 <= length <= 64:
                names.add(block[off:off + length - 2].decode("utf-16-le", "replace"))
        n, hops = fat[n], hops + 1
    return names


def refuse_ole(path: Path, data: bytes | mmap.mmap) -> InputError:
    """The error for an OLE compound file: an encrypted workbook, a legacy .xls, or something else."""
    try:
        names = ole_stream_names(data)
    except ValueError as exc:
        return InputError(f"{path}: an OLE compound file (legacy Office format or password-protected), "
                          f"not an .xlsx/.xlsm package, and damaged ({exc})")
    if "EncryptionInfo" in names or "EncryptedPackage" in names:
        return InputError(f"{path}: password-protected: save an unprotected copy (in Excel: File > Info > "
                          "Protect Workbook > Encrypt with Password, clear the password) and run qitxl on it")
    if "Workbook" in names or "Book" in names:
        return InputError(f"{path}: a legacy Excel 97-2003 .xls workbook; qitxl reads .xlsx/.xlsm only: "
                          "open it in Excel or LibreOffice and save it as .xlsx")
    return InputError(f"{path}: an OLE compound file (an older Office document), not an Excel workbook")


def read_package(path: Path, limits: Limits = DEFAULT_LIMITS) -> Package:
    """Every member of the zip at ``path``, read within ``limits``; InputError if it is unusable."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            if fh.read(8) == OLE_MAGIC:
                # Mapped, not read: only the header, FAT and directory sectors are ever touched.
                with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
                    raise refuse_ole(path, data)
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        pass  # reported below, with the zip reader's wording
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{path}: not a zip package, so not an .xlsx/.xlsm workbook ({exc})") from None
    pkg = Package(path)
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_members:
            raise InputError(f"{path}: {len(infos)} zip members (limit {limits.max_members}); refusing it")
        declared = sum(i.file_size for i in infos)
        if declared > limits.max_total_bytes:
            raise InputError(f"{path}: declares {declared} bytes uncompressed (limit {limits.max_total_bytes}); "
                             "possible zip bomb")
        seen: set[str] = set()
        total = 0
        for info in infos:
            if info.filename in seen:
                raise InputError(f"{path}: duplicate zip member {info.filename!r}")
            seen.add(info.filename)
            _check_sizes(path, info, info.file_size, limits)
            chunks, got = [], 0
            try:
                with zf.open(info) as fh:
                    while chunk := fh.read(1 << 20):
                        got += len(chunk)
                        total += len(chunk)
                        # Declared sizes can lie: count what actually comes out.
                        _check_sizes(path, info, got, limits)
                        if total > limits.max_total_bytes:
                            raise InputError(f"{path}: more than {limits.max_total_bytes} bytes uncompressed; "
                                             "possible zip bomb")
                        chunks.append(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
                raise InputError(f"{path}: cannot read member {info.filename!r} ({exc})") from None
            data = b"".join(chunks)
            if info.filename.lower().endswith(_XML_SUFFIXES):
                check_xml(data, info.filename)
            pkg.members.append(Member(info, data))
    if "[Content_Types].xml" not in seen or workbook_path(pkg) not in seen:
        raise InputError(f"{path}: a zip, but not an Excel workbook package (no [Content_Types].xml or workbook)")
    return pkg


def workbook_path(pkg: Package) -> str | None:
    """The workbook part named by the package relationships (normally ``xl/workbook.xml``)."""
    rels = pkg.text("_rels/.rels")
    if rels is None:
        return None
    for m in re.finditer(r"<(?:\w+:)?Relationship\b[^>]*>", rels):
        t = re.search(r'\bTarget="([^"]+)"', m.group(0))
        typ = re.search(r'\bType="([^"]+)"', m.group(0))
        if t and typ and typ.group(1).endswith("/officeDocument"):
            return t.group(1).lstrip("/")
    return None


def _check_sizes(path: Path, info: zipfile.ZipInfo, size: int, limits: Limits) -> None:
    if size > limits.max_member_bytes:
        raise InputError(f"{path}: member {info.filename!r} inflates to more than {limits.max_member_bytes} bytes; "
                         "possible zip bomb")
    if size > limits.ratio_floor and size > limits.max_ratio * max(info.compress_size, 1):
        raise InputError(f"{path}: member {info.filename!r} compresses {size / max(info.compress_size, 1):.0f}:1 "
                         f"(limit {limits.max_ratio:.0f}:1); possible zip bomb")


def write_package(pkg: Package, out: Path, replace: dict[str, bytes], drop: set[str] = frozenset(),
                  add: list[tuple[str, bytes]] = (), *, force: bool = False) -> None:
    """Write ``pkg`` to ``out`` with members in ``replace`` swapped, ``drop`` left out and ``add``
    appended; everything else copied as it was. Atomic, under the output policy (``atomic``):
    ``out`` appears complete or not at all, and replaces an existing file only with ``force``."""
    out = Path(out)
    with output_target(out, force=force) as tmp, zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
        template = None
        for m in pkg.members:
            name = m.info.filename
            if name in drop:
                continue
            template = template or m.info
            data = replace.get(name, m.data)
            info = _clone_info(m.info)
            zf.writestr(info, data, compress_type=m.info.compress_type)
        for name, data in add:
            info = zipfile.ZipInfo(name, date_time=template.date_time if template else (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = template.external_attr if template else 0
            info.create_system = template.create_system if template else 0
            zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)


def _clone_info(src: zipfile.ZipInfo) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(src.filename, date_time=src.date_time)
    info.compress_type = src.compress_type
    info.comment = src.comment
    info.extra = _strip_zip64(src.extra)
    info.create_system = src.create_system
    info.create_version = src.create_version
    info.extract_version = src.extract_version
    info.flag_bits = src.flag_bits & 0x0800  # keep the UTF-8 name flag only; sizes are recomputed
    info.external_attr = src.external_attr
    info.internal_attr = src.internal_attr
    return info


def _strip_zip64(extra: bytes) -> bytes:
    """Extra fields minus any Zip64 record (zipfile writes its own when it needs one)."""
    out, i = b"", 0
    while i + 4 <= len(extra):
        hid = int.from_bytes(extra[i:i + 2], "little")
        size = int.from_bytes(extra[i + 2:i + 4], "little")
        if hid != 0x0001:
            out += extra[i:i + 4 + size]
        i += 4 + size
    return out
