"""Specification of the anatomy of two-layer nets (seed 000)."""

import math

import numpy as np
import pytest
import torch
from torch import nn

import approxlab as al
from approxlab.construct.layers import linear
from approxlab.errors import ApproxlabError
from approxlab.fit import sup_error
from approxlab.smooth import anatomy, construct, reconstruct
from approxlab.smooth.anatomy import unit_grid
from approxlab.smooth.taylor import taylor_coefficients, unit_taylor
from approxlab.units import two_layer


def hand_net(W, b, a, c, act=nn.Sigmoid):
    return nn.Sequential(
        linear(np.array(W, float), np.array(b, float)),
        act(),
        linear(np.array([a], float), np.array([c], float)),
    ).double()


def test_knots_are_minus_b_over_w_exactly_in_1d():
    net = al.mlp(1, [7], activation="tanh", seed=3)
    A = anatomy(net, (-1, 1))
    w = net[0].weight.detach().double().numpy()[:, 0]
    b = net[0].bias.detach().double().numpy()
    assert np.array_equal(A.knots, -b / w)


@pytest.mark.parametrize("act,d", [("sigmoid", 1), ("softplus", 2), ("relu", 2)])
def test_unit_contributions_sum_to_the_output(act, d):
    net = al.mlp(d, [5], activation=act, seed=1).double()
    A = anatomy(net, [(-1, 1)] * d)
    X, parts, total = unit_grid(A)
    with torch.no_grad():
        out = net(torch.as_tensor(X)).numpy()[:, 0]
    assert parts.shape == (len(X), 5)
    assert np.max(np.abs(total - out)) < 1e-12


def test_one_local_and_one_global_unit_are_told_apart():
    # Unit 0: steep (w = 40) knot at 0, so |σ(40x) − step| < 1e-3 for |x| ≥ log(999)/40 ≈ 0.17: local.
    # Unit 1: w = 1, σ(x) on [−1, 1] stays within [0.27, 0.73], never near an asymptote: global.
    net = hand_net([[40.0], [1.0]], [0.0, 0.0], [1.0, 1.0], 0.0)
    A = anatomy(net, (-1, 1), tol=1e-3)
    assert A.local.tolist() == [True, False]
    x_star = A.zero_error_points()[0]
    assert x_star == pytest.approx([-math.log(999) / 40, math.log(999) / 40], rel=1e-12)


def test_taylor_coefficients_of_one_sigmoid_unit_are_its_derivatives():
    a, w, b, x0 = 1.7, 2.5, -0.3, 0.2
    net = hand_net([[w]], [b], [a], 0.4)
    s = 1 / (1 + math.exp(-(w * x0 + b)))
    derivs = [s, s * (1 - s), s * (1 - s) * (1 - 2 * s), s * (1 - s) * (1 - 6 * s + 6 * s * s)]
    expected = [a * w**k * derivs[k] / math.factorial(k) for k in range(4)]
    expected[0] += 0.4
    got = taylor_coefficients(two_layer(net), x0, 3)
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert unit_taylor(two_layer(net), x0, 3).shape == (1, 4)


def test_relu_pieces_are_exact_lines_and_its_knots_rebuild_it_exactly():
    net = al.mlp(1, [6], activation="relu", seed=2)
    A = anatomy(net, (-2, 2))
    assert A.pieces and max(p.error for p in A.pieces) < 1e-12  # exact lines, float64 round-off
    assert reconstruct(A).error < 1e-9


def test_smooth_pieces_have_small_error_when_knots_are_close():
    # a single sigmoid unit read on [−0.1, 0.1] by a cubic: the remainder is ≤ max|σ⁽⁴⁾|·0.1⁴/4! < 1e-6
    net = hand_net([[1.0]], [0.0], [1.0], 0.0)
    A = anatomy(net, (-0.1, 0.1))
    assert len(A.pieces) == 2 and max(p.error for p in A.pieces) < 0.125 * 0.1**4 / 24


def test_deterministic_construction_of_x_squared_reaches_its_recorded_error():
    # Recorded: 6 sigmoid units, rule-placed knots, sup error 6.33e-4 on [−1, 1]
    # (Adam-trained, 2000 steps lr 0.01 seed 0: 0.045).
    f = al.target("x**2", domain=(-1, 1))
    net = construct(f, 6)
    assert sup_error(net, f) < 1e-3


def test_bad_input_gets_a_clear_message():
    with pytest.raises(ApproxlabError, match="supported|anatomy reads"):
        anatomy(al.mlp(1, [3], activation="gelu"), (-1, 1))
    with pytest.raises(ApproxlabError, match="two-layer"):
        anatomy(al.mlp(1, [3, 3], activation="sigmoid"), (-1, 1))
    with pytest.raises(ApproxlabError, match="domain"):
        anatomy(al.mlp(2, [3], activation="sigmoid"), (-1, 1))


def test_smooth_units_need_fewer_units_than_relu_for_a_smooth_target():
    # Recorded: sup error ≤ 0.01 on x² needs 2 sigmoid units and 9 ReLU units (rule-placed knots).
    from approxlab.smooth.deterministic import units_needed

    f = al.target("x**2", domain=(-1, 1))
    assert units_needed(f, 0.01, "sigmoid") == 2
    assert units_needed(f, 0.01, "relu") == 9


def test_the_summary_names_each_knot_hyperplane_by_unit_normal_and_offset():
    net = hand_net([[3.0, 4.0], [0.0, 0.0]], [-10.0, 1.0], [1.0, 1.0], 0.0)
    units = anatomy(net, [(-1, 1), (-1, 1)]).to_dict()["units"]
    assert units[0]["normal"] == pytest.approx([0.6, 0.8]) and units[0]["offset"] == pytest.approx(
        2.0
    )
    assert units[1]["normal"] is None and units[1]["offset"] is None
