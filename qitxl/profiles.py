"""Province profiles: strengths and weaknesses against the overall rank, and the R&D trends.

Strengths and weaknesses follow the idea of the GII economy profiles: a pillar or indicator is a
*strength* of a province when the province ranks on it clearly better than its overall rank, and
a *weakness* when clearly worse. A component's rank is taken among the assessed provinces on the
pillar score or on the normalised indicator value (so "better" already respects an indicator's
direction). Ties are common (the QIT ratings take six values), so a tied component has a range
of places, from its RANK.EQ rank (``best``: one more than the number of strictly better values)
to ``worst`` (the number of values at least as good). The **clear gap** counts only the places
that hold however the ties are broken:

- ``overall - worst`` when even the worst place of the tie is better than the overall rank;
- ``-(best - overall)`` when even the best place is worse;
- 0 when the tie spans the overall rank.

A component is a strength when the clear gap is at least ``margin``, a weakness when it is at
most ``-margin``. Without ties this is simply "ranked at least ``margin`` places better (worse)".
So a rating of 0 shared by many provinces is never a strength of a province ranked below them
all. The default margin grows with the number of ranked provinces, ``max(2, ceil(n / 10))``
places (2 among up to 20 provinces, 4 among 31 to 40); one place would call noise a strength.

Trends: each province's yearly series of the R&D indicators (expenditure and intensity) and the
compound annual growth rate from the first to the last year of the series,
``(last / first) ** (1 / (last_year - first_year)) - 1``, left out (None) when either end is
missing or the first value is not positive.

Pure core: NumPy and the model's results; nothing here knows about Excel.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from .dataset import Dataset
from .model import Results, compute, rank_eq

TREND_INDICATORS = ("rd_expenditure", "rd_intensity")


def default_margin(n: int) -> int:
    """Places a rank must differ from the overall rank to count as a strength or weakness."""
    return max(2, math.ceil(n / 10))


def clear_gap(best: int, worst: int, overall: int) -> int:
    """Places a component ranks better (+) or worse (-) than overall however its ties are broken."""
    if worst < overall:
        return overall - worst
    if best > overall:
        return overall - best
    return 0


def classify(gap: int | None, margin: int) -> str:
    """'strength', 'weakness' or '' for a component's clear gap to the overall rank."""
    if gap is None:
        return ""
    if gap >= margin:
        return "strength"
    if -gap >= margin:
        return "weakness"
    return ""


def rank_range(column: np.ndarray, i: int) -> tuple[int, int] | None:
    """(best, worst) place of row i in a column where higher is better; None if the value is missing."""
    x = column[i]
    if math.isnan(x):
        return None
    v = column[~np.isnan(column)]
    return 1 + int(np.sum(v > x)), int(np.sum(v >= x))


def indicator_ranks(res: Results) -> np.ndarray:
    """Assessed provinces x indicators: RANK.EQ of each normalised indicator value (NaN = missing)."""
    if res.normalised.size == 0:
        return np.empty_like(res.normalised)
    return np.column_stack([rank_eq(res.normalised[:, j]) for j in range(res.normalised.shape[1])])


@dataclass(frozen=True)
class Component:
    """One pillar or indicator of a province's profile."""

    kind: str            # "pillar" or "indicator"
    id: str
    label: str
    score: float | None  # pillar score, or normalised indicator value
    rank: int | None     # best place (RANK.EQ); None when the value is missing
    rank_worst: int | None  # worst place: differs from ``rank`` when the value is tied
    gap: int | None      # clear gap to the overall rank: positive = better than overall
    verdict: str         # "strength", "weakness" or ""
    value: float | None = None  # indicator only: the raw value the model uses
    year: int | None = None     # indicator only: the year of that value
    unit: str = ""

    @property
    def place(self) -> str:
        """The rank as shown: '3', or '6-12' for a value tied over places 6 to 12."""
        if self.rank is None:
            return ""
        return str(self.rank) if self.rank == self.rank_worst else f"{self.rank}-{self.rank_worst}"


def _num(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def _component(kind: str, cid: str, label: str, column: np.ndarray, i: int, overall: int, margin: int,
               **extra: object) -> Component:
    places = rank_range(column, i)
    if places is None:
        return Component(kind, cid, label, None, None, None, None, "", **extra)
    gap = clear_gap(*places, overall)
    return Component(kind, cid, label, float(column[i]), places[0], places[1], gap, classify(gap, margin), **extra)


def components(res: Results, iso: str, lang: str = "en", margin: int | None = None) -> list[Component]:
    """Every pillar then every indicator of one assessed province, with places, clear gap and verdict."""
    ds = res.dataset
    i = res.index(iso)
    k = default_margin(len(res.iso_codes)) if margin is None else margin
    overall = int(res.ranks[i])
    out = [_component("pillar", pid, ds.pillar(pid).label(lang), res.pillars[:, j], i, overall, k)
           for j, pid in enumerate(res.pillar_ids)]
    for j, iid in enumerate(res.indicator_ids):
        ind = ds.indicator(iid)
        value = _num(res.raw[i, j])
        obs = ds.observation(iso, iid, ind.year) if value is not None else None
        out.append(_component("indicator", iid, ind.label(lang), res.normalised[:, j], i, overall, k,
                              value=value, year=obs.year if obs else None, unit=ind.unit))
    return out


@dataclass(frozen=True)
class Trend:
    """One indicator's yearly series for a province, and its compound annual growth rate."""

    indicator: str
    label: str
    unit: str
    years: tuple[int, ...]
    values: tuple[float | None, ...]
    cagr: float | None


def trend_years(ds: Dataset, indicators: Sequence[str] = TREND_INDICATORS) -> tuple[int, ...]:
    """Every year any province has a value of the trend indicators, ascending."""
    wanted = set(indicators)
    return tuple(sorted({o.year for o in ds.observations if o.indicator in wanted}))


def cagr(first: float | None, last: float | None, years: int) -> float | None:
    """Compound annual growth rate over ``years`` years; None when it is not defined."""
    if first is None or last is None or years <= 0 or first <= 0 or last < 0:
        return None
    return (last / first) ** (1.0 / years) - 1.0


def series_table(ds: Dataset, indicator: str, years: Sequence[int]) -> dict[str, list[float | None]]:
    """iso_code -> values for ``years`` of one indicator (None where a year is missing)."""
    pos = {y: k for k, y in enumerate(years)}
    out: dict[str, list[float | None]] = {}
    for o in ds.observations:
        if o.indicator == indicator and o.year in pos:
            out.setdefault(o.iso_code, [None] * len(years))[pos[o.year]] = float(o.value)
    return out


def trends(ds: Dataset, iso: str, lang: str = "en",
           indicators: Sequence[str] = TREND_INDICATORS) -> list[Trend]:
    """The trend series of one province (assessed or not), one per trend indicator in the dataset."""
    known = {i.id for i in ds.indicators}
    years = trend_years(ds, indicators)
    out = []
    for iid in indicators:
        if iid not in known:
            continue
        ind = ds.indicator(iid)
        values = series_table(ds, iid, years).get(iso, [None] * len(years))
        growth = cagr(values[0], values[-1], years[-1] - years[0]) if years else None
        out.append(Trend(iid, ind.label(lang), ind.unit, years, tuple(values), growth))
    return out


def value_years(res: Results, indicator: str) -> list[int]:
    """The year of each assessed province's value of one indicator, as the model uses it (missing left out).

    The model takes the indicator's pinned year, else each province's latest (Dataset.model_values).
    """
    ds, j = res.dataset, res.indicator_ids.index(indicator)
    pinned = ds.indicator(indicator).year
    latest: dict[str, int] = {}
    for o in ds.observations:
        if o.indicator == indicator and (pinned is None or o.year == pinned):
            latest[o.iso_code] = max(o.year, latest.get(o.iso_code, o.year))
    return [latest[iso] for i, iso in enumerate(res.iso_codes)
            if not math.isnan(res.raw[i, j]) and iso in latest]


def year_label(res: Results, indicator: str) -> str:
    """'2023' when every value of the indicator is from one year, '2021-2023' when they span years."""
    years = value_years(res, indicator)
    if not years:
        return ""
    lo, hi = min(years), max(years)
    return str(lo) if lo == hi else f"{lo}-{hi}"


def profile_data(ds: Dataset, iso: str, lang: str, margin: int | None) -> dict[str, object]:
    """Everything ``qitxl profile`` shows, as plain data (what --format json prints)."""
    res = compute(ds)
    p = ds.province(iso)
    out: dict[str, object] = {"iso_code": iso, "name": p.name(lang), "name_en": p.name_en, "name_zh": p.name_zh_short,
                              "assessed": iso in res.iso_codes}
    if iso in res.iso_codes:
        k = default_margin(len(res.iso_codes)) if margin is None else margin
        comps = components(res, iso, lang, k)
        out.update({
            "rank": res.rank(iso), "of": len(res.iso_codes), "score": res.score(iso),
            "tier": res.tier(iso, lang).label, "margin": k,
            "rule": f"strength: clear gap >= {k}; weakness: clear gap <= -{k}; the clear gap is overall rank - "
                    "worst tied place if positive, overall rank - best tied place if negative, else 0",
            "strengths": [c.label for c in comps if c.verdict == "strength"],
            "weaknesses": [c.label for c in comps if c.verdict == "weakness"],
            "components": [asdict(c) | {"place": c.place} for c in comps],
        })
    out["trends"] = [asdict(t) for t in trends(ds, iso, lang)]
    return out
