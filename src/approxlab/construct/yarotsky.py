"""Yarotsky's x² and products by depth (seed 003, "Width vs depth"; Yarotsky 2017).

With g_s = h^{∘s} the s-fold hat (see :mod:`approxlab.construct.sawtooth`),

    f_m(x) = x − Σ_{s=1..m} g_s(x) / 2^{2s}

is the piecewise-linear interpolant of x² at the 2^m + 1 dyadic points of [0, 1], so
sup_{[0,1]} |f_m(x) − x²| = 2^{−2m−2} exactly. As a plain ReLU ``Sequential`` hidden
layer s holds (f_{s−1}(x), σ(g_{s−1}), σ(g_{s−1} − ½)) — width 3, m hidden layers,
depth m + 1 — because f_{s−1} ≥ x² ≥ 0 passes a ReLU unchanged (no skip connection
is needed). The product xy = ½((x + y)² − x² − y²) = 2·(½(x+y))² − ½x² − ½y² on
[0, 1]² uses three such squares with sup error ≤ 3·2^{−2m−2}.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from approxlab.construct.certificate import Certificate, certify
from approxlab.construct.layers import linear
from approxlab.construct.pwl import relu_interpolant
from approxlab.errors import require
from approxlab.targets import target

_THEOREM = "seed 003, 'Width vs depth' (Yarotsky 2017): sup |f_m − x²| = 2^(−2m−2) on [0,1], depth m+1, width ≤ 4"
MAX_DEPTH = 40  # 2^(−82) is far below float64 resolution of x² on [0, 1]


def square_error(m: int) -> float:
    """Yarotsky's exact sup error 2^{−2m−2} of f_m on [0, 1].

    >>> square_error(1)
    0.0625
    """
    return 2.0 ** (-2 * m - 2)


def depth_for(eps: float) -> int:
    """The least m with 2^{−2m−2} ≤ ε, i.e. m = max(1, ⌈(log₂(1/ε) − 2)/2⌉).

    >>> depth_for(0.01)
    3
    """
    require(
        math.isfinite(eps) and eps > 0,
        f"the tolerance ε must be positive, got {eps!r}: pass e.g. --eps 0.001",
    )
    return max(1, math.ceil((math.log2(1 / eps) - 2) / 2))


def _check_m(m: int) -> int:
    require(
        isinstance(m, int) and 1 <= m <= MAX_DEPTH,
        f"Yarotsky's depth m must be an integer in 1..{MAX_DEPTH}, got {m!r}: pass e.g. --depth 5",
    )
    return m


def _blocks(m: int, inputs: np.ndarray) -> list[nn.Module]:
    """Layers computing f_m(u_c) for c = 1..C copies, u = inputs @ x, width 3C per layer."""
    copies = inputs.shape[0]
    # A hidden layer's (S, a, b) gives S' = S − (2a − 4b)/4^s and the next hat's input g = 2a − 4b.
    first = np.zeros((3 * copies, inputs.shape[1]))
    bias = np.tile([0.0, 0.0, -0.5], copies)
    for c in range(copies):
        first[3 * c : 3 * c + 3] = inputs[c]
    layers: list[nn.Module] = [linear(first, bias), nn.ReLU()]
    for s in range(1, m):
        step = np.array([[1.0, -2.0 / 4**s, 4.0 / 4**s], [0.0, 2.0, -4.0], [0.0, 2.0, -4.0]])
        layers += [linear(np.kron(np.eye(copies), step), bias), nn.ReLU()]
    return layers


def _last(m: int, coefficients: list[float]) -> nn.Linear:
    row = np.concatenate([[c, -2.0 * c / 4**m, 4.0 * c / 4**m] for c in coefficients])
    return linear(row.reshape(1, -1), np.zeros(1))


def _grid_error(net: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    with torch.no_grad():
        out = net(torch.from_numpy(X)).numpy().ravel()
    return float(np.max(np.abs(out - y)))


def _dyadic_grid(m: int, per_axis: int = 4001) -> np.ndarray:
    # Contains every dyadic midpoint j/2^(m+1), where the error 2^(−2m−2) is attained.
    cells = 2 ** (m + 1)
    return np.linspace(0.0, 1.0, cells * math.ceil((per_axis - 1) / cells) + 1)


def yarotsky_square(m: int) -> tuple[nn.Sequential, Certificate]:
    """f_m ≈ x² on [0, 1] as a float64 ReLU net of depth m + 1 and width 3 (3m units).

    >>> net, cert = yarotsky_square(3)
    >>> cert.depth, cert.bound, cert.measured == cert.bound
    (4, 0.00390625, True)
    """
    m = _check_m(m)
    net = nn.Sequential(*_blocks(m, np.ones((1, 1))), _last(m, [1.0]))
    x = _dyadic_grid(m)
    measured = _grid_error(net, x.reshape(-1, 1), x**2)
    return net, certify(
        net,
        construction="yarotsky_square",
        theorem=_THEOREM,
        bound=square_error(m),
        norm="sup",
        measured=measured,
        bound_origin="Yarotsky 2017, Prop. 2: f_m interpolates x² at 2^m+1 points",
        target="x**2",
        m=m,
        width=3,
        pieces=2**m,
    )


def yarotsky_product(m: int) -> tuple[nn.Sequential, Certificate]:
    """xy on [0, 1]² as 2 f_m(½(x+y)) − ½ f_m(x) − ½ f_m(y): depth m + 1, width 9, float64.

    Each square errs by at most δ = 2^{−2m−2}, so |N − xy| ≤ (2 + ½ + ½)δ = 3δ.

    >>> net, cert = yarotsky_product(4)
    >>> cert.holds, cert.depth
    (True, 5)
    """
    m = _check_m(m)
    net = nn.Sequential(
        *_blocks(m, np.array([[0.5, 0.5], [1.0, 0.0], [0.0, 1.0]])), _last(m, [2.0, -0.5, -0.5])
    )
    t = np.linspace(0.0, 1.0, min(401, 2 ** (m + 1) + 1))
    X = np.stack(np.meshgrid(t, t, indexing="ij"), -1).reshape(-1, 2)
    measured = _grid_error(net, X, X[:, 0] * X[:, 1])
    return net, certify(
        net,
        construction="yarotsky_product",
        theorem=_THEOREM + "; xy = ½((x+y)² − x² − y²)",
        bound=3 * square_error(m),
        norm="sup",
        measured=measured,
        bound_origin="(2 + ½ + ½)·2^(−2m−2): three squares, each within 2^(−2m−2)",
        target="x1*x2",
        m=m,
        width=9,
    )


def shallow_square(units: int) -> tuple[nn.Sequential, Certificate]:
    """x² on [0, 1] by one hidden layer: the ReLU interpolant at units + 1 equispaced knots.

    Linear interpolation with spacing h = 1/units errs by h²·max|(x²)''|/8 = 1/(4·units²),
    so reaching ε needs ⌈1/(2√ε)⌉ units — width of order ε^{−1/2}, against Yarotsky's
    depth of order log(1/ε) at constant width.

    >>> shallow_square(4)[1].bound
    0.015625
    """
    require(
        isinstance(units, int) and units >= 1,
        f"units must be a positive integer, got {units!r}: pass e.g. --units 8",
    )
    knots = np.linspace(0.0, 1.0, units + 1)
    net = relu_interpolant(knots, knots**2)
    # Contains every cell midpoint (j + ½)/units, where the error 1/(4 units²) is attained.
    x = np.linspace(0.0, 1.0, 2 * units * math.ceil(2000 / units) + 1)
    measured = _grid_error(net, x.reshape(-1, 1), x**2)
    return net, certify(
        net,
        construction="shallow_square",
        theorem="linear interpolation: |g − Ig| ≤ h² max|g''| / 8",
        bound=1.0 / (4 * units**2),
        norm="sup",
        measured=measured,
        bound_origin="h²·2/8 with h = 1/units",
        target="x**2",
    )


def square_target():
    """x² on [0, 1] as an approxlab target (for training comparisons)."""
    return target("x**2", domain=[(0.0, 1.0)])


def square_lower_bound(pieces: int) -> float:
    """1/(8P²): no continuous piecewise-linear function with P pieces is closer than this to x² on [0, 1].

    Some piece is at least 1/P long, and on an interval of length ℓ the best line misses x² by
    ℓ²/8 (Chebyshev equioscillation: x² minus its chord peaks at ℓ²/4; shifting by half that
    balances it). A ReLU net with one hidden layer of k units has ≤ k + 1 pieces in 1D, so its
    error is ≥ 1/(8(k+1)²); with widths n_1, …, n_L it has ≤ Π(n_l + 1) pieces (each unit
    bends each piece at most once), so ε needs depth L ≥ ln(1/(8ε)) / (2 ln(W + 1)) at width W
    (Yarotsky 2017, Thm 6's counting argument; Telgarsky 2016).

    >>> square_lower_bound(2)
    0.03125
    """
    require(
        isinstance(pieces, int) and pieces >= 1,
        f"pieces must be a positive integer, got {pieces!r}",
    )
    return 1.0 / (8 * pieces**2)


def square_sup_error(net: nn.Module, f: str = "x**2") -> tuple[float, int, float]:
    """(exact sup |net − g| on [0, 1], linear pieces, longest piece) for a 1D ReLU net and g = x² (float64).

    Exact, not sampled: :func:`approxlab.regions.partition` gives the affine pieces αx + β, and on
    each one x² − αx − β is convex, so its extremes sit at the piece's ends or at x = α/2.
    ``f="x"`` measures against the identity instead (a deliberately wrong target for tests).

    >>> err, pieces, longest = square_sup_error(shallow_square(4)[0])
    >>> round(err, 12), pieces, longest
    (0.015625, 4, 0.25)
    """
    from approxlab.regions import partition

    p = partition(net, (0.0, 1.0))
    slope, intercept = (a[:, 0] for a in p.affine_maps())
    slope = slope[:, 0]
    a, b = p.points[:-1], p.points[1:]
    g = (lambda x: x**2) if f == "x**2" else (lambda x: x)
    worst = 0.0
    for x in (a, b, np.clip(slope / 2, a, b)):
        worst = max(worst, float(np.max(np.abs(g(x) - slope * x - intercept))))
    change = np.flatnonzero(np.abs(np.diff(slope)) > 1e-9 * max(float(np.abs(slope).max()), 1e-300))
    edges = np.concatenate([[p.points[0]], p.points[change + 1], [p.points[-1]]])
    return worst, len(edges) - 1, float(np.max(np.diff(edges)))
