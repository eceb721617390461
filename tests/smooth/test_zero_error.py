"""Zero-error levels and the local/global split (seed 000)."""

import numpy as np
import pytest
import torch
from torch import nn

from approxlab.construct.layers import linear
from approxlab.smooth.zero_error import asymptote, classify, zero_error_levels
from approxlab.units import two_layer

ACTS = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "softplus": nn.Softplus, "relu": nn.ReLU}


def one_unit(act, w=1.0, b=0.0, a=1.0):
    return nn.Sequential(
        linear(np.array([[w]]), np.array([b])),
        ACTS[act](),
        linear(np.array([[a]]), np.array([0.0])),
    ).double()


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "softplus"])
@pytest.mark.parametrize("a", [0.5, 3.0])
def test_the_level_is_where_the_unit_comes_within_tol_of_its_asymptote(act, a):
    tol = 1e-3
    t = two_layer(one_unit(act, a=a))
    levels = zero_error_levels(t, tol)[0]
    for k, side in enumerate((-1, 1)):
        if np.isnan(levels[k]):
            assert asymptote(act, side) is None
            continue
        z = torch.tensor([levels[k]], dtype=torch.float64)
        gap = a * abs(float(t.module(z)) - asymptote(act, side))
        assert gap == pytest.approx(tol, rel=1e-9)
        beyond = torch.tensor(levels[k] + side * np.linspace(0, 20, 50), dtype=torch.float64)
        assert (
            a * np.abs(t.module(beyond).numpy() - asymptote(act, side)) <= tol * (1 + 1e-9)
        ).all()


def test_relu_is_ignorable_exactly_beyond_its_kink():
    levels = zero_error_levels(two_layer(one_unit("relu", a=7.0)), 1e-6)[0]
    assert levels[0] == 0.0 and np.isnan(levels[1])


def test_a_unit_is_local_only_if_the_box_reaches_past_both_zero_error_points():
    # σ(20x − 10): knot at 0.5, zero-error points 0.5 ± log(999)/20 = 0.155, 0.845.
    t = two_layer(one_unit("sigmoid", w=20.0, b=-10.0))
    assert classify(t, [(0.0, 1.0)], 1e-3).tolist() == [True]
    assert classify(t, [(0.2, 1.0)], 1e-3).tolist() == [False]  # never within tol of 0 on the left
    assert classify(t, [(0.0, 0.8)], 1e-3).tolist() == [False]  # never within tol of 1 on the right


def test_relu_units_with_their_kink_outside_the_box_are_global():
    inside = two_layer(one_unit("relu", w=1.0, b=0.0))
    outside = two_layer(one_unit("relu", w=1.0, b=2.0))  # kink at −2, active on all of [−1, 1]
    assert classify(inside, [(-1.0, 1.0)], 1e-3).tolist() == [True]
    assert classify(outside, [(-1.0, 1.0)], 1e-3).tolist() == [False]


def test_ignoring_a_local_unit_beyond_its_zero_error_points_moves_the_output_by_at_most_tol():
    from approxlab.smooth.zero_error import ignore_local

    net = nn.Sequential(
        linear(np.array([[40.0], [1.0]]), np.zeros(2)),
        nn.Sigmoid(),
        linear(np.array([[2.0, 1.0]]), np.zeros(1)),
    ).double()
    t = two_layer(net)
    X = np.linspace(-1, 1, 2001)[:, None]
    local = classify(t, [(-1.0, 1.0)], 1e-3)
    assert local.tolist() == [True, False]
    parts, kept = t.contributions(X), ignore_local(t, X, 1e-3, local)
    x_star = np.log(2 / 1e-3 - 1) / 40  # |2(σ(40x) − step)| = 1e-3
    replaced = np.abs(X[:, 0]) >= x_star
    assert kept[replaced, 0].tolist() == [0.0 if x < 0 else 2.0 for x in X[replaced, 0]]
    assert np.array_equal(kept[~replaced, 0], parts[~replaced, 0]) and np.array_equal(
        kept[:, 1], parts[:, 1]
    )
    # the bound is reached at x* itself; on a grid of step 1e-3 the deviation (slope ≈ 40·tol) is within 4e-5 of it
    assert 0.9e-3 < np.max(np.abs(kept.sum(1) - parts.sum(1))) <= 1e-3
