"""Deterministic construction of a training solution by the principles (seed 000).

No gradient descent. Knots are placed by rule and the output layer is solved:

* 1D, m units on [lo, hi]: knots equidistribute a density ρ over the interval,
  t_j = R⁻¹((j + ½)/m) with R the normalised integral of ρ, and every unit rises with
  steepness w_j = κ/h_j, h_j = 1/(m ρ(t_j)/∫ρ) the local knot spacing, b_j = −w_j t_j;
  neighbouring transitions overlap by a width of order h_j — the smooth-spline
  principle. The densities tried are uniform, (|f'| + 0.1 mean|f'|)^½,
  (|f''| + 0.1 mean|f''|)^½ and (|f'|/mean|f'| + |f''|/mean|f''| + 0.1)^½: knots gather
  where the target moves or bends (de Boor's equidistribution; f', f'' by finite
  differences on a 4001-point grid). ReLU units (one-sided, no transition width) take
  t_j = R⁻¹(j/m), so the first kink at lo supplies the slope of the first linear piece:
  the net is then a piecewise-linear least-squares spline.
* 2D: two layouts are tried: knot lines with normals at angles θ_j = π·j·g mod π
  (g = golden-ratio fraction, spread evenly) and offsets at the van der Corput points
  of the box's projection onto n_j, steepness κ/h with h = diameter/√m; and knot lines
  parallel to the axes, ⌈m/2⌉ across x1 and ⌊m/2⌋ across x2 at cell centres (cell
  left ends for ReLU, as in 1D) (ridge
  units along the coordinates, enough for additive targets such as x1² ± x2²).
* The output weights (a, c) solve least squares on ``n_train`` seeded samples of the
  target; the density or layout and κ ∈ KAPPAS are chosen by the same least-squares fit.

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


DENSITIES = ("uniform", "slope", "curvature", "slope+curvature")
LAYOUTS = ("directions", "axes")


def knot_density(f: Target, kind: str, n: int = 4001) -> tuple[np.ndarray, np.ndarray]:
    """Grid x and density ρ(x) on a 1D target's interval (see the module docstring).

    >>> from approxlab.targets import target
    >>> x, rho = knot_density(target("x**2", domain=(-1, 1)), "uniform")
    >>> float(rho.min()), float(rho.max())
    (1.0, 1.0)
    """
    lo, hi = f.domain[0]
    x = np.linspace(lo, hi, n)
    if kind == "uniform":
        return x, np.ones(n)
    y = np.asarray(f(x[:, None]), dtype=np.float64)
    slope = np.abs(np.gradient(y, x))
    bend = np.abs(np.gradient(np.gradient(y, x), x))
    if kind == "slope":
        return x, np.sqrt(slope + 0.1 * slope.mean() + 1e-300)
    if kind == "curvature":
        return x, np.sqrt(bend + 0.1 * bend.mean() + 1e-300)
    return x, np.sqrt(slope / (slope.mean() + 1e-300) + bend / (bend.mean() + 1e-300) + 0.1)


def knot_layer(
    domain, m: int, kappa: float, one_sided: bool = False, density=None, layout: str = "directions"
) -> tuple[np.ndarray, np.ndarray]:
    """(W (m, d), b (m,)) of the rule-placed knots for a 1D or 2D box (see module docstring).

    ``density`` is ``(x, ρ(x))`` on the 1D interval (uniform when None); ``layout`` is
    ``"directions"`` or ``"axes"`` in 2D.
    """
    lo = np.array([d[0] for d in domain], dtype=np.float64)
    hi = np.array([d[1] for d in domain], dtype=np.float64)
    if len(domain) == 1:
        x, rho = density if density is not None else (np.array([lo[0], hi[0]]), np.ones(2))
        mass = np.concatenate([[0.0], np.cumsum((rho[1:] + rho[:-1]) / 2 * np.diff(x))])
        t = np.interp((np.arange(m) + (0.0 if one_sided else 0.5)) / m, mass / mass[-1], x)
        spacing = mass[-1] / (m * np.interp(t, x, rho))
        w = kappa / spacing
        return w[:, None], -w * t
    if layout == "axes":
        counts = (m - m // 2, m // 2)
        W, b = [], []
        for axis, k in enumerate(counts):
            h = (hi[axis] - lo[axis]) / max(k, 1)
            t = lo[axis] + (np.arange(k) + (0.0 if one_sided else 0.5)) * h
            rows = np.zeros((k, 2))
            rows[:, axis] = kappa / h
            W.append(rows)
            b.append(-(kappa / h) * t)
        return np.vstack(W), np.concatenate(b)
    theta = math.pi * ((np.arange(m) * _GOLDEN) % 1.0)
    normals = np.stack([np.cos(theta), np.sin(theta)], axis=1)
    centre, half = (lo + hi) / 2, (hi - lo) / 2
    reach = np.abs(normals) @ half
    offsets = normals @ centre + (2 * _van_der_corput(m) - 1) * reach
    h = 2 * float(np.linalg.norm(half)) / math.sqrt(m)
    s = kappa / h
    return normals * s, -s * offsets


def construct(
    f: Target, m: int, activation: str = "sigmoid", n_train: int = 1000, seed: int = 0
) -> nn.Module:
    """A two-layer net for target ``f`` (1D or 2D) with knots placed by rule and output by least squares.

    >>> from approxlab.targets import target
    >>> net = construct(target("x**2", domain=(-1, 1)), 6)
    >>> net[0].weight.shape
    torch.Size([6, 1])
    """
    require(
        f.dim in (1, 2),
        f"the deterministic construction covers 1D and 2D targets, got {f.dim}D: pick a 1D or 2D target",
    )
    require(
        isinstance(m, int) and m >= 1,
        f"the number of units must be a positive integer, got {m!r}: pass e.g. m=8",
    )
    X = sample(f.domain, n_train, seed)
    y = np.asarray(f(X), dtype=np.float64).reshape(-1)
    if f.dim == 1:
        options = [{"density": knot_density(f, kind)} for kind in DENSITIES]
    else:
        options = [{"layout": layout} for layout in LAYOUTS]
    best, best_err = None, math.inf
    for option in options:
        for kappa in KAPPAS:
            W, b = knot_layer(f.domain, m, kappa, one_sided=activation == "relu", **option)
            net = least_squares_net(W, b, activation, X, y)
            with torch.no_grad():
                err = float(np.sqrt(np.mean((net(torch.as_tensor(X)).numpy()[:, 0] - y) ** 2)))
            if err < best_err:
                best, best_err = net, err
    return best


def units_needed(
    f: Target, error: float, activation: str = "sigmoid", max_units: int = 64
) -> int | None:
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
