"""Slices of a d-dimensional input space: a plane (2D) or a line (1D), and the domains on them.

A slice is the affine embedding x = origin + B t with orthonormal columns B (d, k),
k = 1 or 2, and a domain in the slice coordinates t: an interval, or a convex polygon.
SplineCam (Humayun et al. 2023) looks at MNIST-sized models on the plane through three
data points (the triangle they span); regioncam's ``through_points`` does the same.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from approxlab.errors import ApproxlabError, require


@dataclass(frozen=True)
class Slice:
    """x = origin + basis · t (basis (d, k), orthonormal columns) and the domain in t:
    for k = 1 an interval ``(lo, hi)``, for k = 2 a convex polygon (m, 2), counter-clockwise."""

    origin: np.ndarray
    basis: np.ndarray
    domain: np.ndarray

    @property
    def dim(self) -> int:
        return self.basis.shape[1]


def _points(points, count: int) -> np.ndarray:
    p = np.asarray(points, dtype=np.float64)
    require(
        p.ndim == 2 and p.shape[0] == count,
        f"give {count} points as an array of shape ({count}, d), got shape {p.shape}",
    )
    require(bool(np.all(np.isfinite(p))), "the slice points must be finite numbers")
    return p


def convex_polygon(vertices: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """Check a convex polygon (m ≥ 3 vertices, non-zero area) and return it counter-clockwise, float64.

    >>> convex_polygon([(0, 0), (0, 1), (1, 0)]).tolist()  # clockwise in, reversed
    [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]
    """
    p = np.asarray(vertices, dtype=np.float64)
    require(
        p.ndim == 2 and p.shape[1] == 2 and len(p) >= 3,
        f"a polygon needs at least 3 vertices of shape (m, 2), got shape {p.shape}",
    )
    require(bool(np.all(np.isfinite(p))), "the polygon's vertices must be finite numbers")
    # Relative tests: the shoelace sum (about the first vertex) against the size of its terms,
    # each turn against the product of its edge lengths — so a box 1e-13 wide is as good as a wide one.
    u = p - p[0]
    v = np.concatenate([u[1:], u[:1]])
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused just below
        terms = u[:, 0] * v[:, 1] - v[:, 0] * u[:, 1]
        area = 0.5 * float(terms.sum())
    require(
        math.isfinite(area),
        "the polygon is too large: its area overflows float64; give a smaller one",
    )
    if not abs(area) > 64 * np.finfo(float).eps * float(
        np.abs(u[:, 0] * v[:, 1]).sum() + np.abs(v[:, 0] * u[:, 1]).sum()
    ):
        raise ApproxlabError(
            "the polygon (or box) has zero area: give non-collinear vertices or low < high"
        )
    if area < 0:
        p = p[::-1].copy()
    e = np.concatenate([p[1:], p[:1]]) - p
    f = np.concatenate([e[1:], e[:1]])
    turn = e[:, 0] * f[:, 1] - e[:, 1] * f[:, 0]
    require(
        bool(np.all(turn >= -1e-12 * np.linalg.norm(e, axis=1) * np.linalg.norm(f, axis=1))),
        "the polygon is not convex: give the vertices of a convex polygon in order",
    )
    return p


def _shown(x0: float, x1: float, y0: float, y1: float) -> str:
    """The box on one line, whatever container it came in (formatted only for an error message)."""
    return f"[({x0:g}, {x1:g}), ({y0:g}, {y1:g})]"


def rectangle(box: Sequence[Sequence[float]]) -> np.ndarray:
    """The rectangle [(x0, x1), (y0, y1)] as a counter-clockwise polygon (4, 2).

    >>> rectangle([(-1, 1), (0, 2)]).tolist()
    [[-1.0, 0.0], [1.0, 0.0], [1.0, 2.0], [-1.0, 2.0]]
    """
    (x0, x1), (y0, y1) = np.asarray(
        box, dtype=np.float64
    ).tolist()  # plain floats at once: 7.7 → 4.1 µs
    require(
        all(map(math.isfinite, (x0, x1, y0, y1))), "the polygon's vertices must be finite numbers"
    )
    # convex_polygon's relative area test, for a rectangle: its area (x1 − x0)(y1 − y0) is half its
    # terms' size, so the test passes exactly when that product is positive (no underflow).
    if not (x0 < x1 and y0 < y1 and (x1 - x0) * (y1 - y0) > 0):
        raise ApproxlabError(
            f"the box {_shown(x0, x1, y0, y1)} has zero area: give low < high on both axes"
        )
    if not math.isfinite((x1 - x0) * (y1 - y0)):
        raise ApproxlabError(
            f"the box {_shown(x0, x1, y0, y1)} is too large: its area overflows float64; give a smaller box"
        )
    return np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])


def plane(origin, directions, box=((-1.0, 1.0), (-1.0, 1.0))) -> Slice:
    """The plane origin + span(directions) with the rectangle ``box`` in orthonormal coordinates.

    The two directions (2, d) are orthonormalised (Gram–Schmidt), so lengths and areas in
    the slice are those of input space.

    >>> plane(np.zeros(5), np.eye(5)[:2]).basis.shape
    (5, 2)
    """
    o = np.asarray(origin, dtype=np.float64).ravel()
    d = _points(directions, 2)
    require(
        d.shape[1] == len(o), f"directions have dimension {d.shape[1]} but the origin has {len(o)}"
    )
    q, r = np.linalg.qr(d.T)
    scale = max(float(np.linalg.norm(d, axis=1).max()), 1e-300)
    if abs(r[1, 1]) <= 1e-12 * scale or abs(r[0, 0]) <= 1e-12 * scale:
        raise ApproxlabError(
            "the two plane directions are parallel (or zero): give independent directions"
        )
    q = q * np.sign(np.diag(r))
    return Slice(o, q, rectangle(box))


def through_points(anchors) -> Slice:
    """The plane through three anchor points (3, d) and the triangle they span (SplineCam's view).

    Coordinates: origin at the first anchor, orthonormal basis from Gram–Schmidt of
    (p1 − p0, p2 − p0).

    >>> through_points(np.eye(3)).domain.shape  # the triangle, in plane coordinates
    (3, 2)
    """
    p = _points(anchors, 3)
    d = p[1:] - p[0]
    q, r = np.linalg.qr(d.T)
    scale = max(float(np.linalg.norm(d, axis=1).max()), 1e-300)
    if scale <= 1e-300 or abs(r[1, 1]) <= 1e-9 * scale:
        raise ApproxlabError(
            "the three anchor points are collinear: give three points that span a plane"
        )
    t = (p - p[0]) @ q
    return Slice(p[0], q, convex_polygon(t))


def segment(a, b) -> Slice:
    """The segment from a to b (points in R^d), with coordinate t ∈ [0, |b − a|] (arc length).

    >>> segment([0, 0], [3, 4]).domain.tolist()
    [0.0, 5.0]
    """
    p = _points([np.ravel(a), np.ravel(b)], 2)
    length = float(np.linalg.norm(p[1] - p[0]))
    require(length > 0, "the two points of the segment coincide: give two distinct points")
    return Slice(p[0], ((p[1] - p[0]) / length)[:, None], np.array([0.0, length]))
