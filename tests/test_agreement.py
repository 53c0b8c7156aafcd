"""Agreement statistics: checked by hand and against an independent implementation (krippendorff)."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qitxl.agreement import compare, krippendorff_alpha, weighted_kappa

ratings = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=3, max_size=60)


def test_kappa_by_hand():
    # Observed: one disagreement of one step out of two (weight 0.25) in three items -> 0.25/3;
    # expected from the margins (rows 1,1,1; columns 1,0,2) -> 3.75/9; kappa = 1 - 0.2.
    assert weighted_kappa([0, 1, 2], [0, 2, 2], range(3)) == pytest.approx(0.8)
    assert weighted_kappa([0, 1, 2], [0, 2, 2], range(3), "linear") == pytest.approx(1 - (0.5 / 3) / (4.5 / 9))


def test_alpha_by_hand_nominal():
    # Krippendorff (2011), two coders, nominal: 10 units, values 1/2 with two disagreements.
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert krippendorff_alpha(list(zip(a, b, strict=True)), "nominal") == pytest.approx(0.095, abs=1e-3)


def test_perfect_agreement_is_one():
    a = [0, 1, 2, 3, 4, 5, 3]
    agreement = compare(a, a)
    assert agreement.exact == 1.0 and agreement.within_one == 1.0
    assert agreement.alpha_ordinal == pytest.approx(1.0)
    assert agreement.kappa_quadratic == pytest.approx(1.0)


def test_undefined_without_variation():
    with pytest.raises(ValueError, match="undefined"):
        krippendorff_alpha([(2, 2), (2, 2)])
    with pytest.raises(ValueError, match="undefined"):
        weighted_kappa([1, 1], [1, 1], range(6))
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha([(1, 2)], "ratio")


@settings(max_examples=60, deadline=None)
@given(ratings)
def test_alpha_matches_reference_implementation(pairs):
    data = np.array(pairs, dtype=float).T
    if len({v for p in pairs for v in p}) < 2:
        return
    for level in ("nominal", "ordinal", "interval"):
        domain = None if level == "nominal" else list(range(6))
        expected = krippendorff.alpha(reliability_data=data, level_of_measurement=level, value_domain=domain)
        assert krippendorff_alpha(pairs, level) == pytest.approx(expected, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(ratings)
def test_kappa_symmetric_and_bounded(pairs):
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    if len(set(a)) < 2 and len(set(b)) < 2:
        return
    k = weighted_kappa(a, b, range(6))
    assert k == pytest.approx(weighted_kappa(b, a, range(6)))
    assert -1.0 - 1e-9 <= k <= 1.0 + 1e-9


def test_alpha_handles_missing_codes():
    # A unit coded once carries no pairable value and is ignored.
    with_missing = [(0, 0), (1, 2), (3, None), (5, 5)]
    assert krippendorff_alpha(with_missing) == pytest.approx(krippendorff_alpha([(0, 0), (1, 2), (5, 5)]))
