"""``qitxl rank``: print the ranking table."""

from __future__ import annotations

import argparse
import csv
import json
import sys

from ..dataset import Dataset
from ..model import compute
from ..texttable import format_table
from .common import add_dataset_argument, add_lang_argument, load


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_dataset_argument(p)
    add_lang_argument(p)
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")


def ranking_rows(ds: Dataset, lang: str = "en") -> list[dict[str, object]]:
    """One dict per assessed province in rank order: what ``qitxl rank`` prints."""
    res = compute(ds)
    rows = []
    for iso in res.order():
        p = ds.province(iso)
        row: dict[str, object] = {
            "rank": res.rank(iso), "iso_code": iso,
            "name": p.name(lang),
            "score": round(res.score(iso), 2), "tier": res.tier(iso, lang).label,
            "reported_tier": p.reported(lang),
        }
        for pil in ds.pillars:
            row[pil.id] = round(res.score(iso, pil.id), 2)
        rows.append(row)
    return rows


def run(args: argparse.Namespace) -> int:
    ds = load(args)
    rows = ranking_rows(ds, args.lang)
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif args.format == "csv":
        w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    else:
        print(format_table(rows))
        print(f"\n{len(rows)} assessed of {len(ds.provinces)}; tiers from the model's scores; "
              "'reported' is the seed article's view, as reported. Sources: qitxl info")
    return 0
