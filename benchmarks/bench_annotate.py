"""Benchmark ``qitxl annotate`` on a 10,000-row column: province names, and long text that is not.

Prints wall time, rows per second and peak memory (process peak RSS) for the whole command (read,
resolve, evaluate, patch, write) next to a same-run baseline: a plain zip read + rewrite of the same
file. Run: ``python benchmarks/bench_annotate.py [--rows 10000] [--words 150]``.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
import zipfile
from pathlib import Path

import xlsxwriter

from qitxl.existing import annotate_workbook

NAMES = ["Anhui", "Beijing", "Shanghai", "广东", "Hubei", "Zhejiang Sheng", "CN-JS", "Sichuan", "Atlantis", "Column1"]
WORDS = ["quantum", "province", "research", "Anhui", "Hefei", "laboratory", "photon", "network", "entanglement"]


def make(path: Path, rows: int, words: int) -> None:
    """A sheet with a header and ``rows`` cells in column A: names (words=0) or ``words``-word text."""
    rng = random.Random(1)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Data")
    ws.write_string(0, 0, "Province")
    for r in range(1, rows + 1):
        text = " ".join(rng.choice(WORDS) for _ in range(words)) if words else NAMES[r % len(NAMES)]
        ws.write_string(r, 0, text)
    wb.close()


def rewrite(src: Path, dst: Path) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--words", type=int, default=150, help="words per long-text cell (about 8.6 characters each)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'input (' + format(args.rows, ',') + ' rows, tier+score+rank)':<44} {'seconds':>8} "
              f"{'rows/s':>9} {'zip copy s':>11}")
        for label, words in (("province names", 0), (f"long text, {args.words} words a cell", args.words)):
            src, out = Path(tmp) / f"in{words}.xlsx", Path(tmp) / f"out{words}.xlsx"
            make(src, args.rows, words)
            t0 = time.perf_counter()
            rewrite(src, Path(tmp) / "copy.xlsx")
            base = time.perf_counter() - t0
            t0 = time.perf_counter()
            annotate_workbook(src, out, "Data", "A", ["tier", "score", "rank"], force=True)
            secs = time.perf_counter() - t0
            print(f"{label:<44} {secs:>8.2f} {args.rows / secs:>9.0f} {base:>11.2f}")
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
