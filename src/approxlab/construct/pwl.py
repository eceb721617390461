"""One-hidden-layer ReLU nets for piecewise-linear functions in 1D (seed 002, answer 2).

A continuous piecewise-linear f on [lo, hi] with breakpoints b_1 < … < b_k and slopes
s_0, …, s_k (s_i on the piece right of b_i) is

    f(x) = f(lo) + s_0 σ(x − lo) + Σ_i (s_i − s_{i−1}) σ(x − b_i),   σ = ReLU,

exactly on [lo, hi]: the affine part uses one ReLU unit switched on at lo (σ(x − lo) =
x − lo there), and each breakpoint adds one unit that changes the slope.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from approxlab.errors import require

_DTYPE = torch.float64


def relu_from_breakpoints(
    breakpoints: Sequence[float],
    slopes: Sequence[float],
    value_at_left: float,
    domain: tuple[float, float],
) -> nn.Sequential:
    """The depth-2 float64 ReLU net of a continuous piecewise-linear function on ``domain``.

    f(x) = value_at_left + s_0 (x − lo) + Σ_{i=1..k} (s_i − s_{i−1}) σ(x − b_i) for x in
    [lo, hi], realised as Linear(1, k+1) → ReLU → Linear(k+1, 1) with units
    σ(x − lo), σ(x − b_1), …, σ(x − b_k): one unit per breakpoint plus one (seed 002,
    answer 2). ``slopes`` has ``len(breakpoints) + 1`` entries, one per piece; the
    breakpoints must be strictly increasing inside (lo, hi). Left of lo the net is
    constant (the lo unit is off), so the formula holds on [lo, hi] only.

    >>> net = relu_from_breakpoints([0.5], [1.0, -1.0], 0.0, (0.0, 1.0))
    >>> float(net(torch.tensor([[0.75]], dtype=torch.float64)).detach())
    0.25
    """
    lo, hi = float(domain[0]), float(domain[1])
    b = np.asarray(breakpoints, dtype=np.float64).reshape(-1)
    s = np.asarray(slopes, dtype=np.float64).reshape(-1)
    require(lo < hi, f"the domain needs lo < hi, got {domain!r}: pass e.g. (0.0, 1.0)")
    require(
        s.size == b.size + 1,
        f"{b.size} breakpoints need {b.size + 1} slopes (one per piece), got {s.size}: add or drop slopes",
    )
    require(
        bool(np.all(np.isfinite(b)) and np.all(np.isfinite(s)) and np.isfinite(value_at_left)),
        "breakpoints, slopes and value_at_left must be finite numbers: remove NaN/inf",
    )
    require(
        bool(np.all(np.diff(b) > 0)) and (b.size == 0 or (b[0] > lo and b[-1] < hi)),
        f"breakpoints must increase strictly inside ({lo}, {hi}): sort them and drop duplicates or endpoints",
    )
    knots = np.concatenate([[lo], b])
    out_w = np.concatenate([[s[0]], np.diff(s)])
    hidden = nn.Linear(1, knots.size, dtype=_DTYPE)
    output = nn.Linear(knots.size, 1, dtype=_DTYPE)
    with torch.no_grad():
        hidden.weight.copy_(torch.ones(knots.size, 1, dtype=_DTYPE))
        hidden.bias.copy_(torch.from_numpy(-knots))
        output.weight.copy_(torch.from_numpy(out_w).reshape(1, -1))
        output.bias.fill_(float(value_at_left))
    return nn.Sequential(hidden, nn.ReLU(), output)


def relu_interpolant(knots: Sequence[float], values: Sequence[float]) -> nn.Sequential:
    """The piecewise-linear interpolant of (knots[i], values[i]) as a float64 ReLU net.

    With k knots x_1 < … < x_k (k ≥ 2) on the domain [x_1, x_k] there are k − 1 pieces
    with slopes s_i = (y_{i+1} − y_i)/(x_{i+1} − x_i) and k − 2 interior breakpoints, so
    :func:`relu_from_breakpoints` uses (k − 2) + 1 = k − 1 hidden units. The issue's
    "k knots → k + 1 units" counts the k knots as breakpoints *inside* a wider domain
    (k + 1 pieces, k + 1 units); here the outermost knots are the domain's ends and cost
    no unit. Exact at every knot (up to float64 rounding); for a C² target g sampled at
    spacing h the sup error is ≤ h² max|g''| / 8.

    >>> net = relu_interpolant([0.0, 0.5, 1.0], [0.0, 1.0, 0.0])
    >>> float(net(torch.tensor([[0.25]], dtype=torch.float64)).detach())
    0.5
    """
    x = np.asarray(knots, dtype=np.float64).reshape(-1)
    y = np.asarray(values, dtype=np.float64).reshape(-1)
    require(x.size == y.size, f"got {x.size} knots but {y.size} values: pass one value per knot")
    require(x.size >= 2, f"interpolation needs at least 2 knots, got {x.size}: pass more knots")
    require(
        bool(np.all(np.diff(x) > 0)),
        "knots must be strictly increasing: sort them and drop duplicates",
    )
    slopes = np.diff(y) / np.diff(x)
    return relu_from_breakpoints(x[1:-1], slopes, float(y[0]), (float(x[0]), float(x[-1])))


def second_derivative_bound(values: np.ndarray, spacing: float) -> float:
    """max |Δ²g|/h² over an equispaced sample: an estimate of sup |g''|."""
    return float(np.max(np.abs(np.diff(values, 2)))) / spacing**2


def interpolate(g, units: int, curvature: float | None = None):
    """g on its 1D domain by the ReLU interpolant at units + 1 equispaced knots (units hidden units).

    Certificate: sup error ≤ h² M/8 with h = (hi − lo)/units and M = sup|g''| —
    ``curvature`` if given, else estimated from second differences on a 20001-point
    grid (``curvature_estimated`` true).

    >>> net, cert = interpolate("sine", 16)
    >>> cert.units, cert.holds
    (16, True)
    """
    from approxlab.construct.certificate import certify
    from approxlab.construct.target import resolve
    from approxlab.fit import sup_error

    require(
        isinstance(units, int) and units >= 1,
        f"units must be a positive integer, got {units!r}: pass e.g. --units 16",
    )
    g = resolve(g, 1, [(0.0, 1.0)])
    lo, hi = g.domain[0]
    knots = np.linspace(lo, hi, units + 1)
    net = relu_interpolant(knots, np.asarray(g(knots.reshape(-1, 1)), dtype=np.float64))
    fine = np.linspace(lo, hi, 20001)
    M = (
        curvature
        if curvature is not None
        else second_derivative_bound(np.asarray(g(fine.reshape(-1, 1))), fine[1] - fine[0])
    )
    h = (hi - lo) / units
    return net, certify(
        net,
        construction="relu_interpolant",
        theorem="seed 002 answer 2: k ReLUs give any k-piece linear function",
        bound=h * h * M / 8,
        norm="sup",
        measured=sup_error(net, g, 2 * units * max(1, 10000 // units) + 1),
        bound_origin="linear interpolation error h² sup|g''| / 8",
        target=g.name,
        curvature=M,
        curvature_estimated=curvature is None,
    )
