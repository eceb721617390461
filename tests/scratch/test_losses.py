"""Losses, their output error signal δ^(L), and target shapes."""

import numpy as np
import pytest

from approxlab.errors import ApproxlabError
from approxlab.scratch import loss
from approxlab.scratch.activations import sigmoid, softmax
from approxlab.scratch.losses import random_targets, target_matrix


def test_bce_is_finite_for_saturated_outputs():
    z = np.array([[800.0, -800.0]])
    Y = np.array([[0.0, 1.0]])
    # log(1 + e^800) − 0 = 800 and log(1 + e^−800) + 800 = 800: mean 800
    assert loss("bce").value(z, sigmoid(z), Y) == pytest.approx(800.0)


def test_cross_entropy_deltas_are_output_minus_target_over_n():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(3, 4))
    Y = np.eye(3)[:, [0, 1, 2, 0]]
    assert np.allclose(loss("softmax_ce").delta(z, softmax(z), Y, "softmax"), (softmax(z) - Y) / 4)
    assert loss("softmax_ce").value(z, softmax(z), Y) == pytest.approx(
        -np.mean(np.log(softmax(z)[Y == 1]))
    )


def test_mse_delta_includes_the_output_derivative():
    z = np.array([[0.0, 1.0]])
    h = np.tanh(z)
    Y = np.array([[1.0, 0.0]])
    assert np.allclose(loss("mse").delta(z, h, Y, "tanh"), (h - Y) / 2 * (1 - h**2))


def test_target_shapes():
    assert target_matrix("mse", np.ones(5), 1).shape == (1, 5)
    assert target_matrix("mse", np.ones((5, 3)), 3).shape == (3, 5)
    with pytest.raises(ApproxlabError, match=r"shape \(n, 3\)"):
        target_matrix("mse", np.ones((5, 2)), 3)
    with pytest.raises(ApproxlabError, match=r"labels in \{0, 1\}"):
        target_matrix("bce", np.array([0.0, 0.5]), 1)
    with pytest.raises(ApproxlabError, match="integer labels 0…2"):
        target_matrix("softmax_ce", np.array([0, 3]), 3)
    rng = np.random.default_rng(0)
    assert set(random_targets("bce", 50, 1, rng)) == {0.0, 1.0}
    assert random_targets("mse", 4, 2, rng).shape == (4, 2)
