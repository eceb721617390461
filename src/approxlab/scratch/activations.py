"""Activations σ and their derivatives σ', in NumPy float64 (seed 002, "Feedforward Network").

Backprop needs σ'(z^(l)) at every layer (seed 002, Example 1); the vanishing-gradient
bound needs max|σ'| (seed 002, Example 2): 1/4 for the sigmoid, 1 for tanh and ReLU.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from approxlab.errors import choose


@dataclass(frozen=True)
class Activation:
    """An elementwise activation: ``sigma(z)``, its derivative ``prime(z)`` and ``max_prime`` = max|σ'|.

    >>> activation("sigmoid").max_prime
    0.25
    """

    name: str
    sigma: Callable[[np.ndarray], np.ndarray]
    prime: Callable[[np.ndarray], np.ndarray]
    max_prime: float


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1/(1 + e^(−z)), written as (1 + tanh(z/2))/2 so that no exp overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _sigmoid_prime(z: np.ndarray) -> np.ndarray:
    s = sigmoid(z)
    return s * (1.0 - s)  # σ' = σ(1 − σ) ≤ 1/4, equality at z = 0


def _tanh_prime(z: np.ndarray) -> np.ndarray:
    return 1.0 - np.tanh(z) ** 2  # tanh' = 1 − tanh² ≤ 1


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def _relu_prime(z: np.ndarray) -> np.ndarray:
    return (z > 0).astype(np.float64)  # σ' ∈ {0, 1}; σ'(0) = 0 as in torch


def _identity(z: np.ndarray) -> np.ndarray:
    return z


def _one(z: np.ndarray) -> np.ndarray:
    return np.ones_like(z)


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid, _sigmoid_prime, 0.25),
    "tanh": Activation("tanh", np.tanh, _tanh_prime, 1.0),
    "relu": Activation("relu", _relu, _relu_prime, 1.0),
    "linear": Activation("linear", _identity, _one, 1.0),
}


def activation(name: str) -> Activation:
    """The activation called ``name``: sigmoid, tanh, relu or linear.

    >>> float(activation("relu").prime(np.array(-1.0)))
    0.0
    """
    return ACTIVATIONS[choose("activation", name, ACTIVATIONS)]


def softmax(z: np.ndarray) -> np.ndarray:
    """softmax(z)_k = e^(z_k) / Σ_j e^(z_j) down each column (one column per example).

    Subtracting the column maximum first changes nothing mathematically and keeps exp finite.

    >>> softmax(np.zeros((2, 1))).ravel().tolist()
    [0.5, 0.5]
    """
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
