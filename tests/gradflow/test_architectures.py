"""Plain, residual and batch-normalised deep nets, initialised by scheme."""

import numpy as np
import pytest
import torch
from torch import nn

from approxlab.errors import ApproxlabError
from approxlab.gradflow import Residual, deep_net, initialise
from approxlab.scratch import weight_variance


def test_layouts():
    assert [type(m).__name__ for m in deep_net(2, 4, "relu")] == [
        "Linear",
        "ReLU",
        "Linear",
        "ReLU",
    ]
    assert [type(m).__name__ for m in deep_net(2, 4, "relu", variant="residual")] == [
        "Residual",
        "Residual",
    ]
    assert all(
        m.weight.dtype == torch.float64
        for m in deep_net(3, 4, "tanh").modules()
        if isinstance(m, nn.Linear)
    )


def test_residual_block_adds_the_identity():
    block = deep_net(1, 3, "relu", variant="residual", seed=2)[0]
    assert isinstance(block, Residual)
    h = torch.randn(5, 3, dtype=torch.float64)
    with torch.no_grad():
        assert torch.equal(block(h), h + torch.relu(block.linear(h)))


@pytest.mark.parametrize("scheme", ["standard", "xavier_in", "xavier", "he"])
def test_initialise_draws_the_scheme_and_zeroes_biases(scheme):
    net = initialise(nn.Sequential(nn.Linear(400, 300, dtype=torch.float64)), scheme, seed=0)
    W = net[0].weight.detach().numpy()
    # 120 000 draws: relative standard error of the sample variance ≈ 0.4 %
    assert abs(W.var() / weight_variance(scheme, 400, 300) - 1) < 0.03
    assert float(net[0].bias.detach().abs().max()) == 0.0


def test_same_seed_same_net():
    a, b = deep_net(3, 5, "tanh", init="he", seed=7), deep_net(3, 5, "tanh", init="he", seed=7)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    c = deep_net(3, 5, "tanh", init="he", seed=8)
    assert not torch.equal(a[0].weight, c[0].weight)


def test_unknown_scheme():
    with pytest.raises(ApproxlabError, match="unknown initialisation 'orthogonal'"):
        deep_net(2, 3, "relu", init="orthogonal")
    assert np.isfinite(weight_variance("he", 3, 3))
