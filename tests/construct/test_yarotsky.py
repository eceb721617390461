"""Yarotsky's x² by depth: exact error 2^(−2m−2), depth m + 1, width ≤ 4 (seed 003)."""

import pytest
import torch
from torch import nn

import approxlab
from approxlab.construct.yarotsky import (
    depth_for,
    shallow_square,
    yarotsky_product,
    yarotsky_square,
)


@pytest.mark.parametrize("m", range(1, 11))
def test_square_error_is_exactly_two_to_minus_2m_minus_2(m):
    net, cert = yarotsky_square(m)
    assert abs(cert.measured - 2.0 ** (-2 * m - 2)) <= 1e-12
    assert cert.depth == m + 1
    assert max(l.out_features for l in net if isinstance(l, nn.Linear)) <= 4
    assert cert.holds


@pytest.mark.parametrize("m", [1, 3, 6])
def test_product_gadget_within_three_squares_error(m):
    cert = yarotsky_product(m)[1]
    assert cert.measured <= 3 * 2.0 ** (-2 * m - 2) and cert.depth == m + 1


def test_depth_for_eps_is_the_least_sufficient_depth():
    for eps in [0.1, 1e-3, 1e-6]:
        m = depth_for(eps)
        assert 2.0 ** (-2 * m - 2) <= eps < 2.0 ** (-2 * (m - 1) - 2) or m == 1


def test_shallow_interpolant_needs_width_where_depth_needs_layers():
    # Same error 2^(−2m−2): a shallow net needs 2^m units, Yarotsky 3m.
    m = 6
    shallow = shallow_square(2**m)[1]
    deep = yarotsky_square(m)[1]
    assert shallow.measured == pytest.approx(deep.measured, abs=1e-12)
    assert shallow.units == 64 and deep.units == 18


def test_yarotsky_net_round_trips_through_the_model_file(tmp_path):
    net, _ = yarotsky_square(4)
    approxlab.save(net, tmp_path / "y.safetensors")
    back = approxlab.load(tmp_path / "y.safetensors")
    x = torch.linspace(0, 1, 33, dtype=torch.float64).reshape(-1, 1)
    assert torch.equal(net(x), back(x))


def test_square_lower_bound_and_the_exact_error_of_piecewise_linear_nets():
    import numpy as np

    from approxlab.construct.pwl import relu_interpolant
    from approxlab.construct.yarotsky import square_lower_bound, square_sup_error

    # x² − chord peaks at ℓ²/4; the interpolant shifted down by half of that attains 1/(8P²) exactly
    x = np.linspace(0.0, 1.0, 10)
    error, pieces, longest = square_sup_error(relu_interpolant(x, x**2 - square_lower_bound(9)))
    assert pieces == 9 and longest == pytest.approx(1 / 9)
    assert error == pytest.approx(square_lower_bound(9), rel=1e-9)
    # Yarotsky's f_m: 2^m pieces and error 1/(4P²), twice the counting bound
    error, pieces, _ = square_sup_error(yarotsky_square(5)[0])
    assert pieces == 32 and error == pytest.approx(2 * square_lower_bound(32), rel=1e-12)
    # 1e-6 with one hidden layer: k + 1 ≥ 354 pieces, so ≥ 353 units (the interpolant construction uses 500)
    assert square_lower_bound(354) <= 1e-6 < square_lower_bound(353)
