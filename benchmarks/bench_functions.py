"""Per-call cost of the QIT_* functions, next to a plain dict lookup measured in the same run.

Run: ``python benchmarks/bench_functions.py``. Prints microseconds per call (best of several
repeats) and the ratio to the baseline, so figures from different machines can be compared.
"""

from __future__ import annotations

import timeit
from collections.abc import Callable

from qitxl import functions as F
from qitxl.dataset import bundled

REPEAT = 5


def best(fn: Callable[[], object], number: int) -> float:
    """Seconds per call: the best of REPEAT runs of ``number`` calls."""
    return min(timeit.repeat(fn, number=number, repeat=REPEAT)) / number


def main() -> None:
    ds = bundled()
    names = [p.name_en for p in ds.provinces]
    table = {p.name_en: p.iso_code for p in ds.provinces}
    big = [[names[(r * 7 + c) % len(names)] if (r + c) % 13 else None for c in range(10)] for r in range(1000)]
    big_dict = [[table.get(c, "") for c in row] for row in big]
    assert len(big_dict) == 1000

    base_scalar = best(lambda: table["Anhui"], 200_000)
    base_range = best(lambda: [[table.get(c, "") for c in row] for row in big], 20)

    weights = [[1.0, 1.0, 1.0, 1.0, 1.0, 1.0]]
    cases: list[tuple[str, Callable[[], object], int, float]] = [
        ('QIT_TIER("Anhui")', lambda: F.qit_tier("Anhui"), 100_000, base_scalar),
        ("QIT_TIER(340000.0)", lambda: F.qit_tier(340000.0), 100_000, base_scalar),
        ('QIT_SCORE("安徽省")', lambda: F.qit_score("安徽省"), 100_000, base_scalar),
        ('QIT_SCORE("Anhui","research")', lambda: F.qit_score("Anhui", "research"), 100_000, base_scalar),
        ('QIT_RANK("Anhui",,weights)', lambda: F.qit_rank("Anhui", None, weights), 50_000, base_scalar),
        ('QIT_NAME("CN-AH","zh")', lambda: F.qit_name("CN-AH", "zh"), 100_000, base_scalar),
        ('QIT_INDICATOR("Anhui","rd_intensity")', lambda: F.qit_indicator("Anhui", "rd_intensity"), 50_000,
         base_scalar),
        ('QIT_TIER("Anhiu") (not found)', lambda: F.qit_tier("Anhiu"), 100_000, base_scalar),
        ("QIT_PROVINCES()", lambda: F.qit_provinces(), 20_000, base_scalar),
        ('QIT_PROFILE("Anhui")', lambda: F.qit_profile("Anhui"), 20_000, base_scalar),
        ("QIT_TIER(10,000-cell range)", lambda: F.qit_tier(big), 20, base_range),
        ("QIT_SCORE(10,000-cell range)", lambda: F.qit_score(big), 20, base_range),
        ("QIT_RESOLVE(10,000-cell range)", lambda: F.qit_resolve(big), 20, base_range),
    ]
    print(f"{'call':42} {'per call':>12} {'baseline':>12} {'ratio':>7}")
    print(f"{'dict lookup (scalar baseline)':42} {base_scalar * 1e6:10.3f}us")
    print(f"{'dict lookups over 10,000 cells (baseline)':42} {base_range * 1e3:10.3f}ms")
    for label, fn, number, base in cases:
        fn()  # warm the memo, as a recalculating workbook would
        t = best(fn, number)
        unit, scale = ("ms", 1e3) if base is base_range else ("us", 1e6)
        print(f"{label:42} {t * scale:10.3f}{unit} {base * scale:10.3f}{unit} {t / base:7.1f}x")


if __name__ == "__main__":
    main()
