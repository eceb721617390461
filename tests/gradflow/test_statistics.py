"""Per-layer statistics of torch nets, cross-checked against the hand-written backprop."""

import numpy as np
import pytest
import torch

from approxlab.errors import ApproxlabError
from approxlab.gradflow import deep_net, layer_statistics, spectral_norm, vanishing_bound
from approxlab.scratch import backward, from_torch, init_mlp, to_torch


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_delta_norms_equal_the_scratch_deltas(activation):
    # the torch hooks measure the same δ^(l) = ∂L/∂z^(l) as seed 002's recursion in approxlab.scratch
    net = deep_net(6, 12, activation, init="xavier_in", seed=1)
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(9, 12)), rng.normal(size=(9, 12))
    stats = layer_statistics(net, torch.from_numpy(X), torch.from_numpy(Y))
    scratch = from_torch(net)
    bp = backward(scratch, X, Y, "mse")
    measured = np.array([np.linalg.norm(d) for d in bp.deltas])
    assert np.max(np.abs(stats.delta_norm / measured - 1)) < 1e-12


def test_spectral_norm_is_the_largest_singular_value():
    W = np.random.default_rng(0).normal(size=(40, 25))
    assert abs(spectral_norm(W) - np.linalg.svd(W, compute_uv=False)[0]) < 1e-12
    assert abs(spectral_norm(W.T) - np.linalg.svd(W, compute_uv=False)[0]) < 1e-12


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("depth", [10, 30])
def test_seed_002_bound_holds_layer_by_layer(activation, depth):
    # ‖δ^(l)‖ ≤ ‖δ^(L)‖ Π_{k>l} ‖W^(k)‖₂ max|σ'|: a theorem, so any excess is a bug
    net = deep_net(depth, 32, activation, seed=depth)
    rng = np.random.default_rng(0)
    X, Y = (torch.from_numpy(rng.normal(size=(16, 32))) for _ in range(2))
    stats = layer_statistics(net, X, Y, spectral=True)
    bound = vanishing_bound(
        stats.delta_norm[-1], stats.spectral_norm, {"sigmoid": 0.25}.get(activation, 1.0)
    )
    assert np.all(stats.delta_norm <= bound * (1 + 1e-12))
    assert bound[-1] == stats.delta_norm[-1]


def test_statistics_refuse_a_net_without_linear_layers():
    with pytest.raises(ApproxlabError, match="no nn.Linear"):
        layer_statistics(torch.nn.Tanh(), torch.ones(2, 2), torch.ones(2, 2))
    net = to_torch(init_mlp([3, 4, 2]))
    with pytest.raises(ApproxlabError, match="outputs shape"):
        layer_statistics(
            net, torch.ones(5, 3, dtype=torch.float64), torch.ones(5, 3, dtype=torch.float64)
        )


def test_any_approxlab_mlp_and_its_mode_is_restored():
    import approxlab

    net = approxlab.mlp(3, [8, 8], out_dim=2, activation="tanh", seed=0).eval()
    X = torch.from_numpy(np.random.default_rng(0).normal(size=(5, 3)))
    stats = layer_statistics(net, X, torch.zeros(5, 2, dtype=torch.float64))
    assert stats.depth == 3 and len(stats.activation_variance) == 4
    # the last Linear's δ is ∂L/∂ŷ = (ŷ − y)/n, so its norm is ‖ŷ‖_F / 5 for y = 0
    with torch.no_grad():
        assert abs(stats.delta_norm[-1] - float(torch.linalg.norm(net(X))) / 5) < 1e-15
    assert not net.training
