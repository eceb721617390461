"""The Taylor reading of a two-layer net (seed 000, principle 1).

About a centre x₀ the output N(x) = c + Σ_j a_j σ(w_j·x + b_j) has, in 1D, the Taylor
coefficients

    p_k(x₀) = [k = 0]·c + Σ_j a_j w_j^k σ^{(k)}(w_j x₀ + b_j) / k!,

so N(x) ≈ Σ_{k≤n} p_k (x − x₀)^k. Each unit's share of p_k is a_j w_j^k σ^{(k)}(z_j)/k!.
The logistic derivatives come from :func:`approxlab.construct.taylor.sigmoid_derivative`
(σ^{(k)} = P_k(σ)); tanh(z) = 2σ(2z) − 1 and softplus' = σ reuse them. A degree-n
polynomial needs n + 1 units in general (the k = 0..n finite-difference construction of
:mod:`approxlab.construct.taylor`). All float64.
"""

from __future__ import annotations

import math

import numpy as np

from approxlab.construct.taylor import sigmoid_derivative
from approxlab.errors import ApproxlabError
from approxlab.smooth.zero_error import SUPPORTED
from approxlab.units import TwoLayer


def _logistic(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def activation_derivative(activation: str, k: int, z: np.ndarray) -> np.ndarray:
    """σ^{(k)}(z) in float64 for sigmoid, tanh, softplus and ReLU (ReLU: 0 for k ≥ 2, step for k = 1).

    >>> float(activation_derivative("sigmoid", 1, np.array(0.0)))
    0.25
    """
    z = np.asarray(z, dtype=np.float64)
    if activation == "sigmoid":
        return sigmoid_derivative(k)(_logistic(z))
    if activation == "tanh":
        return np.tanh(z) if k == 0 else 2.0 ** (k + 1) * sigmoid_derivative(k)(_logistic(2 * z))
    if activation == "softplus":
        return np.logaddexp(0.0, z) if k == 0 else sigmoid_derivative(k - 1)(_logistic(z))
    if activation == "relu":
        return (
            np.maximum(z, 0.0)
            if k == 0
            else (z > 0).astype(np.float64)
            if k == 1
            else np.zeros_like(z)
        )
    raise ApproxlabError(
        f"activation {activation!r} is not supported: use one of {', '.join(SUPPORTED)}"
    )


def unit_taylor(t: TwoLayer, x0: float, degree: int, output: int = 0) -> np.ndarray:
    """(m, degree+1) array: unit j's coefficient a_j w_j^k σ^{(k)}(w_j x₀ + b_j)/k! of (x − x₀)^k (1D).

    >>> from approxlab.nets import mlp
    >>> from approxlab.units import two_layer
    >>> unit_taylor(two_layer(mlp(1, [3], activation="tanh")), 0.0, 2).shape
    (3, 3)
    """
    if t.dim != 1:
        raise ApproxlabError(
            f"the Taylor reading is one-dimensional, the net takes {t.dim} inputs: read a 1D net"
        )
    w = t.W[:, 0]
    z = w * x0 + t.b
    cols = [
        t.a[output] * w**k * activation_derivative(t.activation, k, z) / math.factorial(k)
        for k in range(degree + 1)
    ]
    return np.stack(cols, axis=1)


def taylor_coefficients(t: TwoLayer, x0: float, degree: int, output: int = 0) -> np.ndarray:
    """p_0..p_degree of N about x₀ (1D): the unit shares summed, plus c in p_0.

    >>> from approxlab.nets import mlp
    >>> from approxlab.units import two_layer
    >>> taylor_coefficients(two_layer(mlp(1, [3], activation="sigmoid")), 0.0, 3).shape
    (4,)
    """
    p = unit_taylor(t, x0, degree, output).sum(axis=0)
    p[0] += t.c[output]
    return p


def evaluate_piece(coefficients: np.ndarray, x0: float, x: np.ndarray) -> np.ndarray:
    """Σ_k p_k (x − x₀)^k."""
    return np.polynomial.polynomial.polyval(np.asarray(x, dtype=np.float64) - x0, coefficients)
