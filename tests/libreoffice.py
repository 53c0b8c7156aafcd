"""Headless LibreOffice for tests: recalculate a workbook, render it, read values back.

LibreOffice only recomputes formulas that already carry cached values when its profile sets
``OOXMLRecalcMode`` to 0 ("always"), so every call runs with a throw-away profile that does.
If ``soffice`` is missing the tests that use this fail (they never skip): CI installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

_SETTINGS = (
    ("/org.openoffice.Office.Calc/Formula/Load", "OOXMLRecalcMode", "0"),
    ("/org.openoffice.Office.Calc/Formula/Load", "ODFRecalcMode", "0"),
    ("/org.openoffice.Office.Common/Misc", "FirstRun", "false"),
)
PROFILE_XCU = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    + "".join(f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse"><value>{value}</value></prop></item>\n'
              for path, name, value in _SETTINGS)
    + "</oor:items>\n"
)


def soffice() -> str:
    """Path of the soffice binary; raises (so the test fails) when LibreOffice is missing."""
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if not path:
        raise RuntimeError("LibreOffice (soffice) is not installed; CI installs libreoffice-calc-nogui")
    return path


def _profile(root: Path) -> str:
    user = root / "profile" / "user"
    user.mkdir(parents=True)
    (user / "registrymodifications.xcu").write_text(PROFILE_XCU, encoding="utf-8")
    return (root / "profile").as_uri()


def convert(src: Path, out_dir: Path, target: str, timeout: int = 180) -> Path:
    """Run ``soffice --convert-to target`` with a recalculating throw-away profile."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="qitxl-lo-") as tmp:
        env = dict(os.environ, HOME=tmp, SAL_USE_VCLPLUGIN="svp")
        cmd = [soffice(), f"-env:UserInstallation={_profile(Path(tmp))}", "--headless", "--norestore",
               "--nologo", "--convert-to", target, "--outdir", str(out_dir), str(src)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    ext = target.split(":", 1)[0]
    out = out_dir / f"{src.stem}.{ext}"
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"soffice failed ({proc.returncode}): {proc.stdout}\n{proc.stderr}")
    return out


def recalculate(src: Path, out_dir: Path) -> Path:
    """A copy of ``src`` recalculated by LibreOffice and saved as .xlsx (Calc MS Excel 2007 XML)."""
    return convert(src, out_dir, 'xlsx:Calc MS Excel 2007 XML')


def recalculate_many(srcs: list[Path], out_dir: Path, timeout: int = 600) -> list[Path]:
    """``recalculate`` for many files in one soffice run (start-up is most of the cost of one file).

    The outputs are ``out_dir/<stem>.xlsx``, in the order of ``srcs``: stems must differ, and
    ``out_dir`` must not hold the sources.
    """
    outs = [out_dir / f"{src.stem}.xlsx" for src in srcs]
    if len(set(outs)) != len(outs) or any(o.resolve() == s.resolve() for o, s in zip(outs, srcs, strict=True)):
        raise ValueError("recalculate_many needs distinct stems and an out_dir apart from the sources")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="qitxl-lo-") as tmp:
        env = dict(os.environ, HOME=tmp, SAL_USE_VCLPLUGIN="svp")
        cmd = [soffice(), f"-env:UserInstallation={_profile(Path(tmp))}", "--headless", "--norestore", "--nologo",
               "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out_dir), *map(str, srcs)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    missing = [o.name for o in outs if not o.exists()]
    if proc.returncode != 0 or missing:
        raise RuntimeError(f"soffice failed ({proc.returncode}; missing {missing}): {proc.stdout}\n{proc.stderr}")
    return outs


def read_values(path: Path) -> dict[str, dict[str, object]]:
    """sheet -> {cell address: cached value} for every non-empty cell."""
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
    out: dict[str, dict[str, object]] = {}
    try:
        for ws in wb.worksheets:
            cells: dict[str, object] = {}
            for row in ws.iter_rows():
                for c in row:
                    if c.value is not None and hasattr(c, "coordinate"):
                        cells[c.coordinate] = c.value
            out[ws.title] = cells
    finally:
        wb.close()
    return out


def render_png(src: Path, out_dir: Path, dpi: int = 60) -> list[Path]:
    """Render a workbook to PNG pages (LibreOffice to PDF, then pdftoppm) for a human look."""
    pdf = convert(src, out_dir, "pdf")
    tool = shutil.which("pdftoppm")
    if not tool:
        raise RuntimeError("pdftoppm is not installed; CI installs poppler-utils")
    prefix = out_dir / src.stem
    subprocess.run([tool, "-png", "-r", str(dpi), str(pdf), str(prefix)], check=True, timeout=180)
    return sorted(out_dir.glob(f"{src.stem}*.png"))
