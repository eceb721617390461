"""A torch net read as affine stages and piecewise-linear activations (float64)."""

import numpy as np
import pytest
import torch
from torch import nn

import approxlab
from approxlab.errors import ApproxlabError
from approxlab.nets import Abs
from approxlab.regions.layers import output, stages


def _torch(net, x):
    with torch.no_grad():
        return net(torch.as_tensor(x, dtype=torch.float64)).numpy()


def test_an_mlp_becomes_one_stage_per_hidden_layer_and_a_readout():
    layers = stages(approxlab.mlp(3, [5, 4], out_dim=2))
    assert [s.width for s in layers] == [5, 4, 2]
    assert [s.activation.name if s.activation else None for s in layers] == ["relu", "relu", None]


def test_batchnorm_in_eval_mode_dropout_and_every_activation_fold_to_the_same_function():
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Linear(2, 6, dtype=torch.float64),
        nn.BatchNorm1d(6, dtype=torch.float64),
        nn.Hardtanh(-0.5, 0.7),
        nn.Dropout(0.3),
        nn.Linear(6, 6, dtype=torch.float64),
        nn.LeakyReLU(0.2),
        nn.Identity(),
        Abs(),
        nn.Sequential(nn.Linear(6, 3, dtype=torch.float64), nn.ReLU()),
        nn.Linear(3, 1, dtype=torch.float64),
    )
    net(torch.randn(64, 2, dtype=torch.float64))  # non-trivial running statistics
    net.eval()
    x = np.random.default_rng(1).normal(size=(200, 2))
    assert np.max(np.abs(output(stages(net), x) - _torch(net, x))) < 1e-12


def test_an_unsupported_layer_is_named_and_the_supported_ones_listed():
    net = nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 1))
    with pytest.raises(
        ApproxlabError,
        match=r"layer Sigmoid \(module '1'\) is not supported.*use only Linear, ReLU",
    ) as err:
        stages(net)
    assert "\n" not in str(err.value)


def test_batchnorm_in_training_mode_is_refused():
    net = nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1))
    with pytest.raises(ApproxlabError, match="net.eval()"):
        stages(net)


class _ClassStyle(nn.Module):
    """Layers as attributes and a forward chaining them (issue 12)."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.out = nn.Linear(2, 6), nn.Linear(6, 5), nn.Linear(5, 1)

    def forward(self, x):
        return self.out(torch.nn.functional.leaky_relu(self.fc2(torch.relu(self.fc1(x))), 0.2))


class _Residual(nn.Sequential):
    """A Sequential subclass whose forward adds a skip connection: not the chain of its modules."""

    def forward(self, x):
        return super().forward(x) + x.sum(dim=1, keepdim=True)


def test_a_class_style_model_is_read_from_its_forward_with_torch_fx():
    torch.manual_seed(0)
    net = _ClassStyle().double()
    layers = stages(net)
    assert [s.activation.name for s in layers[:-1]] == ["relu", "leaky_relu"]
    x = np.random.default_rng(0).normal(size=(50, 2))
    assert np.allclose(output(layers, x), _torch(net, x), rtol=1e-12, atol=1e-12)


def test_a_sequential_subclass_with_a_residual_forward_is_read_with_its_skip_not_as_a_chain():
    torch.manual_seed(0)
    net = _Residual(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1)).double()
    x = np.random.default_rng(0).normal(size=(50, 2))
    # Read as a plain chain this was off by up to 0.29 (issue 18); with the skip it is round-off.
    assert np.abs(output(stages(net), x) - _torch(net, x)).max() < 1e-12


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_weights_are_refused_naming_the_tensor(bad):
    net = approxlab.mlp(2, [4, 4])
    with torch.no_grad():
        net[2].bias[1] = bad
    with pytest.raises(ApproxlabError, match=r"tensor 2\.bias has NaN or infinite"):
        stages(net)


def test_finite_weights_at_the_float64_limit_are_read():
    net = approxlab.mlp(2, [2]).double()
    with torch.no_grad():
        net[0].weight.fill_(1e308)
    assert stages(net)[0].weight.max() == 1e308


@pytest.mark.parametrize(
    "values, finite",
    [
        ([1e308, -1e308, 3.0], True),  # Σ a² overflows: each entry looked at
        ([1e200, np.nan], False),  # NaN among entries that overflow the sum
        ([np.inf, 0.0], False),
        ([-np.inf, np.inf], False),
        ([np.nan], False),
        ([], True),
        (np.r_[np.ones(5000), np.nan], False),  # large: read entry by entry
        (np.ones(5000), True),
    ],
)
def test_all_finite_is_true_exactly_when_every_entry_is(values, finite):
    from approxlab.regions.layers import all_finite

    assert all_finite(np.array(values, dtype=np.float64).reshape(-1, 1)) is finite


def test_a_sequential_that_calls_one_relu_module_twice_reads_both_calls():
    # nn.Sequential calls each entry in order, a shared module as often as it appears; named_children()
    # lists it once, and a chain read from it lost the second ReLU (then failed the output check).
    torch.manual_seed(0)
    relu = nn.ReLU()
    net = nn.Sequential(nn.Linear(2, 5), relu, nn.Linear(5, 4), relu, nn.Linear(4, 1)).double()
    layers = stages(net)
    assert [s.activation.name if s.activation else None for s in layers] == ["relu", "relu", None]
    x = np.random.default_rng(0).normal(size=(50, 2))
    assert np.abs(output(layers, x) - _torch(net, x)).max() < 1e-12


def test_weights_in_bfloat16_are_read_exactly_into_float64():
    net = approxlab.mlp(2, [4]).to(torch.bfloat16)
    layers = stages(net)
    assert layers[0].weight.dtype == np.float64
    assert np.array_equal(layers[0].weight, net[0].weight.detach().double().numpy())
