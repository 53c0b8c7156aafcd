"""``qitxl lite``: write main.py, requirements.txt and a README for xlwings Lite (qitxl.lite)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..atomic import write_atomic
from ..lite import files


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", metavar="DIR", required=True, help="folder to write main.py, "
                   "requirements.txt and README.md into (created if missing)")
    p.add_argument("--wheel-url", metavar="URL", help="install qitxl from this https URL of its wheel "
                   "instead of from PyPI")
    p.add_argument("--force", action="store_true", help="overwrite the three files if they exist")


def run(args: argparse.Namespace) -> int:
    out = files(args.wheel_url)
    folder = Path(args.output)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        existing = [name for name in out if (folder / name).exists()]
        if existing and not args.force:
            print(f"qitxl lite: {', '.join(existing)} already in {folder}; use --force to overwrite",
                  file=sys.stderr)
            return 1
        for name, text in out.items():
            write_atomic(folder / name, text.encode("utf-8"), replace=args.force)
    except OSError as exc:
        print(f"qitxl lite: cannot write to {folder}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"wrote {', '.join(out)} to {folder}: paste main.py and requirements.txt into xlwings Lite "
          "(see README.md)")
    return 0
