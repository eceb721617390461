"""The net read as a smooth spline (seed 000, principle 3).

The knots inside the domain cut [lo, hi] into intervals I_i = [t_(i), t_(i+1)]. On each
interval the net is read as the degree-n Taylor polynomial about the interval's centre
(:func:`approxlab.smooth.taylor.taylor_coefficients`); the *piece error* is
max_{x ∈ I_i} |N(x) − P_i(x)| on a uniform grid of the interval. For a ReLU net degree 1
gives the exact linear pieces (piece error 0 up to round-off). float64.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from approxlab.smooth.knots import knot_positions
from approxlab.smooth.taylor import evaluate_piece, taylor_coefficients
from approxlab.units import TwoLayer


@dataclass(frozen=True)
class Piece:
    """One spline piece: interval [lo, hi], centre x₀, coefficients p_k of (x − x₀)^k, max error on the interval."""

    lo: float
    hi: float
    centre: float
    coefficients: np.ndarray
    error: float


def breakpoints(t: TwoLayer, lo: float, hi: float) -> np.ndarray:
    """lo, the sorted knots strictly inside (lo, hi), hi."""
    k = knot_positions(t)
    inside = np.sort(k[(k > lo) & (k < hi)])
    return np.concatenate([[lo], inside, [hi]])


def spline_pieces(
    t: TwoLayer, lo: float, hi: float, degree: int = 3, n: int = 201, output: int = 0
) -> list[Piece]:
    """The net on [lo, hi] as Taylor pieces between consecutive knots (1D).

    >>> from approxlab.nets import mlp
    >>> from approxlab.units import two_layer
    >>> pieces = spline_pieces(two_layer(mlp(1, [4], activation="relu", seed=1)), -1.0, 1.0, degree=1)
    >>> max(p.error for p in pieces) < 1e-12
    True
    """
    edges = breakpoints(t, lo, hi)
    pieces = []
    for a, b in zip(edges[:-1], edges[1:]):
        x0 = 0.5 * (a + b)
        coefficients = taylor_coefficients(t, x0, degree, output)
        # Open interval for ReLU: at a kink the one-sided limits differ only in the derivative.
        xs = np.linspace(a, b, n)
        net = t.contributions(xs[:, None], output).sum(axis=1) + t.c[output]
        error = float(np.max(np.abs(net - evaluate_piece(coefficients, x0, xs))))
        pieces.append(Piece(float(a), float(b), float(x0), coefficients, error))
    return pieces
