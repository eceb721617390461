"""ReLU nets for piecewise-linear functions in 1D (seed 002, answer 2)."""

import numpy as np
import pytest
import torch
from torch import nn

from approxlab.construct.pwl import relu_from_breakpoints, relu_interpolant
from approxlab.errors import ApproxlabError


def _eval(net, x):
    with torch.no_grad():
        return net(torch.as_tensor(x, dtype=torch.float64).reshape(-1, 1)).numpy().ravel()


def _hidden_units(net):
    return net[0].out_features


def test_breakpoint_net_reproduces_the_piecewise_linear_function():
    b, s = [0.2, 0.5, 0.9], [1.0, -2.0, 0.5, 3.0]
    net = relu_from_breakpoints(b, s, 0.7, (0.0, 1.0))
    assert _hidden_units(net) == len(b) + 1
    x = np.linspace(0, 1, 2001)
    knots = np.array([0.0, *b, 1.0])
    vals = 0.7 + np.concatenate([[0.0], np.cumsum(np.diff(knots) * np.array(s))])
    assert np.max(np.abs(_eval(net, x) - np.interp(x, knots, vals))) < 1e-14


def test_interpolant_is_exact_at_knots_with_k_minus_1_units():
    rng = np.random.default_rng(0)
    knots = np.sort(rng.uniform(-2, 3, 12))
    values = rng.normal(size=12)
    net = relu_interpolant(knots, values)
    assert _hidden_units(net) == len(knots) - 1
    assert np.max(np.abs(_eval(net, knots) - values)) < 1e-12


@pytest.mark.parametrize("k", [5, 17, 65])
def test_interpolation_error_of_sin_is_within_h2_bound(k):
    # Linear interpolation of a C² g: |g − I g| ≤ h² max|g''| / 8; g = sin(2πx), |g''| ≤ 4π².
    knots = np.linspace(0, 1, k)
    net = relu_interpolant(knots, np.sin(2 * np.pi * knots))
    x = np.linspace(0, 1, 20001)
    err = np.max(np.abs(_eval(net, x) - np.sin(2 * np.pi * x)))
    h = 1 / (k - 1)
    assert err <= h**2 * 4 * np.pi**2 / 8
    assert (
        err >= 0.5 * h**2 * 4 * np.pi**2 / 8
    )  # the bound is attained up to a constant: O(h²) is sharp


def test_bad_breakpoints_are_rejected_in_one_line():
    with pytest.raises(ApproxlabError, match="slopes"):
        relu_from_breakpoints([0.5], [1.0], 0.0, (0.0, 1.0))
    with pytest.raises(ApproxlabError, match="strictly"):
        relu_from_breakpoints([0.5, 0.3], [1.0, 2.0, 3.0], 0.0, (0.0, 1.0))
    with pytest.raises(ApproxlabError, match="strictly increasing"):
        relu_interpolant([0.0, 0.0, 1.0], [1.0, 2.0, 3.0])


def test_nets_are_plain_float64_sequentials():
    net = relu_interpolant([0.0, 1.0], [0.0, 1.0])
    assert isinstance(net, nn.Sequential) and _hidden_units(net) == 1
    assert all(p.dtype == torch.float64 for p in net.parameters())
