"""Zero-error points and hyperplanes; local and global units (seed 000).

Unit j saturates towards an asymptote σ(±∞) on each side where σ has a finite limit
(sigmoid: 0 and 1, tanh: ±1, softplus and ReLU: 0 on the negative side only). Its
*zero-error level* on that side is the pre-activation z* beyond which replacing the
unit by its asymptote (absorbed into the output bias) changes the output by less than
``tol``:  |a_j| · |σ(z) − σ(±∞)| < tol  for all z beyond z*. For ReLU z* = 0 exactly.
The *zero-error hyperplane* is w_j·x + b_j = z*, in 1D the point x* = (z* − b_j)/w_j.
A unit is **local** when, on every side where it saturates, part of the domain lies
beyond its zero-error hyperplane (so it can be ignored there); otherwise **global**.
"""

from __future__ import annotations

import math

import numpy as np

from approxlab.errors import ApproxlabError
from approxlab.units import TwoLayer

SUPPORTED = ("sigmoid", "tanh", "softplus", "relu")


def _deviation_level(activation: str, eps: float, side: int) -> float | None:
    """z* (side −1: z ≤ z*, side +1: z ≥ z*) with |σ(z) − σ(side·∞)| ≤ eps beyond it; None if no limit."""
    if eps <= 0:
        return None
    if activation == "relu":
        return 0.0 if side < 0 else None
    if activation == "softplus":
        # log(1 + e^z) ≤ eps  ⇔  z ≤ log(e^eps − 1)
        return math.log(math.expm1(eps)) if side < 0 else None
    if activation == "sigmoid":
        if eps >= 1:
            return -math.inf if side > 0 else math.inf
        level = math.log((1 - eps) / eps)  # σ(−z) ≤ eps  ⇔  z ≥ log((1−eps)/eps)
        return side * level
    if activation == "tanh":
        if eps >= 2:
            return -math.inf if side > 0 else math.inf
        level = math.atanh(1 - eps)  # 1 − tanh(z) ≤ eps  ⇔  z ≥ atanh(1 − eps)
        return side * level
    raise ApproxlabError(
        f"activation {activation!r} is not supported: use one of {', '.join(SUPPORTED)}"
    )


def asymptote(activation: str, side: int) -> float | None:
    """σ(side·∞) where it is finite: sigmoid 0/1, tanh ∓1, softplus and ReLU 0 at −∞.

    >>> asymptote("tanh", -1), asymptote("relu", 1)
    (-1.0, None)
    """
    table = {
        "sigmoid": (0.0, 1.0),
        "tanh": (-1.0, 1.0),
        "softplus": (0.0, None),
        "relu": (0.0, None),
    }
    if activation not in table:
        raise ApproxlabError(
            f"activation {activation!r} is not supported: use one of {', '.join(SUPPORTED)}"
        )
    return table[activation][0 if side < 0 else 1]


def zero_error_levels(t: TwoLayer, tol: float, output: int = 0) -> np.ndarray:
    """(m, 2) array of z* per unit for the negative and positive side (nan where σ has no limit).

    Formula: z* solves |a_j|·|σ(z*) − σ(±∞)| = tol (closed forms per activation).

    >>> from approxlab.nets import mlp
    >>> from approxlab.units import two_layer
    >>> zero_error_levels(two_layer(mlp(1, [2], activation="relu")), 1e-3).shape
    (2, 2)
    """
    out = np.full((t.width, 2), np.nan)
    for j, a in enumerate(np.abs(t.a[output])):
        for k, side in enumerate((-1, 1)):
            eps = tol / a if a > 0 else math.inf
            level = _deviation_level(t.activation, eps, side) if a > 0 else side * -math.inf
            if level is not None:
                out[j, k] = level
    return out


def zero_error_points(t: TwoLayer, tol: float, output: int = 0) -> np.ndarray:
    """1D zero-error points x* = (z* − b_j)/w_j, shape (m, 2): [left-in-z, right-in-z] per unit.

    Column 0 is the side where z ≤ z*₋ (the unit sits near σ(−∞)), column 1 where z ≥ z*₊.
    """
    levels = zero_error_levels(t, tol, output)
    w = t.W[:, 0][:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        return (levels - t.b[:, None]) / w


def classify(t: TwoLayer, domain, tol: float, output: int = 0) -> np.ndarray:
    """Boolean (m,): True for a **local** unit.

    Over the box ``domain``, z_j ranges over [z_min, z_max] (from the corners). Unit j is
    local when z_min ≤ z*₋ on every saturating negative side and z_max ≥ z*₊ on every
    saturating positive side, i.e. some of the box lies beyond each zero-error hyperplane.
    A unit with a_j = 0 is local (it can be dropped everywhere).

    >>> import torch
    >>> from approxlab.nets import mlp
    >>> from approxlab.units import two_layer
    >>> net = mlp(1, [1], activation="sigmoid")
    >>> with torch.no_grad():
    ...     _ = net[0].weight.fill_(50.0), net[0].bias.fill_(0.0), net[2].weight.fill_(1.0)
    >>> bool(classify(two_layer(net), [(-1, 1)], 1e-3)[0])
    True
    """
    lo = np.array([d[0] for d in domain], dtype=np.float64)
    hi = np.array([d[1] for d in domain], dtype=np.float64)
    centre, half = (lo + hi) / 2, (hi - lo) / 2
    zc = t.W @ centre + t.b
    spread = np.abs(t.W) @ half
    zmin, zmax = zc - spread, zc + spread
    levels = zero_error_levels(t, tol, output)
    neg_ok = np.isnan(levels[:, 0]) | (zmin <= levels[:, 0])
    pos_ok = np.isnan(levels[:, 1]) | (zmax >= levels[:, 1])
    has_side = ~(np.isnan(levels[:, 0]) & np.isnan(levels[:, 1]))
    return has_side & neg_ok & pos_ok


def ignore_local(
    t: TwoLayer, X: np.ndarray, tol: float, local: np.ndarray, output: int = 0
) -> np.ndarray:
    """Contributions (n, m) at the rows of ``X`` with each local unit replaced by a_j σ(±∞) beyond its
    zero-error hyperplanes (z_j ≤ z*₋ resp. z_j ≥ z*₊): the net that *ignores* its local units there.

    By the definition of z*, each replaced entry moves by at most ``tol``, so the output changes by at
    most tol × (number of local units) — the operational meaning of "a local unit can be ignored".

    >>> from approxlab.nets import mlp
    >>> from approxlab.units import two_layer
    >>> t = two_layer(mlp(1, [3], activation="relu", seed=0))
    >>> X = np.linspace(-1, 1, 5)[:, None]
    >>> bool(np.allclose(ignore_local(t, X, 1e-3, np.ones(3, bool)), t.contributions(X)))
    True
    """
    parts = t.contributions(X, output)
    z = t.preactivations(X)
    levels = zero_error_levels(t, tol, output)
    for j in np.flatnonzero(local):
        for k, side in enumerate((-1, 1)):
            if np.isfinite(levels[j, k]):
                beyond = z[:, j] <= levels[j, k] if side < 0 else z[:, j] >= levels[j, k]
                parts[beyond, j] = t.a[output, j] * asymptote(t.activation, side)
    return parts
