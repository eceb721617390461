"""Lipschitz functions from threshold units (seed 003, "Univariate approximation").

For a ρ-Lipschitz g on [lo, hi] and ε > 0 take N = ⌈ρ(hi − lo)/ε⌉ thresholds
b_i = lo + iε/ρ (i = 0..N−1) and

    f(x) = Σ_i a_i 1[x ≥ b_i],   a_0 = g(lo),   a_i = g(b_i) − g(b_{i−1}),

so f(x) = g(b_i) on [b_i, b_{i+1}) and |f − g| ≤ ρ·(ε/ρ) = ε in the sup norm, with
exactly N = ⌈ρ/ε⌉ units on [0, 1]. Replacing 1[z ≥ 0] by σ(kz) gives the sigmoid
version; its error depends on the steepness k and meets ε again beyond some k*.
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


def _one_layer(centres: np.ndarray, in_weight: float, out: np.ndarray, act: nn.Module, bias: float = 0.0) -> nn.Sequential:
    hidden = nn.Linear(1, centres.size, dtype=torch.float64)
    output = nn.Linear(centres.size, 1, dtype=torch.float64)
    with torch.no_grad():
        hidden.weight.fill_(in_weight)
        hidden.bias.copy_(torch.from_numpy(-in_weight * centres))
        output.weight.copy_(torch.from_numpy(out).reshape(1, -1))
        output.bias.fill_(bias)
    return nn.Sequential(hidden, act, output)


def _thresholds(g: Target, rho: float, eps: float) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = g.domain[0]
    n = check_units(max(1, math.ceil(rho * (hi - lo) / eps)), f"ρ = {rho:.4g}, ε = {eps:g}")
    b = lo + np.arange(n) * (eps / rho)
    values = np.asarray(g(b.reshape(-1, 1)), dtype=np.float64)
    return b, np.concatenate([[values[0]], np.diff(values)])


def lipschitz_steps(g: Target | str, rho: float | None = None, eps: float = 0.1) -> tuple[nn.Sequential, Certificate]:
    """⌈ρ(hi−lo)/ε⌉ threshold units f = Σ a_i 1[x ≥ b_i] with sup |f − g| ≤ ε (float64).

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
    net = _one_layer(b, 1.0, a, Step())
    return net, certify(
        net, construction="lipschitz_steps", theorem=_THEOREM, bound=eps, norm="sup",
        measured=sup_error(net, g), bound_origin="ρ·(ε/ρ): each x is within ε/ρ right of a threshold",
        target=g.name, rho=rho, lipschitz_estimated=estimated, eps=eps, thresholds=b.tolist(),
    )


def lipschitz_sigmoids(
    g: Target | str, rho: float | None = None, eps: float = 0.1, k: float = 1000.0
) -> tuple[nn.Sequential, Certificate]:
    """The same ⌈ρ/ε⌉ units with σ(k(x − b_i)) in place of 1[x ≥ b_i] (float64).

    The constant unit sits at b_0 = lo − ε/ρ instead of lo, because σ(0) = ½ would
    halve g(lo) there. The bound ε is the step construction's; it holds only once k is
    large enough (see :func:`steepness_needed`), so ``holds`` can be False.

    >>> net, cert = lipschitz_sigmoids("sine", eps=0.1, k=1e4)
    >>> cert.holds
    True
    """
    eps = check_eps(eps)
    require(math.isfinite(k) and k > 0, f"the steepness k must be positive, got {k}: pass e.g. k=1000")
    g = resolve(g, 1, [(0.0, 1.0)])
    rho, estimated = lipschitz(g, rho)
    b, a = _thresholds(g, rho, eps)
    b = b.copy()
    b[0] -= eps / rho
    net = _one_layer(b, float(k), a, nn.Sigmoid())
    return net, certify(
        net, construction="lipschitz_sigmoids", theorem=_THEOREM, bound=eps, norm="sup",
        measured=sup_error(net, g), bound_origin="the threshold construction's ε; met only for k ≥ k*",
        target=g.name, rho=rho, lipschitz_estimated=estimated, eps=eps, steepness=float(k),
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
