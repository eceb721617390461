"""Batch normalisation, forward and backward by hand, NumPy float64 (seed 002, practice 4).

Over a batch of m values of one feature (rows are examples here, as in torch):

    μ = (1/m) Σ_i x_i,   σ² = (1/m) Σ_i (x_i − μ)²,   x̂_i = (x_i − μ)/√(σ² + ε),
    y_i = γ x̂_i + β

and with ĝ_i = ∂L/∂x̂_i = γ ∂L/∂y_i the chain rule through x̂, μ and σ² gives

    ∂L/∂x_i = (m ĝ_i − Σ_j ĝ_j − x̂_i Σ_j ĝ_j x̂_j) / (m √(σ² + ε))   (seed 002, answer 4)

The gradient is ĝ with its mean and its x̂-component removed: Σ_i ∂L/∂x_i = 0 exactly,
and Σ_i x̂_i ∂L/∂x_i = (Σ_j ĝ_j x̂_j) ε / ((σ² + ε)√(σ² + ε)), zero when ε = 0 (because
Σ x̂² = m σ²/(σ² + ε)). Ioffe & Szegedy (2015), §3.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from approxlab.errors import require


@dataclass(frozen=True)
class BatchNormCache:
    """What the backward pass needs: x̂ (m, k), √(σ² + ε) (k,) and γ (k,)."""

    x_hat: np.ndarray
    std: np.ndarray
    gamma: np.ndarray


def batchnorm_forward(
    x: np.ndarray,
    gamma: np.ndarray | None = None,
    beta: np.ndarray | None = None,
    eps: float = 1e-5,
) -> tuple[np.ndarray, BatchNormCache]:
    """y = γ x̂ + β for a batch x of shape (m, k) (rows are examples), with batch statistics.

    γ defaults to ones and β to zeros.

    >>> y, _ = batchnorm_forward(np.array([[1.0], [3.0]]), eps=0.0)
    >>> y.ravel().tolist()
    [-1.0, 1.0]
    """
    x = np.asarray(x, dtype=np.float64)
    require(
        x.ndim == 2 and x.shape[0] >= 2,
        f"batch norm needs a batch of shape (m ≥ 2, k), got {x.shape}",
    )
    k = x.shape[1]
    gamma = np.ones(k) if gamma is None else np.asarray(gamma, dtype=np.float64)
    beta = np.zeros(k) if beta is None else np.asarray(beta, dtype=np.float64)
    require(
        gamma.shape == (k,) and beta.shape == (k,),
        f"γ and β need shape ({k},), got {gamma.shape} and {beta.shape}",
    )
    mu = x.mean(axis=0)  # μ = (1/m) Σ x_i
    var = ((x - mu) ** 2).mean(axis=0)  # σ² = (1/m) Σ (x_i − μ)²
    std = np.sqrt(var + eps)
    x_hat = (x - mu) / std  # x̂_i = (x_i − μ)/√(σ² + ε)
    return gamma * x_hat + beta, BatchNormCache(x_hat, std, gamma)  # y_i = γ x̂_i + β


def batchnorm_backward(
    dy: np.ndarray, cache: BatchNormCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(∂L/∂x, ∂L/∂γ, ∂L/∂β) from ∂L/∂y by the closed form of seed 002's answer 4.

    >>> y, cache = batchnorm_forward(np.array([[1.0], [2.0], [4.0]]))
    >>> dx, dgamma, dbeta = batchnorm_backward(np.array([[1.0], [0.0], [0.0]]), cache)
    >>> abs(float(dx.sum())) < 1e-15
    True
    """
    dy = np.asarray(dy, dtype=np.float64)
    require(
        dy.shape == cache.x_hat.shape,
        f"∂L/∂y has shape {dy.shape}, the batch has {cache.x_hat.shape}: they must match",
    )
    m = dy.shape[0]
    x_hat = cache.x_hat
    g = cache.gamma * dy  # ĝ_i = ∂L/∂x̂_i = γ ∂L/∂y_i
    # ∂L/∂x_i = (m ĝ_i − Σ_j ĝ_j − x̂_i Σ_j ĝ_j x̂_j) / (m √(σ² + ε))
    dx = (m * g - g.sum(axis=0) - x_hat * (g * x_hat).sum(axis=0)) / (m * cache.std)
    return dx, (dy * x_hat).sum(axis=0), dy.sum(axis=0)  # ∂L/∂γ = Σ ∂L/∂y_i x̂_i, ∂L/∂β = Σ ∂L/∂y_i
