"""Benchmark: the vectorised Monte Carlo against the naive loop of one ``model.compute`` per draw.

Run: ``python benchmarks/bench_sensitivity.py [--draws 10000] [--repeats 5] [--baseline-calls 200]``

Both are measured in the same run on the same machine. The baseline times ``--baseline-calls``
``model.compute`` calls (each with perturbed weights and a method choice, as a draw would need)
and scales that to the number of draws; the ratio is how many times faster the vectorised run is.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from qitxl import sensitivity
from qitxl.dataset import bundled
from qitxl.model import compute


def best_of(fn, repeats: int) -> tuple[float, float]:
    """Best and median wall time of ``repeats`` calls of ``fn``, in seconds."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def naive(calls: int, seed: int = 1) -> None:
    """What a loop would do: one full model run per draw."""
    ds = bundled()
    rng = np.random.default_rng(seed)
    w0 = np.array(list(compute(ds).weights.values()))
    combos = [(n, a) for n in ("minmax", "rank", "goalposts") for a in ("arithmetic", "geometric")]
    for _ in range(calls):
        w = w0 * (1 + rng.uniform(-0.25, 0.25, len(w0)))
        n, a = combos[rng.integers(len(combos))]
        compute(ds, list(w), normalisation=n, aggregation=a)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--baseline-calls", type=int, default=200)
    args = ap.parse_args()

    ds = bundled()
    sensitivity.run(ds, draws=100)  # warm-up: imports, dataset load
    fast_best, fast_median = best_of(lambda: sensitivity.run(ds, draws=args.draws), args.repeats)
    base_best, _ = best_of(lambda: naive(args.baseline_calls), max(1, args.repeats // 2))
    per_call = base_best / args.baseline_calls
    naive_total = per_call * args.draws

    print(f"provinces assessed: {len(ds.assessed)}, pillars: {len(ds.pillars)}, draws: {args.draws}")
    print(f"vectorised sensitivity.run: best {fast_best * 1000:.1f} ms, median {fast_median * 1000:.1f} ms "
          f"({fast_best / args.draws * 1e6:.2f} us per draw)")
    print(f"baseline model.compute:     {per_call * 1000:.3f} ms per call "
          f"(best of {args.baseline_calls} calls), x{args.draws} = {naive_total:.2f} s")
    print(f"ratio (baseline / vectorised): {naive_total / fast_best:.0f}x")


if __name__ == "__main__":
    main()
