"""``qitxl dataset export``: the dataset as one editable workbook (qitxl.dataset_export)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..atomic import OutputRefused
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
        raise OutputRefused(f"{out}: the output must be an .xlsx file")
    if args.dataset and Path(args.dataset).exists() and out.exists() and out.resolve() == Path(args.dataset).resolve():
        raise OutputRefused(f"{out}: is the dataset being exported; choose another output")
    try:
        export(out, args.dataset, force=args.force)
    except FileExistsError:
        raise OutputRefused(f"{out} exists; use --force to replace it") from None
    except OSError as exc:
        raise OutputRefused(f"{out}: cannot be written ({exc.strerror})") from None
    print(out)
    return 0

