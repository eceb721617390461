"""Knots of a two-layer net: where each unit's pre-activation vanishes (seed 000).

Unit j of N(x) = c + Σ_j a_j σ(w_j·x + b_j) has its *knot* on the hyperplane
w_j·x + b_j = 0 — the sigmoid's inflection point, the ReLU's kink. In 1D the knot is
the point t_j = −b_j / w_j; its *transition width* is 1/|w_j| (the input distance over
which the pre-activation changes by one). Knots are ordered along the input in 1D;
in nD the knot hyperplanes are ordered along any direction u by their offsets
−b_j/(w_j·u) (a strict partial order: units whose hyperplanes are parallel to u are
incomparable). Strictly ordered knots make the units' steep limit at interlaced points
unit lower-triangular (:func:`interlaced_points`, :func:`step_limit`): the output weights
are then found one after another. All arrays float64.
"""

from __future__ import annotations

import numpy as np

from approxlab.units import TwoLayer


def knot_positions(t: TwoLayer) -> np.ndarray:
    """1D knots t_j = −b_j / w_j (±inf where w_j = 0), float64, shape (m,).

    >>> from approxlab.nets import mlp
    >>> from approxlab.units import two_layer
    >>> knot_positions(two_layer(mlp(1, [3], activation="sigmoid"))).shape
    (3,)
    """
    w = t.W[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(w != 0, -t.b / np.where(w != 0, w, 1.0), np.inf)


def transition_widths(t: TwoLayer) -> np.ndarray:
    """1/‖w_j‖: the input distance over which unit j's pre-activation changes by one, shape (m,)."""
    norms = np.linalg.norm(t.W, axis=1)
    with np.errstate(divide="ignore"):
        return np.where(norms > 0, 1.0 / np.where(norms > 0, norms, 1.0), np.inf)


def knot_order(t: TwoLayer, direction: np.ndarray | None = None) -> np.ndarray:
    """Unit indices sorted by knot offset along ``direction`` (default: the first axis).

    The offset of hyperplane j along u is −b_j/(w_j·u); units with w_j·u = 0 have no
    place in the order along u and are left out.

    >>> from approxlab.nets import mlp
    >>> from approxlab.units import two_layer
    >>> len(knot_order(two_layer(mlp(1, [4], activation="tanh", seed=0))))
    4
    """
    u = np.zeros(t.dim) if direction is None else np.asarray(direction, dtype=np.float64)
    if direction is None:
        u[0] = 1.0
    s = t.W @ u
    keep = np.flatnonzero(s != 0)
    offsets = -t.b[keep] / s[keep]
    return keep[np.argsort(offsets, kind="stable")]


def match_knots(
    first: np.ndarray, second: np.ndarray, lo: float, hi: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pair two nets' 1D knots one-to-one by the assignment minimising Σ |t_i − t'_π(i)| (Hungarian
    method; flat units, knot ±inf, take no part); keep the pairs whose ``second`` knot lies in
    [lo, hi]. Returns (pairs (p, 2) of unit indices, distances (p,)), float64.

    >>> match_knots(np.array([0.0, 0.5]), np.array([0.45, -0.1, 9.0]), -1, 1)
    (array([[0, 1],
           [1, 0]]), array([0.1 , 0.05]))
    """
    from scipy.optimize import linear_sum_assignment

    # flat units (knot ±inf) have no position to match; the assignment is rectangular without them
    ia, ib = np.flatnonzero(np.isfinite(first)), np.flatnonzero(np.isfinite(second))
    cost = np.abs(first[ia][:, None] - second[ib][None, :])
    rows, cols = linear_sum_assignment(cost)
    keep = (second[ib][cols] >= lo) & (second[ib][cols] <= hi)
    return np.stack([ia[rows[keep]], ib[cols[keep]]], axis=1), cost[rows[keep], cols[keep]]


def step_limit(t: TwoLayer, X: np.ndarray) -> np.ndarray:
    """L_ij = 1[w_j·x_i + b_j > 0]: the units' activations at the rows of X in the steep limit σ → step, (n, m) float64.

    >>> from approxlab.nets import mlp
    >>> from approxlab.units import two_layer
    >>> step_limit(two_layer(mlp(1, [2], activation="sigmoid", seed=0)), np.zeros((3, 1))).shape
    (3, 2)
    """
    return (t.preactivations(X) > 0).astype(np.float64)


def interlaced_points(t: TwoLayer, direction: np.ndarray | None = None) -> np.ndarray:
    """Points s_i·u, one after each knot along u in knot order: midway to the next knot, the last one a
    mean gap beyond it, (m', d) float64 over the m' units comparable along u (:func:`knot_order`).

    With knots strictly ordered o_1 < … < o_m along u and every unit rising along u (w_j·u > 0), unit j
    is on at point i exactly when j ≤ i: the step limit at these points is the unit lower-triangular
    matrix (Huang's strict partial order of knots, seed 000), invertible, so the m units interpolate
    any m values there, the output weights found one after another (a_1 = y_1, a_i = y_i − y_{i−1}).

    >>> from approxlab.nets import mlp
    >>> from approxlab.units import two_layer
    >>> interlaced_points(two_layer(mlp(1, [3], activation="sigmoid", seed=0))).shape
    (3, 1)
    """
    u = np.zeros(t.dim) if direction is None else np.asarray(direction, dtype=np.float64)
    if direction is None:
        u[0] = 1.0
    order = knot_order(t, u)
    offsets = -t.b[order] / (t.W[order] @ u)
    gaps = np.diff(offsets)
    step = float(np.mean(gaps)) if len(gaps) else 1.0
    s = offsets + np.concatenate([gaps / 2, [step / 2 if len(gaps) else 0.5]])
    return s[:, None] * u[None, :]
