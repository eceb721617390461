"""σ and σ' of the scratch activations; max|σ'| used by seed 002's vanishing bound."""

import numpy as np
import pytest

from approxlab.errors import ApproxlabError
from approxlab.scratch import ACTIVATIONS, activation
from approxlab.scratch.activations import sigmoid, softmax


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivative_matches_centred_differences(name):
    act = activation(name)
    z = np.linspace(-4, 4, 801) + 1e-3  # keep clear of ReLU's kink at 0
    numeric = (act.sigma(z + 1e-6) - act.sigma(z - 1e-6)) / 2e-6
    assert np.max(np.abs(act.prime(z) - numeric)) < 1e-8


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_max_prime_is_the_supremum(name):
    act = activation(name)
    z = np.linspace(-10, 10, 200001)
    assert abs(act.prime(z).max() - act.max_prime) < 1e-9


def test_sigmoid_is_stable_and_softmax_sums_to_one():
    assert sigmoid(np.array([-800.0]))[0] == 0.0 and sigmoid(np.array([800.0]))[0] == 1.0
    p = softmax(np.array([[1000.0, 0.0], [0.0, 0.0], [-1000.0, 0.0]]))
    assert np.allclose(p.sum(axis=0), 1.0) and p[0, 0] == 1.0 and np.allclose(p[:, 1], 1 / 3)


def test_unknown_activation():
    with pytest.raises(ApproxlabError, match="use one of linear, relu, sigmoid, tanh"):
        activation("gelu")
