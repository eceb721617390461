"""Certificates that a float64 result is exact: error-free transformations (Dekker 1971, Knuth).

a + b = s + e and a·b = p + e hold exactly for the float64 pairs (s, e), (p, e) computed
below (TwoSum; TwoProduct with Veltkamp's split, no overflow assumed). When every error
term e of a computation is zero, its float64 result is the exact real result: for nets
with few-bit weights (the sawtooth, dyadic constructions) this certifies most values
at no cost in exact arithmetic.

>>> import numpy as np
>>> exact_dot(np.array([[0.5, 0.25]]), np.array([[2.0, 4.0]]), np.array([-2.0]))[1].tolist()
[True]
"""

from __future__ import annotations

import numpy as np

SPLIT = 134217729.0  # 2^27 + 1


def two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def two_prod(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = a * b
    ca, cb = SPLIT * a, SPLIT * b
    ah, bh = ca - (ca - a), cb - (cb - b)
    al, bl = a - ah, b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def exact_dot(h: np.ndarray, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """z = h Wᵀ + b (h (N, m), w (n, m)) summed term by term, and per row whether no step rounded
    (then z is exact whatever order another routine would sum in)."""
    z = np.broadcast_to(b, (len(h), len(b))).copy()
    ok = np.ones(len(h), bool)
    for k in range(h.shape[1]):
        p, e = two_prod(h[:, k : k + 1], w[None, :, k])
        z, f = two_sum(z, p)
        ok &= np.all((e == 0) & (f == 0), axis=1)
    return z, ok
