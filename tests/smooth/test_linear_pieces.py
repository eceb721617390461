"""The linear pieces of a 2D ReLU net: the ReLU counterpart of the spline reading (seed 000)."""

import numpy as np
import pytest
import torch
from torch import nn

import approxlab as al
from approxlab.construct.layers import linear
from approxlab.fit import fit
from approxlab.smooth import anatomy
from approxlab.smooth.linear_pieces import linear_pieces


def test_two_crossing_knot_lines_make_four_pieces_with_the_active_units_gradients():
    # N = relu(x1) − 2 relu(x2) + 0.5: knot lines x1 = 0 and x2 = 0 quarter the square.
    net = nn.Sequential(
        linear(np.eye(2), np.zeros(2)), nn.ReLU(), linear(np.array([[1.0, -2.0]]), np.array([0.5]))
    ).double()
    pieces = linear_pieces(net, [(-1, 1), (-1, 1)])
    assert len(pieces) == 4
    for p in pieces:
        assert p.area == pytest.approx(1.0)
        expected = [1.0 if p.centroid[0] > 0 else 0.0, -2.0 if p.centroid[1] > 0 else 0.0]
        assert p.gradient == pytest.approx(expected, abs=1e-12) and p.intercept == pytest.approx(
            0.5
        )


def test_pieces_tile_the_box_and_equal_the_net_on_a_trained_relu_net():
    f = al.target("saddle")
    net = al.mlp(2, [8], activation="relu", seed=0)
    fit(net, f, steps=200, lr=0.05, seed=0, n_train=200)
    A = anatomy(net, f.domain)
    assert sum(p.area for p in A.linear_pieces) == pytest.approx(4.0, rel=1e-12)
    X = np.array([p.centroid for p in A.linear_pieces])
    with torch.no_grad():
        y = net(torch.as_tensor(X)).numpy()[:, 0]
    flat = np.array([p.gradient @ p.centroid + p.intercept for p in A.linear_pieces])
    assert np.max(np.abs(y - flat)) < 1e-12
    assert len(A.to_dict()["linear_pieces"]) == len(A.linear_pieces)


def test_smooth_nets_have_no_linear_pieces():
    assert (
        anatomy(al.mlp(2, [4], activation="sigmoid", seed=0), [(-1, 1), (-1, 1)]).linear_pieces
        == []
    )
