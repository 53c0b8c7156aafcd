"""``qitxl generate``: write the ranking workbook (qitxl.workbook)."""

from __future__ import annotations

import argparse

from ..weights_file import read_weights
from ..workbook import DEFAULT_PATH, build
from .common import add_dataset_argument, add_lang_argument, load


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", metavar="FILE", default=str(DEFAULT_PATH),
                   help=f"the .xlsx file to write (default {DEFAULT_PATH})")
    add_lang_argument(p, help="language of labels and notes")
    p.add_argument("--weights", metavar="FILE",
                   help="pillar weights: TOML (pillar = weight, optionally under [weights]) or CSV rows pillar,weight")
    add_dataset_argument(p)
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")


def run(args: argparse.Namespace) -> int:
    """Write the workbook; 0 on success, 2 for bad input (dataset, weights, existing file)."""
    ds = load(args)
    weights = read_weights(args.weights, ds) if args.weights else None
    path = build(args.output, dataset=ds, lang=args.lang, weights=weights, force=args.force,
                 inputs=[args.weights])
    print(path)
    return 0
