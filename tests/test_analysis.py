"""The analysis core: strengths and weaknesses, trends, leave-one-out, variance-based indices.

Every expectation is computed from the model or from the dataset's own observations (never from
today's values), so the tests hold when the evidence is recoded.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qitxl import bundled
from qitxl.indices import composite, ishigami, rank_indices, rank_model, sobol
from qitxl.model import compute, rank_eq, weighted_mean_batch
from qitxl.profiles import (
    cagr,
    classify,
    clear_gap,
    components,
    default_margin,
    indicator_ranks,
    rank_range,
    trend_years,
    trends,
    value_years,
    year_label,
)
from qitxl.whatif import run as whatif

# ----------------------------------------------------------------------------- the estimator

ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)


def test_ishigami_indices_within_four_standard_errors() -> None:
    """a=7, b=0.1: the analytical indices lie within 4 standard errors of the estimates (N = 2^14)."""
    idx = sobol(ishigami, 3, 2**14, np.random.default_rng(12))
    for k in range(3):
        for est, se, exact in ((idx.first[k, 0], idx.first_se[k, 0], ISHIGAMI_S1[k]),
                               (idx.total[k, 0], idx.total_se[k, 0], ISHIGAMI_ST[k])):
            assert se < 0.015, "the sample is large enough for the check to mean something"
            assert abs(est - exact) <= 4 * se, (k, est, exact, se)
    # the standard error shrinks as 1/sqrt(N): a quarter of the sample, about twice the error
    small = sobol(ishigami, 3, 2**12, np.random.default_rng(12))
    assert 1.5 < small.first_se[0, 0] / idx.first_se[0, 0] < 2.6


def test_ishigami_estimates_are_reproducible_with_a_seed() -> None:
    a = sobol(ishigami, 3, 1024, np.random.default_rng(5))
    b = sobol(ishigami, 3, 1024, np.random.default_rng(5))
    assert np.array_equal(a.first, b.first) and np.array_equal(a.total, b.total)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.floats(-5, 5).filter(lambda v: abs(v) > 0.1), min_size=2, max_size=4), st.integers(0, 2**16))
def test_linear_function_indices_are_the_squared_coefficient_shares(coefs: list[float], seed: int) -> None:
    """f = sum a_i x_i with independent uniforms: S1_i = ST_i = a_i^2 / sum a^2 (no interactions)."""
    a = np.array(coefs)
    idx = sobol(lambda x: x @ a, len(a), 4096, np.random.default_rng(seed))
    exact = a**2 / np.sum(a**2)
    for k in range(len(a)):
        assert abs(idx.first[k, 0] - exact[k]) <= 5 * idx.first_se[k, 0] + 1e-9
        assert abs(idx.total[k, 0] - exact[k]) <= 5 * idx.total_se[k, 0] + 1e-9


def test_one_group_holding_every_input_explains_everything() -> None:
    idx = sobol(ishigami, 3, 512, np.random.default_rng(1), groups=[[0, 1, 2]])
    assert idx.first[0, 0] == pytest.approx(1.0, abs=0.15) and idx.total[0, 0] == pytest.approx(1.0, abs=0.15)


def test_sobol_refuses_a_sample_too_small_to_estimate_anything() -> None:
    with pytest.raises(ValueError, match="samples"):
        sobol(ishigami, 3, 1, np.random.default_rng(0))


# ----------------------------------------------------------------------------- indices of ranks

@pytest.mark.parametrize("norm", ["minmax", "rank", "goalposts"])
@pytest.mark.parametrize("agg", ["arithmetic", "geometric"])
def test_rank_model_at_a_corner_is_the_model_itself(norm: str, agg: str) -> None:
    """Weights at their nominal values and each choice pinned: the same ranks as model.compute."""
    ds = bundled()
    norms, aggs, skews = ("minmax", "rank", "goalposts"), ("arithmetic", "geometric"), ("auto", "winsorise", "none")
    f = rank_model(ds, None, 0.25, norms, aggs, skews)
    P = len(ds.pillars)
    for s in skews:
        x = np.full((1, P + 3), 0.5)
        x[0, P:] = [(norms.index(norm) + 0.5) / 3, (aggs.index(agg) + 0.5) / 2, (skews.index(s) + 0.5) / 3]
        expected = compute(ds, normalisation=norm, aggregation=agg, skew_transform=s).ranks
        assert np.array_equal(f(x)[0], expected), (norm, agg, s)


def test_rank_indices_of_the_only_varied_input() -> None:
    """Only the normalisation varies: weights and the rest explain nothing, the normalisation all of it."""
    res = rank_indices(samples=2048, perturbation=0.0, aggregations=("arithmetic",), skew_transforms=("auto",))
    g = {name: k for k, name in enumerate(res.groups)}
    idx = res.indices
    moving = np.flatnonzero(idx.variance > 0)
    still = np.flatnonzero(idx.variance == 0)
    for c in moving:
        for name in ("weights", "aggregation", "skew"):
            assert idx.first[g[name], c] == 0 and idx.total[g[name], c] == 0
        assert abs(idx.total[g["normalisation"], c] - 1) <= 4 * idx.total_se[g["normalisation"], c] + 1e-9
        assert abs(idx.first[g["normalisation"], c] - 1) <= 4 * idx.first_se[g["normalisation"], c] + 1e-9
    for c in still:  # a rank that never moves has no indices, and is reported as such
        assert np.all(np.isnan(idx.first[:, c])) and all(v is None for k, v in res.records(bundled())[c].items()
                                                         if k.startswith(("S1_", "ST_")))
    # which provinces move at all: exactly those whose rank differs between the normalisations
    ranks = {n: compute(normalisation=n).ranks for n in ("minmax", "rank", "goalposts")}
    nominal = compute()
    for c, iso in enumerate(res.iso_codes):
        i = nominal.iso_codes.index(iso)
        assert (len({r[i] for r in ranks.values()}) > 1) == (idx.variance[c] > 0), iso


def test_rank_indices_bounds_and_order() -> None:
    res = rank_indices(samples=1024)
    nominal = compute()
    assert list(res.iso_codes) == nominal.order()
    assert list(res.nominal_ranks) == [nominal.rank(iso) for iso in res.iso_codes]
    idx = res.indices
    ok = np.isfinite(idx.total)
    # total effects are non-negative by construction (mean of squares)
    assert np.all(idx.total[ok] >= 0)
    assert res.settings["model_runs"] == 1024 * (len(res.groups) + 2)


@pytest.mark.parametrize("bad", [
    {"samples": 1}, {"samples": True}, {"perturbation": 1.0}, {"normalisations": ()},
    {"normalisations": ("zscore",)}, {"skew_transforms": ("sometimes",)},
])
def test_rank_indices_refuse_bad_settings(bad: dict) -> None:
    with pytest.raises(ValueError):
        rank_indices(**bad)


# ----------------------------------------------------------------------------- strengths and weaknesses

@given(st.integers(1, 40), st.integers(0, 10), st.integers(1, 40), st.integers(1, 10))
def test_the_clear_gap_holds_however_ties_are_broken(best: int, extra: int, overall: int, margin: int) -> None:
    """Every way of breaking the tie puts the component at least |gap| places on the gap's side."""
    worst = best + extra
    gap = clear_gap(best, worst, overall)
    places = range(best, worst + 1)
    if gap > 0:
        assert all(overall - p >= gap for p in places) and overall - worst == gap
    elif gap < 0:
        assert all(p - overall >= -gap for p in places) and best - overall == -gap
    else:
        assert best <= overall <= worst
    verdict = classify(gap, margin)
    assert (verdict == "strength") == (gap >= margin) and (verdict == "weakness") == (-gap >= margin)
    assert classify(None, margin) == ""


@given(st.lists(st.sampled_from([0.0, 20.0, 40.0, 60.0, 80.0, 100.0, float("nan")]), min_size=1, max_size=40))
def test_rank_range_counts_better_and_tied_values(column: list[float]) -> None:
    col = np.array(column)
    for i, x in enumerate(col):
        got = rank_range(col, i)
        if math.isnan(x):
            assert got is None
            continue
        others = col[~np.isnan(col)]
        assert got == (1 + sum(v > x for v in others), sum(v >= x for v in others))
        assert got[0] == rank_eq(col)[i]


def test_default_margin_grows_with_the_number_of_provinces() -> None:
    assert [default_margin(n) for n in (5, 12, 20, 21, 31, 34)] == [2, 2, 2, 3, 4, 4]


def test_components_of_every_province_match_the_model() -> None:
    res = compute()
    ranks = indicator_ranks(res)
    k = default_margin(len(res.iso_codes))
    for i, iso in enumerate(res.iso_codes):
        comps = components(res, iso)
        assert [c.id for c in comps] == list(res.pillar_ids) + list(res.indicator_ids)
        overall = res.rank(iso)
        for c in comps:
            if c.kind == "pillar":
                j = res.pillar_ids.index(c.id)
                col, exp_best = res.pillars[:, j], res.pillar_ranks[i, j]
            else:
                j = res.indicator_ids.index(c.id)
                col, exp_best = res.normalised[:, j], ranks[i, j]
                assert c.value == res.raw[i, j]
            v = col[~np.isnan(col)]
            assert c.rank == int(exp_best) == 1 + np.sum(v > col[i]) and c.rank_worst == np.sum(v >= col[i])
            assert c.score == col[i]
            assert c.gap == clear_gap(c.rank, c.rank_worst, overall)
            assert c.verdict == classify(c.gap, k)
            assert c.place == (str(c.rank) if c.rank == c.rank_worst else f"{c.rank}-{c.rank_worst}")


def test_a_value_tied_across_the_overall_rank_is_neither_strength_nor_weakness() -> None:
    res = compute()
    for iso in res.iso_codes:
        for c in components(res, iso, margin=1):
            if c.rank is not None and c.rank <= res.rank(iso) <= c.rank_worst:
                assert c.gap == 0 and c.verdict == ""


def test_a_wider_margin_never_adds_strengths_or_weaknesses() -> None:
    res = compute()
    for iso in res.iso_codes:
        marked = [{c.id for c in components(res, iso, margin=m) if c.verdict} for m in range(1, 6)]
        assert all(b <= a for a, b in zip(marked, marked[1:], strict=False))


def test_a_missing_value_has_no_rank_and_no_verdict() -> None:
    ds = bundled()
    res = compute(ds)
    iso, ind = res.iso_codes[0], res.indicator_ids[-1]
    kept = tuple(o for o in ds.observations if not (o.iso_code == iso and o.indicator == ind))
    res2 = compute(dataclasses.replace(ds, observations=kept))
    c = next(c for c in components(res2, iso) if c.id == ind)
    assert c.rank is None and c.verdict == "" and c.value is None and c.year is None


# ----------------------------------------------------------------------------- trends and years

def test_trends_are_the_observations_and_their_growth_rate() -> None:
    ds = bundled()
    years = trend_years(ds)
    wanted = ("rd_expenditure", "rd_intensity")
    assert years == tuple(sorted({o.year for o in ds.observations if o.indicator in wanted}))
    for p in ds.provinces:
        for t in trends(ds, p.iso_code):
            obs = {o.year: o.value for o in ds.observations if o.iso_code == p.iso_code and o.indicator == t.indicator}
            assert t.values == tuple(obs.get(y) for y in years)
            first, last = obs.get(years[0]), obs.get(years[-1])
            if first and last is not None:
                assert t.cagr == pytest.approx((last / first) ** (1 / (years[-1] - years[0])) - 1, rel=1e-12)
                # growing at the rate from the first value for the span lands on the last value
                assert first * (1 + t.cagr) ** (years[-1] - years[0]) == pytest.approx(last, rel=1e-9)
            else:
                assert t.cagr is None


@given(st.floats(0.01, 1e6), st.floats(0, 1e6), st.integers(1, 30))
def test_cagr_compounds_back_to_the_last_value(first: float, last: float, years: int) -> None:
    g = cagr(first, last, years)
    assert first * (1 + g) ** years == pytest.approx(last, rel=1e-9, abs=1e-9)


def test_cagr_undefined_cases() -> None:
    assert cagr(None, 1.0, 3) is None and cagr(1.0, None, 3) is None
    assert cagr(0.0, 1.0, 3) is None and cagr(1.0, 2.0, 0) is None


def test_value_years_are_the_years_the_model_uses() -> None:
    ds = bundled()
    res = compute(ds)
    for j, ind in enumerate(res.indicator_ids):
        years = value_years(res, ind)
        assert len(years) == int(np.sum(~np.isnan(res.raw[:, j])))
        for iso, y in zip([iso for i, iso in enumerate(res.iso_codes) if not math.isnan(res.raw[i, j])], years,
                          strict=True):
            o = ds.observation(iso, ind, ds.indicator(ind).year)
            assert o.year == y and o.value == res.raw[res.iso_codes.index(iso), j]
        label = year_label(res, ind)
        assert label == (str(min(years)) if min(years) == max(years) else f"{min(years)}-{max(years)}")


# ----------------------------------------------------------------------------- what if

def test_leaving_out_a_pillar_is_the_model_with_that_weight_zero() -> None:
    w = whatif()
    res = w.nominal
    for sc in (s for s in w.scenarios if s.kind == "pillar"):
        weights = dict(res.weights, **{sc.dropped: 0.0})
        other = compute(weights=weights)
        assert np.allclose(sc.scores, other.scores, rtol=0, atol=1e-9)
        assert np.array_equal(sc.ranks, rank_eq(sc.scores))
        assert np.array_equal(w.shift(sc), res.ranks - sc.ranks)


def test_leaving_out_an_indicator_is_the_model_with_that_indicator_weight_zero() -> None:
    ds = bundled()
    w = whatif(ds)
    for sc in (s for s in w.scenarios if s.kind == "indicator"):
        inds = tuple(dataclasses.replace(i, weight=0.0) if i.id == sc.dropped else i for i in ds.indicators)
        other = compute(dataclasses.replace(ds, indicators=inds))
        assert np.allclose(sc.scores, other.scores, rtol=0, atol=1e-9), sc.dropped


def test_whatif_records_cover_every_scenario_and_province() -> None:
    w = whatif()
    rows = w.records()
    assert len(rows) == len(w.scenarios) * len(w.nominal.iso_codes)
    assert {r["dropped"] for r in rows} == set(w.nominal.pillar_ids) | set(w.nominal.indicator_ids)
    assert all(r["shift"] == r["nominal_rank"] - r["rank"] for r in rows)
    assert w.largest_shift() == max(abs(r["shift"]) for r in rows)


def test_each_province_reports_its_largest_standard_error() -> None:
    res = rank_indices(samples=512)
    idx = res.indices
    for c, row in enumerate(res.records(bundled())):
        se = np.concatenate([idx.first_se[:, c], idx.total_se[:, c]])
        if idx.variance[c] == 0:
            assert row["max_se"] is None
        else:
            assert row["max_se"] == float(np.nanmax(se))
    assert res.settings["max_standard_error"] == round(max(r["max_se"] or 0 for r in res.records(bundled())), 4)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 12), st.integers(1, 6), st.booleans(), st.booleans(), st.integers(0, 2**16))
def test_fast_composite_is_the_models_weighted_mean(n: int, k: int, geometric: bool, holes: bool, seed: int) -> None:
    rng = np.random.default_rng(seed)
    pillars = rng.random((n, k)) * 100
    if holes:
        pillars[rng.random((n, k)) < 0.2] = np.nan
    w = rng.random((5, k)) + 0.01
    got = composite(pillars, w, geometric, 1.0)
    exp = weighted_mean_batch(pillars, w, geometric=geometric, floor=1.0)
    assert np.allclose(got, exp, rtol=0, atol=1e-9, equal_nan=True)
