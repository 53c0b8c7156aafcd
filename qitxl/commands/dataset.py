"""``qitxl dataset export``: the dataset as one editable workbook (qitxl.dataset_export)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..dataset_export import export
from .common import add_dataset_argument


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    e = sub.add_parser("export", help="write the dataset as an editable .xlsx workbook",
                       description="Write the dataset (bundled, or --dataset) as one editable workbook.")
    e.add_argument("-o", "--output", metavar="OUT", required=True, help="the .xlsx file to write")
    add_dataset_argument(e, help="a dataset folder or workbook to export instead of the bundled one")
    e.add_argument("--force", action="store_true", help="overwrite OUT if it exists")


def run(args: argparse.Namespace) -> int:
    """``qitxl dataset export``: 0 on success, 2 for a broken dataset or an existing OUT."""
    out = Path(args.output)
    if out.suffix.lower() != ".xlsx":
        print(f"qitxl: {out}: the output must be an .xlsx file", file=sys.stderr)
        return 2
    if args.dataset and Path(args.dataset).exists() and out.exists() and out.resolve() == Path(args.dataset).resolve():
        print(f"qitxl: {out}: is the dataset being exported; choose another output", file=sys.stderr)
        return 2
    try:
        export(out, args.dataset, force=args.force)
    except FileExistsError:
        print(f"qitxl: {out} exists; use --force to replace it", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"qitxl: {out}: cannot be written ({exc.strerror})", file=sys.stderr)
        return 2
    print(out)
    return 0

