"""The function a construction approximates: its dimension and Lipschitz constant.

A construction takes a :class:`approxlab.targets.Target`, a named target or an
expression. Its Lipschitz constant ρ = sup ‖∇g‖ is the target's own when known;
otherwise it is estimated on a dense grid as the largest finite-difference gradient
norm, and every certificate built on it says ``lipschitz_estimated: true``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from approxlab.errors import ApproxlabError, require
from approxlab.targets import Target, target
from approxlab.targets.domain import grid_axes


def resolve(spec: Target | str, dim: int, domain: Sequence | None = None) -> Target:
    """``spec`` as a :class:`Target` of dimension ``dim`` (on ``domain`` when given).

    >>> resolve("sin(2*pi*x)", 1, [(0.0, 1.0)]).domain
    [(0.0, 1.0)]
    """
    if isinstance(spec, str) and domain is not None:
        try:
            t = target(spec, domain=domain)
        except ApproxlabError:
            t = target(spec)
    else:
        t = target(spec)
    require(
        t.dim == dim,
        f"target {t.name!r} is {t.dim}-dimensional but this construction needs a {dim}-dimensional one: "
        f"pass e.g. {'sin(2*pi*x)' if dim == 1 else 'x1**2 + x2**2'}",
    )
    return t


def estimate_lipschitz(g: Target, n: int | None = None) -> float:
    """max over a grid of ‖(Δ_1 g/Δx_1, …, Δ_d g/Δx_d)‖₂ with forward differences, float64.

    A lower estimate of sup ‖∇g‖ that converges as the grid refines (``n`` points per
    axis; default 20001 in 1D, 401 in 2D).

    >>> round(estimate_lipschitz(target("sine")), 3)
    6.283
    """
    n = n or {1: 20001, 2: 401}.get(g.dim, 41)
    axes = grid_axes(g.domain, n)
    mesh = np.meshgrid(*axes, indexing="ij")
    values = np.asarray(g(np.stack([m.ravel() for m in mesh], axis=1))).reshape(mesh[0].shape)
    grads = [
        (np.diff(values, axis=k) / np.diff(axes[k])[0])[
            tuple(slice(None) if j == k else slice(0, n - 1) for j in range(g.dim))
        ]
        for k in range(g.dim)
    ]
    rho = float(np.max(np.sqrt(sum(d**2 for d in grads))))
    require(
        np.isfinite(rho), f"target {g.name!r} is not finite on its domain: pick a bounded target"
    )
    return rho


def lipschitz(g: Target, rho: float | None = None) -> tuple[float, bool]:
    """(ρ, estimated): ``rho`` if given, else the target's, else :func:`estimate_lipschitz`.

    >>> lipschitz(target("sine"))
    (6.283185307179586, False)
    """
    if rho is not None:
        require(
            np.isfinite(rho) and rho > 0,
            f"the Lipschitz constant must be positive, got {rho}: pass e.g. rho=6.3",
        )
        return float(rho), False
    if g.lipschitz is not None:
        return float(g.lipschitz), False
    return estimate_lipschitz(g), True
