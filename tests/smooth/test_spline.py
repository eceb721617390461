"""The net read as a smooth spline: Taylor pieces between consecutive knots (seed 000)."""

import numpy as np
import pytest

import approxlab as al
from approxlab.smooth.knots import knot_positions
from approxlab.smooth.spline import breakpoints, spline_pieces
from approxlab.units import two_layer


def test_pieces_tile_the_interval_at_the_knots_inside_it():
    t = two_layer(al.mlp(1, [10], activation="sigmoid", seed=3))
    k = knot_positions(t)
    pieces = spline_pieces(t, -1.0, 1.0)
    assert len(pieces) == np.sum((k > -1) & (k < 1)) + 1
    assert pieces[0].lo == -1.0 and pieces[-1].hi == 1.0
    assert all(p.hi == q.lo for p, q in zip(pieces, pieces[1:]))
    assert all(p.centre == pytest.approx((p.lo + p.hi) / 2) for p in pieces)
    assert breakpoints(t, -1.0, 1.0)[1:-1] == pytest.approx(np.sort(k[(k > -1) & (k < 1)]))


def test_higher_degree_pieces_are_closer_on_a_smooth_net():
    t = two_layer(al.mlp(1, [6], activation="tanh", seed=0).double())
    errors = [max(p.error for p in spline_pieces(t, -1.0, 1.0, degree=n)) for n in (1, 3, 5)]
    assert errors[0] > errors[1] > errors[2]


def test_relu_linear_pieces_are_exact_with_the_slopes_of_the_active_units():
    net = al.mlp(1, [5], activation="relu", seed=7).double()
    t = two_layer(net)
    for p in spline_pieces(t, -2.0, 2.0, degree=1):
        active = (t.W[:, 0] * p.centre + t.b) > 0
        assert p.coefficients[1] == pytest.approx(
            float(np.sum(t.a[0, active] * t.W[active, 0])), abs=1e-12
        )
        assert p.error < 1e-12
