"""Deterministic construction of a training solution by the principles (seed 000).

No gradient descent. Knots are placed by rule and the output layer is solved:

* 1D, m units on [lo, hi]: knots at cell centres t_j = lo + (j + ½)h, h = (hi − lo)/m,
  all rising (w_j = κ/h > 0, b_j = −w_j t_j), so neighbouring transitions overlap by a
  width of order h — the smooth-spline principle. ReLU units (one-sided, no transition
  width) take knots t_j = lo + jh instead, so the first kink at lo supplies the slope of
  the first linear piece: the net is then the piecewise-linear least-squares spline.
* 2D: knot lines with normals at angles θ_j = π·j·g mod π (g = golden-ratio fraction,
  spread evenly) and offsets at the van der Corput points of the box's projection onto
  n_j, steepness κ/h with h = diameter/√m.
* The output weights (a, c) solve least squares on ``n_train`` seeded samples of the
  target; κ is chosen from KAPPAS by the same least-squares fit (a 1-parameter rule).

float64 throughout.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from approxlab.errors import require
from approxlab.smooth.reconstruct import least_squares_net
from approxlab.targets import Target, sample

KAPPAS = (0.5, 1.0, 2.0, 4.0, 8.0)
_GOLDEN = (math.sqrt(5) - 1) / 2


def _van_der_corput(n: int) -> np.ndarray:
    out = np.zeros(n)
    for i in range(n):
        k, f, x = i + 1, 0.5, 0.0
        while k:
            x += f * (k & 1)
            k >>= 1
            f /= 2
        out[i] = x
    return out


def knot_layer(domain, m: int, kappa: float, one_sided: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(W (m, d), b (m,)) of the rule-placed knots for a 1D or 2D box (see module docstring)."""
    lo = np.array([d[0] for d in domain], dtype=np.float64)
    hi = np.array([d[1] for d in domain], dtype=np.float64)
    if len(domain) == 1:
        h = (hi[0] - lo[0]) / m
        t = lo[0] + (np.arange(m) + (0.0 if one_sided else 0.5)) * h
        w = np.full(m, kappa / h)
        return w[:, None], -w * t
    theta = math.pi * ((np.arange(m) * _GOLDEN) % 1.0)
    normals = np.stack([np.cos(theta), np.sin(theta)], axis=1)
    centre, half = (lo + hi) / 2, (hi - lo) / 2
    reach = np.abs(normals) @ half
    offsets = normals @ centre + (2 * _van_der_corput(m) - 1) * reach
    h = 2 * float(np.linalg.norm(half)) / math.sqrt(m)
    s = kappa / h
    return normals * s, -s * offsets


def construct(f: Target, m: int, activation: str = "sigmoid", n_train: int = 1000, seed: int = 0) -> nn.Module:
    """A two-layer net for target ``f`` (1D or 2D) with knots placed by rule and output by least squares.

    >>> from approxlab.targets import target
    >>> net = construct(target("x**2", domain=(-1, 1)), 6)
    >>> net[0].weight.shape
    torch.Size([6, 1])
    """
    require(f.dim in (1, 2), f"the deterministic construction covers 1D and 2D targets, got {f.dim}D: pick a 1D or 2D target")
    require(isinstance(m, int) and m >= 1, f"the number of units must be a positive integer, got {m!r}: pass e.g. m=8")
    X = sample(f.domain, n_train, seed)
    y = np.asarray(f(X), dtype=np.float64).reshape(-1)
    best, best_err = None, math.inf
    for kappa in KAPPAS:
        W, b = knot_layer(f.domain, m, kappa, one_sided=activation == "relu")
        net = least_squares_net(W, b, activation, X, y)
        with torch.no_grad():
            err = float(np.sqrt(np.mean((net(torch.as_tensor(X)).numpy()[:, 0] - y) ** 2)))
        if err < best_err:
            best, best_err = net, err
    return best


def units_needed(f: Target, error: float, activation: str = "sigmoid", max_units: int = 64) -> int | None:
    """Smallest m ≤ ``max_units`` whose deterministic construction has sup error ≤ ``error`` on the
    target's default grid (approxlab.fit.sup_error); None if none does.

    >>> from approxlab.targets import target
    >>> units_needed(target("x**2", domain=(-1, 1)), 0.01)
    2
    """
    from approxlab.fit import sup_error

    require(error > 0, f"the error level must be positive, got {error}: pass e.g. error=0.01")
    for m in range(1, max_units + 1):
        if sup_error(construct(f, m, activation), f) <= error:
            return m
    return None
