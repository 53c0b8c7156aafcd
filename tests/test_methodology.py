"""The methodology: hand-computed cases for each step, properties, the audit and the Monte Carlo."""

from __future__ import annotations

import json
import math
from dataclasses import FrozenInstanceError

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qitxl import sensitivity
from qitxl.audit import audit, cronbach_alpha
from qitxl.cli import main
from qitxl.dataset import Dataset, Indicator, Method, Observation, Pillar, Province, TierDef, bundled
from qitxl.model import (
    compute,
    normalise,
    rank_eq,
    skew_kurtosis,
    treat,
    weighted_mean,
    weighted_mean_batch,
    winsorise,
)

PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TIERS = (TierDef(1, 50.0, "High", "高"), TierDef(2, 0.0, "Low", "低"))


# ----------------------------------------------------------------------------- synthetic datasets

def _province(iso: str) -> Province:
    return Province(
        iso_code=iso, iso_code_legacy=iso, gb_code="000000", name_en=f"Prov {iso}", name_zh=iso,
        name_zh_short=iso, name_iso=iso, pinyin_tone=iso, pinyin=iso, aliases_en=(), abbr_zh=(),
        type="Province", type_zh="省", region="East", capital_en="", capital_zh="", nbs_statistics=True,
        assessed=True, reported_tier=None, reported_label=None,
    )


def make_dataset(values: dict[str, dict[str, float]], pillars: dict[str, list[str]],
                 weights: dict[str, float] | None = None, method: Method | None = None,
                 goalposts: dict[str, tuple[float, float]] | None = None,
                 direction: dict[str, int] | None = None, order: list[str] | None = None) -> Dataset:
    """A small Dataset: ``values`` iso -> indicator -> value (leave a key out for a missing value)."""
    goalposts, direction = goalposts or {}, direction or {}
    weights = weights or {p: 1 / len(pillars) for p in pillars}
    isos = order or list(values)
    inds = tuple(Indicator(i, p, i, i, "", direction.get(i, 1), 1.0, goalposts.get(i), None)
                 for p, ids in pillars.items() for i in ids)
    pils = tuple(Pillar(p, p, p, weights[p], "", "", tuple(ids)) for p, ids in pillars.items())
    obs = tuple(Observation(iso, i, float(v), 2026, "", ("s",), "official", "")
                for iso in isos for i, v in values[iso].items())
    return Dataset("t", "2026-01-01", "test", "test", tuple(_province(iso) for iso in isos), pils, inds,
                   TIERS, method or Method(skew_transform="none"), obs, {})


def grid_dataset(matrix: list[list[float]], pillars: dict[str, list[str]] | None = None, **kw) -> Dataset:
    """A dataset from a provinces x indicators matrix; by default one indicator per pillar."""
    n_ind = len(matrix[0])
    pillars = pillars or {f"p{j}": [f"i{j}"] for j in range(n_ind)}
    ids = [i for ids in pillars.values() for i in ids]
    values = {f"CN-{chr(65 + r // 26)}{chr(65 + r % 26)}": dict(zip(ids, row, strict=True))
              for r, row in enumerate(matrix)}
    return make_dataset(values, pillars, **kw)


def scores_by_iso(res) -> dict[str, float]:
    return {iso: float(res.scores[k]) for k, iso in enumerate(res.iso_codes)}


# ----------------------------------------------------------------------------- hand-computed cases

def test_minmax_by_hand():
    assert normalise(np.array([0.0, 5.0, 10.0]), "minmax").tolist() == [0.0, 50.0, 100.0]
    assert normalise(np.array([2.0, 4.0, 10.0]), "minmax", direction=-1).tolist() == [100.0, 75.0, 0.0]
    out = normalise(np.array([1.0, np.nan, 3.0]), "minmax")
    assert out[0] == 0.0 and math.isnan(out[1]) and out[2] == 100.0
    assert normalise(np.array([7.0, 7.0]), "minmax").tolist() == [50.0, 50.0]  # no spread: no information


def test_goalposts_by_hand():
    # (v - 0) / (10 - 0) * 100, clipped to 0-100
    assert normalise(np.array([-5.0, 2.5, 5.0, 20.0]), "goalposts", (0.0, 10.0)).tolist() == [0.0, 25.0, 50.0, 100.0]
    assert normalise(np.array([2.5]), "goalposts", (0.0, 10.0), direction=-1).tolist() == [75.0]


def test_rank_by_hand():
    # positions 0, 1, 2, 3; the tied pair shares (1 + 2) / 2 = 1.5; percentile = position / 3 * 100
    assert normalise(np.array([10.0, 20.0, 20.0, 40.0]), "rank").tolist() == [0.0, 50.0, 50.0, 100.0]


def test_zscore_by_hand():
    # mean 2, population sd sqrt(2/3)
    out = normalise(np.array([1.0, 2.0, 3.0]), "zscore")
    assert out == pytest.approx([-1 / math.sqrt(2 / 3), 0.0, 1 / math.sqrt(2 / 3)])
    assert normalise(np.array([1.0, 2.0, 3.0]), "zscore", direction=-1)[0] == pytest.approx(math.sqrt(1.5))


def test_arithmetic_by_hand():
    assert weighted_mean(np.array([[100.0, 0.0]]), np.array([3.0, 1.0])).tolist() == [75.0]
    # a missing value is left out and the remaining weight rescaled, never counted as zero
    assert weighted_mean(np.array([[np.nan, 40.0]]), np.array([3.0, 1.0])).tolist() == [40.0]
    assert math.isnan(weighted_mean(np.array([[np.nan, np.nan]]), np.array([1.0, 1.0]))[0])


def test_geometric_by_hand():
    # floor 1: 25 -> 1 + 25 * 0.99 = 25.75; sqrt(100 * 25.75) = 50.7445...; back: (g - 1) / 0.99
    g = math.sqrt(100 * 25.75)
    got = weighted_mean(np.array([[100.0, 25.0]]), np.array([1.0, 1.0]), geometric=True, floor=1.0)[0]
    assert got == pytest.approx((g - 1) / 0.99)
    assert got == pytest.approx(50.2470, abs=1e-4)
    # weights 3:1 -> 100^0.75 * 25.75^0.25
    got = weighted_mean(np.array([[100.0, 25.0]]), np.array([3.0, 1.0]), geometric=True)[0]
    assert got == pytest.approx((100 ** 0.75 * 25.75 ** 0.25 - 1) / 0.99)


def test_rank_eq_by_hand():
    assert rank_eq(np.array([50.0, 70.0, 70.0, 10.0])).tolist() == [3.0, 1.0, 1.0, 4.0]
    out = rank_eq(np.array([5.0, np.nan, 1.0]))
    assert out[0] == 1.0 and math.isnan(out[1]) and out[2] == 2.0


def test_skew_kurtosis_match_excel_forms():
    x = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100], dtype=float)
    skew, kurt = skew_kurtosis(x)
    # pandas uses the same bias-corrected estimators as Excel's SKEW and KURT
    assert skew == pytest.approx(pd.Series(x).skew()) and kurt == pytest.approx(pd.Series(x).kurt())
    assert skew > 2 and kurt > 3.5


def test_winsorise_by_hand():
    x = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100], dtype=float)
    treated, points = winsorise(x, 2.0, 3.5, max_points=5)
    assert points == 1 and treated[-1] == 30.0 and treated[:-1].tolist() == x[:-1].tolist()
    # a column already within the limits is left alone
    same, points = winsorise(np.arange(12.0), 2.0, 3.5)
    assert points == 0 and same.tolist() == list(range(12))


def test_treatments_are_reported():
    x = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100], dtype=float)
    assert treat(x, "none", 2.0, 3.5)[1] == "none"
    logged, how = treat(x, "auto", 2.0, 3.5)
    assert how == "log" and logged == pytest.approx(np.log1p(x))
    assert treat(x, "winsorise", 2.0, 3.5)[1] == "winsorised (1 point)"
    # winsorisation that cannot fix the skew within its cap falls back to the log
    # (22 values: a cap of 2 points; after two the two largest are still far out)
    y = np.array([*range(1, 21), 500.0, 1000.0])
    assert treat(y, "winsorise", 2.0, 3.5)[1] == "log"
    with pytest.raises(ValueError):
        treat(x, "boxcox", 2.0, 3.5)


def test_compute_by_hand():
    # pillar a: one indicator; pillar b: two indicators; weights a 0.75, b 0.25; min-max
    ds = make_dataset(
        {"CN-AA": {"x": 0, "y": 10, "z": 1}, "CN-BB": {"x": 5, "y": 20, "z": 3}, "CN-CC": {"x": 10, "y": 30}},
        {"a": ["x"], "b": ["y", "z"]}, weights={"a": 0.75, "b": 0.25})
    res = compute(ds)
    # AA: x 0, b = (0 + 0) / 2 = 0 -> 0; BB: x 50, b = (50 + 100) / 2 = 75 -> 56.25;
    # CC: x 100, b = y only (z missing, re-weighted) = 100 -> 100
    assert scores_by_iso(res) == pytest.approx({"CN-AA": 0.0, "CN-BB": 56.25, "CN-CC": 100.0})
    assert res.ranks.tolist() == [3.0, 2.0, 1.0]
    assert res.missing == (("CN-CC", "z"),)
    assert res.table.loc["CN-CC", "missing_values"] == 1


def test_compute_geometric_and_equal_weighting_by_hand():
    ds = make_dataset({"CN-AA": {"x": 0, "y": 10}, "CN-BB": {"x": 10, "y": 0}, "CN-CC": {"x": 10, "y": 10}},
                      {"a": ["x"], "b": ["y"]}, weights={"a": 0.9, "b": 0.1})
    eq = compute(ds, weighting="equal")
    assert scores_by_iso(eq) == pytest.approx({"CN-AA": 50.0, "CN-BB": 50.0, "CN-CC": 100.0})
    assert eq.ranks.tolist() == [2.0, 2.0, 1.0]  # tie shares the best rank
    geo = compute(ds, aggregation="geometric", weighting="equal")
    g = (math.sqrt(1.0 * 100.0) - 1) / 0.99  # 0 -> floor 1
    assert scores_by_iso(geo) == pytest.approx({"CN-AA": g, "CN-BB": g, "CN-CC": 100.0})
    user = compute(ds, {"a": 1, "b": 3})
    assert scores_by_iso(user) == pytest.approx({"CN-AA": 75.0, "CN-BB": 25.0, "CN-CC": 100.0})


def test_skew_rule_applies_only_where_the_data_call_for_it():
    skewed = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100]
    ds = grid_dataset([[v, k] for k, v in enumerate(skewed)], method=Method())
    res = compute(ds)
    assert res.transforms == {"i0": "log", "i1": "none"}
    assert compute(ds, skew_transform="none").transforms["i0"] == "none"
    assert compute(ds, skew_transform="winsorise").transforms["i0"] == "winsorised (1 point)"
    # fixed goalposts (the 0-5 ratings) are bounded by design and never treated
    gp = grid_dataset([[v, k] for k, v in enumerate(skewed)], method=Method(), goalposts={"i0": (0, 100)})
    assert compute(gp).transforms["i0"] == "none"


def test_geometric_with_zscore_is_refused():
    with pytest.raises(ValueError, match="geometric"):
        compute(aggregation="geometric", normalisation="zscore")
    with pytest.raises(ValueError, match="normalisation"):
        compute(normalisation="maxabs")


def test_default_results_are_unchanged():
    # the published ranking (dataset 2026.11.3): top three, Anhui's score, the one treated indicator
    res = compute()
    assert res.order()[:3] == ["CN-AH", "CN-BJ", "CN-SD"]
    assert res.score("CN-AH") == pytest.approx(91.5816, abs=1e-3)
    assert {k for k, v in res.transforms.items() if v != "none"} == {"invention_patents"}


# ----------------------------------------------------------------------------- properties

floats = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
columns = st.lists(floats, min_size=1, max_size=20).map(np.array)


@PROPS
@given(columns)
def test_minmax_and_rank_within_0_100(x):
    for method in ("minmax", "rank"):
        out = normalise(x, method)
        assert np.all((out >= 0) & (out <= 100))


@PROPS
@given(columns, floats, st.floats(min_value=1e-3, max_value=1e6))
def test_goalposts_clipped(x, lo, width):
    out = normalise(x, "goalposts", (lo, lo + width))
    assert np.all((out >= 0) & (out <= 100))


@PROPS
@given(st.integers(1, 8).flatmap(lambda k: st.tuples(
    st.lists(st.lists(st.floats(0, 100), min_size=k, max_size=k), min_size=1, max_size=10),
    st.lists(st.floats(0.01, 10), min_size=k, max_size=k))),
    st.floats(0.01, 50))
def test_geometric_never_above_arithmetic(data, floor):
    values, weights = np.array(data[0]), np.array(data[1])
    geo = weighted_mean(values, weights, geometric=True, floor=floor)
    ari = weighted_mean(values, weights)
    assert np.all(geo <= ari + 1e-9)


matrices = st.integers(3, 8).flatmap(lambda n: st.lists(
    st.lists(st.integers(0, 50).map(float), min_size=4, max_size=4), min_size=n, max_size=n))
methods = st.sampled_from([(n, a) for n in ("minmax", "rank", "goalposts", "zscore")
                           for a in ("arithmetic", "geometric") if (n, a) != ("zscore", "geometric")])
PILLARS = {"a": ["i0"], "b": ["i1", "i2"], "c": ["i3"]}


@PROPS
@given(matrices, methods, st.permutations(range(8)))
def test_results_independent_of_province_order(matrix, method, perm):
    ds = grid_dataset(matrix, PILLARS)
    isos = [p.iso_code for p in ds.provinces]
    shuffled = [isos[k] for k in perm if k < len(isos)]
    values = {p: {} for p in isos}
    for o in ds.observations:
        values[o.iso_code][o.indicator] = o.value
    ds2 = make_dataset(values, PILLARS, order=shuffled)
    r1, r2 = (compute(d, normalisation=method[0], aggregation=method[1]) for d in (ds, ds2))
    s1, s2 = scores_by_iso(r1), scores_by_iso(r2)
    assert s1 == pytest.approx(s2, abs=1e-9)
    assert {i: r1.rank(i) for i in isos} == {i: r2.rank(i) for i in isos}
    t1, t2 = (sensitivity.run(d, draws=20, seed=5).table.set_index("iso_code").sort_index() for d in (ds, ds2))
    pd.testing.assert_frame_equal(t1, t2)


@PROPS
@given(matrices, methods, st.integers(0, 7), st.integers(0, 3), st.floats(0.5, 100))
def test_raising_an_indicator_never_lowers_the_score(matrix, method, who, col, step):
    # with a fixed treatment; a data-driven switch to ln(1+x) is a different model
    who %= len(matrix)
    ds = grid_dataset(matrix, PILLARS)
    raised = [row[:] for row in matrix]
    raised[who][col] += step
    before = compute(ds, normalisation=method[0], aggregation=method[1])
    after = compute(grid_dataset(raised, PILLARS), normalisation=method[0], aggregation=method[1])
    assert after.scores[who] >= before.scores[who] - 1e-9


@PROPS
@given(st.lists(st.integers(0, 6).map(float), min_size=1, max_size=15))
def test_ranks_are_rank_eq(scores):
    s = np.array(scores)
    for r in (rank_eq(s), rank_eq(s[None, :])[0]):
        for i in range(len(s)):
            assert r[i] == 1 + sum(1 for v in s if v > s[i])
            for j in range(len(s)):
                assert (s[i] > s[j]) == (r[i] < r[j])
        # competition ranking: sorted ranks are 1, then each jumps by the size of the tie before it
        ordered = sorted(r)
        assert ordered[0] == 1 and all(b == a or b == k + 1 for k, (a, b) in
                                       enumerate(zip(ordered[:-1], ordered[1:], strict=True), 1))
    if len(set(scores)) == len(scores):
        assert sorted(rank_eq(s).tolist()) == list(range(1, len(s) + 1))


@PROPS
@given(matrices, methods, st.lists(st.floats(0.01, 10), min_size=3, max_size=3), st.integers(-6, 6))
def test_scaling_weights_changes_nothing(matrix, method, weights, power):
    ds = grid_dataset(matrix, PILLARS)
    c = 2.0 ** power
    r1 = compute(ds, weights, normalisation=method[0], aggregation=method[1])
    r2 = compute(ds, [w * c for w in weights], normalisation=method[0], aggregation=method[1])
    assert np.allclose(r1.scores, r2.scores, rtol=0, atol=1e-9)
    assert r1.ranks.tolist() == r2.ranks.tolist()


@PROPS
@given(matrices, methods, st.integers(0, 2**32 - 1))
def test_zero_perturbation_single_method_collapses_to_nominal(matrix, method, seed):
    ds = grid_dataset(matrix, PILLARS, method=Method(normalisation=method[0], aggregation=method[1],
                                                      skew_transform="none"))
    res = sensitivity.run(ds, draws=50, seed=seed, perturbation=0.0,
                          normalisations=(method[0],), aggregations=(method[1],))
    t = res.table
    for col in ("median_rank", "p05", "p95", "best", "worst"):
        assert t[col].tolist() == t["nominal_rank"].tolist()


@PROPS
@given(matrices, st.floats(0, 0.9), st.integers(0, 2**32 - 1))
def test_interval_contains_median_and_is_ordered(matrix, p, seed):
    res = sensitivity.run(grid_dataset(matrix, PILLARS), draws=40, seed=seed, perturbation=p)
    t = res.table
    assert (t["best"] <= t["p05"]).all() and (t["p05"] <= t["median_rank"]).all()
    assert (t["median_rank"] <= t["p95"]).all() and (t["p95"] <= t["worst"]).all()
    assert res.ranks.shape == (40, len(t))


# ----------------------------------------------------------------------------- sensitivity API

def test_sensitivity_contract_on_bundled_data():
    res = sensitivity.run(draws=500)
    assert list(res.table.columns) == ["iso_code", "name_en", "name_zh", "nominal_rank", "median_rank",
                                       "p05", "p95", "best", "worst"]
    model = compute()
    assert res.table["iso_code"].tolist() == model.order()
    assert res.table["nominal_rank"].tolist() == [model.rank(i) for i in model.order()]
    assert res.draws == 500 and res.settings["draws"] == 500 and res.settings["seed"] == 20261124
    assert len(res.settings["combinations"]) == 6
    with pytest.raises(FrozenInstanceError):
        res.draws = 1  # type: ignore[misc]


def test_sensitivity_is_deterministic_per_seed():
    a, b = sensitivity.run(draws=300, seed=7), sensitivity.run(draws=300, seed=7)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert np.array_equal(a.ranks, b.ranks)
    c = sensitivity.run(draws=300, seed=8)
    assert not np.array_equal(a.ranks, c.ranks)


def test_every_draw_matches_the_model():
    """Each draw's ranks are what model.compute gives for that draw's weights and method."""
    ds = bundled()
    res = sensitivity.run(ds, draws=12, seed=3, normalisations=("minmax", "rank", "goalposts", "zscore"))
    rng = np.random.default_rng(3)
    w0 = np.array(list(compute(ds).weights.values()))
    w = sensitivity.draw_weights(w0, 12, 0.25, rng)
    combos = [c.split("+") for c in res.settings["combinations"]]
    assert ["zscore", "geometric"] not in combos and len(combos) == 7
    order = res.table["iso_code"].tolist()
    for d in range(12):
        n, a = combos[res.choices[d]]
        model = compute(ds, list(w[d]), normalisation=n, aggregation=a)
        assert res.ranks[d].tolist() == [model.rank(i) for i in order]


def test_sensitivity_rejects_bad_settings():
    for kw in ({"draws": 0}, {"perturbation": 1.0}, {"perturbation": -0.1}, {"normalisations": ()},
               {"normalisations": ("maxabs",)}, {"normalisations": ("zscore",), "aggregations": ("geometric",)}):
        with pytest.raises(ValueError):
            sensitivity.run(**kw)


def test_batch_aggregation_equals_row_by_row():
    rng = np.random.default_rng(1)
    values = rng.uniform(0, 100, (7, 4))
    values[2, 1] = np.nan
    weights = rng.uniform(0.1, 1, (5, 4))
    for geometric in (False, True):
        batch = weighted_mean_batch(values, weights, geometric)
        for m in range(5):
            assert np.array_equal(batch[m], weighted_mean(values, weights[m], geometric))


# ----------------------------------------------------------------------------- audit

def test_audit_flags_an_indicator_against_its_pillar():
    rows = [[k, k + 1, 10 - k, (k * 7) % 5] for k in range(8)]
    ds = grid_dataset(rows, {"a": ["i0", "i1", "i2"], "b": ["i3"]})
    rep = audit(ds)
    neg = [f for f in rep.flags if f.startswith("NEGATIVE: i2 is negatively correlated with its pillar")]
    assert len(neg) == 1
    row = rep.indicators.set_index("indicator").loc["i2"]
    assert row["r_pillar"] < 0
    assert any(f.startswith("REDUNDANT: i0 and i1") for f in rep.flags)


def test_audit_reports_coverage_skew_and_missing():
    skewed = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100]
    values = {f"CN-A{chr(65 + k)}": {"i0": v, "i1": k, "i2": k % 3} for k, v in enumerate(skewed)}
    del values["CN-AA"]["i1"], values["CN-AA"]["i2"]
    ds = make_dataset(values, {"a": ["i0"], "b": ["i1", "i2"]}, method=Method())
    rep = audit(ds)
    cov = rep.coverage.set_index("iso_code")
    assert cov.loc["CN-AA", "b"] == 0.0 and cov.loc["CN-AA", "overall"] == pytest.approx(1 / 3)
    assert any(f.startswith("COVERAGE: Prov CN-AA") for f in rep.flags)
    assert any("CN-AA has no model-year value for i1" in f for f in rep.flags)
    skew = [f for f in rep.flags if f.startswith("SKEW: i0")]
    assert len(skew) == 1 and "treatment: log" in skew[0]


def test_audit_pillar_effects_on_bundled_data():
    rep = audit()
    eff = rep.pillar_effects.set_index("pillar")
    assert list(eff.index) == [p.id for p in bundled().pillars]
    assert eff["r_composite"].between(-1, 1).all()
    assert (eff["removed_max_rank_shift"] >= 0).all()
    # the composite is exactly what the pillars and weights give
    pc = rep.pillar_correlations
    assert pc.loc["composite", "composite"] == pytest.approx(1.0)


def test_cronbach_alpha_by_hand():
    # two identical columns: alpha = 2 * (1 - 2 var / 4 var) = 1
    x = np.array([[1.0, 1.0], [2.0, 2.0], [4.0, 4.0]])
    assert cronbach_alpha(x) == pytest.approx(1.0)
    assert math.isnan(cronbach_alpha(x[:, :1]))


# ----------------------------------------------------------------------------- commands

def test_cli_sensitivity_and_audit(capsys):
    assert main(["sensitivity", "--draws", "200", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["settings"]["draws"] == 200 and len(out["provinces"]) == len(bundled().assessed)
    assert main(["sensitivity", "--draws", "50", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("iso_code,name_en,name_zh,nominal_rank,median_rank,p05,p95")
    assert main(["sensitivity", "--draws", "50"]) == 0
    assert "Beijing" in capsys.readouterr().out
    assert main(["sensitivity", "--perturbation", "2"]) == 2
    capsys.readouterr()
    assert main(["audit", "--format", "json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert {"flags", "coverage", "indicators", "pillar_effects"} <= set(rep)
    assert main(["audit"]) == 0
    assert "WHAT DRIVES THE COMPOSITE" in capsys.readouterr().out


def test_winsorise_is_available_per_call_on_bundled_data():
    # invention patents are outlying across the 31 provinces: the default takes logs, winsorising
    # pulls in the one extreme value instead; only that indicator's treatment differs
    assert bundled().method.skew_transform == "auto"
    default, wins = compute(), compute(skew_transform="winsorise")
    assert default.transforms["invention_patents"] == "log"
    assert wins.transforms["invention_patents"].startswith("winsorised")
    assert {k for k in default.transforms if default.transforms[k] != wins.transforms[k]} == {"invention_patents"}
