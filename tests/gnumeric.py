"""Gnumeric for tests: recalculate a workbook with ``ssconvert --recalc`` and save it as .xlsx.

A second spreadsheet engine next to LibreOffice (tests/libreoffice.py): it implements some
functions differently (``ISNUMBER`` of a range is not array-evaluated, sums carry extra
precision), so formulas that both compute alike are formulas that do not lean on one engine's
habits. If ``ssconvert`` is missing the tests that use it fail (they never skip): CI installs
the Debian package ``gnumeric``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

# ISO/IEC 29500 (Excel 2010) writer; the default for .xlsx would be the 2007 one
EXPORTER = "Gnumeric_Excel:xlsx2"


def ssconvert() -> str:
    """Path of Gnumeric's ssconvert; raises (so the test fails) when it is missing."""
    path = shutil.which("ssconvert")
    if not path:
        raise RuntimeError("Gnumeric (ssconvert) is not installed; CI installs the Debian package gnumeric")
    return path


def recalculate(src: Path, out_dir: Path, timeout: int = 180) -> Path:
    """A copy of ``src`` recalculated by Gnumeric and saved as ``out_dir/<stem>.xlsx``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{src.stem}.xlsx"
    if out.resolve() == src.resolve():
        raise ValueError(f"{out} would overwrite its source")
    with tempfile.TemporaryDirectory(prefix="qitxl-gnumeric-") as home:
        # a throw-away HOME: ssconvert keeps settings there, and must not touch the user's
        env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=home, XDG_CACHE_HOME=home)
        proc = subprocess.run([ssconvert(), "--recalc", f"--export-type={EXPORTER}", str(src), str(out)],
                              capture_output=True, text=True, timeout=timeout, env=env)
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"ssconvert failed ({proc.returncode}): {proc.stdout}\n{proc.stderr}")
    return out
