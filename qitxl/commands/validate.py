"""``qitxl validate``: check a dataset folder or workbook and list every problem."""

from __future__ import annotations

import argparse

from ..dataset import REQUIRED, DatasetError, build, read_raw


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("folder", metavar="DATASET",
                   help="dataset folder or .xlsx workbook (tables it lacks are taken from the bundled dataset)")


def run(args: argparse.Namespace) -> int:
    try:
        raw = read_raw(args.folder)
        ds = build(raw)
    except DatasetError as exc:
        print(exc)
        return 1
    print(f"ok: {len(ds.provinces)} provinces, {len(ds.assessed)} assessed, "
          f"{len(ds.observations)} values, {len(ds.sources)} sources")
    taken = [n for n in (*REQUIRED, "methodology.toml") if n not in raw.own and n != "coding.csv"]
    if taken:
        print(f"taken from the bundled dataset: {', '.join(taken)}")
    return 0
