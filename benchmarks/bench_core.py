"""Cost of name resolution and score lookups, against a plain dict lookup measured in the same run.

Run: python benchmarks/bench_core.py
Prints nanoseconds per call and the ratio to the baseline. No assertion: the figures are quoted.
"""

from __future__ import annotations

import contextlib
import timeit

import qitxl
from qitxl.names import resolver


def per_call(stmt, number: int) -> float:
    best = min(timeit.repeat(stmt, number=number, repeat=5))
    return best / number * 1e9


def main() -> None:
    ds = qitxl.bundled()
    names = [p.name_en for p in ds.provinces] + [p.name_zh for p in ds.provinces] + ["340000", "Shǎnxī"]
    r = resolver()
    plain = {n: r.resolve(n) for n in names}
    for n in names:  # warm the cache as Excel's repeated recalculation would
        r.resolve(n)
    res = qitxl.results()
    n = 200_000
    k = len(names)
    i = iter(range(10**12))

    base = per_call(lambda: plain[names[next(i) % k]], n)
    seen = per_call(lambda: r.resolve(names[next(i) % k]), n)
    fresh_texts = [f"  {nm.upper()}\u00a0" for nm in names]
    cold = per_call(lambda: r._resolve_uncached(fresh_texts[next(i) % k]), 20_000)
    miss = per_call(lambda: _miss(r), 200)
    repeat_miss = per_call(lambda: _miss(r, cached=True), 20_000)
    score = per_call(lambda: res.score(r.resolve("Anhui")), n)
    facade = per_call(lambda: qitxl.score("Anhui"), 50_000)
    custom = per_call(lambda: qitxl.score("Anhui", weights=[1, 1, 1, 1, 1, 1]), 20_000)
    rows = [
        ("plain dict lookup (baseline)", base),
        ("resolve(), spelling already seen", seen),
        ("resolve(), first sight of a spelling", cold),
        ("resolve() of a near miss (builds suggestions)", miss),
        ("resolve() of a near miss seen before (cached)", repeat_miss),
        ("Results.score(resolve(name))", score),
        ("qitxl.score(name)", facade),
        ("qitxl.score(name, weights=...) (cached weights)", custom),
    ]
    print(f"{'operation':<50} {'ns/call':>10} {'x baseline':>11}")
    for label, ns in rows:
        print(f"{label:<50} {ns:>10.0f} {ns / base:>11.1f}")
    long_text_rows(base)
    t0 = timeit.default_timer()
    qitxl.compute()
    print(f"\nfull model run (compute()): {(timeit.default_timer() - t0) * 1e3:.2f} ms")


def long_text_rows(base: float) -> None:
    """Cost of resolving long text: refused at once, and (limit lifted) linear in its length."""
    from qitxl.names import Resolver

    capped = resolver()
    uncapped = Resolver(qitxl.bundled().provinces)
    uncapped.max_length = 10**9  # to show the cost of the resolution itself, not of the refusal
    print(f"\n{'long text (not a name), first sight':<50} {'ns/call':>10} {'x baseline':>11} {'ns/char':>8}")
    for n in (1_000, 10_000, 100_000):
        text = "Qit " * (n // 4)  # spaces fold away: one run of letters
        for label, r in (("refused at once", capped), ("limit lifted", uncapped)):
            number = 2_000 if r is capped else max(2, 200_000 // n)
            ns = per_call(lambda r=r, text=text: _unknown(r, text), number)
            print(f"{f'{n:,} characters, {label}':<50} {ns:>10.0f} {ns / base:>11.1f} {ns / n:>8.1f}")


def _unknown(r, text: str) -> None:
    with contextlib.suppress(LookupError):
        r._resolve_uncached(text)


def _miss(r, cached: bool = False) -> None:
    with contextlib.suppress(LookupError):
        r.resolve("Anhiu") if cached else r._resolve_uncached("Anhiu")


if __name__ == "__main__":
    main()
