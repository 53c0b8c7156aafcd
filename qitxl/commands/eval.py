"""``qitxl eval``: evaluate the QIT_ formulas of an existing workbook into a copy (qitxl.existing)."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from ..existing import DEFAULT_LIMITS, evaluate_workbook
from .common import add_dataset_argument, apply_dataset


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", metavar="IN", help="an .xlsx or .xlsm workbook")
    p.add_argument("-o", "--output", metavar="OUT", required=True, help="where to write the result (not IN)")
    p.add_argument("--values", action="store_true", help="replace QIT_ formulas by their values (a snapshot)")
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")
    p.add_argument("--max-cells", type=int, default=DEFAULT_LIMITS.max_cells_per_sheet, metavar="N",
                   help=f"refuse sheets with more than N cells (default {DEFAULT_LIMITS.max_cells_per_sheet})")
    p.add_argument("--full-calc-on-load", action="store_true",
                   help="set fullCalcOnLoad in workbook.xml so Excel recalculates every formula on open "
                        "(default: off; eval recalculates the formulas that depend on QIT_ cells itself)")
    add_dataset_argument(p)


def run(args: argparse.Namespace) -> int:
    apply_dataset(args)
    limits = dataclasses.replace(DEFAULT_LIMITS, max_cells_per_sheet=args.max_cells)
    report = evaluate_workbook(Path(args.input), Path(args.output), values=args.values, limits=limits,
                               full_calc=args.full_calc_on_load, force=args.force)
    report.print()
    print(f"written: {args.output}")
    return 1 if report.problems else 0
