"""Observers: exact regions and local complexity on a slice, knots, metrics; bad input in one line."""

import numpy as np
import pytest
import torch
from torch import nn

import approxlab
from approxlab.errors import ApproxlabError
from approxlab.watch import Knots, Metrics, Regions, WeightNorms

ANCHORS = np.array([[-1.0, -1.0], [2.0, -1.0], [-1.0, 2.0]])


def _axes_net() -> nn.Sequential:
    """ReLU units bending on the lines x = 0 and y = 0 (identity first layer, zero biases)."""
    net = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1)).double()
    with torch.no_grad():
        net[0].weight.copy_(torch.eye(2))
        net[0].bias.zero_()
        net[2].weight.fill_(1.0)
        net[2].bias.zero_()
    return net


def test_exact_regions_and_local_complexity_on_a_hand_built_net():
    # The triangle (−1,−1), (2,−1), (−1,2) contains the origin: the two axes cut it into 4 regions.
    # Radius 1.2: at (−1,−1) both axes (distance 1) meet the disk, the corner (0,0) (distance √2) does not → 2 bends,
    # 3 regions; at (2,−1) only y = 0 → 1 bend, 2 regions; at (−1,2) only x = 0 → 1 bend, 2 regions.
    values = Regions(ANCHORS, radius=1.2)(_axes_net())
    assert values["regions"] == 4
    assert values["lc"] == pytest.approx(4 / 3)
    assert values["lc_regions"] == pytest.approx(7 / 3)


def test_a_small_radius_sees_no_bend():
    assert Regions(ANCHORS, radius=0.5)(_axes_net())["lc"] == 0.0


def test_duplicated_units_add_no_bend_line_and_no_region():
    # The exact partition records a bend line once, by the first unit that cuts it, so a duplicated unit
    # changes neither the regions nor the exact LC (Humayun et al.'s frame estimator would count it twice).
    net = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1)).double()
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([[1.0, 0], [1.0, 0], [0, 1.0], [0, 1.0]]))
        net[0].bias.zero_()
    values = Regions(ANCHORS, radius=1.2)(net)
    assert values["regions"] == 4 and values["lc"] == pytest.approx(4 / 3)


def test_regions_of_a_smooth_net_name_the_layer():
    with pytest.raises(ApproxlabError, match=r"layer '1' \(Tanh\) is not"):
        Regions(ANCHORS, 0.1)(approxlab.mlp(2, [3], activation="tanh"))


def test_collinear_slice_points_are_refused():
    with pytest.raises(ApproxlabError, match="collinear"):
        Regions(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]), 0.1)


def test_slice_of_the_wrong_dimension_is_refused():
    with pytest.raises(ApproxlabError, match="3 coordinates but the net takes 2 inputs"):
        Regions(np.eye(3), 0.1)(approxlab.mlp(2, [3]))


def test_knots_are_minus_b_over_w_and_flat_units_have_none():
    net = approxlab.mlp(1, [3], seed=0)
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([[2.0], [-1.0], [0.0]]))
        net[0].bias.copy_(torch.tensor([1.0, 0.5, 3.0]))
    knots = Knots()(net)["knots"]
    assert knots[:2] == [-0.5, 0.5] and knots[2] == np.inf


def test_metrics_on_one_hot_targets_count_argmax_hits():
    X = torch.eye(3, dtype=torch.float64)
    net = nn.Sequential(nn.Linear(3, 3, bias=False)).double()
    with torch.no_grad():
        net[0].weight.copy_(torch.eye(3))
    Y = torch.eye(3, dtype=torch.float64)[
        [0, 1, 0]
    ]  # the third label is wrong for the identity map
    values = Metrics(X, Y, loss="mse")(net)
    assert values["train_accuracy"] == pytest.approx(2 / 3)
    assert values["train_loss"] == pytest.approx(2 / 9)


def test_weight_norm_is_the_euclidean_norm_of_all_parameters():
    net = _axes_net()  # weights: I (norm √2), ones (√2), zero biases
    assert WeightNorms()(net)["weight_norm"] == pytest.approx(2.0)
