"""How well the coded QIT ratings rest on evidence: coverage, sources, confidence, coder agreement.

The figures `qitxl audit` reports on the evidence side of the index (docs/codebook.md sets the
rules they check): which province x pillar cells are rated, how many sources and independent
publishers stand behind each rating, the mix of confidence levels, and how far the two
independent codings agreed before reconciliation.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .agreement import Agreement, compare
from .dataset import QIT_PREFIX, Dataset, Observation

TARGET_ALPHA = 0.8          # Krippendorff's usual bar for conclusions drawn from coded data
REVIEW_SOURCE = "qitxl_review_2026"


@dataclass(frozen=True)
class EvidenceReport:
    """Coverage, sourcing and agreement of the coded ratings."""

    pillars: tuple[str, ...]
    provinces_in_scope: int        # divisions with NBS statistics (the index's scope)
    provinces_rated: int           # of those, rated on every coded pillar
    cells_rated: int
    cells_in_scope: int
    by_rating: dict[int, int]      # rating -> number of cells
    sources_per_rating: dict[int, float]   # rating -> mean number of cited sources
    confidence_mix: dict[str, int]          # confidence level -> number of rated cells
    unsourced: tuple[str, ...]     # "CN-XX qit_y" for ratings above 0 that cite no source
    high_single_publisher: tuple[str, ...]  # 4s and 5s with fewer than two independent publishers
    agreement: Agreement | None
    changed_in_reconciliation: int
    edited_after_coding: tuple[str, ...]    # cells whose shipped rating differs from the record's final

    def to_dict(self) -> dict[str, object]:
        out = dict(self.__dict__)
        out["agreement"] = self.agreement.as_dict() if self.agreement else None
        return out

    def flags(self) -> list[str]:
        """Sentences for what falls short of the codebook, most serious first."""
        out = [f"UNSOURCED: {c} is rated above 0 without a source." for c in self.unsourced]
        out += [f"ONE PUBLISHER: {c} is a 4 or 5 on fewer than two independent publishers."
                for c in self.high_single_publisher]
        if self.edited_after_coding:
            out.append(f"EDITED: {len(self.edited_after_coding)} rating(s) differ from the reconciled double coding "
                       f"({', '.join(self.edited_after_coding[:5])}); they rest on one reading only.")
        if self.cells_rated < self.cells_in_scope:
            out.append(f"COVERAGE: {self.cells_in_scope - self.cells_rated} of {self.cells_in_scope} "
                       "province x pillar cells in scope are not rated.")
        if self.agreement is not None and self.agreement.alpha_ordinal < TARGET_ALPHA:
            out.append(f"AGREEMENT: ordinal alpha {self.agreement.alpha_ordinal:.2f} before reconciliation "
                       f"is below {TARGET_ALPHA}.")
        return out


def _publishers(ds: Dataset, obs: Observation) -> set[str]:
    return {ds.sources[s].publisher.strip().lower() for s in obs.source_ids
            if s in ds.sources and s != REVIEW_SOURCE}


def evidence_report(ds: Dataset) -> EvidenceReport:
    """Every evidence figure for the dataset's coded ratings."""
    coded = [i.id for i in ds.indicators if i.id.startswith(QIT_PREFIX)]
    in_scope = [p.iso_code for p in ds.provinces if p.nbs_statistics]
    values = ds.model_values()
    ratings = [ds.observation(iso, ind) for iso in in_scope for ind in coded if iso in values.get(ind, {})]
    ratings = [o for o in ratings if o is not None]
    by_rating: Counter[int] = Counter()
    sources: dict[int, list[int]] = {}
    unsourced, single = [], []
    for o in ratings:
        level = int(o.value)
        by_rating[level] += 1
        cited = [s for s in o.source_ids if s != REVIEW_SOURCE]
        sources.setdefault(level, []).append(len(cited))
        if level > 0 and not cited:
            unsourced.append(f"{o.iso_code} {o.indicator}")
        if level >= 4 and len(_publishers(ds, o)) < 2:
            single.append(f"{o.iso_code} {o.indicator}")
    rated = Counter(o.iso_code for o in ratings)
    agreement = None
    if ds.coding:
        agreement = compare([c.coder_a for c in ds.coding], [c.coder_b for c in ds.coding])
    return EvidenceReport(
        pillars=tuple(coded), provinces_in_scope=len(in_scope),
        provinces_rated=sum(1 for iso in in_scope if rated[iso] == len(coded)),
        cells_rated=len(ratings), cells_in_scope=len(in_scope) * len(coded),
        by_rating=dict(sorted(by_rating.items())),
        sources_per_rating={k: sum(v) / len(v) for k, v in sorted(sources.items())},
        confidence_mix=dict(Counter(o.confidence for o in ratings).most_common()),
        unsourced=tuple(unsourced), high_single_publisher=tuple(single), agreement=agreement,
        changed_in_reconciliation=sum(1 for c in ds.coding if not c.coder_a == c.coder_b == c.final),
        edited_after_coding=tuple(f"{c.iso_code} {c.indicator}" for c in ds.coding
                                  if values.get(c.indicator, {}).get(c.iso_code) != c.final),
    )


def render_text(rep: EvidenceReport) -> list[str]:
    """The evidence section of `qitxl audit` as lines of text."""
    out = [f"Rated: {rep.provinces_rated} of {rep.provinces_in_scope} provinces in scope on all "
           f"{len(rep.pillars)} coded pillars ({rep.cells_rated} of {rep.cells_in_scope} cells).",
           "Ratings and sources: " + ", ".join(
               f"{k}: {n} cells, {rep.sources_per_rating.get(k, 0):.1f} sources each"
               for k, n in rep.by_rating.items()),
           "Confidence of the strongest source: " + ", ".join(f"{k} {v}" for k, v in rep.confidence_mix.items())]
    a = rep.agreement
    if a is None:
        out.append("Double coding: no record in this dataset (coding.csv).")
    else:
        out.append(f"Double coding, before reconciliation ({a.cells} cells): exact {a.exact:.0%}, within one "
                   f"{a.within_one:.0%}; Krippendorff's alpha ordinal {a.alpha_ordinal:.3f}, interval "
                   f"{a.alpha_interval:.3f}; weighted kappa quadratic {a.kappa_quadratic:.3f}, linear "
                   f"{a.kappa_linear:.3f}. Cells changed in reconciliation: {rep.changed_in_reconciliation}.")
    return out
