"""Hornik's theorem, exercised with several activations (seed 003, 'Apply it to single hidden layer
networks'; Hornik, Stinchcombe & White 1989).

If σ is sigmoidal (continuous, σ(−∞) = 0, σ(+∞) = 1) the span F_σ = {x ↦ aᵀσ(Wx + b)} is a
universal approximator on compact sets. Here each σ gets m units σ(k(x − t_j)) with knots
t_j splitting [0, 1] (and two left of it) and steepness k = 4m (each unit switches over one knot spacing),
and the output weights a are the least-squares fit on a grid of 2001 points (float64): the
error of the best member of that m-dimensional slice of F_σ, measured as a sup over the grid.

- sigmoidal: logistic, shifted tanh (1 + tanh z)/2, hard sigmoid clip((z + 1)/2, 0, 1), the
  Heaviside step 1[z ≥ 0] (not continuous: the univariate theorem's threshold units), the
  Gaussian CDF Φ(z), arctan scaled to (0, 1): ½ + arctan(z)/π — the error falls with m;
- ReLU: not sigmoidal, yet universal (seed 003's remark: relu(z) − relu(z − 1) is sigmoidal);
- a polynomial σ(z) = z^k: its span is inside the polynomials of degree ≤ k, a space of
  dimension k + 1 whatever m is, so the error stops at a floor — exactly the least-squares
  residual of degree-k polynomials (:func:`polynomial_floor`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import ndtr

from approxlab import arguments

SIGMOIDAL: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "logistic": lambda z: 0.5 * (1 + np.tanh(z / 2)),  # = 1/(1 + e^{−z}) without overflow
    "shifted_tanh": lambda z: 0.5 * (1 + np.tanh(z)),
    "hard_sigmoid": lambda z: np.clip((z + 1) / 2, 0.0, 1.0),
    "heaviside": lambda z: (z >= 0).astype(float),
    "gaussian_cdf": ndtr,
    "scaled_arctan": lambda z: 0.5 + np.arctan(z) / np.pi,
}
OTHERS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": lambda z: np.maximum(z, 0.0),
    "cubic": lambda z: z**3,
}
ACTIVATIONS = {**SIGMOIDAL, **OTHERS}
GRID = np.linspace(0.0, 1.0, 2001)


def target(x: np.ndarray) -> np.ndarray:
    """The continuous test function g(x) = sin(2πx) + |x − 0.3| on [0, 1] (a kink and a wave: no polynomial).

    >>> round(float(target(np.array([0.3]))[0]), 6)
    0.951057
    """
    return np.sin(2 * np.pi * x) + np.abs(x - 0.3)


def knots(m: int) -> np.ndarray:
    """t = (−2, −1, (j − ½)/(m − 2) for j = 1 … m − 2): two units left of [0, 1] give the constants (F_σ has no
    output bias; for ReLU they span the affine functions), the rest split [0, 1] evenly.

    >>> knots(4).tolist()
    [-2.0, -1.0, 0.25, 0.75]
    """
    arguments.count("m", m, 100_000, low=3)
    return np.concatenate([[-2.0, -1.0], (np.arange(1, m - 1) - 0.5) / (m - 2)])


def features(name: str, m: int, x: np.ndarray = GRID) -> np.ndarray:
    """The m units σ(k(x − t_j)) at :func:`knots`, k = 4m, as columns (len(x), m), float64."""
    t = knots(m)
    return ACTIVATIONS[name](4.0 * m * (x[:, None] - t[None, :]))


def span_error(name: str, m: int, g: Callable[[np.ndarray], np.ndarray] = target) -> dict:
    """sup and RMS error on the grid of the least-squares member of span{σ(k(x − t_j))}, and the span's rank.

    >>> span_error("logistic", 32)["sup"] < span_error("logistic", 4)["sup"]
    True
    """
    from approxlab.errors import choose

    choose("activation", name, ACTIVATIONS)
    F = features(name, m)
    scale = np.maximum(
        np.abs(F).max(axis=0), 1e-300
    )  # z^k columns reach (4m)^k: scale before solving
    a, _, rank, _ = np.linalg.lstsq(F / scale, g(GRID), rcond=None)
    r = (F / scale) @ a - g(GRID)
    return {
        "activation": name,
        "m": m,
        "sup": float(np.max(np.abs(r))),
        "rms": float(np.sqrt(np.mean(r**2))),
        "rank": int(rank),
        "sigmoidal": name in SIGMOIDAL,
    }


def polynomial_floor(degree: int, g: Callable[[np.ndarray], np.ndarray] = target) -> float:
    """RMS residual on the grid of the least-squares polynomial of degree ≤ ``degree``: the floor of σ(z) = z^degree.

    >>> round(polynomial_floor(3), 4)
    0.0531
    """
    coef = np.polynomial.polynomial.Polynomial.fit(GRID, g(GRID), degree)
    return float(np.sqrt(np.mean((coef(GRID) - g(GRID)) ** 2)))
