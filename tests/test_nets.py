"""approxlab.mlp: plain Sequentials, every activation, seeded init, parameter count."""

import pytest
import torch
from torch import nn

from approxlab.errors import ApproxlabError
from approxlab.nets import ACTIVATIONS, count_params, mlp


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_every_activation_builds_a_plain_sequential(name):
    net = mlp(3, [5, 4], activation=name)
    assert isinstance(net, nn.Sequential)
    assert [type(m).__name__ for m in net][0::2] == ["Linear", "Linear", "Linear"]
    out = net(torch.randn(7, 3, dtype=torch.float64))
    assert out.shape == (7, 1) and out.dtype == torch.float64


@pytest.mark.parametrize(
    ("name", "z", "expected"),
    [
        ("step", [-0.1, 0.0, 2.0], [0, 1, 1]),
        ("abs", [-2.0, 3.0], [2, 3]),
        ("linear", [-2.0], [-2.0]),
        ("relu", [-1.0, 2.0], [0, 2]),
    ],
)
def test_activation_values(name, z, expected):
    act = ACTIVATIONS[name]()
    assert act(torch.tensor(z, dtype=torch.float64)).tolist() == expected


def test_parameter_count_is_the_layer_sum():
    """Σ_l (n_l n_{l−1} + n_l) (seed 002) for 2 → 6 → 4 → 1."""
    assert count_params(mlp(2, [6, 4])) == (6 * 2 + 6) + (4 * 6 + 4) + (1 * 4 + 1)


def test_init_is_seeded_and_leaves_the_global_rng_alone():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = mlp(2, [8], seed=5)
    after = torch.rand(1)
    b = mlp(2, [8], seed=5)
    assert torch.equal(before, after)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(a[0].weight, mlp(2, [8], seed=6)[0].weight)


@pytest.mark.parametrize("widths", [[0], [-3], [4, 0]])
def test_non_positive_widths_are_refused(widths):
    with pytest.raises(ApproxlabError, match="positive integer"):
        mlp(2, widths)


def test_unknown_activation_lists_the_options():
    with pytest.raises(
        ApproxlabError, match="unknown activation 'relux': use one of abs, cos, exp"
    ):
        mlp(2, [3], activation="relux")
