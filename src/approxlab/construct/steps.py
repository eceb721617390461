"""Lipschitz functions from threshold units (seed 003, "Univariate approximation").

For a ρ-Lipschitz g on [lo, hi] and ε > 0 take N = ⌈ρ(hi − lo)/ε⌉ cells of width
h = (hi − lo)/N ≤ ε/ρ with midpoints c_i = lo + (i + ½)h, jumps at the cell edges
b_i = lo + ih (i = 1..N−1) and the constant unit at b_0 = lo − (hi − lo):

    f(x) = Σ_i a_i 1[x ≥ b_i],   a_0 = g(c_0),   a_i = g(c_i) − g(c_{i−1}),

so f = g(c_i) on cell i and |f − g| ≤ ρh/2 ≤ ε/2 in the sup norm (the theorem's ε with a
uniform slack), with exactly N = ⌈ρ/ε⌉ units on [0, 1].

Replacing 1[z ≥ 0] by σ(kz) gives the sigmoid version; it meets ε from a steepness k*
on. At distance d ≤ h/2 from the nearest edge the net is the mix (1 − s)g(c_i) + s g(c_{i−1}),
s = σ(−kd), of the two neighbouring cells' values, off by ≤ ρ(h/2 − d) + 2sρd; every other unit
adds |a_j| σ(−k|x − b_j|) ≤ ρh σ(−k|x − b_j|), so

    |σ-net − g| ≤ ρ(h/2 − d(1 − 2σ(−kd))) + ρh Σ_{m≥1} [σ(−k(mh − d)) + σ(−k(mh + d))] + |a_0| e^{−k(hi − lo)},

and :func:`steepness_bound` is the smallest k making the maximum over d of this ≤ ε:
k* ≤ u*/h with u* ≈ 2.5 a constant, so k* grows like ρ/ε, smoothly. (Thresholds at
b_i = iε/ρ, the textbook placement, leave no unit beyond the last one: at x = 1 the
slack is (1 − θ)ε with θ = frac(ρ/ε), so k* ≈ ρ ln(1/(1 − θ))/(θε) jumps with ε —
about 4000 at ε = 0.0102 for sin 2πx. The midpoint placement removes that.)
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from approxlab.construct.certificate import Certificate, certify
from approxlab.construct.target import lipschitz, resolve
from approxlab.errors import require
from approxlab.fit import sup_error
from approxlab.nets import Step
from approxlab.targets import Target

MAX_UNITS = 100_000
_THEOREM = "seed 003, 'Univariate approximation': ⌈ρ/ε⌉ threshold units, sup error ≤ ε"


def check_eps(eps: float) -> float:
    """``eps`` as a float if it is a positive finite tolerance, else a one-line error."""
    require(
        isinstance(eps, (int, float)) and math.isfinite(eps) and eps > 0,
        f"the tolerance ε must be positive, got {eps!r}: pass e.g. --eps 0.05",
    )
    return float(eps)


def check_units(n: int, what: str) -> int:
    """``n`` if at most :data:`MAX_UNITS`, else a one-line error saying how many it would take."""
    require(
        n <= MAX_UNITS,
        f"{what} needs {n} units, more than the limit of {MAX_UNITS}: ask for a larger ε or fewer units",
    )
    return n


def _one_layer(
    centres: np.ndarray, in_weight: float, out: np.ndarray, act: nn.Module, bias: float = 0.0
) -> nn.Sequential:
    hidden = nn.Linear(1, centres.size, dtype=torch.float64)
    output = nn.Linear(centres.size, 1, dtype=torch.float64)
    with torch.no_grad():
        hidden.weight.fill_(in_weight)
        hidden.bias.copy_(torch.from_numpy(-in_weight * centres))
        output.weight.copy_(torch.from_numpy(out).reshape(1, -1))
        output.bias.fill_(bias)
    return nn.Sequential(hidden, act, output)


def _thresholds(g: Target, rho: float, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """(b, a): the constant unit at lo − (hi − lo), jumps at the N − 1 inner cell edges (see module docstring)."""
    lo, hi = g.domain[0]
    n = check_units(max(1, math.ceil(rho * (hi - lo) / eps)), f"ρ = {rho:.4g}, ε = {eps:g}")
    h = (hi - lo) / n
    b = lo + np.arange(n) * h
    b[0] = lo - (hi - lo)
    values = np.asarray(g((lo + (np.arange(n) + 0.5) * h).reshape(-1, 1)), dtype=np.float64)
    return b, np.concatenate([[values[0]], np.diff(values)])


def steepness_bound(rho: float, eps: float, a0: float = 1.0, width: float = 1.0) -> float:
    """The smallest k for which the bound on the sigmoid version's sup error is ≤ ε (float64).

    max over d ∈ [0, h/2] of ρ(h/2 − d(1 − 2σ(−kd))) + ρh Σ_{m≥1} [σ(−k(mh − d)) + σ(−k(mh + d))]
    + |a_0| e^{−k·width} ≤ ε, with h = width/⌈ρ·width/ε⌉ (see the module docstring). Bisection in
    log k on a fine d grid. Reference: seed 003, 'Univariate approximation'.

    >>> 20 < steepness_bound(2 * math.pi, 0.1) < 200
    True
    """
    eps = check_eps(eps)
    n = max(1, math.ceil(rho * width / eps))
    h = width / n
    d = np.linspace(0.0, h / 2, 201)[:, None]
    m = np.arange(1, n + 1)[None, :]

    def bound(k: float) -> float:
        def tail(z: np.ndarray) -> np.ndarray:  # σ(−kz)
            return 1.0 / (1.0 + np.exp(np.minimum(k * z, 700.0)))

        near = h / 2 - d[:, 0] * (1 - 2 * tail(d[:, 0]))
        others = h * (tail(m * h - d) + tail(m * h + d)).sum(1)
        return float(np.max(rho * (near + others)) + abs(a0) * math.exp(-k * width))

    lo, hi = 1.0 / h, 2.0 / h
    while bound(hi) > eps:
        lo, hi = hi, 2 * hi
    while hi / lo > 1.001:
        mid = math.sqrt(lo * hi)
        lo, hi = (lo, mid) if bound(mid) <= eps else (mid, hi)
    return hi


def lipschitz_steps(
    g: Target | str, rho: float | None = None, eps: float = 0.1
) -> tuple[nn.Sequential, Certificate]:
    """⌈ρ(hi−lo)/ε⌉ threshold units f = Σ a_i 1[x ≥ b_i] with sup |f − g| ≤ ρh/2 ≤ ε/2 (float64).

    ρ is ``rho``, else the target's Lipschitz constant, else a grid estimate (then the
    certificate says ``lipschitz_estimated`` and certifies against the estimate).

    >>> net, cert = lipschitz_steps("sine", eps=0.1)
    >>> cert.units, cert.holds
    (63, True)
    """
    eps = check_eps(eps)
    g = resolve(g, 1, [(0.0, 1.0)])
    rho, estimated = lipschitz(g, rho)
    b, a = _thresholds(g, rho, eps)
    lo, hi = g.domain[0]
    net = _one_layer(b, 1.0, a, Step())
    return net, certify(
        net,
        construction="lipschitz_steps",
        theorem=_THEOREM,
        bound=rho * (hi - lo) / (2 * len(b)),
        norm="sup",
        measured=sup_error(net, g),
        bound_origin="ρh/2 ≤ ε/2: each x is within h/2 of its cell's midpoint",
        target=g.name,
        rho=rho,
        lipschitz_estimated=estimated,
        eps=eps,
        thresholds=b.tolist(),
    )


def lipschitz_sigmoids(
    g: Target | str, rho: float | None = None, eps: float = 0.1, k: float = 1000.0
) -> tuple[nn.Sequential, Certificate]:
    """The same ⌈ρ/ε⌉ units with σ(k(x − b_i)) in place of 1[x ≥ b_i] (float64).

    The constant unit sits at b_0 = lo − (hi − lo), far enough that σ(k(x − b_0)) ≈ 1 on the
    domain. The bound ε is the theorem's; it holds only once k is large enough (see
    :func:`steepness_needed` and :func:`steepness_bound`), so ``holds`` can be False.

    >>> net, cert = lipschitz_sigmoids("sine", eps=0.1, k=1e4)
    >>> cert.holds
    True
    """
    eps = check_eps(eps)
    require(
        math.isfinite(k) and k > 0, f"the steepness k must be positive, got {k}: pass e.g. k=1000"
    )
    g = resolve(g, 1, [(0.0, 1.0)])
    rho, estimated = lipschitz(g, rho)
    b, a = _thresholds(g, rho, eps)
    net = _one_layer(b, float(k), a, nn.Sigmoid())
    return net, certify(
        net,
        construction="lipschitz_sigmoids",
        theorem=_THEOREM,
        bound=eps,
        norm="sup",
        measured=sup_error(net, g),
        bound_origin="the threshold construction's ε; met only for k ≥ k*",
        target=g.name,
        rho=rho,
        lipschitz_estimated=estimated,
        eps=eps,
        steepness=float(k),
        a0=float(a[0]),
    )


def steepness_needed(
    g: Target | str, rho: float | None = None, eps: float = 0.1, k_max: float = 1e7
) -> tuple[float, list[dict[str, float]]]:
    """The smallest steepness k* (to 1 %) at which the sigmoid version's sup error is ≤ ε.

    Scans k = 1, 2, 4, … up to ``k_max`` and then bisects (geometrically) between the
    last failing and the first passing k; returns k* and the scanned (k, error) rows.
    ``k* = inf`` if even ``k_max`` fails.

    >>> k, rows = steepness_needed("sine", eps=0.2)
    >>> 10 < k < 1e4
    True
    """

    def err(k: float) -> float:
        return lipschitz_sigmoids(g, rho, eps, k)[1].measured

    eps = check_eps(eps)
    rows, k, below = [], 1.0, None
    while k <= k_max:
        e = err(k)
        rows.append({"k": k, "error": e})
        if e <= eps:
            break
        below, k = k, 2 * k
    if k > k_max:
        return math.inf, rows
    if below is None:
        return k, rows
    lo, hi = below, k
    while hi / lo > 1.01:
        mid = math.sqrt(lo * hi)
        lo, hi = (lo, mid) if err(mid) <= eps else (mid, hi)
    return hi, rows
