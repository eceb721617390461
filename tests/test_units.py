"""Two-layer nets read unit by unit: the contributions sum to the output."""

import numpy as np
import pytest
import torch

from approxlab.errors import ApproxlabError
from approxlab.nets import mlp
from approxlab.units import contributions, two_layer


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "softplus", "step", "sin"])
@pytest.mark.parametrize("dim", [1, 2])
def test_contributions_plus_bias_equal_the_output(activation, dim):
    net = mlp(dim, [6], activation=activation, seed=2)
    X = np.random.default_rng(0).uniform(-3, 3, (500, dim))
    parts, c = contributions(net, X)
    out = net(torch.as_tensor(X)).detach().numpy()[:, 0]
    assert parts.shape == (500, 6)
    assert np.max(np.abs(parts.sum(axis=1) + c - out)) < 1e-9


def test_unit_contribution_is_a_sigma_of_w_x_plus_b():
    net = mlp(1, [2], activation="sigmoid", seed=0)
    with torch.no_grad():
        net[0].weight[:] = torch.tensor([[2.0], [-1.0]])
        net[0].bias[:] = torch.tensor([0.5, 0.0])
        net[2].weight[:] = torch.tensor([[3.0, -4.0]])
    parts, _ = contributions(net, np.array([[0.25]]))
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    assert parts[0].tolist() == pytest.approx([3 * sig(1.0), -4 * sig(-0.25)], rel=1e-15)


def test_deeper_net_is_refused_with_what_is_supported():
    with pytest.raises(
        ApproxlabError, match=r"expected a two-layer net Sequential\(Linear, activation, Linear\)"
    ):
        two_layer(mlp(2, [4, 4]))
