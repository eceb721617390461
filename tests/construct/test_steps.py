"""⌈ρ/ε⌉ threshold units with sup error ≤ ε (seed 003, univariate theorem)."""

import math

import pytest

from approxlab.construct.steps import (
    lipschitz_sigmoids,
    lipschitz_steps,
    steepness_bound,
    steepness_needed,
)
from approxlab.errors import ApproxlabError

TARGETS = [("sine", 2 * math.pi), ("bump", 10 * math.exp(-0.5)), ("sawtooth", 8.0)]


@pytest.mark.parametrize("name,rho", TARGETS)
@pytest.mark.parametrize("eps", [0.3, 0.05, 0.01])
def test_exactly_ceil_rho_over_eps_units_and_error_within_eps(name, rho, eps):
    net, cert = lipschitz_steps(name, eps=eps)
    assert cert.units == math.ceil(rho / eps)
    # midpoints: ρh/2 with h = 1/⌈ρ/ε⌉, attained on the sawtooth's peaks up to float64 round-off (holds allows 1e-12)
    assert cert.holds and cert.bound <= eps / 2 + 1e-15
    assert cert.holds and cert.norm == "sup" and cert.depth == 2


def test_unknown_lipschitz_constant_is_estimated_and_said_so():
    net, cert = lipschitz_steps("x**3", eps=0.02)
    # On [0, 1] the true ρ is 3; the grid estimate is a forward difference, just below it.
    assert cert.details["lipschitz_estimated"] is True
    assert 2.999 < cert.details["rho"] <= 3.0
    assert cert.units == math.ceil(cert.details["rho"] / 0.02) and cert.holds


def test_given_lipschitz_constant_is_used():
    assert lipschitz_steps("sine", rho=10.0, eps=0.1)[1].units == 100


def test_sigmoid_version_fails_for_shallow_slopes_and_holds_when_steep():
    assert not lipschitz_sigmoids("sine", eps=0.05, k=10.0)[1].holds
    assert lipschitz_sigmoids("sine", eps=0.05, k=1e5)[1].holds


def test_steepness_needed_separates_failing_and_passing_k():
    k, rows = steepness_needed("sine", eps=0.1)
    assert math.isfinite(k)
    assert lipschitz_sigmoids("sine", eps=0.1, k=k)[1].holds
    assert not lipschitz_sigmoids("sine", eps=0.1, k=k / 1.05)[1].holds


@pytest.mark.parametrize("eps", [0.0, -1.0, float("nan")])
def test_non_positive_eps_is_one_clear_error(eps):
    with pytest.raises(ApproxlabError, match="ε must be positive"):
        lipschitz_steps("sine", eps=eps)


def test_too_many_units_says_how_many():
    with pytest.raises(ApproxlabError, match="needs 6283186 units"):
        lipschitz_steps("sine", eps=1e-6)


def test_two_dimensional_target_is_rejected():
    with pytest.raises(ApproxlabError, match="2-dimensional"):
        lipschitz_steps("paraboloid", eps=0.1)


@pytest.mark.parametrize("eps", [0.1, 0.0102, 0.01])
def test_measured_steepness_is_below_the_derived_bound(eps):
    # the bound is k* ≤ u*/h with u* ≈ 1.48 for sin 2πx; measured k*·ε/ρ ≈ 0.93–0.95
    k, _ = steepness_needed("sine", eps=eps)
    a0 = lipschitz_sigmoids("sine", eps=eps)[1].details["a0"]
    assert k <= steepness_bound(2 * math.pi, eps, a0=a0)


def test_steepness_is_smooth_in_eps():
    # The textbook thresholds b_i = iε/ρ left (1 − frac(ρ/ε))ε of slack at x = 1 and gave k* ≈ 4000 at
    # ε = 0.0102 against ≈ 600 at 0.01; cell midpoints leave ε/2 everywhere, so k*·ε/ρ barely moves.
    scaled = [
        steepness_needed("sine", eps=eps)[0] * eps / (2 * math.pi) for eps in (0.0102, 0.01, 0.02)
    ]
    assert max(scaled) / min(scaled) < 1.1


def test_steepness_bound_is_wrong_for_a_wrong_formula():
    # the bound scales like 1/ε: halving ε doubles it (to the 0.1 % bisection tolerance and the ⌈·⌉)
    assert 1.9 < steepness_bound(2 * math.pi, 0.01) / steepness_bound(2 * math.pi, 0.02) < 2.1
