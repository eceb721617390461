"""Yarotsky's depth lower bound for x², checked against a construction that meets its rate
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


def units_lower_bound(eps: float, L: int) -> float:
    """(L − 1)((8ε)^{−1/(2(L−1))} − 1): fewer hidden ReLU units at depth L cannot reach sup error ε on x².

    >>> round(units_lower_bound(1 / 8 / 16**2, 2), 6)
    15.0
    """
    arguments.positive("eps", eps)
    arguments.count("depth L", L, low=2)
    return (L - 1) * ((8 * eps) ** (-1 / (2 * (L - 1))) - 1)


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
