"""A ReLU net for the piecewise-linear interpolant on a triangulated 2D grid (seed 002).

Split every cell of an n×n grid on [lo1, hi1]×[lo2, hi2] along the diagonal (1, 1).
The interpolant is Σ_v g(v) φ_v with the hat (Courant) basis function of vertex v,

    φ_v(x) = σ(1 − max(|s|, |t|, |s − t|)),  s = (x1 − v1)/h1,  t = (x2 − v2)/h2,

which is 1 at v, 0 at every other vertex and linear on each triangle. With ReLUs:
|z| = σ(z) + σ(−z), max(p, q) = σ(q) + σ(p − q) for p, q ≥ 0, so each hat costs
6 + 3 + 2 + 1 = 12 units in 4 hidden layers (depth 5): 12 (n + 1)² units in all.
(A compactly supported hat cannot come from one hidden layer of ReLUs in 2D: every
unit of such a net is constant along a whole line, which is why the 1D trick of
seed 002 answer 2 does not carry over.) For a C² target with sup ‖∇²g‖₂ ≤ M the
interpolation error on a right triangle with legs h1, h2 is ≤ ½ M R² = M (h1² + h2²)/8,
R the circumradius.
"""

from __future__ import annotations

import math

import numpy as np
from torch import nn

from approxlab.construct.certificate import Certificate, certify
from approxlab.construct.layers import linear
from approxlab.construct.steps import check_units
from approxlab.construct.target import resolve
from approxlab.errors import require
from approxlab.fit import sup_error
from approxlab.targets import Target
from approxlab.targets.domain import grid_axes

HESSIAN_BOUNDS = {"paraboloid": 2.0, "saddle": 2.0, "gaussian": 1.0}  # sup ‖∇²g‖₂, by hand


def estimate_hessian_bound(g: Target, n: int = 201) -> float:
    """max over a grid of the spectral norm of the central-difference Hessian (an estimate)."""
    (a1, a2) = grid_axes(g.domain, n)
    h1, h2 = a1[1] - a1[0], a2[1] - a2[0]
    X1, X2 = np.meshgrid(a1, a2, indexing="ij")
    v = np.asarray(g(np.stack([X1.ravel(), X2.ravel()], 1))).reshape(n, n)
    f11 = (v[2:, 1:-1] - 2 * v[1:-1, 1:-1] + v[:-2, 1:-1]) / h1**2
    f22 = (v[1:-1, 2:] - 2 * v[1:-1, 1:-1] + v[1:-1, :-2]) / h2**2
    f12 = (v[2:, 2:] - v[2:, :-2] - v[:-2, 2:] + v[:-2, :-2]) / (4 * h1 * h2)
    mean, dev = (f11 + f22) / 2, np.sqrt(((f11 - f22) / 2) ** 2 + f12**2)
    return float(np.max(np.abs(mean) + dev))


def triangulation_interpolant(
    g: Target | str, n: int, hessian_bound: float | None = None
) -> tuple[nn.Sequential, Certificate]:
    """The ReLU net Σ_v g(v) φ_v on the n×n diagonal-split grid of g's 2D domain (float64).

    >>> net, cert = triangulation_interpolant("paraboloid", 4)
    >>> cert.units, cert.depth, cert.holds
    (300, 5, True)
    """
    require(
        isinstance(n, int) and n >= 1,
        f"the grid size n must be a positive integer, got {n!r}: pass e.g. --units 8",
    )
    vertices = (n + 1) ** 2
    check_units(12 * vertices, f"an {n}×{n} triangulation ({vertices} vertices × 12)")
    g = resolve(g, 2)
    (lo1, hi1), (lo2, hi2) = g.domain
    h1, h2 = (hi1 - lo1) / n, (hi2 - lo2) / n
    a1, a2 = grid_axes(g.domain, n + 1)
    V = np.stack(np.meshgrid(a1, a2, indexing="ij"), -1).reshape(-1, 2)
    # Layer 1, per vertex: σ(±s), σ(±t), σ(±(s − t)) with s, t affine in x.
    base = np.array([[1 / h1, 0.0], [0.0, 1 / h2], [1 / h1, -1 / h2]])
    W1 = np.concatenate(
        [np.concatenate([base, -base])[[0, 3, 1, 4, 2, 5]] for _ in range(vertices)]
    )
    b1 = np.concatenate([-(np.concatenate([base, -base])[[0, 3, 1, 4, 2, 5]] @ v) for v in V])
    # Layer 2: (σ(B), σ(A − B), σ(C)) from A = |s|, B = |t|, C = |s − t|.
    block2 = np.array(
        [[0, 0, 1, 1, 0, 0], [1, 1, -1, -1, 0, 0], [0, 0, 0, 0, 1, 1]], dtype=np.float64
    )
    # Layer 3: (σ(C), σ(M − C)) with M = max(A, B) = σ(B) + σ(A − B).
    block3 = np.array([[0, 0, 1], [1, 1, -1]], dtype=np.float64)
    # Layer 4: σ(1 − max(M, C)).
    block4 = np.array([[-1.0, -1.0]])
    eye = np.eye(vertices)
    net = nn.Sequential(
        linear(W1, b1),
        nn.ReLU(),
        linear(np.kron(eye, block2), np.zeros(3 * vertices)),
        nn.ReLU(),
        linear(np.kron(eye, block3), np.zeros(2 * vertices)),
        nn.ReLU(),
        linear(np.kron(eye, block4), np.ones(vertices)),
        nn.ReLU(),
        linear(np.asarray(g(V), dtype=np.float64).reshape(1, -1), np.zeros(1)),
    )
    estimated = hessian_bound is None and g.name not in HESSIAN_BOUNDS
    M = (
        hessian_bound
        if hessian_bound is not None
        else HESSIAN_BOUNDS.get(g.name) or estimate_hessian_bound(g)
    )
    require(
        math.isfinite(M) and M >= 0, f"the Hessian bound must be a non-negative number, got {M}"
    )
    return net, certify(
        net,
        construction="triangulation_interpolant",
        theorem="seed 002 (piecewise-linear interpolation); Courant hats",
        bound=M * (h1**2 + h2**2) / 8,
        norm="sup",
        measured=sup_error(net, g),
        bound_origin="½ M R² with R² = (h1² + h2²)/4 the squared circumradius of each right triangle",
        target=g.name,
        grid=n,
        vertices=vertices,
        hessian_bound=M,
        hessian_estimated=estimated,
    )
