"""Hornik's theorem exercised: sigmoidal σ and ReLU approach g, a polynomial σ stops at its span's floor."""

import math

import numpy as np
import pytest

from approxlab.errors import ApproxlabError
from approxlab.universality.hornik import (
    ACTIVATIONS,
    SIGMOIDAL,
    knots,
    polynomial_floor,
    span_error,
)

RHO = 2 * math.pi + 1  # Lipschitz constant of g(x) = sin 2πx + |x − 0.3|


@pytest.mark.parametrize("m", [4, 16, 64])
def test_polynomial_floor_is_the_least_squares_residual_of_its_span(m):
    e = span_error("cubic", m)
    assert e["rank"] == 4  # span{(k(x − t))³} = polynomials of degree ≤ 3, whatever m
    assert e["rms"] == pytest.approx(polynomial_floor(3), rel=1e-9)


@pytest.mark.parametrize("name", [*SIGMOIDAL, "relu"])
def test_universal_activations_beat_the_step_bound(name):
    """The seed's univariate theorem: threshold units at spacing h reach ρh; every universal σ here does at
    least as well for m = 16, 64, 256 (measured worst: the Heaviside step itself, 0.0127 ≤ 0.0287 at m = 256)."""
    errors = [span_error(name, m)["sup"] for m in (16, 64, 256)]
    assert all(e <= RHO / (m - 2) for e, m in zip(errors, (16, 64, 256)))
    assert errors[-1] < 0.2 * span_error("cubic", 256)["sup"]  # far below the polynomial's floor


def test_polynomial_does_not_improve_with_width():
    sups = [span_error("cubic", m)["sup"] for m in (4, 64, 256)]
    assert max(sups) - min(sups) < 1e-9 and min(sups) > 0.1


def test_knots_and_bad_names():
    assert np.allclose(knots(6), [-2, -1, 0.125, 0.375, 0.625, 0.875])
    assert set(SIGMOIDAL) < set(ACTIVATIONS)
    with pytest.raises(ApproxlabError, match="unknown activation"):
        span_error("swish", 8)
    with pytest.raises(ApproxlabError):
        span_error("logistic", 2)
