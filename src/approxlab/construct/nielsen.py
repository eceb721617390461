"""Nielsen's bumps and towers, and what one hidden layer makes of a tower (seed 001).

- 1D bumps: h[σ(k(x − s)) − σ(k(x − t))] ≈ h·1[s ≤ x < t]; n bumps of heights g(c_i)
  at the cell midpoints approximate a ρ-Lipschitz g. Telescoping, the net equals
  Σ_i Δh_i σ(k(x − s_i)), and with |σ(kz) − 1[z ≥ 0]| ≤ min(½, e^{−k|z|}) the sup error is
      ≤ ρw/2 + ρw (½ + 2e^{−kw/2}/(1 − e^{−kw})) + (|h_1| + |h_n|) e^{−kw}
  (cell width w; the outer edges sit w outside the domain).
- 2D towers, two hidden layers: per-axis thresholds 1[x_a ≥ s] in layer 1; in layer 2
  the cell (i, j) unit thresholds bump_x + bump_y at bias −(m − ½) with m = 2 (it fires
  only where both bumps are on); output weight g(cell centre). Sup error ≤ ρ w √2 / 2.
- One hidden layer: T_D(x) = (1/D) Σ_j 1[−r ≤ u_j·x < r] over D equally spaced
  directions u_j. As D → ∞ it tends to T_∞(x) = 1 for |x| ≤ r and (2/π) arcsin(r/|x|)
  outside — a tower with a skirt of height 1/3 at |x| = 2r, not a cylinder — and
  sup |T_D − T_∞| ≤ 2/D (each of the two arcs of directions loses at most one point).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from approxlab.construct.certificate import Certificate, certify
from approxlab.construct.layers import linear
from approxlab.construct.steps import check_units
from approxlab.construct.target import lipschitz, resolve
from approxlab.errors import require
from approxlab.fit import sup_error
from approxlab.nets import Step
from approxlab.targets import Target

_SOURCE = "seed 001 (Nielsen, 'A visual proof that neural nets can compute any function')"


def bumps(
    g: Target | str, n: int, k: float = 1000.0, rho: float | None = None
) -> tuple[nn.Sequential, Certificate]:
    """n bumps from 2n steep sigmoids (pairs, as Nielsen draws them) approximating g on [lo, hi], float64.

    >>> net, cert = bumps("sine", 20, k=2000.0)
    >>> cert.units, cert.holds
    (40, True)
    """
    require(
        isinstance(n, int) and n >= 1,
        f"the number of bumps must be a positive integer, got {n!r}: pass e.g. --units 20",
    )
    check_units(2 * n, f"{n} bumps")
    require(
        math.isfinite(k) and k > 0, f"the steepness k must be positive, got {k}: pass e.g. k=1000"
    )
    g = resolve(g, 1, [(0.0, 1.0)])
    rho, estimated = lipschitz(g, rho)
    lo, hi = g.domain[0]
    w = (hi - lo) / n
    edges = lo + w * np.arange(n + 1)
    edges[0], edges[-1] = lo - w, hi + w
    heights = np.asarray(g((lo + w * (np.arange(n) + 0.5)).reshape(-1, 1)), dtype=np.float64)
    # Unit 2i is the bump's rising edge at s_i, unit 2i + 1 its falling edge at s_{i+1}.
    centres = np.stack([edges[:-1], edges[1:]], axis=1).ravel()
    out = np.stack([heights, -heights], axis=1).ravel()
    net = nn.Sequential(
        linear(np.full((2 * n, 1), k), -k * centres),
        nn.Sigmoid(),
        linear(out.reshape(1, -1), np.zeros(1)),
    )
    q = math.exp(-k * w)
    bound = (
        rho * w / 2
        + rho * w * (0.5 + 2 * math.exp(-k * w / 2) / (1 - q))
        + (abs(heights[0]) + abs(heights[-1])) * q
    )
    return net, certify(
        net,
        construction="nielsen_bumps",
        theorem=_SOURCE,
        bound=bound,
        norm="sup",
        measured=sup_error(net, g),
        bound_origin="midpoint error ρw/2 plus the sigmoid tails Σ|Δh_i| min(½, e^(−k|x−s_i|))",
        target=g.name,
        rho=rho,
        lipschitz_estimated=estimated,
        bumps=n,
        steepness=k,
        cell_width=w,
    )


def towers(g: Target | str, n: int, rho: float | None = None) -> tuple[nn.Sequential, Certificate]:
    """Nielsen's 2D towers on an n×n grid: two hidden layers of threshold units, float64.

    Layer 1 has the 2(n + 1) axis thresholds 1[x_a ≥ s_i] (the last edge sits one cell
    outside, so each point lies in exactly one half-open cell); layer 2 has n² units
    1[bump_x + bump_y − 3/2 ≥ 0].

    >>> net, cert = towers("paraboloid", 10)
    >>> cert.units, cert.depth, cert.holds
    (122, 3, True)
    """
    require(
        isinstance(n, int) and n >= 1,
        f"the grid size n must be a positive integer, got {n!r}: pass e.g. --units 10",
    )
    check_units(n * n + 2 * (n + 1), f"an {n}×{n} tower grid")
    g = resolve(g, 2)
    rho, estimated = lipschitz(g, rho)
    (lo1, hi1), (lo2, hi2) = g.domain
    e1 = lo1 + (hi1 - lo1) / n * np.arange(n + 1)
    e2 = lo2 + (hi2 - lo2) / n * np.arange(n + 1)
    e1[-1] += (hi1 - lo1) / n
    e2[-1] += (hi2 - lo2) / n
    W1 = np.zeros((2 * (n + 1), 2))
    W1[: n + 1, 0] = 1.0
    W1[n + 1 :, 1] = 1.0
    first = linear(W1, -np.concatenate([e1, e2]))
    W2 = np.zeros((n * n, 2 * (n + 1)))
    for i in range(n):
        for j in range(n):
            row = i * n + j
            W2[row, [i, i + 1]] = 1.0, -1.0
            W2[row, [n + 1 + j, n + 2 + j]] = 1.0, -1.0
    second = linear(W2, np.full(n * n, -1.5))
    c1, c2 = (e1[:-1] + np.minimum(e1[1:], hi1)) / 2, (e2[:-1] + np.minimum(e2[1:], hi2)) / 2
    centres = np.stack(np.meshgrid(c1, c2, indexing="ij"), -1).reshape(-1, 2)
    out = linear(np.asarray(g(centres), dtype=np.float64).reshape(1, -1), np.zeros(1))
    net = nn.Sequential(first, Step(), second, Step(), out)
    w = max((hi1 - lo1), (hi2 - lo2)) / n
    return net, certify(
        net,
        construction="nielsen_towers",
        theorem=_SOURCE,
        bound=rho * w * math.sqrt(2) / 2,
        norm="sup",
        measured=sup_error(net, g),
        bound_origin="ρ × (half the cell diagonal): each point is within w√2/2 of its cell centre",
        target=g.name,
        rho=rho,
        lipschitz_estimated=estimated,
        grid=n,
        cell_width=w,
    )


def tower_limit(X: np.ndarray, r: float) -> np.ndarray:
    """T_∞(x) = 1 for |x| ≤ r, (2/π) arcsin(r/|x|) outside: the fraction of directions u with |u·x| ≤ r."""
    radius = np.linalg.norm(np.asarray(X, dtype=np.float64), axis=1)
    return np.where(
        radius <= r, 1.0, (2 / np.pi) * np.arcsin(np.minimum(1.0, r / np.maximum(radius, r)))
    )


def ridge_tower(
    directions: int, r: float = 0.3, grid_n: int = 201
) -> tuple[nn.Sequential, Certificate]:
    """One hidden layer's "tower": (1/D) Σ_j 1[−r ≤ u_j·x < r] over D directions, 2D units, float64.

    Certified against its own limit T_∞ (:func:`tower_limit`) with bound 2/D on [−1, 1]²;
    ``details['skirt_at_2r']`` is T_∞ at |x| = 2r, i.e. 1/3: what no number of
    directions removes without a second layer.

    >>> net, cert = ridge_tower(64)
    >>> cert.units, cert.holds
    (128, True)
    """
    require(
        isinstance(directions, int) and directions >= 1,
        f"the number of directions must be a positive integer, got {directions!r}",
    )
    check_units(2 * directions, f"{directions} directions")
    require(0 < r < 1, f"the tower radius r must lie in (0, 1), got {r}: pass e.g. r=0.3")
    theta = np.pi * np.arange(directions) / directions
    u = np.stack([np.cos(theta), np.sin(theta)], axis=1)
    W = np.repeat(u, 2, axis=0)
    b = np.tile([r, -r], directions)
    a = np.tile([1.0, -1.0], directions) / directions
    net = nn.Sequential(linear(W, b), Step(), linear(a.reshape(1, -1), np.zeros(1)))
    t = np.linspace(-1.0, 1.0, grid_n)
    X = np.stack(np.meshgrid(t, t, indexing="ij"), -1).reshape(-1, 2)
    with torch.no_grad():
        y = net(torch.from_numpy(X)).numpy().ravel()
    return net, certify(
        net,
        construction="ridge_tower",
        theorem=_SOURCE + "; one hidden layer, D ridge directions",
        bound=2.0 / directions,
        norm="sup on [-1, 1]^2 against T_inf",
        measured=float(np.max(np.abs(y - tower_limit(X, r)))),
        bound_origin="equally spaced directions: each of the two arcs {u: |u·x| ≤ r} miscounts by ≤ 1 of D",
        directions=directions,
        radius=r,
        skirt_at_2r=float(2 / np.pi * np.arcsin(0.5)),
    )
