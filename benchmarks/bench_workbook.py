"""Cost of generating the standard ranking workbook, against same-run baselines.

Run: python benchmarks/bench_workbook.py [--repeat 20]
Prints the median wall time of ``qitxl.workbook.render()`` (English and Chinese), of its parts
(the model, the sensitivity run, writing with XlsxWriter), and of two baselines measured in the
same run: ``model.compute()`` alone and writing an empty XlsxWriter workbook in memory. Peak
Python heap (tracemalloc) per render and the process's peak RSS (getrusage) are printed too.
No assertion: the figures are quoted in the report.
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable

import xlsxwriter

from qitxl import bundled, compute
from qitxl.workbook import render
from qitxl.workbook.sensitivity_sheet import WORKBOOK_SAMPLES, compute_indices
from qitxl.workbook.sensitivity_sheet import compute as sensitivity
from qitxl.workbook.whatif_sheet import compute as whatif


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median seconds per call over ``repeat`` calls (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def peak_heap(fn: Callable[[], object]) -> int:
    """Peak bytes allocated by Python during one call."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def empty_workbook() -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.add_worksheet()
    wb.close()
    return buf.getvalue()


def end_to_end(repeat: int) -> tuple[float, float]:
    """Median wall time of `python -m qitxl.cli generate` in a new process, and of importing qitxl alone."""
    import subprocess
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "wb.xlsx"
        gen = [sys.executable, "-m", "qitxl.cli", "generate", "-o", str(out), "--force"]
        imp = [sys.executable, "-c", "import qitxl"]
        return (timed(lambda: subprocess.run(gen, check=True, capture_output=True), repeat),
                timed(lambda: subprocess.run(imp, check=True, capture_output=True), repeat))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args(argv)
    ds = bundled()
    rows = [
        ("render() en (the standard workbook)", lambda: render()),
        ("render() zh", lambda: render(lang="zh")),
        ("baseline: model.compute()", lambda: compute(ds)),
        ("part: sensitivity.run() (1000 draws)", lambda: sensitivity(ds, None)),
        (f"part: indices.rank_indices() (N={WORKBOOK_SAMPLES})", lambda: compute_indices(ds, None)),
        ("part: whatif.run() (leave one out)", lambda: whatif(ds, None)),
        ("baseline: empty XlsxWriter workbook", empty_workbook),
    ]
    results = {name: timed(fn, args.repeat) for name, fn in rows}
    std = results[rows[0][0]]
    print(f"qitxl workbook benchmark, median of {args.repeat} runs, Python {sys.version.split()[0]}")
    for name, sec in results.items():
        print(f"  {name:<42} {sec * 1000:9.2f} ms   standard/this = {std / sec:8.1f}x")
    print(f"  {'file size (en)':<42} {len(render()):9d} bytes")
    e2e, startup = end_to_end(min(args.repeat, 5))
    print(f"  end to end: `qitxl generate` (new process)  {e2e * 1000:9.2f} ms   "
          f"baseline `python -c 'import qitxl'` {startup * 1000:.2f} ms")
    heap_render = peak_heap(render)
    heap_compute = peak_heap(lambda: compute(ds))
    heap_empty = peak_heap(empty_workbook)
    print(f"  peak Python heap, render():          {heap_render / 1e6:7.2f} MB")
    print(f"  peak Python heap, model.compute():   {heap_compute / 1e6:7.2f} MB  (render/compute = "
          f"{heap_render / heap_compute:.1f}x)")
    print(f"  peak Python heap, empty workbook:    {heap_empty / 1e6:7.2f} MB  (render/empty = "
          f"{heap_render / heap_empty:.1f}x)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"  peak RSS of this process:            {rss / 1024:7.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
