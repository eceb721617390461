"""Losses and the output error signal δ^(L) that starts backprop (seed 002, Example 1).

Columns are examples: ``h`` and ``z`` are (n_L, n), ``Y`` is the matching target matrix.
Each loss averages over the n examples and gives

    δ^(L) = ∂L/∂z^(L) = ∇_h L ⊙ σ'(z^(L))                    (seed 002, Example 1)

For cross-entropy after a sigmoid or a softmax the product simplifies to (h − Y)/n
(seed 002, answer 1: "for 2D classification with sigmoid output, replace squared loss
with cross-entropy"), which is why those losses fix the output activation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from approxlab.errors import ApproxlabError, choose
from approxlab.scratch.activations import activation


@dataclass(frozen=True)
class Loss:
    """A loss L(z^(L), Y) and its output error signal δ^(L).

    ``output`` is the output activation the loss is paired with (``None``: any
    elementwise one). ``value(z, h, Y)`` and ``delta(z, h, Y, output)`` take the output
    pre-activation z, the output h = σ(z) and the targets Y, all (n_L, n).
    """

    name: str
    output: str | None
    value: Callable[[np.ndarray, np.ndarray, np.ndarray], float]
    delta: Callable[[np.ndarray, np.ndarray, np.ndarray, str], np.ndarray]


def _mse_value(z, h, Y):
    return 0.5 * float(np.sum((h - Y) ** 2)) / Y.shape[1]  # L = 1/(2n) Σ ‖h − y‖²


def _mse_delta(z, h, Y, output):
    grad_h = (h - Y) / Y.shape[1]  # ∇_h L
    return grad_h * activation(output).prime(z)  # δ^(L) = ∇_h L ⊙ σ'(z^(L))


def _bce_value(z, h, Y):
    # −[y log σ(z) + (1 − y) log(1 − σ(z))] = log(1 + e^z) − y z, finite for every z
    return float(np.sum(np.logaddexp(0.0, z) - Y * z)) / Y.shape[1]


def _softmax_ce_value(z, h, Y):
    # −Σ_k y_k log softmax(z)_k = logsumexp(z) − Σ_k y_k z_k  (one-hot y)
    m = z.max(axis=0)
    logsumexp = m + np.log(np.exp(z - m).sum(axis=0))
    return float(np.sum(logsumexp - np.sum(Y * z, axis=0))) / Y.shape[1]


def _cross_entropy_delta(z, h, Y, output):
    return (h - Y) / Y.shape[1]  # δ^(L) = ∇_h L ⊙ σ'(z) simplifies to (h − y)/n


LOSSES: dict[str, Loss] = {
    "mse": Loss("mse", None, _mse_value, _mse_delta),
    "bce": Loss("bce", "sigmoid", _bce_value, _cross_entropy_delta),
    "softmax_ce": Loss("softmax_ce", "softmax", _softmax_ce_value, _cross_entropy_delta),
}


def loss(name: str) -> Loss:
    """The loss called ``name``: mse, bce (sigmoid output) or softmax_ce (softmax output).

    >>> loss("bce").output
    'sigmoid'
    """
    return LOSSES[choose("loss", name, LOSSES)]


def target_matrix(name: str, y: np.ndarray, n_out: int) -> np.ndarray:
    """Targets as an (n_out, n) matrix, one column per example (float64).

    mse takes y of shape (n,) when n_out = 1 or (n, n_out); bce takes labels in {0, 1}
    of shape (n,); softmax_ce takes integer class labels 0 … n_out − 1 and one-hot encodes them.

    >>> target_matrix("softmax_ce", np.array([1, 0]), 2).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    y = np.asarray(y, dtype=np.float64)
    choose("loss", name, LOSSES)
    if name == "softmax_ce":
        labels = y.reshape(-1)
        if (
            y.ndim != 1
            or np.any(labels != np.round(labels))
            or np.any(labels < 0)
            or np.any(labels >= n_out)
        ):
            raise ApproxlabError(
                f"softmax_ce needs integer labels 0…{n_out - 1} of shape (n,): got shape {y.shape}"
            )
        return np.eye(n_out)[labels.astype(int)].T
    if name == "bce":
        if n_out != 1 or y.ndim != 1 or not np.all((y == 0) | (y == 1)):
            raise ApproxlabError(
                f"bce needs one output and labels in {{0, 1}} of shape (n,): got shape {y.shape}, {n_out} outputs"
            )
        return y[None, :]
    if y.ndim == 1 and n_out == 1:
        return y[None, :]
    if y.ndim != 2 or y.shape[1] != n_out:
        raise ApproxlabError(
            f"mse targets must have shape (n, {n_out}) for {n_out} outputs, got {y.shape}: reshape y"
        )
    return y.T


def random_targets(name: str, n: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """Random targets that suit loss ``name``, for gradient checks: N(0, 1) values for mse
    ((n,) if n_out = 1 else (n, n_out)), labels in {0, 1} for bce, classes 0 … n_out − 1 for softmax_ce.

    >>> random_targets("softmax_ce", 4, 3, np.random.default_rng(0)).shape
    (4,)
    """
    choose("loss", name, LOSSES)
    if name == "bce":
        return (rng.random(n) < 0.5).astype(np.float64)
    if name == "softmax_ce":
        return rng.integers(0, n_out, n)
    return rng.normal(size=(n, n_out)) if n_out > 1 else rng.normal(size=n)
