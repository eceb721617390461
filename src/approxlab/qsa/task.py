"""The q-sparse averaging task qSA (seed 003, "Model comparison of representability";
Sanford, Hsu & Telgarsky 2023, "Representational Strengths and Limitations of Transformers").

For sparsity q, problem dimension d' and input dimension d = d' + q + 1, an input is
X = (x_1, …, x_N) ∈ R^{N×d} with x_i = (z_i; y_i; i), z_i in the unit ball B^{d'} and
y_i ∈ ([N] choose q) a set of q distinct indices (1-based, as the seed writes them). The
target is

    qSA(X)_i = (1/q) Σ_{j=1..q} z_{y_{i,j}},

and f ε-approximates qSA when max_i ‖f(X)_i − qSA(X)_i‖₂ ≤ ε for all X. Over a test set
that "for all X" becomes a max over the set: :func:`max_error`. Everything is float64.
"""

from __future__ import annotations

import math

import numpy as np

from approxlab import arguments
from approxlab.errors import require

MAX_N = (
    512  # the one-hot encoding is N·(d' + 2N) floats per input: 200 inputs at N = 512 take 0.84 GB
)


def check(N: int, q: int, d_prime: int) -> tuple[int, int, int]:
    """(N, q, d') checked: 1 ≤ q < N (a q-subset of [N] that is not all of it) and d' ≥ 1.

    >>> check(8, 1, 1)
    (8, 1, 1)
    """
    arguments.count("N", N, MAX_N, low=2)
    require(
        isinstance(q, int) and not isinstance(q, bool) and 1 <= q < N,
        f"the sparsity q must be an integer with 1 ≤ q < N = {N}, got {q!r}: pass e.g. --q 1",
    )
    require(
        isinstance(d_prime, int) and not isinstance(d_prime, bool) and d_prime >= 1,
        f"the problem dimension d' must be a positive integer, got {d_prime!r}: pass e.g. --d-prime 1",
    )
    return N, q, d_prime


def check_eps(eps: float) -> float:
    """An accuracy ε in the open interval (0, 1), as in the seed's theorem.

    >>> check_eps(0.25)
    0.25
    """
    require(
        isinstance(eps, (int, float))
        and not isinstance(eps, bool)
        and math.isfinite(eps)
        and 0 < eps < 1,
        f"the accuracy ε must lie in (0, 1), got {eps!r}: pass e.g. --eps 0.25",
    )
    return float(eps)


def unit_ball(n: int, d_prime: int, rng: np.random.Generator) -> np.ndarray:
    """n points uniform in the closed unit ball of R^{d'}: a Gaussian direction times U^{1/d'}."""
    g = rng.standard_normal((n, d_prime))
    g /= np.maximum(np.linalg.norm(g, axis=1, keepdims=True), 1e-300)
    return g * rng.random((n, 1)) ** (1.0 / d_prime)


def sample(n: int, N: int, q: int, d_prime: int, seed: int = 0) -> np.ndarray:
    """n inputs X ∈ R^{N×d}, d = d' + q + 1, shape (n, N, d), float64, seeded.

    z_i is uniform in the unit ball, y_i a uniformly random q-subset of [N] (sorted, 1-based),
    and the last coordinate is the position i (1-based).

    >>> X = sample(2, 5, 2, 1, seed=0)
    >>> X.shape, X[0, :, -1].tolist()
    ((2, 5, 4), [1.0, 2.0, 3.0, 4.0, 5.0])
    """
    N, q, d_prime = check(N, q, d_prime)
    arguments.count("n", n)
    arguments.seed(seed)
    rng = np.random.default_rng(seed)
    z = unit_ball(n * N, d_prime, rng).reshape(n, N, d_prime)
    # q distinct indices per row: the q smallest of N uniform keys form a uniform q-subset
    # (drawn in chunks of inputs so that the keys stay near 10⁷ numbers).
    chunk = max(1, 10_000_000 // (N * N))
    y = (
        np.concatenate(
            [
                np.sort(
                    np.argsort(rng.random((min(chunk, n - a), N, N)), axis=-1)[..., :q], axis=-1
                )
                for a in range(0, n, chunk)
            ]
        )
        + 1
    )
    i = np.broadcast_to(np.arange(1, N + 1, dtype=float)[None, :, None], (n, N, 1))
    return np.concatenate([z, y.astype(float), i], axis=-1)


def parts(X: np.ndarray, q: int) -> tuple[np.ndarray, np.ndarray]:
    """(z, y) of raw inputs X (n, N, d' + q + 1): z of shape (n, N, d'), y 0-based int (n, N, q)."""
    d_prime = X.shape[-1] - q - 1
    require(
        d_prime >= 1,
        f"inputs have {X.shape[-1]} coordinates, fewer than d' + q + 1 with q = {q}: check q",
    )
    return X[..., :d_prime], X[..., d_prime : d_prime + q].astype(np.int64) - 1


def qsa(X: np.ndarray, q: int) -> np.ndarray:
    """The q-sparse average qSA(X)_i = (1/q) Σ_j z_{y_{i,j}}, shape (n, N, d'), float64.

    >>> X = sample(1, 4, 1, 1, seed=3)
    >>> bool(np.allclose(qsa(X, 1)[0, 0], X[0, int(X[0, 0, 1]) - 1, 0]))
    True
    """
    z, y = parts(np.asarray(X, dtype=np.float64), q)
    rows = np.arange(z.shape[0])[:, None, None]
    return z[rows, y].mean(axis=2)


def encode(X: np.ndarray, q: int) -> np.ndarray:
    """The token features every trained family reads: x_i ↦ (z_i; multi-hot(y_i); one-hot(i)) ∈ R^{d' + 2N}.

    The integers y_i and i are not numbers to compute with but names of positions; the
    one-hot form lets a linear map turn each name into an embedding vector (the seed's
    attention X Q Kᵀ Xᵀ then compares index embeddings). Shape (n, N, d' + 2N), float64.

    >>> encode(sample(1, 3, 1, 1, seed=0), 1).shape
    (1, 3, 7)
    """
    z, y = parts(np.asarray(X, dtype=np.float64), q)
    n, N, _ = z.shape
    hot = np.zeros((n, N, N))
    np.put_along_axis(hot, y, 1.0, axis=-1)
    position = np.broadcast_to(np.eye(N), (n, N, N))
    return np.concatenate([z, hot, position], axis=-1)


def max_error(prediction: np.ndarray, X: np.ndarray, q: int) -> float:
    """max over the inputs and over i of ‖f(X)_i − qSA(X)_i‖₂ — the seed's ε, as a max over a test set.

    >>> X = sample(3, 4, 1, 2, seed=1)
    >>> max_error(qsa(X, 1), X, 1)
    0.0
    """
    target = qsa(X, q)
    prediction = np.asarray(prediction, dtype=np.float64).reshape(target.shape)
    return float(np.max(np.linalg.norm(prediction - target, axis=-1)))
