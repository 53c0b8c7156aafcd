"""Which assumption matters: variance-based sensitivity indices of each province's rank.

The uncertain inputs are the ones ``qitxl.sensitivity`` samples, treated as four independent
groups: the pillar **weights** (each ``w * (1 + U(-p, p))``, rescaled to sum to 1, the same rule
as the Monte Carlo), the **normalisation**, the **aggregation** and the **skew treatment** (each
drawn uniformly among its alternatives). For each province and each group:

- first-order index S1: the share of the variance of the province's rank that the group explains
  on its own (Saltelli et al. 2010 estimator, ``mean(f(B) * (f(A_B) - f(A))) / V``);
- total-effect index ST: the share explained by the group including all its interactions with the
  others (Jansen 1999 estimator, ``mean((f(A) - f(A_B)) ** 2) / (2 V)``);

where A and B are two independent samples of N points, A_B is A with the group's columns taken
from B, and V the variance of f over A and B together. Cost: N x (groups + 2) model runs. Each
index also carries a standard error from the central limit theorem (the estimators are sample
means). A province whose rank never moves has V = 0 and no indices (NaN).

``sobol`` is the generic estimator (tested on the Ishigami function, whose indices are known);
``rank_indices`` applies it to the model. Pure NumPy; nothing here knows about Excel.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .dataset import Dataset, bundled
from .model import (
    SKEW_TREATMENTS,
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
from .sensitivity import DEFAULT_SEED, scale_weights

GROUPS = ("weights", "normalisation", "aggregation", "skew")
DEFAULT_SAMPLES = 16384


@dataclass(frozen=True)
class SobolIndices:
    """Indices per group (rows) and output (columns), with their standard errors."""

    first: np.ndarray
    total: np.ndarray
    first_se: np.ndarray
    total_se: np.ndarray
    variance: np.ndarray
    samples: int


def sobol(f: Callable[[np.ndarray], np.ndarray], dims: int, samples: int, rng: np.random.Generator,
          groups: Sequence[Sequence[int]] | None = None) -> SobolIndices:
    """First-order (Saltelli 2010) and total-effect (Jansen) indices of ``f`` over U[0, 1)^dims.

    ``f`` takes an (m x dims) array of points and returns m outputs (or m x k for k outputs at
    once). ``groups`` lists the columns of each input group (default: one group per column).
    """
    if samples < 2:
        raise ModelError(f"samples must be at least 2, not {samples}")
    groups = [list(g) for g in (groups if groups is not None else [[d] for d in range(dims)])]
    a = rng.random((samples, dims))
    b = rng.random((samples, dims))
    blocks = [a, b]
    for g in groups:
        ab = a.copy()
        ab[:, g] = b[:, g]
        blocks.append(ab)
    y = np.asarray(f(np.vstack(blocks)), dtype=float)
    y = y.reshape(len(groups) + 2, samples, -1)
    # centring on the mean leaves both estimators' expectations unchanged and cuts the first-order
    # estimator's variance when f has a large mean (ranks do), as SALib does
    y = y - np.concatenate([y[0], y[1]]).mean(axis=0)
    fa, fb, fab = y[0], y[1], y[2:]
    var = np.concatenate([fa, fb]).var(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        s1_terms = fb[None] * (fab - fa[None])
        st_terms = 0.5 * (fa[None] - fab) ** 2
        first = s1_terms.mean(axis=1) / var
        total = st_terms.mean(axis=1) / var
        first_se = s1_terms.std(axis=1, ddof=1) / np.sqrt(samples) / var
        total_se = st_terms.std(axis=1, ddof=1) / np.sqrt(samples) / var
    return SobolIndices(first, total, first_se, total_se, var, samples)


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """The Ishigami test function on points in U[0, 1)^3 (mapped to [-pi, pi)^3)."""
    z = -np.pi + 2.0 * np.pi * x
    return np.sin(z[:, 0]) + a * np.sin(z[:, 1]) ** 2 + b * z[:, 2] ** 4 * np.sin(z[:, 0])


@dataclass(frozen=True, eq=False)
class RankIndices:
    """Sensitivity indices of every assessed province's rank, provinces in nominal rank order."""

    iso_codes: tuple[str, ...]
    nominal_ranks: tuple[int, ...]
    groups: tuple[str, ...]
    indices: SobolIndices = field(repr=False)  # rows = groups, columns = provinces (iso_codes order)
    settings: Mapping[str, object] = field(default_factory=dict)

    def records(self, ds: Dataset, lang: str = "en") -> list[dict[str, object]]:
        """One flat row per province: nominal rank, rank variance, S1_<group> and ST_<group>."""
        rows = []
        for c, iso in enumerate(self.iso_codes):
            row: dict[str, object] = {"iso_code": iso, "name": ds.province(iso).name(lang),
                                      "nominal_rank": self.nominal_ranks[c],
                                      "rank_variance": float(self.indices.variance[c])}
            for g, name in enumerate(self.groups):
                row[f"S1_{name}"] = _clean(self.indices.first[g, c])
            for g, name in enumerate(self.groups):
                row[f"ST_{name}"] = _clean(self.indices.total[g, c])
            row["max_se"] = _clean(self.province_se()[c])
            rows.append(row)
        return rows

    def province_se(self) -> np.ndarray:
        """The largest standard error of each province's indices (NaN where its rank never moves)."""
        se = np.vstack([self.indices.first_se, self.indices.total_se])
        largest = np.where(np.isnan(se), -np.inf, se).max(axis=0)
        return np.where(np.isfinite(largest), largest, np.nan)

    def max_se(self) -> float:
        """The largest standard error of any index: how far to trust the digits."""
        return max_se(self.indices)


def max_se(idx: SobolIndices) -> float:
    """The largest finite standard error of any index (provinces whose rank never moves left out)."""
    se = np.concatenate([idx.first_se.ravel(), idx.total_se.ravel()])
    se = se[np.isfinite(se)]
    return float(se.max()) if len(se) else 0.0


def _clean(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)


def _choices(u: np.ndarray, k: int) -> np.ndarray:
    """Map U[0, 1) to one of k alternatives, uniformly."""
    return np.minimum((u * k).astype(int), k - 1)


def composite(pillars: np.ndarray, w: np.ndarray, geometric: bool, floor: float) -> np.ndarray:
    """``model.weighted_mean_batch`` as one matrix product when no pillar score is missing (the usual case).

    The same formula (weighted sum over the sum of the weights, or its geometric form on the
    shifted scores), several times faster on thousands of weight vectors; only the order of the
    additions may differ, far below the 6 decimals ranks are taken at. With a missing pillar
    score it is ``weighted_mean_batch`` itself (which re-weights per province).
    """
    if np.isnan(pillars).any():
        return weighted_mean_batch(pillars, w, geometric=geometric, floor=floor)
    wsum = w.sum(axis=1, keepdims=True)
    if not geometric:
        return (w @ pillars.T) / wsum
    logs = np.log(floor + pillars * (100.0 - floor) / 100.0)
    return (np.exp((w @ logs.T) / wsum) - floor) * 100.0 / (100.0 - floor)


def rank_model(ds: Dataset, weights: Weights, perturbation: float, norms: Sequence[str], aggs: Sequence[str],
               skews: Sequence[str]) -> Callable[[np.ndarray], np.ndarray]:
    """The model as a function of points in U[0, 1)^(pillars + 3): ranks (points x assessed provinces).

    Columns: one per pillar weight (u -> w * (1 + p * (2u - 1)), rescaled), then the normalisation,
    aggregation and skew treatment, each u picking alternative floor(u * k). Each (normalisation,
    skew) pillar matrix is computed once; the points are then batched through the model's own
    weighted mean and RANK.EQ.
    """
    nominal = compute(ds, weights)
    w0 = np.array([nominal.weights[p] for p in nominal.pillar_ids], dtype=float)
    raw = raw_matrix(ds)
    # (normalisation, skew) pairs that give the same pillar matrix (a skew treatment that changes no
    # column, say) share one batch: same results, fewer passes
    distinct: dict[bytes, tuple[np.ndarray, list[tuple[int, int]]]] = {}
    for a, n in enumerate(norms):
        for b, s in enumerate(skews):
            pm = pillar_matrix(ds, normalised_matrix(ds, n, s, raw)[0])
            distinct.setdefault(pm.tobytes(), (pm, []))[1].append((a, b))
    floor, P = ds.method.geometric_floor, len(w0)

    def model(x: np.ndarray) -> np.ndarray:
        w = scale_weights(w0, -perturbation + 2.0 * perturbation * x[:, :P], perturbation)
        ni, ai, si = _choices(x[:, P], len(norms)), _choices(x[:, P + 1], len(aggs)), _choices(x[:, P + 2], len(skews))
        scores = np.empty((len(x), len(nominal.iso_codes)))
        for pm, pairs in distinct.values():
            uses = np.zeros(len(x), dtype=bool)
            for a, b in pairs:
                uses |= (ni == a) & (si == b)
            for k, agg in enumerate(aggs):
                sel = np.flatnonzero(uses & (ai == k))
                if len(sel):
                    scores[sel] = composite(pm, w[sel], agg == "geometric", floor)
        return rank_eq(scores)

    return model


def rank_indices(dataset: Dataset | None = None, weights: Weights = None, *, samples: int = DEFAULT_SAMPLES,
                 seed: int = DEFAULT_SEED, perturbation: float = 0.25,
                 normalisations: Sequence[str] = ("minmax", "rank", "goalposts"),
                 aggregations: Sequence[str] = ("arithmetic", "geometric"),
                 skew_transforms: Sequence[str] = SKEW_TREATMENTS) -> RankIndices:
    """S1 and ST of every assessed province's rank over weights, normalisation, aggregation, skew."""
    ds = dataset or bundled()
    if isinstance(samples, bool) or not isinstance(samples, int | np.integer) or samples < 2:
        raise ModelError(f"samples must be a whole number >= 2, not {samples!r}")
    if not 0 <= perturbation < 1:
        raise ModelError(f"perturbation must be in [0, 1), not {perturbation!r}")
    norms, aggs, skews = (tuple(dict.fromkeys(x)) for x in (normalisations, aggregations, skew_transforms))
    if not norms or not aggs or not skews:
        raise ModelError("give at least one normalisation, aggregation and skew treatment")
    for n in norms:
        for a in aggs:
            check_method(n, a)  # the groups are independent, so every pair must be valid
    bad = [s for s in skews if s not in SKEW_TREATMENTS]
    if bad:
        raise ModelError(f"unknown skew treatment(s) {', '.join(bad)}; choose from {', '.join(SKEW_TREATMENTS)}")

    nominal = compute(ds, weights)
    model = rank_model(ds, weights, perturbation, norms, aggs, skews)
    P = len(nominal.pillar_ids)
    groups = [list(range(P)), [P], [P + 1], [P + 2]]
    idx = sobol(model, P + 3, int(samples), np.random.default_rng(seed), groups)
    order = [nominal.iso_codes.index(iso) for iso in nominal.order()]
    idx = SobolIndices(*(m[:, order] for m in (idx.first, idx.total, idx.first_se, idx.total_se)),
                       idx.variance[order], idx.samples)
    settings = {
        "samples": int(samples), "model_runs": int(samples) * (len(groups) + 2), "seed": int(seed),
        "perturbation": float(perturbation),
        "weight_rule": f"each pillar weight x (1 + U(-{perturbation:g}, +{perturbation:g})), rescaled to sum to 1",
        "normalisations": list(norms), "aggregations": list(aggs), "skew_transforms": list(skews),
        "estimators": "first order: Saltelli et al. (2010); total effect: Jansen (1999)",
        "max_standard_error": round(max_se(idx), 4), "dataset_version": ds.version,
    }
    return RankIndices(tuple(nominal.order()), tuple(int(nominal.ranks[i]) for i in order), GROUPS, idx, settings)
