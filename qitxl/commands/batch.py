"""``qitxl batch``: produce a set of workbooks from a scenarios file, in parallel (qitxl.batch)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..batch import Progress, default_jobs, plan_table, run_scenarios, summary_table
from ..scenarios import load_scenarios
from .common import add_dataset_argument


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenarios", metavar="SCENARIOS.toml", help="the scenarios file (see docs/batch.md)")
    p.add_argument("-o", "--output", metavar="DIR", required=True, help="folder to write the workbooks into")
    p.add_argument("--jobs", "-j", type=_jobs, default=None, metavar="N",
                   help=f"worker processes (default: the number of cores, here {default_jobs()})")
    p.add_argument("--force", action="store_true", help="replace existing workbooks whose content would change")
    p.add_argument("--dry-run", action="store_true", help="validate and show what would be written; write nothing")
    add_dataset_argument(p, help="dataset folder or .xlsx workbook for scenarios that name none")


def run(args: argparse.Namespace) -> int:
    """Validate the scenarios file (exit 2 on any fault), run it, print the summary.

    Exit 0 when every workbook is written or up to date, 1 when any failed or was refused.
    """
    out_dir = Path(args.output)
    scenarios = load_scenarios(args.scenarios, out_dir, getattr(args, "dataset", None))
    if out_dir.exists() and not out_dir.is_dir():
        print(f"qitxl batch: {out_dir} exists and is not a folder; nothing was written", file=sys.stderr)
        return 2
    jobs = min(args.jobs or default_jobs(), len(scenarios))
    verb = "checking (dry run, nothing is written)" if args.dry_run else "producing"
    print(f"qitxl batch: {verb} {len(scenarios)} workbook(s) in {out_dir} with {jobs} worker(s)", file=sys.stderr)
    if args.dry_run:
        print(plan_table(scenarios))
        print()
    started = time.perf_counter()
    progress = Progress(len(scenarios))
    try:
        results = run_scenarios(scenarios, jobs=jobs, force=args.force, dry_run=args.dry_run, on_result=progress)
    finally:
        progress.close()
    print(summary_table(results))
    bad = [r for r in results if not r.ok]
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    tally = ", ".join(f"{n} {status}" for status, n in counts.items())
    print(f"\n{len(results)} workbook(s) in {time.perf_counter() - started:.1f} s: {tally}")
    return 1 if bad else 0
