"""``qitxl whatif``: how every rank moves when each pillar or indicator is left out."""

from __future__ import annotations

import argparse
import csv
import json
import sys

from ..texttable import format_table
from ..whatif import run as run_whatif
from ..whatif import wide_rows
from .common import add_dataset_argument, add_lang_argument, load

WORDS = {
    "en": {
        "whatif_p": "Leaving out one pillar (the others re-weighted): new rank (places moved, + = up)",
        "whatif_i": "Leaving out one indicator (the rest of its pillar re-weighted): new rank (places moved)",
        "largest": "Largest move: {n} place(s).",
    },
    "zh": {
        "whatif_p": "去掉一个支柱（其余重新加权）：新名次（名次变化，+ 为上升）",
        "whatif_i": "去掉一个指标（同支柱其余指标重新加权）：新名次（名次变化）",
        "largest": "最大变动：{n} 位。",
    },
}


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_dataset_argument(p)
    add_lang_argument(p)
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")


def run(args: argparse.Namespace) -> int:
    """``qitxl whatif``: every province's rank with each pillar, then each indicator, left out."""
    ds = load(args)
    w = run_whatif(ds)
    records = w.records(args.lang)
    if args.format == "json":
        json.dump({"rule": "each pillar (indicator) left out in turn, its weight set to 0 and the rest "
                           "rescaled; shift = nominal rank - new rank (positive = up)",
                   "largest_shift": w.largest_shift(), "scenarios": records},
                  sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif args.format == "csv":
        out = csv.DictWriter(sys.stdout, fieldnames=list(records[0]), lineterminator="\n")
        out.writeheader()
        out.writerows(records)
    else:
        words = WORDS[args.lang]
        for kind, head in (("pillar", "whatif_p"), ("indicator", "whatif_i")):
            print(words[head])
            print(format_table(wide_rows(w, kind, args.lang)))
            print()
        print(words["largest"].format(n=w.largest_shift()))
    return 0
