"""``qitxl sensitivity``: Monte Carlo rank intervals, or (``--indices``) variance-based indices."""

from __future__ import annotations

import argparse
import csv
import json
import sys

from ..indices import DEFAULT_SAMPLES, rank_indices
from ..sensitivity import DEFAULT_SEED
from ..sensitivity import run as monte_carlo
from ..texttable import format_table
from .common import add_dataset_argument, add_lang_argument, load, split_list


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_dataset_argument(p)
    p.add_argument("--draws", type=int, default=10_000, help="Monte Carlo draws (default 10000)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    p.add_argument("--perturbation", type=float, default=0.25,
                   help="each weight varies uniformly within +/- this share (default 0.25)")
    p.add_argument("--normalisations", default="minmax,rank,goalposts",
                   help="comma-separated alternatives (default minmax,rank,goalposts)")
    p.add_argument("--aggregations", default="arithmetic,geometric",
                   help="comma-separated alternatives (default arithmetic,geometric)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--indices", action="store_true",
                   help="variance-based indices instead: which input (weights, normalisation, aggregation, "
                        "skew treatment) drives each province's rank (first order and total effect)")
    p.add_argument("--samples", type=int, default=None,
                   help="with --indices: base sample size N (default 16384; N x 6 model runs)")
    add_lang_argument(p, help="with --indices: names in this language")


def run(args: argparse.Namespace) -> int:
    """``qitxl sensitivity``: print each province's nominal rank, median rank and 5-95% interval."""
    if args.indices:
        return run_indices(args)
    ds = load(args)
    res = monte_carlo(ds, draws=args.draws, seed=args.seed, perturbation=args.perturbation,
                      normalisations=split_list(args.normalisations), aggregations=split_list(args.aggregations))
    if args.format == "json":
        json.dump({"settings": res.settings, "provinces": res.table.to_dict(orient="records")},
                  sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif args.format == "csv":
        res.table.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        print(format_table(res.table.to_dict(orient="records")))
        s = res.settings
        print(f"\n{s['draws']} draws, seed {s['seed']}: weights {s['weight_rule']}; "
              f"methods drawn from {', '.join(s['combinations'])}. "
              "p05-p95 holds at least 90% of draws; nominal = the published ranking.")
    return 0


def run_indices(args: argparse.Namespace) -> int:
    """``qitxl sensitivity --indices``: S1 and ST of each province's rank, per uncertain input."""
    ds = load(args)
    split = [split_list(args.normalisations), split_list(args.aggregations)]
    res = rank_indices(ds, samples=DEFAULT_SAMPLES if args.samples is None else args.samples, seed=args.seed,
                       perturbation=args.perturbation, normalisations=split[0], aggregations=split[1])
    rows = res.records(ds, args.lang)
    if args.format == "json":
        json.dump({"settings": res.settings, "provinces": rows}, sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif args.format == "csv":
        out = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
        out.writeheader()
        out.writerows(rows)
    else:
        shown = [{k: ("-" if v is None else f"{v:5.2f}" if isinstance(v, float) else v)
                  for k, v in r.items() if k != "iso_code"} for r in rows]
        print(format_table(shown))
        s = res.settings
        print(f"\nS1 = first-order index (the input alone), ST = total effect (with its interactions), as shares "
              f"of the variance of the rank; '-' = the rank never moves. N = {s['samples']} "
              f"({s['model_runs']} model runs), seed {s['seed']}; largest standard error "
              f"{s['max_standard_error']:.2f}. Estimators: {s['estimators']}.")
    return 0
