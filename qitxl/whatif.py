"""What if: leave out each pillar, and each indicator, in turn and see how every rank moves.

Leaving out a pillar sets its weight to 0; the other pillar weights are rescaled to sum to 1 (as
the model does for a missing pillar). Leaving out an indicator sets its weight within its pillar
to 0 and rescales the pillar's other indicators; an indicator that is its pillar's only one takes
the pillar with it. Everything else (normalisation, skew treatment, aggregation, the other
weights) stays as in the nominal model, so each scenario differs from it in exactly one respect.
Normalisation is per indicator, so leaving one out does not change the others' normalised values.

``shift`` is ``nominal rank - scenario rank``: +2 means the province moves up two places.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .dataset import Dataset, bundled
from .model import Results, Weights, compute, rank_eq, weighted_mean


@dataclass(frozen=True)
class Scenario:
    """One leave-one-out run: what was left out and every assessed province's score and rank."""

    kind: str          # "pillar" or "indicator"
    dropped: str       # the pillar or indicator id
    scores: np.ndarray = field(repr=False)  # in Results.iso_codes order
    ranks: np.ndarray = field(repr=False)


@dataclass(frozen=True)
class WhatIf:
    """The nominal results and every leave-one-out scenario (pillars first, then indicators)."""

    nominal: Results
    scenarios: tuple[Scenario, ...]

    def shift(self, scenario: Scenario) -> np.ndarray:
        """Places moved per province (positive = up), NaN where a province has no rank."""
        return self.nominal.ranks - scenario.ranks

    def largest_shift(self) -> int:
        """The largest move of any province in any scenario, in places."""
        moves = [np.nanmax(np.abs(self.shift(s))) for s in self.scenarios if not np.all(np.isnan(s.ranks))]
        return int(max(moves)) if moves else 0

    def records(self, lang: str = "en") -> list[dict[str, object]]:
        """Long table: one row per scenario and province, provinces in nominal rank order."""
        res, ds = self.nominal, self.nominal.dataset
        order = [res.iso_codes.index(iso) for iso in res.order()]
        rows = []
        for s in self.scenarios:
            label = ds.pillar(s.dropped).label(lang) if s.kind == "pillar" else ds.indicator(s.dropped).label(lang)
            for i in order:
                p = ds.province(res.iso_codes[i])
                r = s.ranks[i]
                rows.append({
                    "dropped_kind": s.kind, "dropped": s.dropped, "dropped_label": label,
                    "iso_code": p.iso_code, "name": p.name(lang), "nominal_rank": int(res.ranks[i]),
                    "rank": None if np.isnan(r) else int(r),
                    "shift": None if np.isnan(r) else int(res.ranks[i] - r),
                    "score": None if np.isnan(s.scores[i]) else round(float(s.scores[i]), 6),
                })
        return rows


def _pillars_without(ds: Dataset, normed: np.ndarray, drop_indicator: str | None) -> np.ndarray:
    """Pillar scores with one indicator's weight set to 0 (a pillar left without weight is NaN)."""
    pos = {ind.id: j for j, ind in enumerate(ds.indicators)}
    out = np.empty((normed.shape[0], len(ds.pillars)))
    for k, pil in enumerate(ds.pillars):
        cols = [pos[i] for i in pil.indicators]
        w = np.array([0.0 if i == drop_indicator else ds.indicators[pos[i]].weight for i in pil.indicators])
        out[:, k] = weighted_mean(normed[:, cols], w) if w.sum() > 0 else np.nan
    return out


def run(dataset: Dataset | None = None, weights: Weights = None) -> WhatIf:
    """Every leave-one-out scenario for the dataset's method and the given (or default) weights."""
    ds = dataset or bundled()
    res = compute(ds, weights)
    pw = np.array([res.weights[p] for p in res.pillar_ids], dtype=float)
    geometric, floor = res.aggregation == "geometric", ds.method.geometric_floor

    def composite(pillars: np.ndarray, w: np.ndarray) -> np.ndarray:
        if w.sum() <= 0:
            return np.full(pillars.shape[0], np.nan)
        return weighted_mean(pillars, w, geometric=geometric, floor=floor)

    scenarios = []
    for k, pid in enumerate(res.pillar_ids):
        w = pw.copy()
        w[k] = 0.0
        scores = composite(res.pillars, w)
        scenarios.append(Scenario("pillar", pid, scores, rank_eq(scores)))
    for iid in res.indicator_ids:
        pillars = _pillars_without(ds, res.normalised, iid)
        w = np.where(np.all(np.isnan(pillars), axis=0), 0.0, pw)
        scores = composite(pillars, w)
        scenarios.append(Scenario("indicator", iid, scores, rank_eq(scores)))
    return WhatIf(res, tuple(scenarios))


def wide_rows(w: WhatIf, kind: str, lang: str = "en") -> list[dict[str, object]]:
    """Provinces x scenarios of one kind: each cell the new rank, with the shift when it moved."""
    res, ds = w.nominal, w.nominal.dataset
    rows = []
    for iso in res.order():
        i = res.iso_codes.index(iso)
        row: dict[str, object] = {"rank": int(res.ranks[i]), "name": ds.province(iso).name(lang)}
        for s in w.scenarios:
            if s.kind != kind:
                continue
            r = s.ranks[i]
            moved = 0 if np.isnan(r) else int(res.ranks[i] - r)
            row[f"-{s.dropped}"] = "" if np.isnan(r) else f"{int(r)} ({moved:+d})" if moved else str(int(r))
        rows.append(row)
    return rows
