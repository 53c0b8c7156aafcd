"""Statistical audit of the index, in the manner of the JRC's COIN audits.

Four checks, each a table plus flags in plain words, after a summary of the coded evidence
(coverage, sources, confidence, agreement between the two coders: qitxl.evidence):

1. Data coverage per province and pillar (all 34 divisions; the assessed ones are ranked).
2. Indicator distributions: skewness and kurtosis against the limits in methodology.toml, and the
   treatment the model applied.
3. Correlations (Pearson, on the normalised values the model aggregates): each indicator with its
   pillar and with the composite, indicators within a pillar, pillars with each other. An
   indicator negatively correlated with its pillar works against it and is flagged.
4. What drives the composite: each pillar's correlation with it, and what happens to the ranks
   when the pillar is removed (its weight set to zero, the others rescaled).

With a few dozen assessed provinces a correlation is still fragile: one or two can swing it. The
thresholds below are the usual rules of thumb, not tests of significance.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .dataset import Dataset, bundled
from .evidence import EvidenceReport, evidence_report
from .evidence import render_text as render_evidence
from .model import Results, Weights, compute, is_outlying, rank_eq, skew_kurtosis, weighted_mean_batch
from .texttable import format_table

MIN_COVERAGE = 2 / 3   # a province with less of its data than this is flagged (JRC practice: 66-75%)
WEAK_R = 0.3           # correlations below this are "weak"
REDUNDANT_R = 0.9      # indicators in one pillar correlated above this may double-count
DOMINANT_R = 0.9       # a pillar this correlated with the composite nearly decides it alone


@dataclass(frozen=True, eq=False)
class AuditReport:
    """The audit's tables (pandas DataFrames) and flags (sentences, most serious first)."""

    coverage: pd.DataFrame            # one row per province: share of indicators present, per pillar
    indicators: pd.DataFrame          # one row per indicator: distribution, treatment, correlations
    indicator_correlations: pd.DataFrame  # indicator x indicator, normalised values
    pillar_correlations: pd.DataFrame     # pillar x pillar and composite
    pillar_effects: pd.DataFrame      # one row per pillar: r with composite, effect of removing it
    flags: tuple[str, ...]
    settings: Mapping[str, object] = field(default_factory=dict)
    evidence: EvidenceReport | None = None

    def to_dict(self) -> dict[str, object]:
        """Everything as plain JSON-ready values."""
        def records(df: pd.DataFrame) -> list[dict[str, object]]:
            return json.loads(df.to_json(orient="records", force_ascii=False))

        return {
            "settings": dict(self.settings), "flags": list(self.flags),
            "evidence": self.evidence.to_dict() if self.evidence else None,
            "coverage": records(self.coverage), "indicators": records(self.indicators),
            "indicator_correlations": json.loads(self.indicator_correlations.to_json(orient="index")),
            "pillar_correlations": json.loads(self.pillar_correlations.to_json(orient="index")),
            "pillar_effects": records(self.pillar_effects),
        }


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation over the rows where both are present; NaN when either has no spread."""
    ok = ~(np.isnan(a) | np.isnan(b))
    if ok.sum() < 3 or np.std(a[ok]) == 0 or np.std(b[ok]) == 0:
        return math.nan
    return float(np.corrcoef(a[ok], b[ok])[0, 1])


def coverage_table(ds: Dataset) -> pd.DataFrame:
    """Share of each pillar's indicators with a model-year value, for every province (0-1)."""
    values = ds.model_values()
    rows = []
    for p in ds.provinces:
        row: dict[str, object] = {"iso_code": p.iso_code, "name_en": p.name_en, "assessed": p.assessed}
        have = 0
        for pil in ds.pillars:
            n = sum(1 for i in pil.indicators if p.iso_code in values[i])
            row[pil.id] = n / len(pil.indicators)
            have += n
        row["overall"] = have / len(ds.indicators)
        rows.append(row)
    return pd.DataFrame(rows)


def cronbach_alpha(x: np.ndarray) -> float:
    """Cronbach's alpha of the columns of ``x`` (complete rows only); NaN for fewer than 2 columns."""
    x = x[~np.isnan(x).any(axis=1)]
    k = x.shape[1]
    if k < 2 or len(x) < 3:
        return math.nan
    total = x.sum(axis=1).var(ddof=1)
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total)) if total > 0 else math.nan


def indicator_table(ds: Dataset, res: Results) -> pd.DataFrame:
    """Per indicator: n, distribution, outlier rule, treatment, r with its pillar and the composite."""
    m = ds.method
    rows = []
    for j, ind in enumerate(ds.indicators):
        col = res.raw[:, j]
        skew, kurt = skew_kurtosis(col)
        k = res.pillar_ids.index(ind.pillar)
        present = col[~np.isnan(col)]
        rows.append({
            "indicator": ind.id, "pillar": ind.pillar, "n": int(len(present)),
            "missing": int(np.isnan(col).sum()),
            "min": float(present.min()) if len(present) else math.nan,
            "max": float(present.max()) if len(present) else math.nan,
            "skew": skew, "kurtosis": kurt,
            "outlying": bool(is_outlying(col, m.skew_limit, m.kurtosis_limit)),
            "treatment": res.transforms.get(ind.id, "none"),
            "r_pillar": _pearson(res.normalised[:, j], res.pillars[:, k]),
            "r_composite": _pearson(res.normalised[:, j], res.scores),
            "pillar_size": len(ds.pillar(ind.pillar).indicators),
        })
    return pd.DataFrame(rows)


def pillar_effects(ds: Dataset, res: Results) -> pd.DataFrame:
    """Per pillar: r with the composite, Cronbach's alpha, and the rank changes if it were removed."""
    w = np.array([res.weights[p] for p in res.pillar_ids])
    ind_pos = {i: j for j, i in enumerate(res.indicator_ids)}
    removed = np.repeat(w[None, :], len(w), axis=0)
    np.fill_diagonal(removed, 0.0)
    scores = weighted_mean_batch(res.pillars, removed, geometric=res.aggregation == "geometric",
                                 floor=ds.method.geometric_floor)
    rows = []
    for k, pid in enumerate(res.pillar_ids):
        ranks = rank_eq(scores[k])
        shift = np.abs(ranks - res.ranks)
        worst = int(np.nanargmax(shift)) if np.isfinite(shift).any() else 0
        cols = [ind_pos[i] for i in ds.pillar(pid).indicators]
        rows.append({
            "pillar": pid, "weight": float(w[k]),
            "r_composite": _pearson(res.pillars[:, k], res.scores),
            "cronbach_alpha": cronbach_alpha(res.normalised[:, cols]),
            "removed_mean_rank_shift": float(np.nanmean(shift)),
            "removed_max_rank_shift": int(np.nanmax(shift)),
            "removed_most_moved": res.iso_codes[worst] if shift[worst] > 0 else "",
            "removed_provinces_moved": int((shift > 0).sum()),
        })
    return pd.DataFrame(rows)


def _flags(ds: Dataset, cov: pd.DataFrame, inds: pd.DataFrame, icorr: pd.DataFrame,
           effects: pd.DataFrame, res: Results) -> list[str]:
    flags: list[str] = []
    for _, r in inds.iterrows():
        if r["pillar_size"] > 1 and r["r_pillar"] < 0:
            flags.append(f"NEGATIVE: {r['indicator']} is negatively correlated with its pillar "
                         f"{r['pillar']} (r = {r['r_pillar']:.2f}); it works against the pillar.")
    for _, r in inds.iterrows():
        if r["r_composite"] < 0:
            flags.append(f"NEGATIVE: {r['indicator']} is negatively correlated with the composite "
                         f"(r = {r['r_composite']:.2f}).")
    for _, r in cov[cov["assessed"]].iterrows():
        if r["overall"] < MIN_COVERAGE:
            flags.append(f"COVERAGE: {r['name_en']} has only {r['overall']:.0%} of its indicator values "
                         f"(below {MIN_COVERAGE:.0%}); its score rests on little data.")
    for iso, ind in res.missing:
        flags.append(f"MISSING: {iso} has no model-year value for {ind}; left out and the rest re-weighted.")
    for _, r in inds.iterrows():
        if r["outlying"]:
            flags.append(f"SKEW: {r['indicator']} has skew {r['skew']:.2f} and kurtosis {r['kurtosis']:.2f} "
                         f"(limits {ds.method.skew_limit:g} / {ds.method.kurtosis_limit:g}); "
                         f"treatment: {r['treatment']}.")
    for pil in ds.pillars:
        ids = list(pil.indicators)
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                r = icorr.loc[ids[a], ids[b]]
                if r > REDUNDANT_R:
                    flags.append(f"REDUNDANT: {ids[a]} and {ids[b]} ({pil.id}) correlate at r = {r:.2f}; "
                                 "they may count the same thing twice.")
    for _, r in inds.iterrows():
        if r["pillar_size"] > 1 and 0 <= r["r_pillar"] < WEAK_R:
            flags.append(f"WEAK: {r['indicator']} correlates weakly with its pillar (r = {r['r_pillar']:.2f}).")
    for _, r in effects.iterrows():
        if r["r_composite"] > DOMINANT_R:
            flags.append(f"DOMINANT: pillar {r['pillar']} correlates with the composite at r = "
                         f"{r['r_composite']:.2f}; it nearly decides the ranking alone.")
        elif r["r_composite"] < WEAK_R:
            flags.append(f"WEAK: pillar {r['pillar']} correlates with the composite at only r = "
                         f"{r['r_composite']:.2f}; its weight is barely reflected in the ranking.")
    return flags


def audit(dataset: Dataset | None = None, weights: Weights = None) -> AuditReport:
    """Run every check on the model as configured (or with the given weights)."""
    ds = dataset or bundled()
    res = compute(ds, weights)
    cov = coverage_table(ds)
    inds = indicator_table(ds, res)
    icorr = pd.DataFrame(res.normalised, columns=list(res.indicator_ids)).corr()
    pframe = pd.DataFrame(res.pillars, columns=list(res.pillar_ids))
    pframe["composite"] = res.scores
    pcorr = pframe.corr()
    effects = pillar_effects(ds, res)
    evidence = evidence_report(ds)
    flags = evidence.flags() + _flags(ds, cov, inds, icorr, effects, res)
    settings = {"normalisation": res.normalisation, "aggregation": res.aggregation,
                "weights": dict(res.weights), "assessed": len(res.iso_codes),
                "skew_limit": ds.method.skew_limit, "kurtosis_limit": ds.method.kurtosis_limit,
                "dataset_version": ds.version, "dataset": ds.origin}
    return AuditReport(cov, inds, icorr, pcorr, effects, tuple(flags), settings, evidence)


def _num(v: object, pct: bool = False) -> object:
    if isinstance(v, float | np.floating):
        if math.isnan(v):
            return ""
        return f"{v:.0%}" if pct else f"{float(v):.2f}"
    return v


def _table(df: pd.DataFrame, pct: tuple[str, ...] = ()) -> str:
    rows = [{c: _num(r[c], c in pct) for c in df.columns} for r in df.to_dict(orient="records")]
    return format_table(rows)


def render_text(rep: AuditReport) -> str:
    """The audit as plain text for a terminal."""
    s = rep.settings
    out = [f"qitxl audit · dataset {s['dataset_version']} · {s['assessed']} assessed provinces · "
           f"{s['normalisation']} normalisation, {s['aggregation']} aggregation", ""]
    out += [f"FLAGS ({len(rep.flags)})"] + ([f"  - {f}" for f in rep.flags] or ["  none"]) + [""]
    if rep.evidence is not None:
        out += ["0. CODED EVIDENCE (docs/codebook.md)", *(f"  {line}" for line in render_evidence(rep.evidence)), ""]
    pillars = [c for c in rep.coverage.columns if c not in ("iso_code", "name_en", "assessed", "overall")]
    out += ["1. DATA COVERAGE (share of each pillar's indicators with a model-year value)",
            _table(rep.coverage, tuple([*pillars, "overall"])), ""]
    out += ["2. INDICATORS (skew/kurtosis on raw values of assessed provinces; r on normalised values)",
            _table(rep.indicators.drop(columns=["pillar_size"])), ""]
    out += ["3a. CORRELATIONS BETWEEN INDICATORS", _table(rep.indicator_correlations.reset_index(
        names="indicator")), ""]
    out += ["3b. CORRELATIONS BETWEEN PILLARS AND THE COMPOSITE", _table(rep.pillar_correlations.reset_index(
        names="pillar")), ""]
    out += ["4. WHAT DRIVES THE COMPOSITE (r with composite; rank changes if the pillar is removed)",
            _table(rep.pillar_effects), ""]
    out.append(f"Thresholds: coverage < {MIN_COVERAGE:.0%}, weak r < {WEAK_R}, redundant r > {REDUNDANT_R}, "
               f"dominant pillar r > {DOMINANT_R}. With {s['assessed']} provinces correlations are fragile.")
    return "\n".join(out)
