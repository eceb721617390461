"""Yarotsky's depth lower bound for x² (and e^x), checked against a construction that meets its rate
(seed 003, 'Width vs depth'; Yarotsky 2017, Thm 6; the counting of Telgarsky 2016).

**Lower bound (counting).** A ReLU net of depth L (L − 1 hidden layers, widths n_l, N = Σ n_l
units) is piecewise linear on [0, 1] with at most Π(n_l + 1) ≤ (N/(L − 1) + 1)^{L−1} pieces
(each unit bends each piece at most once; AM–GM), and no function with P linear pieces is
closer than 1/(8P²) to x² (:func:`approxlab.construct.yarotsky.square_lower_bound`). So error
ε needs

    N ≥ (L − 1)·((8ε)^{−1/(2(L−1))} − 1)       — units of order ε^{−1/(2(L−1))}.

**Construction (base-w folding).** With the tent map T_w (w pieces, [0, 1] onto [0, 1]) and the
interpolant I_w of y² at the knots j/w, y² = I_w(y) − w^{−2}·φ(T_w(y)), φ(v) = v − v². Unrolled
n times, with y_0 = x, y_{l+1} = T_w(y_l):

    Q_n = I_w(y_0) + Σ_{l=1..n} w^{−2l}(I_w(y_l) − y_l),   0 ≤ Q_n − x² ≤ w^{−2n}·1/(4w²).

Hidden layer l holds σ(y_l − j/w), j = 0 … w − 1 (T_w and I_w of y_l are linear in them, and
y_l = σ(y_l − 0)) and a carry σ(Q_{l−1}) (Q_l ≥ x² ≥ 0 passes a ReLU unchanged). Shifting by
half the gap gives sup error exactly 1/(8P²) with P = w^{L−1} pieces: the counting bound is met
with N = w + (L − 2)(w + 1) units, so the exponent of N in 1/ε is exactly 1/(2(L − 1)) as w grows.
float64 throughout.
"""

from __future__ import annotations

import math

import numpy as np
from torch import nn

from approxlab import arguments
from approxlab.construct.layers import linear


def units_lower_bound(eps: float, L: int, curvature: float = 2.0) -> float:
    """(L − 1)((16ε/μ)^{−1/(2(L−1))} − 1): fewer hidden ReLU units at depth L cannot reach sup error ε on a C²
    target g with g'' ≥ μ > 0 on [0, 1] (μ = ``curvature``; x²: μ = 2, the bound (L − 1)((8ε)^{−1/(2(L−1))} − 1)).

    On a piece of length ℓ, g minus its chord reaches μℓ²/8 at the midpoint (g − μx²/2 is convex too, so its
    chord gap adds), and the best line errs by half the largest chord gap (Chebyshev, g convex): ≥ μℓ²/16.
    Some piece of P is ≥ 1/P long, so ε ≥ μ/(16P²) and the counting above gives the units.

    >>> round(units_lower_bound(1 / 8 / 16**2, 2), 6)
    15.0
    >>> round(units_lower_bound(1 / 16 / 16**2, 2, curvature=1.0), 6)  # e^x: g'' = e^x ≥ 1
    15.0
    """
    arguments.positive("eps", eps)
    arguments.count("depth L", L, low=2)
    arguments.positive("curvature", curvature)
    return (L - 1) * ((16 * eps / curvature) ** (-1 / (2 * (L - 1))) - 1)


def exp_sup_error(net: nn.Module) -> tuple[float, int]:
    """(exact sup |net − e^x| on [0, 1], pieces of its partition) for a 1D ReLU net, float64; collinear neighbours
    count apart, so the count is ≥ the linear pieces and μ/(16P²) stays a valid lower bound with it.

    Exact, not sampled: :func:`approxlab.regions.partition` gives the affine pieces αx + β, and on each one
    e^x − αx − β is convex, so its extremes sit at the piece's ends or at x = ln α (α > 0).

    >>> from approxlab.construct.pwl import interpolate
    >>> err, pieces = exp_sup_error(interpolate("exp(x)", 8)[0])
    >>> pieces, bool(abs(err - 0.004989644419) < 1e-9)
    (8, True)
    """
    from approxlab.regions import partition

    p = partition(net, (0.0, 1.0))
    slope, intercept = (a[:, 0] for a in p.affine_maps())
    slope = slope[:, 0]
    a, b = p.points[:-1], p.points[1:]
    inner = np.clip(np.log(np.maximum(slope, 1e-300)), a, b)
    worst = max(float(np.max(np.abs(np.exp(x) - slope * x - intercept))) for x in (a, b, inner))
    return worst, len(a)


def _slopes(w: int) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients on σ(y − j/w), j < w, of I_w(y) (y² interpolated) and of the tent T_w(y)."""
    interp = np.full(w, 2.0 / w)
    interp[0] = 1.0 / w
    tent = 2.0 * w * (-1.0) ** np.arange(w)
    tent[0] = w
    return interp, tent


def folded_square(w: int, L: int) -> nn.Sequential:
    """The base-w folding net for x² on [0, 1]: depth L, w + (L − 2)(w + 1) hidden units, w^{L−1} pieces,
    sup error exactly 1/(8 w^{2(L−1)}), float64.

    >>> from approxlab.construct.yarotsky import square_sup_error
    >>> err, pieces, _ = square_sup_error(folded_square(3, 3))
    >>> pieces, bool(abs(err - 1 / (8 * 81)) < 1e-15)
    (9, True)
    """
    arguments.count("w", w, 10_000, low=2)
    arguments.count("depth L", L, 60, low=2)
    interp, tent = _slopes(w)
    knots = np.arange(w) / w
    layers: list[nn.Module] = [linear(np.ones((w, 1)), -knots), nn.ReLU()]
    q_row = interp.copy()  # Q_0 = I_w(x) on layer 1's units
    for level in range(1, L - 1):
        prev = len(q_row)
        carry_row = q_row[None, :]
        unit_rows = np.outer(np.ones(w), np.concatenate([np.zeros(prev - w), tent]))
        layers += [
            linear(np.vstack([carry_row, unit_rows]), np.concatenate([[0.0], -knots])),
            nn.ReLU(),
        ]
        scale = float(w) ** (-2 * level)
        piece = scale * interp
        piece[0] -= scale  # − w^{−2l} y_l, and y_l is the unit σ(y_l − 0)
        q_row = np.concatenate([[1.0], piece])
    gap = 1.0 / (4 * float(w) ** (2 * (L - 1)))
    layers.append(linear(q_row[None, :], [-gap / 2]))
    return nn.Sequential(*layers)


def folded_units(w: int, L: int) -> int:
    """Hidden units of :func:`folded_square`: w + (L − 2)(w + 1).

    >>> folded_units(3, 3)
    7
    """
    return w + (L - 2) * (w + 1)


def fewest_folded_units(eps: float, L: int) -> tuple[int, int]:
    """(units, w) of the smallest base-w folding net of depth L with 1/(8 w^{2(L−1)}) ≤ ε.

    >>> fewest_folded_units(1e-4, 2)
    (36, 36)
    """
    arguments.positive("eps", eps)
    w = max(2, math.ceil((8 * eps) ** (-1 / (2 * (L - 1))) - 1e-9))
    while 1 / (8 * float(w) ** (2 * (L - 1))) > eps:
        w += 1
    return folded_units(w, L), w
