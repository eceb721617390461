"""Knots t_j = −b_j/w_j, their order, transition widths 1/‖w_j‖ (seed 000)."""

import numpy as np
import pytest
from torch import nn

import approxlab as al
from approxlab.construct.layers import linear
from approxlab.smooth.knots import knot_order, knot_positions, transition_widths
from approxlab.units import two_layer


def hyperplanes(W, b):
    W = np.array(W, float)
    return two_layer(
        nn.Sequential(
            linear(W, np.array(b, float)), nn.Sigmoid(), linear(np.ones((1, len(W))), np.zeros(1))
        ).double()
    )


def test_the_preactivation_vanishes_at_each_knot():
    t = two_layer(al.mlp(1, [9], activation="sigmoid", seed=5).double())
    k = knot_positions(t)
    assert np.max(np.abs(t.preactivations(k[:, None]).diagonal())) < 1e-12


def test_a_flat_unit_has_no_knot_and_no_place_in_the_order():
    t = hyperplanes([[2.0], [0.0], [-1.0]], [1.0, 0.3, 0.5])
    assert knot_positions(t).tolist() == [-0.5, np.inf, 0.5]
    assert knot_order(t).tolist() == [0, 2]
    assert transition_widths(t).tolist() == [0.5, np.inf, 1.0]


def test_1d_order_sorts_the_knots_left_to_right():
    t = two_layer(al.mlp(1, [12], activation="tanh", seed=1))
    assert np.all(np.diff(knot_positions(t)[knot_order(t)]) >= 0)


def test_2d_order_is_along_a_direction_and_leaves_parallel_lines_out():
    # lines x1 = 0.5, x1 + x2 = 0 (offset 0 along e1), x2 = 0.2 (parallel to e1: incomparable along e1)
    t = hyperplanes([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]], [-0.5, 0.0, -0.2])
    assert knot_order(t).tolist() == [1, 0]
    assert knot_order(t, np.array([0.0, 1.0])).tolist() == [1, 2]
    assert transition_widths(t) == pytest.approx([1.0, 2**-0.5, 1.0])


def test_knots_are_matched_one_to_one_by_least_total_distance():
    from approxlab.smooth.knots import match_knots

    pairs, dist = match_knots(
        np.array([0.0, 0.5, np.inf, -2.9]), np.array([0.6, 0.1, -3.0]), -1.0, 1.0
    )
    assert pairs.tolist() == [
        [0, 1],
        [1, 0],
    ]  # −2.9 ↔ −3 is outside [−1, 1]; the flat unit takes no part
    assert dist == pytest.approx([0.1, 0.1])


def test_interlaced_points_make_the_step_limit_unit_lower_triangular():
    from approxlab.smooth.knots import interlaced_points, step_limit

    t = hyperplanes([[3.0], [1.0], [2.0]], [0.0, 0.5, -1.0])  # knots 0, −0.5, 0.5: order [1, 0, 2]
    X = interlaced_points(t)
    assert X[:, 0].tolist() == pytest.approx([-0.25, 0.25, 0.75])
    assert step_limit(t, X)[:, knot_order(t)].tolist() == [[1, 0, 0], [1, 1, 0], [1, 1, 1]]


def test_a_flat_unit_and_a_shared_knot_break_the_strict_order():
    from approxlab.smooth.knots import interlaced_points, step_limit

    flat = hyperplanes([[1.0], [0.0], [1.0]], [0.0, 1.0, -0.5])
    assert (
        len(interlaced_points(flat)) == 2
    )  # the flat unit is incomparable along x: no point of its own
    shared = hyperplanes([[1.0], [1.0], [1.0]], [0.0, 0.0, -0.5])  # units 0 and 1 share the knot 0
    L = step_limit(shared, interlaced_points(shared))[:, knot_order(shared)]
    assert not np.array_equal(L, np.tril(np.ones((3, 3))))
