"""Maurey sampling for the Gaussian: (2rC_f)²/n in every dimension (seed 003, Barron)."""

import math

import pytest

from approxlab.construct.barron import (
    barron_constant,
    barron_gaussian,
    grid_units_needed,
    sampling_rate,
)
from approxlab.errors import ApproxlabError


def test_barron_constant_is_the_mean_norm_of_a_standard_gaussian():
    assert barron_constant(1) == pytest.approx(math.sqrt(2 / math.pi), rel=1e-14)
    assert barron_constant(2) == pytest.approx(math.sqrt(math.pi / 2), rel=1e-14)
    assert barron_constant(50) == pytest.approx(math.sqrt(49.5), rel=2e-3)  # E|Z| ≈ √(d − ½)


@pytest.mark.parametrize("d", [2, 10, 50])
@pytest.mark.parametrize("unit", ["cos", "step"])
def test_measured_squared_error_within_maurey_bound(d, unit):
    net, cert = barron_gaussian(d, 128, unit, seed=1, points=1000)
    assert cert.units == 128 and cert.holds
    assert cert.details["convention"] == "f(x) = ∫ e^{iω·x} f̂(ω) dω"


# Tolerances from a recorded measurement: over 15 seed sets (sizes 16, 64, 256; 3 draws;
# 1000 points) the slope's standard deviation was 0.16 (d = 2), 0.04 (d = 10), 0.017 (d = 50)
# for cosine units, so ±0.5 at d = 2 and ±0.15 at d = 10, 50 are ≥ 3 standard deviations.
@pytest.mark.parametrize("d,tol", [(2, 0.5), (10, 0.15), (50, 0.15)])
def test_rate_is_dimension_free_slope_minus_one(d, tol):
    slope, rows = sampling_rate(d, [16, 64, 256], seeds=3, points=1000)
    assert abs(slope + 1) <= tol
    assert all(r["mean_sq_error"] <= r["bound"] for r in rows)


def test_grid_construction_grows_like_eps_to_minus_d():
    assert grid_units_needed(0.01, 2) / grid_units_needed(0.02, 2) == pytest.approx(4, rel=0.05)
    assert grid_units_needed(0.1, 10) > 1e10


def test_bad_unit_kind_and_size():
    with pytest.raises(ApproxlabError, match="unknown Barron unit"):
        barron_gaussian(2, 10, "relu")
    with pytest.raises(ApproxlabError, match="units"):
        barron_gaussian(2, 0)


def test_maurey_variance_is_the_constant_of_the_identity():
    import numpy as np

    from approxlab.construct.barron import barron_gaussian, maurey_variance

    # E‖f − f_n‖² = V_d/n exactly; measured V_2 = 0.033 (cos, 1000 points) and n·MSE over 16 draws 0.037 ± 0.007
    V = maurey_variance(2, points=500, terms=20_000)
    assert 0.025 < V < 0.045
    nmse = [64 * barron_gaussian(2, 64, seed=s, points=500)[1].measured for s in range(16)]
    assert abs(np.mean(nmse) - V) < 4 * np.std(nmse, ddof=1) / 4


def test_best_n_term_errors_is_parseval_on_orthogonal_units():
    import numpy as np

    from approxlab.construct.barron import best_n_term_errors

    x = np.arange(32) / 32 * 2 - 1
    X1, X2 = np.meshgrid(x, x, indexing="ij")
    f = 3.0 + 2 * np.cos(np.pi * X1) + np.sin(2 * np.pi * (X1 + X2))  # energies: constant 9, 2, 0.5
    assert best_n_term_errors(f, [1, 2, 3]) == pytest.approx([2.5, 0.5, 0.0], abs=1e-12)
    assert best_n_term_errors(np.zeros((8, 8)), [1, 5]) == [
        0.0,
        0.0,
    ]  # degenerate: nothing to approximate


def test_best_n_term_errors_refuses_nan_and_too_many_units():
    import numpy as np

    from approxlab.construct.barron import best_n_term_errors

    with pytest.raises(ApproxlabError, match="finite grid"):
        best_n_term_errors(np.full((4, 4), np.nan), [1])
    with pytest.raises(ApproxlabError, match="units must lie"):
        best_n_term_errors(np.ones((4, 4)), [100])
