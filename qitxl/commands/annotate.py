"""``qitxl annotate``: add QIT_ tier/score/rank columns beside a column of province names."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..existing import annotate_workbook
from .common import add_dataset_argument, apply_dataset


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", metavar="IN", help="an .xlsx or .xlsm workbook")
    p.add_argument("-o", "--output", metavar="OUT", required=True, help="where to write the result (not IN)")
    p.add_argument("--sheet", required=True, help="the sheet holding the province names")
    p.add_argument("--column", required=True, help="the column of province names, e.g. B")
    p.add_argument("--add", default="tier,score,rank", help="columns to add: tier, score, rank (default all)")
    p.add_argument("--header-row", type=int, default=1, help="row of the headers (default 1); names start below")
    p.add_argument("--at", metavar="COL", help="first column to write (default: first empty one to the right)")
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")
    add_dataset_argument(p)


def run(args: argparse.Namespace) -> int:
    apply_dataset(args)
    add = [a.strip().lower() for a in args.add.split(",") if a.strip()]
    report = annotate_workbook(Path(args.input), Path(args.output), args.sheet, args.column, add,
                               args.header_row, args.at, force=args.force)
    report.print()
    print(f"written: {args.output}")
    return 0
