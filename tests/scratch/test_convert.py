"""Scratch MLP ↔ torch.nn.Sequential: same weights, same outputs."""

import numpy as np
import pytest
import torch
from torch import nn

import approxlab
from approxlab.errors import ApproxlabError
from approxlab.scratch import from_torch, init_mlp, predict, to_torch


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
def test_from_approxlab_mlp_gives_the_same_function(activation):
    net = approxlab.mlp(3, [8, 5], 2, activation=activation, seed=4, out_activation="sigmoid")
    scratch = from_torch(net)
    assert (
        scratch.sizes == [3, 8, 5, 2]
        and scratch.activation == activation
        and scratch.output == "sigmoid"
    )
    X = np.random.default_rng(0).normal(size=(20, 3))
    with torch.no_grad():
        expected = net(torch.from_numpy(X)).numpy()
    assert np.max(np.abs(predict(scratch, X) - expected)) < 1e-15


def test_round_trip_keeps_every_weight():
    net = init_mlp([2, 4, 3], "relu", "softmax", init="he", seed=1)
    back = from_torch(to_torch(net))
    assert back.output == "softmax" and back.activation == "relu"
    assert all(
        np.array_equal(a, b) for a, b in zip(net.weights + net.biases, back.weights + back.biases)
    )


def test_unsupported_nets_are_refused():
    with pytest.raises(ApproxlabError, match="no activation GELU"):
        from_torch(approxlab.mlp(2, [4], activation="gelu"))
    with pytest.raises(ApproxlabError, match="one elementwise hidden activation"):
        from_torch(
            nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 1))
        )
    with pytest.raises(ApproxlabError, match="breaks the Linear/activation pattern"):
        from_torch(nn.Sequential(nn.Tanh(), nn.Linear(2, 1)))
