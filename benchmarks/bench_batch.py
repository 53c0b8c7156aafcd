"""Cost of ``qitxl batch``: 100 scenarios with 1 and 2 worker processes, against in-process builds.

Run: python benchmarks/bench_batch.py [--scenarios 100] [--jobs 1 2]
Prints wall time per run, seconds per workbook, the ratio to one ``qitxl.workbook.build`` in this
process, the speed-up from more workers, the cost of an all-up-to-date rerun, and peak memory of
the parent and of the workers. No assertion: the figures are quoted.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from qitxl.batch import run_scenarios
from qitxl.scenarios import load_scenarios

REGIONS = ("East", "Central", "West")  # no Northeast province is assessed
PILLARS = ("research", "industry", "policy", "talent", "infrastructure", "rd_capacity")


def scenarios_toml(n: int) -> str:
    """``n`` workbooks cycling through languages, regions and weight sets."""
    out = ["[defaults]", 'lang = "en"', ""]
    for k in range(n):
        out += ["[[workbook]]", f'name = "scenario-{k:04d}"', f'title = "Benchmark scenario {k}"']
        if k % 2:
            out.append('lang = "zh"')
        if k % 5 == 1:
            out.append(f'region = "{REGIONS[k % 3]}"')
        if k % 3 == 1:
            out.append('weights = "equal"')
        elif k % 3 == 2:
            out.append("weights = { " + ", ".join(f"{p} = {1 + (k + j) % 4}" for j, p in enumerate(PILLARS)) + " }")
        out.append("")
    return "\n".join(out)


def kib(n: int) -> str:
    return f"{n / 1024:.0f} MiB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", type=int, default=100)
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    n = args.scenarios

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        spec = root / "scenarios.toml"
        spec.write_text(scenarios_toml(n), encoding="utf-8")
        t0 = time.perf_counter()
        scenarios = load_scenarios(spec, root / "unused")
        validate_s = time.perf_counter() - t0
        print(f"{n} scenarios, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        print(f"validate the scenarios file: {validate_s * 1000:.0f} ms")

        walls: dict[int, float] = {}
        worker_peak = 0
        # Batches first, so the parent's peak memory below is the batch's, not an in-process build's.
        for jobs in args.jobs:
            out = root / f"out-{jobs}"
            batch = [dataclasses.replace(s, output=out / s.file) for s in scenarios]
            t0 = time.perf_counter()
            results = run_scenarios(batch, jobs=jobs)
            walls[jobs] = time.perf_counter() - t0
            bad = [r for r in results if not r.ok]
            if bad:
                sys.exit(f"{len(bad)} scenario(s) failed, e.g. {bad[0].name}: {bad[0].detail}")
            worker_peak = max(worker_peak, *(r.peak_rss_kib for r in results))
            in_worker = statistics.median(r.seconds for r in results)
            print(f"jobs={jobs}: {walls[jobs]:.2f} s wall, {walls[jobs] / n * 1000:.0f} ms per workbook "
                  f"(median {in_worker * 1000:.0f} ms inside a worker), {len({r.pid for r in results})} worker(s)")
        last = max(args.jobs)
        out = root / f"out-{last}"
        batch = [dataclasses.replace(s, output=out / s.file) for s in scenarios]
        t0 = time.perf_counter()
        rerun = run_scenarios(batch, jobs=last)
        rerun_s = time.perf_counter() - t0
        fresh = sum(r.status == "up to date" for r in rerun)
        print(f"rerun, jobs={last}: {rerun_s:.2f} s, {fresh}/{n} up to date "
              "(each workbook is still rendered to compare its bytes)")
        if fresh < n:
            print("  (fewer than all: the workbook code or data changed between the runs)")
        parent_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        children_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss

        from qitxl.workbook import build

        first = time.perf_counter()
        build(root / "warm.xlsx", title="warm-up")
        cold_s = time.perf_counter() - first
        times = []
        for k, s in enumerate(scenarios[:10]):
            t0 = time.perf_counter()
            build(root / f"single-{k}.xlsx", lang=s.lang, weights=s.weights_dict(), title=s.title,
                  provinces=s.provinces)
            times.append(time.perf_counter() - t0)
        single = statistics.median(times)
        print(f"one build in this process: {single * 1000:.0f} ms (median of 10 warm; first call "
              f"{cold_s * 1000:.0f} ms with imports)")

        print("\nratios")
        for jobs in args.jobs:
            per = walls[jobs] / n
            print(f"  jobs={jobs}: {per / single:.2f}x one in-process build per workbook")
        if 1 in walls and len(walls) > 1:
            for jobs in args.jobs:
                if jobs != 1:
                    print(f"  speed-up jobs={jobs} over jobs=1: {walls[1] / walls[jobs]:.2f}x")
        print("\npeak memory (max resident set)")
        print(f"  parent (during the batches): {kib(parent_peak)}")
        print(f"  largest worker: {kib(worker_peak)} (reported by the workers; RUSAGE_CHILDREN: "
              f"{kib(children_peak)})")
        print(f"  parent after in-process builds: {kib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)}")


if __name__ == "__main__":
    main()
