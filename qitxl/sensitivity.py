"""Uncertainty analysis: how far each province's rank moves when the modeller's choices move.

A Monte Carlo in the manner of the JRC's COIN audits. Each draw

- perturbs every pillar weight independently, ``w * (1 + u)`` with ``u ~ Uniform(-p, +p)``, then
  rescales them to sum to 1 (``p`` is ``perturbation``, 0.25 by default);
- picks one normalisation and one aggregation uniformly among the valid combinations of the
  alternatives given (z-scores cannot be aggregated geometrically, so that pair is never drawn);

and ranks the provinces as the model does (``model.rank_eq``: RANK.EQ on scores rounded by
``model.rank_basis``). Each normalisation's pillar matrix is computed once; the draws are then a
few batched array operations, so 10,000 draws take well under a second. The nominal rank is the
published one: the model with the dataset's own method and the given (or default) weights. The
same seed gives the same result.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .dataset import Dataset, bundled
from .model import (
    ModelError,
    Weights,
    check_method,
    compute,
    normalised_matrix,
    pillar_matrix,
    rank_eq,
    raw_matrix,
    weighted_mean_batch,
)

DEFAULT_SEED = 20261124
TABLE_COLUMNS = ("iso_code", "name_en", "name_zh", "nominal_rank", "median_rank", "p05", "p95", "best", "worst")


@dataclass(frozen=True, eq=False)
class SensitivityResult:
    """Rank uncertainty for the assessed provinces.

    ``rows``: one dict per assessed province in nominal rank order (ties by ISO code), columns
    ``TABLE_COLUMNS``. ``p05``/``p95`` are ranks that occurred in the draws, chosen so that at
    least 90% of draws fall between them; ``best``/``worst`` are the extremes over all draws.
    ``settings``: what was run, for display. ``draws``: the number of draws. ``ranks``: the rank
    in every draw (draws x provinces, columns in ``table`` row order). ``choices``: the
    (normalisation, aggregation) index drawn each time, into ``settings["combinations"]``.
    """

    rows: tuple[dict[str, object], ...]
    settings: Mapping[str, object]
    draws: int
    ranks: np.ndarray = field(repr=False)
    choices: np.ndarray = field(repr=False)

    @functools.cached_property
    def table(self):
        """``rows`` as a pandas DataFrame (pandas is imported only when this is asked for)."""
        import pandas as pd

        return pd.DataFrame(list(self.rows), columns=list(TABLE_COLUMNS))


def draw_weights(nominal: np.ndarray, draws: int, perturbation: float, rng: np.random.Generator) -> np.ndarray:
    """``draws`` weight vectors: each nominal weight times 1 + Uniform(-p, p), rows rescaled to sum to 1.

    With ``perturbation`` 0 every row is the nominal vector exactly (no rescaling), which keeps the
    zero-perturbation draws bitwise equal to the nominal model.
    """
    u = rng.uniform(-perturbation, perturbation, size=(draws, len(nominal)))
    return scale_weights(nominal, u, perturbation)


def scale_weights(nominal: np.ndarray, u: np.ndarray, perturbation: float) -> np.ndarray:
    """Weight vectors ``nominal * (1 + u)`` for each row of u (in [-p, p]), rescaled to sum to 1.

    The one weight rule of the Monte Carlo and of the variance-based indices (qitxl.indices).
    With ``perturbation`` 0 every row is the nominal vector exactly (no rescaling).
    """
    if perturbation == 0:
        return np.broadcast_to(nominal, u.shape).copy()
    w = nominal[None, :] * (1.0 + u)
    return w / w.sum(axis=1, keepdims=True)


def run(dataset: Dataset | None = None, weights: Weights = None, *, draws: int = 1000, seed: int = DEFAULT_SEED,
        perturbation: float = 0.25, normalisations: Sequence[str] = ("minmax", "rank", "goalposts"),
        aggregations: Sequence[str] = ("arithmetic", "geometric")) -> SensitivityResult:
    """Monte Carlo over pillar weights and method choices; rank statistics per assessed province."""
    ds = dataset or bundled()
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 1:
        raise ModelError(f"draws must be a whole number >= 1, not {draws!r}")
    if not 0 <= perturbation < 1:
        raise ModelError(f"perturbation must be in [0, 1), not {perturbation!r}")
    normalisations, aggregations = tuple(dict.fromkeys(normalisations)), tuple(dict.fromkeys(aggregations))
    if not normalisations or not aggregations:
        raise ModelError("give at least one normalisation and one aggregation")
    combos = []
    for n in normalisations:
        for a in aggregations:
            try:
                check_method(n, a)
            except ValueError:
                if n == "zscore" and a == "geometric":
                    continue  # invalid pair: never drawn
                raise
            combos.append((n, a))
    if not combos:
        raise ModelError("no valid normalisation/aggregation pair among those given")

    nominal = compute(ds, weights)
    pillar_ids = nominal.pillar_ids
    w0 = np.array([nominal.weights[p] for p in pillar_ids], dtype=float)
    raw = raw_matrix(ds)
    pillars = {n: pillar_matrix(ds, normalised_matrix(ds, n, raw=raw)[0]) for n in normalisations}

    rng = np.random.default_rng(seed)
    w = draw_weights(w0, draws, float(perturbation), rng)
    choice = rng.integers(len(combos), size=draws)
    scores = np.empty((draws, len(nominal.iso_codes)))
    floor = ds.method.geometric_floor
    for c, (n, a) in enumerate(combos):
        sel = np.flatnonzero(choice == c)
        if len(sel):
            scores[sel] = weighted_mean_batch(pillars[n], w[sel], geometric=a == "geometric", floor=floor)
    ranks = rank_eq(scores)

    order = [nominal.iso_codes.index(iso) for iso in nominal.order()]
    ranks = ranks[:, order]
    rows = []
    for k, i in enumerate(order):
        p = ds.province(nominal.iso_codes[i])
        r = ranks[:, k]
        rows.append({
            "iso_code": p.iso_code, "name_en": p.name_en, "name_zh": p.name_zh_short,
            "nominal_rank": int(nominal.ranks[i]), "median_rank": float(np.median(r)),
            "p05": int(np.quantile(r, 0.05, method="inverted_cdf")),
            "p95": int(np.quantile(r, 0.95, method="inverted_cdf")),
            "best": int(r.min()), "worst": int(r.max()),
        })
    settings = {
        "draws": int(draws), "seed": int(seed), "perturbation": float(perturbation),
        "weight_rule": f"each pillar weight x (1 + U(-{perturbation:g}, +{perturbation:g})), rescaled to sum to 1",
        "nominal_weights": {p: float(x) for p, x in zip(pillar_ids, w0, strict=True)},
        "nominal_method": {"normalisation": nominal.normalisation, "aggregation": nominal.aggregation},
        "normalisations": list(normalisations), "aggregations": list(aggregations),
        "combinations": [f"{n}+{a}" for n, a in combos],
        "combination_rule": "one valid normalisation+aggregation pair per draw, uniformly",
        "skew_transform": ds.method.skew_transform,
        "provinces": len(order), "dataset_version": ds.version, "dataset": ds.origin,
    }
    return SensitivityResult(rows=tuple(rows), settings=settings, draws=int(draws), ranks=ranks, choices=choice)
