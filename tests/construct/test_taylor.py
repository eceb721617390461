"""x^k from k + 1 sigmoid units by finite differences in the weight (seed 000)."""

import pytest

from approxlab.construct.taylor import (
    cancellation_scan,
    monomial,
    ridge_product,
    sigmoid_derivative_at,
    taylor_polynomial,
)
from approxlab.errors import ApproxlabError


@pytest.mark.parametrize("k", [1, 2, 3, 4])
@pytest.mark.parametrize("h", [1e-1, 3e-2, 1e-2])
def test_monomial_uses_k_plus_1_units_and_meets_its_truncation_bound(k, h):
    cert = monomial(k, h)[1]
    assert cert.units == k + 1 and cert.holds


def test_error_is_first_order_in_h_while_truncation_dominates():
    # With b = 0.5 (σ''(b) ≠ 0) the error is exactly first order: tenfold smaller h, tenfold smaller error.
    e1, e2 = monomial(1, 1e-2, b=0.5)[1].measured, monomial(1, 1e-3, b=0.5)[1].measured
    assert 9 < e1 / e2 < 11


def test_offset_where_next_derivative_vanishes_gives_second_order():
    # b = 0 for k = 1: σ''(0) = 0 kills the O(h) term, leaving O(h²).
    e1, e2 = monomial(1, 1e-2, b=0.0)[1].measured, monomial(1, 1e-3, b=0.0)[1].measured
    assert 90 < e1 / e2 < 110


def test_even_power_fails_at_b_zero():
    assert sigmoid_derivative_at(2, 0.0) == 0.0
    with pytest.raises(ApproxlabError, match="σ\\^\\(2\\)\\(b\\) = 0"):
        monomial(2, 1e-2, b=0.0)


def test_cancellation_limits_h_in_float64():
    best, rows = cancellation_scan(3, [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6])
    assert 1e-5 <= best <= 1e-2  # neither the largest nor the smallest h wins
    tiny = rows[-1]
    assert tiny["error"] > tiny["truncation_bound"]  # round-off, not truncation, at h = 1e-6


def test_polynomial_shares_units():
    cert = taylor_polynomial([1.0, -2.0, 0.5, 3.0], h=1e-3)[1]
    assert cert.units == 4 and cert.holds


def test_product_through_ridge_directions():
    cert = ridge_product(1e-3)[1]
    assert cert.units == 6 and cert.holds
