"""Benchmark ``qitxl eval`` on a generated workbook with 50,000 QIT_ formulas.

Prints wall time, cells per second and peak memory (process peak RSS) for the whole evaluation
(read, evaluate, patch, write), next to two baselines from the same run: calling
``qitxl.functions`` directly for the same 50,000 cells, and a plain zip read + rewrite of the
file. Run: ``python benchmarks/bench_existing.py [--cells 50000] [--nested 0.1]``.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import zipfile
from pathlib import Path

import xlsxwriter

from qitxl import functions as qf
from qitxl.existing import evaluate_workbook

NAMES = ["Anhui", "Beijing", "Shanghai", "Guangdong", "Hubei", "Zhejiang", "Jiangsu", "Sichuan", "Shandong",
         "Xinjiang", "Atlantis", "湖北", "CN-SX", "Shaanxi"]


def make(path: Path, cells: int, nested: float) -> list[tuple[str, str]]:
    """A workbook with ``cells`` QIT_ formulas over a column of names; returns (function, name) pairs."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Data")
    calls = []
    rows = cells // 3
    every = int(1 / nested) if nested else 0
    for r in range(rows):
        name = NAMES[r % len(NAMES)]
        ws.write_string(r, 0, name)
        ws.write_formula(r, 1, f"=QIT_TIER(A{r + 1})")
        ws.write_formula(r, 2, f"=QIT_SCORE(A{r + 1})")
        if every and r % every == 0:
            ws.write_formula(r, 3, f'=IF(QIT_RANK(A{r + 1})<=3,"Top 3","")')
        else:
            ws.write_formula(r, 3, f"=QIT_RANK(A{r + 1})")
        calls += [("tier", name), ("score", name), ("rank", name)]
    wb.close()
    return calls


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, default=50_000)
    ap.add_argument("--nested", type=float, default=0.1, help="share of rank formulas nested in IF()")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "big.xlsx", Path(tmp) / "big-out.xlsx"
        calls = make(src, args.cells, args.nested)
        n = len(calls)

        t = time.perf_counter()
        fns = {"tier": qf.qit_tier, "score": qf.qit_score, "rank": qf.qit_rank}
        for what, name in calls:
            fns[what](name)
        direct = time.perf_counter() - t

        t = time.perf_counter()
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(Path(tmp) / "copy.xlsx", "w") as zout:
            for info in zin.infolist():
                zout.writestr(info, zin.read(info))
        zipcopy = time.perf_counter() - t

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
        t, cpu = time.perf_counter(), time.process_time()
        report = evaluate_workbook(src, out)
        whole, cpu = time.perf_counter() - t, time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        print(f"workbook: {n} QIT_ formulas ({args.nested:.0%} of ranks nested in IF), "
              f"{src.stat().st_size / 1e6:.1f} MB")
        print(f"qitxl eval:            {whole:6.2f} s   {report.evaluated / whole:9.0f} cells/s   "
              f"peak RSS {peak:.0f} MB (was {rss_before:.0f} MB before eval); CPU {cpu:.2f} s")
        print(f"baseline functions:    {direct:6.2f} s   {n / direct:9.0f} cells/s   (qitxl.functions, same cells)")
        print(f"baseline zip copy:     {zipcopy:6.2f} s   (read + rewrite every member)")
        print(f"ratios: eval / functions = {whole / direct:.1f}x, eval / zip copy = {whole / zipcopy:.1f}x")
        print(f"evaluated {report.evaluated}, not evaluated {len(report.problems)}; "
              f"target < 3 s: {'met' if whole < 3 else 'MISSED'}")


if __name__ == "__main__":
    main()
