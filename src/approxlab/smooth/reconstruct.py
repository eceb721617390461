"""Rebuild a two-layer net from its anatomy alone: the test of the explanation (seed 000).

Kept from the anatomy: each knot hyperplane (unit normal n_j = w_j/‖w_j‖ and offset
−b_j/‖w_j‖) and the local/global split. Forgotten: each unit's own steepness and its
output weight. The rebuilt unit j has steepness s_local or s_global (the geometric mean
of ‖w_j‖ over the original's local resp. global units), so w'_j = s n_j, b'_j = s·(b_j/‖w_j‖),
and the output weights (a', c') solve least squares against the original's output on a
grid. The reconstruction error max|N' − N| measures how much of N the knots explain.
float64.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from approxlab.construct.layers import linear
from approxlab.nets import activation as make_activation
from approxlab.smooth.anatomy import Anatomy, unit_grid


@dataclass(frozen=True)
class Reconstruction:
    """The rebuilt net (float64) and max|N' − N| on the anatomy's grid."""

    net: nn.Module
    error: float


def least_squares_net(
    W: np.ndarray, b: np.ndarray, activation: str, X: np.ndarray, y: np.ndarray
) -> nn.Module:
    """Sequential(Linear(W, b), σ, Linear(a, c)) with (a, c) = argmin ‖[σ(XWᵀ + b), 1](a; c) − y‖₂, float64."""
    act = make_activation(activation)
    with torch.no_grad():
        H = act(torch.as_tensor(X @ W.T + b, dtype=torch.float64)).numpy()
    design = np.hstack([H, np.ones((len(X), 1))])
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    return nn.Sequential(linear(W, b), act, linear(coef[None, :-1], coef[-1:])).double()


def reconstruct(A: Anatomy, n: int | None = None) -> Reconstruction:
    """Rebuild from knot hyperplanes + local/global split; output layer by least squares.

    >>> from approxlab.nets import mlp
    >>> from approxlab.smooth.anatomy import anatomy
    >>> r = reconstruct(anatomy(mlp(1, [4], activation="relu", seed=0), (-1, 1)))
    >>> r.error < 1e-9   # ReLU: the kinks alone determine the net
    True
    """
    norms = np.linalg.norm(A.W, axis=1)
    live = norms > 0
    steep = np.ones(A.width)
    for group in (A.local, ~A.local):
        sel = group & live
        if sel.any():
            steep[sel] = float(np.exp(np.mean(np.log(norms[sel]))))
    safe = np.where(live, norms, 1.0)
    W = A.W / safe[:, None] * steep[:, None]
    b = A.b / safe * steep
    X, _, y = unit_grid(A, n)
    rebuilt = least_squares_net(W, b, A.activation, X, y)
    with torch.no_grad():
        out = rebuilt(torch.as_tensor(X)).numpy()[:, 0]
    return Reconstruction(rebuilt, float(np.max(np.abs(out - y))))


def random_knots(A: Anatomy, seed: int = 0, n: int | None = None) -> Reconstruction:
    """The control for :func:`reconstruct`: the same number of units and the same steepness, but knot
    hyperplanes drawn at random (unit normals uniform on the sphere, offsets so the knot lies uniformly in
    the box along the normal), output layer by least squares against N. A reconstruction explains N only if
    it beats this. float64, seeded.

    >>> from approxlab.nets import mlp
    >>> from approxlab.smooth.anatomy import anatomy
    >>> random_knots(anatomy(mlp(1, [4], activation="tanh", seed=0), (-1, 1))).error >= 0
    True
    """
    rng = np.random.default_rng(seed)
    norms = np.linalg.norm(A.W, axis=1)
    steep = float(np.exp(np.mean(np.log(norms[norms > 0])))) if np.any(norms > 0) else 1.0
    X, _, y = unit_grid(A, n)
    normals = rng.standard_normal(A.W.shape)
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    along = X @ normals.T  # where each grid point sits along each normal
    t = rng.uniform(along.min(0), along.max(0))
    net = least_squares_net(steep * normals, -steep * t, A.activation, X, y)
    with torch.no_grad():
        out = net(torch.as_tensor(X)).numpy()[:, 0]
    return Reconstruction(net, float(np.max(np.abs(out - y))))
