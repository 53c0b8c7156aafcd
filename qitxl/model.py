"""The composite index: normalise indicators, weight, aggregate, rank and tier.

Steps, in the order ``compute`` runs them (all choices come from ``methodology.toml`` unless
the caller overrides them):

1. Take each indicator's value for the model year, for the assessed provinces only.
2. Skewed indicators (|skewness| and kurtosis above the limits) are treated: ln(1 + x) by
   default, or winsorised (falling back to the log) with ``skew_transform="winsorise"``.
3. Normalise each indicator across the assessed provinces (min-max, z-score, percentile rank or
   fixed goalposts); indicators with direction -1 are reversed.
4. Pillar score: weighted mean of its indicators; a missing value is left out and the remaining
   weights rescaled (flagged in ``Results.missing``).
5. Composite: weighted arithmetic or geometric mean of pillar scores, again rescaling weights over
   the pillars a province has.
6. Rank as Excel's RANK.EQ does (ties share the best rank), and tier by the score thresholds,
   both on the score rounded to ``RANK_DECIMALS`` decimals (``rank_basis``), so that
   floating-point noise in the last bits never breaks a tie or crosses a threshold.

Everything here is plain NumPy; nothing knows about Excel.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import numpy as np

from .dataset import AGGREGATIONS, NORMALISATIONS, SKEW_TREATMENTS, Dataset, TierDef, bundled
from .exceptions import QitxlError

Weights = Mapping[str, float] | Sequence[float] | None


class ModelError(QitxlError, ValueError):
    """A modelling choice or argument is not valid: weights, method, pillar, draws, samples."""


class NotAssessed(QitxlError, LookupError):
    """The province exists but has no coded QIT evidence, so it has no score.

    ``in_scope`` is false for the divisions outside the index's scope (no NBS statistics: Hong Kong,
    Macao, Taiwan; docs/codebook.md says why), true for a province a dataset simply has not rated.
    """

    def __init__(self, iso_code: str, name: str, in_scope: bool = True):
        self.iso_code = iso_code
        why = ("the dataset holds no QIT evidence for it" if in_scope else
               "the index covers the 31 mainland divisions, which the national R&D statistics cover")
        super().__init__(f"{name} is not assessed: {why}")


@dataclass(frozen=True)
class Tier:
    """A tier: ``level`` 1 is the top; ``label`` in the language asked for."""

    level: int | None
    label: str
    basis: str

    def __str__(self) -> str:
        return self.label


def resolve_weights(dataset: Dataset, weights: Weights = None, weighting: str | None = None) -> dict[str, float]:
    """Validate user weights and return pillar -> weight summing to 1.

    ``weights`` may be a mapping pillar id -> weight (pillars left out weigh 0) or a sequence in
    pillar order. Weights must be finite, >= 0 and not all zero; they are rescaled to sum to 1.
    """
    ids = [p.id for p in dataset.pillars]
    if weights is None:
        if (weighting or dataset.method.weighting) == "equal":
            return {pid: 1.0 / len(ids) for pid in ids}
        raw = dataset.default_weights
    elif isinstance(weights, Mapping):
        unknown = [k for k in weights if k not in ids]
        if unknown:
            raise ModelError(f"unknown pillar(s) {', '.join(map(str, unknown))}; pillars are {', '.join(ids)}")
        raw = {pid: weights.get(pid, 0.0) for pid in ids}
    else:
        seq = list(weights)
        if len(seq) != len(ids):
            raise ModelError(f"{len(seq)} weights given; {len(ids)} are needed, in the order {', '.join(ids)}")
        raw = dict(zip(ids, seq, strict=True))
    out = {}
    for pid, w in raw.items():
        if isinstance(w, bool) or not isinstance(w, int | float | np.floating | np.integer):
            raise ModelError(f"weight for {pid} must be a number, not {w!r}")
        w = float(w)
        if not math.isfinite(w) or w < 0:
            raise ModelError(f"weight for {pid} must be a finite number >= 0, not {w}")
        out[pid] = w
    total = sum(out.values())
    if total <= 0:
        raise ModelError("weights are all zero")
    return {pid: w / total for pid, w in out.items()}


def skew_kurtosis(x: np.ndarray) -> tuple[float, float]:
    """Sample skewness and excess kurtosis (the bias-corrected forms Excel's SKEW and KURT use)."""
    x = x[~np.isnan(x)]
    n = len(x)
    if n < 4 or np.std(x) == 0:
        return 0.0, 0.0
    m, s = x.mean(), x.std(ddof=1)
    z = (x - m) / s
    skew = n / ((n - 1) * (n - 2)) * np.sum(z**3)
    kurt = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * np.sum(z**4) - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))
    return float(skew), float(kurt)


def normalise(x: np.ndarray, method: str, goalposts: tuple[float, float] | None = None,
              direction: int = 1) -> np.ndarray:
    """Normalise one indicator column (NaN = missing, kept NaN).

    minmax and goalposts give 0-100 (goalposts clipped), rank gives percentile 0-100 with ties
    averaged, zscore gives standard scores (population standard deviation, as STDEV.P).
    A column with no spread normalises to 50 (zscore: 0): it then carries no information.
    """
    x = np.asarray(x, dtype=float)
    ok = ~np.isnan(x)
    out = np.full_like(x, np.nan)
    if not ok.any():
        return out
    v = x[ok]
    if method == "minmax":
        lo, hi = v.min(), v.max()
        res = np.full_like(v, 50.0) if hi == lo else (v - lo) / (hi - lo) * 100.0
    elif method == "goalposts":
        lo, hi = goalposts if goalposts else (v.min(), v.max())
        res = np.full_like(v, 50.0) if hi == lo else np.clip((v - lo) / (hi - lo), 0.0, 1.0) * 100.0
    elif method == "rank":
        n = len(v)
        order = v.argsort(kind="stable")
        ranks = np.empty(n)
        ranks[order] = np.arange(n, dtype=float)
        for value in np.unique(v):  # average ranks of ties
            same = v == value
            ranks[same] = ranks[same].mean()
        res = np.full_like(v, 50.0) if n == 1 else ranks / (n - 1) * 100.0
    elif method == "zscore":
        sd = v.std()
        res = np.zeros_like(v) if sd == 0 else (v - v.mean()) / sd
    else:
        raise ModelError(f"unknown normalisation {method!r}")
    if direction == -1:
        res = -res if method == "zscore" else 100.0 - res
    out[ok] = res
    return out


def weighted_mean(values: np.ndarray, weights: np.ndarray, geometric: bool = False,
                  floor: float = 1.0) -> np.ndarray:
    """Row-wise weighted mean over columns, skipping NaN and rescaling the weights that remain.

    Geometric: inputs are shifted to [floor, 100] first (they must be on a 0-100 scale).
    A row with no values (or only zero-weight values) gives NaN.
    """
    return weighted_mean_batch(values, np.asarray(weights, dtype=float)[None, :], geometric, floor)[0]


def weighted_mean_batch(values: np.ndarray, weights: np.ndarray, geometric: bool = False,
                        floor: float = 1.0) -> np.ndarray:
    """``weighted_mean`` for many weight vectors at once: values (n x k), weights (m x k) -> (m x n).

    The composite of the model and every Monte Carlo draw go through this one routine, so a draw
    with the nominal weights reproduces the nominal scores bit for bit (and hence its ranks and ties).
    Weights need not sum to 1: each row is divided by the weights of the values it has.
    """
    ok = ~np.isnan(values)
    w = np.where(ok[None, :, :], weights[:, None, :], 0.0)
    wsum = w.sum(axis=2)
    safe = np.where(ok, values, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        if geometric:
            shifted = floor + safe * (100.0 - floor) / 100.0
            logs = np.log(np.where(ok, shifted, 1.0))
            res = np.exp((w * logs[None, :, :]).sum(axis=2) / wsum)
            res = (res - floor) * 100.0 / (100.0 - floor)
        else:
            res = (w * safe[None, :, :]).sum(axis=2) / wsum
    return np.where(wsum > 0, res, np.nan)


#: Scores are ranked and tiered after rounding to this many decimals (``rank_basis``). Engines sum
#: in different orders and some (Gnumeric) with extra precision, so two provinces that tie exactly
#: can come out 1e-14 apart; 6 decimals on a 0-100 scale is far above that noise and far below any
#: difference that means something. The workbook's formulas use the same rule (ROUND).
RANK_DECIMALS = 6


def rank_basis(scores: np.ndarray | float) -> np.ndarray:
    """Scores as they are ranked and tiered: rounded to ``RANK_DECIMALS`` as spreadsheet ROUND does.

    Excel, LibreOffice, Gnumeric and the ``formulas`` package round the number as its decimal
    reads to 15 significant digits, half away from zero: ROUND(0.5131085, 6) is 0.513109 although
    the double is a hair below the half (NumPy's ``round`` gives 0.513108, and goes half to even).
    Values that are not within a hair of a half need no decimal view. NaN stays NaN.
    """
    s = np.asarray(scores, dtype=float)
    scale = 10.0 ** RANK_DECIMALS
    y = np.atleast_1d(np.abs(s) * scale)
    r = np.floor(y + 0.5)
    near = np.abs(y - np.floor(y) - 0.5) < 1e-6  # NaN compares False
    if near.any():
        r[near] = [float(Decimal(f"{x:.15g}").scaleb(RANK_DECIMALS).to_integral_value(ROUND_HALF_UP))
                   for x in np.atleast_1d(np.abs(s))[near]]
    return np.sign(s) * r.reshape(s.shape) / scale


def rank_eq(scores: np.ndarray) -> np.ndarray:
    """Descending ranks as Excel's RANK.EQ along the last axis, on ``rank_basis(scores)``.

    1 + the number of strictly greater scores; NaN is unranked. Works on one vector or on a
    (draws x provinces) matrix, so the model, the audit and the Monte Carlo share one rule.
    """
    s = rank_basis(scores)
    greater = (s[..., None, :] > s[..., :, None]).sum(axis=-1)
    return np.where(np.isnan(s), np.nan, 1.0 + greater)


def tier_for(score: float, tiers: Sequence[TierDef]) -> TierDef | None:
    """The first tier (from level 1 down) whose minimum the score (``rank_basis``) reaches."""
    if score is None or math.isnan(score):
        return None
    basis = float(rank_basis(score))
    for t in tiers:
        if basis >= t.min_score:
            return t
    return tiers[-1]


@dataclass(frozen=True)
class Results:
    """Model output for the assessed provinces, in dataset (ISO code) order."""

    dataset: Dataset
    iso_codes: tuple[str, ...]
    pillar_ids: tuple[str, ...]
    indicator_ids: tuple[str, ...]
    weights: Mapping[str, float]
    normalisation: str
    aggregation: str
    raw: np.ndarray = field(repr=False)         # provinces x indicators, model-year values
    normalised: np.ndarray = field(repr=False)  # provinces x indicators
    pillars: np.ndarray = field(repr=False)     # provinces x pillars
    scores: np.ndarray = field(repr=False)      # provinces
    ranks: np.ndarray = field(repr=False)
    pillar_ranks: np.ndarray = field(repr=False)
    transforms: Mapping[str, str] = field(default_factory=dict)
    missing: tuple[tuple[str, str], ...] = ()   # (iso_code, indicator) left out and re-weighted

    @property
    def on_0_100(self) -> bool:
        return self.normalisation != "zscore"

    def index(self, iso_code: str) -> int:
        try:
            return self.iso_codes.index(iso_code)
        except ValueError:
            p = self.dataset.province(iso_code)
            raise NotAssessed(iso_code, p.name_en, p.nbs_statistics) from None

    def score(self, iso_code: str, pillar: str | None = None) -> float:
        i = self.index(iso_code)
        if pillar is None:
            return float(self.scores[i])
        return float(self.pillars[i, self.pillar_ids.index(pillar)])

    def rank(self, iso_code: str, pillar: str | None = None) -> int:
        i = self.index(iso_code)
        value = self.ranks[i] if pillar is None else self.pillar_ranks[i, self.pillar_ids.index(pillar)]
        return int(value)

    def tier(self, iso_code: str, lang: str = "en") -> Tier:
        t = tier_for(self.score(iso_code), self.dataset.tiers) if self.on_0_100 else None
        if t is None:
            return Tier(None, "not tiered" if lang == "en" else "未分级", "model")
        return Tier(t.level, t.label(lang), "model")

    def order(self) -> list[str]:
        """ISO codes from rank 1 down (ties by ISO code)."""
        return sorted(self.iso_codes, key=lambda c: (self.ranks[self.iso_codes.index(c)], c))

    @property
    def table(self):
        """All assessed provinces as a pandas DataFrame indexed by ISO code, in rank order."""
        import pandas as pd

        ds = self.dataset
        rows = []
        for i, iso in enumerate(self.iso_codes):
            p = ds.province(iso)
            t = self.tier(iso)
            row = {
                "iso_code": iso, "name_en": p.name_en, "name_zh": p.name_zh_short, "region": p.region,
                "rank": int(self.ranks[i]), "score": float(self.scores[i]),
                "tier": t.level, "tier_label": t.label,
                "reported_tier": p.reported_tier, "reported_label": p.reported("en"),
            }
            for j, pid in enumerate(self.pillar_ids):
                row[f"score_{pid}"] = float(self.pillars[i, j])
            for j, pid in enumerate(self.pillar_ids):
                row[f"rank_{pid}"] = int(self.pillar_ranks[i, j]) if not np.isnan(self.pillar_ranks[i, j]) else None
            row["missing_values"] = sum(1 for c, _ in self.missing if c == iso)
            rows.append(row)
        df = pd.DataFrame(rows).set_index("iso_code")
        return df.sort_values(["rank", "iso_code"])


def is_outlying(x: np.ndarray, skew_limit: float, kurtosis_limit: float) -> bool:
    """The JRC/COIN rule of thumb: |skewness| above its limit and kurtosis above its limit."""
    skew, kurt = skew_kurtosis(x)
    return abs(skew) > skew_limit and kurt > kurtosis_limit


def winsor_max(n: int) -> int:
    """How many points winsorisation may change in a column of ``n`` values: 10%, at least one.

    COINr's default of 5 points suits 100+ countries; with a dozen provinces 5 would rewrite 40%
    of the data, so the cap scales with the number of values instead.
    """
    return max(1, n // 10)


def winsorise(x: np.ndarray, skew_limit: float, kurtosis_limit: float,
              max_points: int | None = None) -> tuple[np.ndarray, int]:
    """Winsorise one point at a time until the column is no longer outlying (COINr's procedure).

    Each step gives the most extreme value on the side of the skew the value of the next one in.
    Returns the treated column and the number of points changed; if ``max_points`` steps do not
    bring the column within the limits, returns the last state and ``max_points + 1`` so the
    caller can fall back to another treatment.
    """
    x = np.array(x, dtype=float)
    ok = np.flatnonzero(~np.isnan(x))
    cap = winsor_max(len(ok)) if max_points is None else max_points
    for done in range(cap + 1):
        if not is_outlying(x, skew_limit, kurtosis_limit):
            return x, done
        if done == cap:
            break
        v = x[ok]
        order = np.argsort(v, kind="stable")
        if skew_kurtosis(x)[0] > 0:
            x[ok[order[-1]]] = v[order[-2]]
        else:
            x[ok[order[0]]] = v[order[1]]
    return x, cap + 1


def treat(x: np.ndarray, how: str, skew_limit: float, kurtosis_limit: float) -> tuple[np.ndarray, str]:
    """Treat one skewed indicator column; returns the column and what was done, for reporting.

    ``auto``: ln(1 + x) when the column is outlying. ``winsorise``: winsorise up to
    ``winsor_max`` points, and if that is not enough use ln(1 + x) on the original values (as
    COINr's Treat does). ``none``: nothing. A column with negative values is never logged.
    """
    if how not in SKEW_TREATMENTS:
        raise ModelError(f"unknown skew treatment {how!r}; choose from {', '.join(SKEW_TREATMENTS)}")
    if how == "none" or not is_outlying(x, skew_limit, kurtosis_limit):
        return x, "none"
    if how == "winsorise":
        treated, points = winsorise(x, skew_limit, kurtosis_limit)
        if points <= winsor_max(int((~np.isnan(x)).sum())):
            return treated, f"winsorised ({points} point{'s' if points != 1 else ''})"
    if np.nanmin(x) >= 0:
        return np.log1p(x), "log"
    return x, "none"


def raw_matrix(ds: Dataset) -> np.ndarray:
    """Assessed provinces x indicators: the model-year values, NaN where a value is missing."""
    isos = [p.iso_code for p in ds.assessed]
    values = ds.model_values()
    return np.array([[values[i.id].get(iso, np.nan) for i in ds.indicators] for iso in isos],
                    dtype=float).reshape(len(isos), len(ds.indicators))


def normalised_matrix(ds: Dataset, normalisation: str, skew_transform: str | None = None,
                      raw: np.ndarray | None = None) -> tuple[np.ndarray, dict[str, str]]:
    """Treat and normalise every indicator: (assessed provinces x indicators, indicator -> treatment).

    Indicators with fixed goalposts (the 0-5 ratings) are bounded by design and never treated.
    Goalposts normalisation of an indicator without fixed goalposts takes its bounds from the
    range of all provinces' values (assessed or not), after the same log transform if any.
    """
    m = ds.method
    how = skew_transform or m.skew_transform
    raw = raw_matrix(ds) if raw is None else raw
    values = ds.model_values() if normalisation == "goalposts" else {}
    transforms: dict[str, str] = {}
    normed = np.empty_like(raw)
    for j, ind in enumerate(ds.indicators):
        col, transforms[ind.id] = raw[:, j], "none"
        if ind.goalposts is None:
            col, transforms[ind.id] = treat(col, how, m.skew_limit, m.kurtosis_limit)
        gp = ind.goalposts
        if normalisation == "goalposts" and gp is None:
            allv = np.array(list(values[ind.id].values()), dtype=float)
            if transforms[ind.id] == "log":
                allv = np.log1p(allv)
            gp = (float(allv.min()), float(allv.max())) if len(allv) else None
        normed[:, j] = normalise(col, normalisation, gp, ind.direction)
    return normed, transforms


def pillar_matrix(ds: Dataset, normed: np.ndarray) -> np.ndarray:
    """Assessed provinces x pillars: weighted mean of each pillar's normalised indicators (NaN skipped)."""
    pillars = np.empty((normed.shape[0], len(ds.pillars)))
    ind_pos = {ind.id: j for j, ind in enumerate(ds.indicators)}
    for k, pil in enumerate(ds.pillars):
        cols = [ind_pos[i] for i in pil.indicators]
        iw = np.array([ds.indicators[c].weight for c in cols], dtype=float)
        pillars[:, k] = weighted_mean(normed[:, cols], iw)
    return pillars


def check_method(normalisation: str, aggregation: str) -> None:
    """Raise ValueError for an unknown or incompatible normalisation/aggregation pair."""
    if normalisation not in NORMALISATIONS:
        raise ModelError(f"unknown normalisation {normalisation!r}; choose from {', '.join(NORMALISATIONS)}")
    if aggregation not in AGGREGATIONS:
        raise ModelError(f"unknown aggregation {aggregation!r}; choose from {', '.join(AGGREGATIONS)}")
    if aggregation == "geometric" and normalisation == "zscore":
        raise ModelError("geometric aggregation needs scores on 0-100; z-scores can be negative")


def compute(dataset: Dataset | None = None, weights: Weights = None, *, normalisation: str | None = None,
            aggregation: str | None = None, weighting: str | None = None,
            skew_transform: str | None = None) -> Results:
    """Run the model on ``dataset`` (bundled by default) with the given choices.

    Any choice left as None comes from the dataset's ``methodology.toml``.
    """
    ds = dataset or bundled()
    m = ds.method
    norm = normalisation or m.normalisation
    agg = aggregation or m.aggregation
    check_method(norm, agg)
    w = resolve_weights(ds, weights, weighting)
    isos = tuple(p.iso_code for p in ds.assessed)
    inds = ds.indicators
    raw = raw_matrix(ds)
    normed, transforms = normalised_matrix(ds, norm, skew_transform, raw)
    missing = tuple((iso, inds[j].id) for i, iso in enumerate(isos) for j in range(len(inds))
                    if np.isnan(raw[i, j]))
    pillars = pillar_matrix(ds, normed)
    pw = np.array([w[p.id] for p in ds.pillars])
    scores = weighted_mean(pillars, pw, geometric=agg == "geometric", floor=m.geometric_floor)
    ranks = rank_eq(scores)
    pranks = np.column_stack([rank_eq(pillars[:, k]) for k in range(len(ds.pillars))]) if len(
        ds.pillars) else np.empty((len(isos), 0))
    return Results(
        dataset=ds, iso_codes=isos, pillar_ids=tuple(p.id for p in ds.pillars),
        indicator_ids=tuple(i.id for i in inds), weights=w, normalisation=norm, aggregation=agg,
        raw=raw, normalised=normed, pillars=pillars, scores=scores, ranks=ranks, pillar_ranks=pranks,
        transforms=transforms, missing=missing,
    )


@lru_cache(maxsize=256)
def _cached(weights_key: tuple[float, ...] | None) -> Results:
    return compute(bundled(), list(weights_key) if weights_key is not None else None)


def results(weights: Weights = None, dataset: Dataset | None = None) -> Results:
    """Model results; for the bundled dataset they are cached per weight vector."""
    if dataset is not None:
        return compute(dataset, weights)
    if weights is None:
        return _cached(None)
    w = resolve_weights(bundled(), weights)
    return _cached(tuple(w[p.id] for p in bundled().pillars))


def _pillar_id(ds: Dataset, pillar: str | None) -> str | None:
    if pillar is None:
        return None
    found = ds.find_pillar(str(pillar))
    if found is not None:
        return found
    raise ModelError(f"unknown pillar {pillar!r}; pillars are {', '.join(p.id for p in ds.pillars)}")


def score(name: object, pillar: str | None = None, weights: Weights = None,
          dataset: Dataset | None = None) -> float:
    """Composite (or pillar) score, 0-100, for any spelling of a province."""
    from .names import resolve

    ds = dataset or bundled()
    return results(weights, dataset).score(resolve(name, dataset), _pillar_id(ds, pillar))


def rank(name: object, pillar: str | None = None, weights: Weights = None,
         dataset: Dataset | None = None) -> int:
    """Rank (1 = top, ties as RANK.EQ) among the assessed provinces."""
    from .names import resolve

    ds = dataset or bundled()
    return results(weights, dataset).rank(resolve(name, dataset), _pillar_id(ds, pillar))


def tier(name: object, basis: str = "model", lang: str = "en", weights: Weights = None,
         dataset: Dataset | None = None) -> Tier:
    """The tier of a province: the model's (from scores) or the seed article's ("reported")."""
    from .names import resolve

    ds = dataset or bundled()
    iso = resolve(name, dataset)
    if basis == "reported":
        p = ds.province(iso)
        return Tier(p.reported_tier, p.reported(lang), "reported")
    if basis != "model":
        raise ModelError(f"basis must be 'model' or 'reported', not {basis!r}")
    return results(weights, dataset).tier(iso, lang)
