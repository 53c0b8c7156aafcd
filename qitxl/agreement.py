"""Agreement between independent coders: Krippendorff's alpha and weighted Cohen's kappa.

Used to report how far two codings of the QIT evidence agreed before reconciliation
(``qitxl audit``, docs/methodology.md). Pure Python; no Excel, no pandas.

Krippendorff's alpha follows Krippendorff (2011), "Computing Krippendorff's alpha-reliability":
a coincidence matrix over pairable values, with the nominal, ordinal or interval difference
function. Weighted kappa is Cohen's (1968) with linear or quadratic disagreement weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LEVELS = ("nominal", "ordinal", "interval")


def _coincidences(units: Sequence[Sequence[float | None]]) -> tuple[list[float], list[list[float]]]:
    """Values in sorted order and the coincidence matrix o[c][k] over units with two or more values."""
    values = sorted({v for unit in units for v in unit if v is not None})
    index = {v: i for i, v in enumerate(values)}
    size = len(values)
    o = [[0.0] * size for _ in range(size)]
    for unit in units:
        present = [index[v] for v in unit if v is not None]
        m = len(present)
        if m < 2:
            continue
        for i, c in enumerate(present):
            for j, k in enumerate(present):
                if i != j:
                    o[c][k] += 1.0 / (m - 1)
    return values, o


def _difference(level: str, values: list[float], totals: list[float]):
    """The squared difference function delta^2(c, k) for the measurement level."""
    if level == "nominal":
        return lambda c, k: 0.0 if c == k else 1.0
    if level == "interval":
        return lambda c, k: (values[c] - values[k]) ** 2

    def ordinal(c: int, k: int) -> float:
        lo, hi = min(c, k), max(c, k)
        return (sum(totals[lo:hi + 1]) - (totals[lo] + totals[hi]) / 2.0) ** 2

    return ordinal


def krippendorff_alpha(units: Sequence[Sequence[float | None]], level: str = "ordinal") -> float:
    """Krippendorff's alpha for units (rows) coded by several coders (None = not coded).

    1 is perfect agreement, 0 agreement at chance level; it is undefined (ValueError) when the
    pairable values show no variation at all.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    values, o = _coincidences(units)
    totals = [sum(row) for row in o]
    n = sum(totals)
    if n < 2 or sum(1 for t in totals if t > 0) < 2:
        raise ValueError("alpha is undefined: fewer than two distinct pairable values")
    delta = _difference(level, values, totals)
    size = len(values)
    observed = sum(o[c][k] * delta(c, k) for c in range(size) for k in range(size))
    expected = sum(totals[c] * totals[k] * delta(c, k) for c in range(size) for k in range(size))
    return 1.0 - (n - 1) * observed / expected


def weighted_kappa(a: Sequence[int], b: Sequence[int], categories: Sequence[int],
                   weights: str = "quadratic") -> float:
    """Cohen's weighted kappa of two coders' ratings on the same items.

    ``weights`` is "quadratic" or "linear": the penalty for a disagreement of d categories out of
    k - 1 is (d / (k - 1))**2 or d / (k - 1).
    """
    if len(a) != len(b) or not a:
        raise ValueError("two equally long, non-empty rating lists are needed")
    if weights not in ("quadratic", "linear"):
        raise ValueError(f"weights must be quadratic or linear, not {weights!r}")
    cats = list(categories)
    index = {c: i for i, c in enumerate(cats)}
    k = len(cats)
    power = 2 if weights == "quadratic" else 1
    w = [[(abs(i - j) / (k - 1)) ** power for j in range(k)] for i in range(k)]
    observed = [[0.0] * k for _ in range(k)]
    for x, y in zip(a, b, strict=True):
        observed[index[x]][index[y]] += 1
    n = float(len(a))
    rows = [sum(r) for r in observed]
    cols = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    obs = sum(w[i][j] * observed[i][j] for i in range(k) for j in range(k)) / n
    exp = sum(w[i][j] * rows[i] * cols[j] for i in range(k) for j in range(k)) / (n * n)
    if exp == 0:
        raise ValueError("kappa is undefined: both coders used a single category")
    return 1.0 - obs / exp


@dataclass(frozen=True)
class Agreement:
    """How two codings of the same cells compare."""

    cells: int
    exact: float
    within_one: float
    alpha_ordinal: float
    alpha_interval: float
    kappa_quadratic: float
    kappa_linear: float

    def as_dict(self) -> dict[str, float | int]:
        return dict(self.__dict__)


def compare(a: Sequence[int], b: Sequence[int], categories: Sequence[int] = range(6)) -> Agreement:
    """Every agreement figure qitxl reports for two codings of the same cells."""
    pairs = list(zip(a, b, strict=True))
    n = len(pairs)
    return Agreement(
        cells=n,
        exact=sum(x == y for x, y in pairs) / n,
        within_one=sum(abs(x - y) <= 1 for x, y in pairs) / n,
        alpha_ordinal=krippendorff_alpha(pairs, "ordinal"),
        alpha_interval=krippendorff_alpha(pairs, "interval"),
        kappa_quadratic=weighted_kappa(a, b, categories, "quadratic"),
        kappa_linear=weighted_kappa(a, b, categories, "linear"),
    )
