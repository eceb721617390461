"""Cos and exp nets fitted by least squares (seed 003, Stone–Weierstrass)."""

import pytest

from approxlab.construct.stone_weierstrass import stone_weierstrass
from approxlab.errors import ApproxlabError


@pytest.mark.parametrize("family", ["cos", "exp"])
def test_least_squares_residual_does_not_increase_with_units(family):
    # Nested unit sets: the grid least-squares residual is non-increasing (up to lstsq round-off).
    res = [stone_weierstrass("bump", n, family)[1].details["rms_residual"] for n in (2, 4, 8, 12)]
    assert all(b <= a + 1e-12 for a, b in zip(res, res[1:]))


def test_cosine_units_reach_small_sup_error_on_smooth_targets():
    # Measured: the bump needs 16 cosine units for sup error 1.6e-6; 1e-4 leaves a 60× margin.
    assert stone_weierstrass("bump", 16)[1].measured < 1e-4


def test_qualitative_theorem_has_no_bound():
    cert = stone_weierstrass("sine", 8)[1]
    assert cert.bound is None and cert.holds is None


def test_too_many_exp_units_is_refused():
    with pytest.raises(ApproxlabError, match="exp units must number 1..30"):
        stone_weierstrass("sine", 40, "exp")
