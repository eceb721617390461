"""``anatomy(net, domain)``: a two-layer net read as knots, local/global units and spline pieces.

One vocabulary for smooth (sigmoid, tanh, softplus) and ReLU units (seed 000):
knot = {x : w_j·x + b_j = 0} (inflection point or kink), transition width 1/‖w_j‖,
zero-error hyperplanes w_j·x + b_j = z*_± (:mod:`approxlab.smooth.zero_error`),
local/global split, per-unit contributions a_j σ(w_j·x + b_j) on a grid, and in 1D the
Taylor pieces between knots with their errors (:mod:`approxlab.smooth.spline`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from torch import nn

from approxlab.errors import ApproxlabError
from approxlab.smooth.knots import knot_order, knot_positions, transition_widths
from approxlab.smooth.linear_pieces import LinearPiece, linear_pieces
from approxlab.smooth.spline import Piece, spline_pieces
from approxlab.smooth.zero_error import SUPPORTED, classify, zero_error_levels
from approxlab.targets import as_domain, grid
from approxlab.units import TwoLayer, two_layer

DEFAULT_TOL = 1e-3


@dataclass
class Anatomy:
    """The reading of one two-layer net over a box; arrays float64, one row per hidden unit."""

    activation: str
    domain: list[tuple[float, float]]
    tol: float
    W: np.ndarray
    b: np.ndarray
    a: np.ndarray
    c: float
    knots: np.ndarray | None  # 1D: −b_j/w_j
    order: np.ndarray  # unit indices by knot offset along the first axis
    widths: np.ndarray  # 1/‖w_j‖
    zero_error_levels: np.ndarray  # (m, 2) z*_−, z*_+ (nan: no asymptote on that side)
    local: np.ndarray  # bool (m,)
    pieces: list[Piece] = field(default_factory=list)
    linear_pieces: list[LinearPiece] = field(default_factory=list)  # 2D ReLU: exact linear regions
    net: TwoLayer | None = None

    @property
    def width(self) -> int:
        return len(self.b)

    @property
    def dim(self) -> int:
        return self.W.shape[1]

    def zero_error_points(self) -> np.ndarray:
        """1D: (m, 2) inputs x* = (z*_± − b_j)/w_j."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return (self.zero_error_levels - self.b[:, None]) / self.W[:, :1]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (nan/inf written as None)."""

        def clean(a):
            arr = np.asarray(a, dtype=np.float64)
            return (
                [None if not np.isfinite(v) else float(v) for v in arr.ravel()]
                if arr.ndim <= 1
                else [clean(r) for r in arr]
            )

        units = []
        for j in range(self.width):
            units.append(
                {
                    "w": clean(self.W[j]),
                    "b": float(self.b[j]),
                    "a": float(self.a[j]),
                    "knot": None
                    if self.knots is None or not np.isfinite(self.knots[j])
                    else float(self.knots[j]),
                    # nD knot hyperplane {x : n·x = offset}, n = w/‖w‖, offset = −b/‖w‖ (any dimension)
                    "normal": clean(self.W[j] * self.widths[j])
                    if np.isfinite(self.widths[j])
                    else None,
                    "offset": clean([-self.b[j] * self.widths[j]])[0],
                    "width": clean([self.widths[j]])[0],
                    "zero_error_levels": clean(self.zero_error_levels[j]),
                    "kind": "local" if self.local[j] else "global",
                }
            )
        return {
            "activation": self.activation,
            "domain": [list(d) for d in self.domain],
            "tol": self.tol,
            "output_bias": self.c,
            "units": units,
            "knot_order": [int(i) for i in self.order],
            "n_local": int(self.local.sum()),
            "n_global": int((~self.local).sum()),
            "pieces": [
                {
                    "lo": p.lo,
                    "hi": p.hi,
                    "centre": p.centre,
                    "coefficients": clean(p.coefficients),
                    "error": p.error,
                }
                for p in self.pieces
            ],
            "linear_pieces": [
                {
                    "centroid": clean(p.centroid),
                    "area": p.area,
                    "gradient": clean(p.gradient),
                    "intercept": p.intercept,
                }
                for p in self.linear_pieces
            ],
        }


def anatomy(net: nn.Module, domain, tol: float = DEFAULT_TOL, degree: int | None = None) -> Anatomy:
    """Read a two-layer sigmoid/tanh/softplus/ReLU net over the box ``domain``.

    ``tol`` is the zero-error tolerance; ``degree`` the Taylor degree of the 1D pieces
    (default 3 for smooth units, 1 for ReLU, where the pieces are exact); a 2D ReLU net also
    gets its exact linear regions (:mod:`approxlab.smooth.linear_pieces`).

    >>> from approxlab.nets import mlp
    >>> A = anatomy(mlp(1, [5], activation="sigmoid", seed=0), (-1, 1))
    >>> A.width, len(A.knots)
    (5, 5)
    """
    t = two_layer(net)
    if t.activation not in SUPPORTED:
        raise ApproxlabError(
            f"anatomy reads {', '.join(SUPPORTED)} units, got {t.activation!r}: train with activation='sigmoid' or 'relu'"
        )
    if t.a.shape[0] != 1:
        raise ApproxlabError(
            f"anatomy reads one-output nets, this one has {t.a.shape[0]}: slice out one output"
        )
    box = as_domain(domain)
    if len(box) != t.dim:
        raise ApproxlabError(
            f"the net takes {t.dim} inputs but the domain has {len(box)} axes: give one (lo, hi) per input"
        )
    if not tol > 0:
        raise ApproxlabError(
            f"the zero-error tolerance must be positive, got {tol}: pass e.g. tol=1e-3"
        )
    deg = degree if degree is not None else (1 if t.activation == "relu" else 3)
    pieces = spline_pieces(t, box[0][0], box[0][1], deg) if t.dim == 1 else []
    flat = linear_pieces(net, box) if t.activation == "relu" and t.dim == 2 else []
    return Anatomy(
        activation=t.activation,
        domain=box,
        tol=tol,
        W=t.W,
        b=t.b,
        a=t.a[0],
        c=float(t.c[0]),
        knots=knot_positions(t) if t.dim == 1 else None,
        order=knot_order(t),
        widths=transition_widths(t),
        zero_error_levels=zero_error_levels(t, tol),
        local=classify(t, box, tol),
        pieces=pieces,
        linear_pieces=flat,
        net=t,
    )


def unit_grid(A: Anatomy, n: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X, contributions (N, m), output (N,)) on a grid of the anatomy's box; contributions sum to output − c."""
    X = grid(A.domain, n or {1: 401, 2: 61}.get(A.dim, 11))
    parts = A.net.contributions(X)
    return X, parts, parts.sum(axis=1) + A.c
