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
        nn.Linear(2, 6, dtype=torch.float64), nn.BatchNorm1d(6, dtype=torch.float64), nn.Hardtanh(-0.5, 0.7),
        nn.Dropout(0.3), nn.Linear(6, 6, dtype=torch.float64), nn.LeakyReLU(0.2), nn.Identity(), Abs(),
        nn.Sequential(nn.Linear(6, 3, dtype=torch.float64), nn.ReLU()), nn.Linear(3, 1, dtype=torch.float64),
    )
    net(torch.randn(64, 2, dtype=torch.float64))  # non-trivial running statistics
    net.eval()
    x = np.random.default_rng(1).normal(size=(200, 2))
    assert np.max(np.abs(output(stages(net), x) - _torch(net, x))) < 1e-12


def test_an_unsupported_layer_is_named_and_the_supported_ones_listed():
    net = nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 1))
    with pytest.raises(ApproxlabError, match=r"layer Sigmoid is not supported.*use only Linear, ReLU") as err:
        stages(net)
    assert "\n" not in str(err.value)


def test_batchnorm_in_training_mode_is_refused():
    net = nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1))
    with pytest.raises(ApproxlabError, match="net.eval()"):
        stages(net)
