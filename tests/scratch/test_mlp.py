"""The hand-written backward pass of seed 002 equals torch.autograd and finite differences."""

import numpy as np
import pytest
import torch

import approxlab
from approxlab.errors import ApproxlabError
from approxlab.nets import count_params
from approxlab.scratch import (
    autograd_gradients,
    backward,
    finite_differences,
    forward,
    init_mlp,
    loss_value,
)
from approxlab.scratch.gradcheck import compare
from approxlab.scratch.losses import random_targets
from approxlab.scratch.mlp import MLP, parameter_count

PAIRS = [
    ("mse", "linear", 2),
    ("mse", "tanh", 1),
    ("mse", "sigmoid", 1),
    ("bce", "sigmoid", 1),
    ("softmax_ce", "softmax", 3),
]


def _problem(activation, loss, output, n_out, depth, seed):
    rng = np.random.default_rng(seed)
    net = init_mlp(
        [3] + [5] * (depth - 1) + [n_out], activation, output, init="xavier_in", seed=seed
    )
    for b in net.biases:
        b[:] = rng.normal(0, 0.3, b.shape)  # nonzero biases so every σ'(z) is exercised off zero
    return net, rng.normal(size=(7, 3)), random_targets(loss, 7, n_out, rng)


@pytest.mark.parametrize("depth", [1, 2, 4])
@pytest.mark.parametrize("loss,output,n_out", PAIRS)
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "linear"])
def test_backprop_equals_autograd_and_finite_differences(activation, loss, output, n_out, depth):
    net, X, y = _problem(activation, loss, output, n_out, depth, seed=depth)
    bp = backward(net, X, y, loss)
    value, auto = autograd_gradients(net, X, y, loss)
    numeric = finite_differences(lambda: loss_value(net, X, y, loss), net.parameters())
    assert abs(bp.loss - value) < 1e-12
    # backprop and autograd do the same float64 arithmetic in a different order: measured ≤ 1e-14
    assert compare(bp.grads, auto, tolerance=1e-12).ok
    # the bar for finite differences (ε = 1e−5): measured ≤ 1.3e−8 over these nets
    assert compare(bp.grads, numeric, tolerance=1e-7).ok
    assert compare(auto, numeric, tolerance=1e-7).ok


def test_forward_equals_the_torch_net():
    net, X, _ = _problem("tanh", "softmax_ce", "softmax", 3, 3, seed=5)
    from approxlab.scratch import to_torch

    with torch.no_grad():
        expected = to_torch(net)(torch.from_numpy(X)).numpy()
    assert np.max(np.abs(forward(net, X).h[-1].T - expected)) < 1e-15


def test_deltas_are_the_gradient_with_respect_to_preactivations():
    # δ^(l) = ∂L/∂z^(l): bias gradients are δ summed over examples, weight gradients δ hᵀ
    net, X, y = _problem("sigmoid", "mse", "linear", 2, 3, seed=2)
    bp = backward(net, X, y, "mse")
    run = forward(net, X)
    for l in range(1, 4):
        assert np.allclose(bp.grads[f"b{l}"], bp.deltas[l - 1].sum(axis=1), atol=0, rtol=0)
        assert np.allclose(bp.grads[f"W{l}"], bp.deltas[l - 1] @ run.h[l - 1].T, atol=0, rtol=0)


@pytest.mark.parametrize(
    "in_dim,widths,out_dim",
    [
        (1, [1], 1),
        (2, [6], 1),
        (3, [10, 20], 4),
        (5, [7, 7, 7, 7], 2),
        (784, [512, 256], 10),
        (2, [3] * 12, 1),
    ],
)
def test_parameter_count_formula_matches_torch(in_dim, widths, out_dim):
    net = approxlab.mlp(in_dim, widths, out_dim, seed=0)
    assert parameter_count([in_dim, *widths, out_dim]) == count_params(net)


def test_parameter_count_of_seed_002_example():
    # 2 → 6 → 1: (6·2 + 6) + (1·6 + 1) = 25
    assert parameter_count([2, 6, 1]) == 25


def test_bad_input_is_one_clear_line():
    net = init_mlp([2, 3, 1], "tanh", "sigmoid")
    with pytest.raises(ApproxlabError, match=r"shape \(n, 2\)"):
        backward(net, np.ones((4, 3)), np.zeros(4), "bce")
    with pytest.raises(ApproxlabError, match="unknown activation 'swish'"):
        init_mlp([2, 3, 1], "swish")
    with pytest.raises(ApproxlabError, match="unknown loss"):
        backward(net, np.ones((4, 2)), np.zeros(4), "hinge")
    with pytest.raises(ApproxlabError, match="needs output activation 'softmax'"):
        backward(net, np.ones((4, 2)), np.zeros(4), "softmax_ce")
    with pytest.raises(ApproxlabError, match="3 targets for 4 inputs"):
        backward(net, np.ones((4, 2)), np.zeros(3), "bce")
    with pytest.raises(ApproxlabError, match="layer 2: W takes 4 inputs"):
        MLP([np.ones((3, 2)), np.ones((1, 4))], [np.zeros(3), np.zeros(1)])
