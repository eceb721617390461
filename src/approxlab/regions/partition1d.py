"""Exact linear regions of a net on a segment: its breakpoints, layer by layer.

On an interval where the layers before l are affine, each pre-activation z_j^(l) is
affine too, so it crosses a kink k of σ_l at most once, at t = (z_j(a) − k)/(z_j(a) − z_j(b))
along [a, b] (seed 002 answer 2: one breakpoint per neuron for a one-hidden-layer net).
All crossings of all neurons of a layer in all intervals are found at once with NumPy;
the new points are merged in order and their values interpolated exactly. float64.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from approxlab.regions.certified import exact_dot, two_prod, two_sum
from approxlab.regions.layers import Stage
from approxlab.regions.lineage import Lineage, side_bits
from approxlab.regions.partition2d import (
    EPS,
    TINY,
    TOL,
    activated_error,
    carried_error,
    crossing_shift,
    interpolation_error,
    outputs_at,
    representable,
    stop_if_over,
)

CERTIFY_WEIGHTS = 4096  # certify float64 exactness (error-free transformations) for layers up to this many weights


def _crossing(lineage: Lineage, stage: int, interval: int, neuron: int, kink: int) -> Fraction:
    """Exact position where z_neuron^(stage) = k_kink on the interval (affine there: p t + r, root −r/p)."""
    p, r = lineage.line(stage, interval, stage, neuron, kink)
    return Fraction(-r, p)


def _root(lineage: Lineage, roots: dict, made: np.ndarray, v: int) -> Fraction:
    """Exact position of point v: the root of the line (stage, neuron, kink) that made it, on its interval."""
    if v not in roots:
        roots[v] = _crossing(lineage, *(int(u) for u in made[v]))
    return roots[v]


def _exact_sides(
    lineage: Lineage,
    roots: dict,
    made: np.ndarray,
    stage: int,
    column: int,
    kink: int,
    points: np.ndarray,
    intervals: np.ndarray,
) -> np.ndarray:
    """Exact sign of z_column^(stage) − k_kink at each point, read on an interval that holds it."""
    out = np.empty(len(points), np.int8)
    for n, (v, a) in enumerate(zip(points.tolist(), intervals.tolist())):
        p, r = lineage.line(stage, a, stage, column, kink)
        value = p * _root(lineage, roots, made, v) + r
        out[n] = (value > 0) - (value < 0)
    return out


def point_error_bound(stage: Stage, h: np.ndarray) -> np.ndarray:
    """Per point v and neuron j: TOL · max(Σ_i |W_ji| |h_vi| + |b_j|, TINY), the bound of
    :func:`~approxlab.regions.partition2d.float_error_bound` at each point rather than at the largest
    one. On a segment through the kinks of a first layer ~1e12 × its biases the largest |h| (the
    ends, ~1) makes that bound ~1e3 for every point, the points near the kinks (|h| ~ 1e-12) included;
    their own bound is ~1e-9. float64.

    >>> from approxlab.regions.layers import stages
    >>> from approxlab import mlp
    >>> point_error_bound(stages(mlp(1, [3]))[0], np.zeros((2, 1))).shape
    (2, 3)
    """
    size = np.abs(h) @ np.abs(stage.weight).T + np.abs(stage.bias)
    return representable(TOL * np.maximum(size, TINY))


def _evaluated(
    stage: Stage, xn: np.ndarray, pos: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The first stage's pre-activations z = W t + b at the new points ``xn`` evaluated there, with
    a bound on |z − z(t*)| for the exact points t* (|xn − t*| ≤ ``pos``): the product's round-off
    (two roundings, γ_3 · (|W| |t| + |b|), Higham §3.1) plus |W| · pos; and the margin
    :func:`point_error_bound` there. Interpolating from the segment's ends instead inherits their
    round-off, ~ε · |W|: far more than the values near the kinks of a first layer ~1e12 × its biases."""
    w = stage.weight[:, 0]
    size = np.abs(xn)[:, None] * np.abs(w) + np.abs(stage.bias)
    z = xn[:, None] * w + stage.bias
    ez = 3 * EPS * size * (1.0 + 1e-6) + pos[:, None] * np.abs(w)
    return z, ez, TOL * np.maximum(size, TINY)


def _settle(
    z: np.ndarray, k: float, pts: np.ndarray, j: int, exact: np.ndarray, ez: np.ndarray
) -> None:
    """Give z[pts, j] its exact side ``exact`` of the kink k (in place): a value exactly on it
    becomes k (and exact, ez 0), a float on the wrong side the nearest float on the right one."""
    d = z[pts, j] - k
    z[pts, j] = np.where(
        exact == 0, k, np.where(np.sign(d) == exact, z[pts, j], np.nextafter(k, k + exact))
    )
    ez[pts[exact == 0], j] = 0.0


def breakpoints(layers: list[Stage], lo: float, hi: float, max_regions: int):
    """Points lo = p_0 < … < p_N = hi where some neuron crosses a kink, the outputs there, the
    layer and neuron of each point (−1 for the ends), and the intervals' :class:`Lineage`. float64
    positions; a side within the float64 error bound of a kink, and the order of crossings closer
    than their error bounds, are decided exactly (:mod:`approxlab.regions.exact`).

    The error bound of each value is carried from layer to layer (a running forward bound, as in
    interval arithmetic): a new point's values are interpolated, t = d_i / (d_i − d_{i+1}) along
    [x_i, x_{i+1}], and an error δ in the d's moves t by up to 2(δ_i + δ_{i+1}) / |d_i − d_{i+1}|,
    which the other neurons' values inherit times their own change along the interval. When the
    first layer's weights are ~1e15 × its biases those inherited errors exceed the values (every
    kink within 1e-15 of 0, values interpolated from ±1e15 at the ends): the bound then sends
    them to the exact predicates instead of reading a wrong side.
    """
    x = np.array([lo, hi], dtype=np.float64)
    h = x[:, None]
    eh = np.zeros_like(h)  # bound on |h − exact h| per point and input (0: exact)
    layer_of = np.array([-1, -1], np.int64)
    neuron_of = np.array([-1, -1], np.int64)
    lineage = Lineage(layers)
    roots: dict[int, Fraction] = {
        0: Fraction(lo),
        1: Fraction(hi),
    }  # exact positions, filled on demand
    made = np.full(
        (2, 4), -1, np.int64
    )  # point id → (stage, interval at that stage's start, neuron, kink)
    ids = np.array([0, 1], np.int64)
    certain = np.ones(2, bool)  # x and h at the point are exact (certified, no rounding so far)
    pe = np.zeros(2)  # bound on |x − exact position| per point
    interpolated = np.zeros(2, bool)  # x from interpolation (not exact, not rounded from a root)
    for li, stage in enumerate(layers):
        tol = point_error_bound(stage, h)  # first: it refuses pre-activations that overflow
        z = h @ stage.weight.T + stage.bias
        ez = carried_error(stage, eh, tol)
        if stage.activation is None:
            h, eh = z, ez
            continue
        if certain.any() and stage.weight.size <= CERTIFY_WEIGHTS:
            rows = np.flatnonzero(certain)
            zc, ok = exact_dot(h[rows], stage.weight, stage.bias)
            z[rows[ok]] = zc[ok]
            ez[rows[ok]] = 0.0
            certain[rows[~ok]] = False
        else:
            certain[:] = False
        kinks = stage.activation.kinks
        bend = stage.activation.bending(stage.width)
        new_i, new_t, new_col, new_kink, new_err, new_dt = [], [], [], [], [], []
        for ki, k in enumerate(kinks):
            d = z - k
            # Values within their bound of the kink (exact ones, ez 0, need no check).
            unsure_p, unsure_j = np.nonzero((np.abs(d) <= tol + ez) & (ez > 0) & bend)
            for j in np.unique(unsure_j).tolist():
                pts = unsure_p[unsure_j == j]
                exact = _exact_sides(
                    lineage, roots, made, li, j, ki, ids[pts], np.minimum(pts, len(x) - 2)
                )
                _settle(z, k, pts, j, exact, ez)
            d = z - k
            # A strict sign change between consecutive points: the interval holds one crossing.
            # (Compared as signs: a product of a settled ±5e-324 with a value below 1 underflows
            # to zero and would hide the crossing.)
            s = np.sign(d)
            i, j = np.nonzero((s[:-1] == -s[1:]) & (s[1:] != 0) & bend)
            gap = d[i, j] - d[i + 1, j]
            # How far t = d_i / gap may be from the exact crossing, given the d's error bounds.
            dt = crossing_shift(ez[i, j] + ez[i + 1, j], gap)
            new_i.append(i)
            new_t.append(d[i, j] / gap)
            new_col.append(j)
            new_kink.append(np.full(len(i), ki))
            new_dt.append(dt)
            # Position error: tol_j (or the carried bound) over the slope of z along the interval,
            # and round-off of x. A slope of a few subnormals (values settled to ±5e-324) makes it
            # overflow to inf: the position is then unknown, and the crossing is placed exactly.
            with np.errstate(over="ignore"):
                new_err.append(
                    (np.maximum(np.maximum(tol[i, j], tol[i + 1, j]) / np.abs(gap), dt) + 4e-16)
                    * (x[i + 1] - x[i])
                    + 4e-16 * np.abs(x[i])
                )
        i, t, col, kink, err, dt = (
            np.concatenate(a) for a in (new_i, new_t, new_col, new_kink, new_err, new_dt)
        )
        if len(i):
            xn = x[i] + t * (x[i + 1] - x[i])
            order = np.lexsort((xn, i))
            i, t, col, kink, err, dt, xn = (a[order] for a in (i, t, col, kink, err, dt, xn))
            exact_x: dict[int, Fraction] = {}
            same = np.zeros(len(i) - 1, bool)  # crossing n+1 is the same point as crossing n
            close = np.flatnonzero((i[1:] == i[:-1]) & (xn[1:] - xn[:-1] <= err[1:] + err[:-1]))
            if len(close):
                # Crossings closer than their error bounds: place them exactly; equal ones are one point.
                involved = np.unique(np.concatenate([close, close + 1]))
                for n in involved.tolist():
                    exact_x[n] = _crossing(lineage, li, int(i[n]), int(col[n]), int(kink[n]))
                runs = np.split(involved, np.flatnonzero(np.diff(involved) > 1) + 1)
                for run in runs:
                    run_sorted = sorted(run.tolist(), key=lambda n: exact_x[n])
                    perm = np.array(run_sorted)
                    i[run], t[run], col[run], kink[run], err[run], dt[run], xn[run] = (
                        a[perm] for a in (i, t, col, kink, err, dt, xn)
                    )
                    exact_run = [exact_x[n] for n in run_sorted]
                    exact_x.update(zip(run.tolist(), exact_run))
                    same[run[:-1]] = (i[run[1:]] == i[run[:-1]]) & np.array(
                        [a == b for a, b in zip(exact_run[1:], exact_run[:-1])], bool
                    )
                    # Their float positions: the exact ones rounded (xn's error, ~ε · |x_i|, can
                    # exceed the gaps), kept in their interval and in order.
                    rounded = np.clip([float(q) for q in exact_run], x[i[run]], x[i[run] + 1])
                    xn[run] = np.maximum.accumulate(rounded)
            distinct = np.ones(len(i), bool)
            distinct[1:] = ~same
            point_of = np.cumsum(distinct) - 1
            zn = z[i] + t[:, None] * (z[i + 1] - z[i])
            ezn = interpolation_error(z[i], z[i + 1], ez[i], ez[i + 1], dt)
            new_certain = (
                certain[i] & certain[i + 1] & _exact_interpolation(x, z, i, t, col, kinks[kink])
            )
            # Position error: t's (dt) along the interval, the rounding of x_i + t (x_(i+1) − x_i),
            # and the ends' own errors. A position not accurate to 1/1000 of the distance to its
            # neighbours (kinks 1e-15 apart near 0 on [−1, 1]) is rounded from its exact root
            # instead, as a 2D vertex not accurate to 1/1000 of its shortest edge.
            # (Only where the interpolation was not exact: the sawtooth's million are.)
            pn = np.zeros(len(i))
            m = np.flatnonzero(~new_certain)
            im, last = i[m], len(i) - 1
            pn[m] = (
                (dt[m] + 4e-16) * (x[im + 1] - x[im])
                + 4e-16 * np.abs(x[im])
                + np.maximum(pe[im], pe[im + 1])
            )
            before, after = np.maximum(m - 1, 0), np.minimum(m + 1, last)
            before = np.where((m > 0) & (i[before] == im), xn[before], x[im])
            after = np.where((m < last) & (i[after] == im), xn[after], x[im + 1])
            loose = pn[m] > 1e-3 * np.minimum(xn[m] - before, after - xn[m])
            for n in m[loose].tolist():
                if n not in exact_x:
                    exact_x[n] = _crossing(lineage, li, int(i[n]), int(col[n]), int(kink[n]))
                    xn[n] = min(max(float(exact_x[n]), x[i[n]]), x[i[n] + 1])
            margin = np.maximum(tol[i], tol[i + 1])  # the ends' round-off margin, as for old points
            placed = np.zeros(len(i), bool)
            placed[list(exact_x)] = True
            # A position rounded from its exact root is off by at most half an ulp.
            half_ulp = 1.2e-16 * np.abs(xn) + TINY
            pn = np.where(placed, half_ulp, pn)
            new_interpolated = ~placed & ~new_certain
            if li == 0 and stage.weight.shape[1] == 1:
                # On the first layer the values at a new point are evaluated there where that is
                # the tighter bound; an exact interpolation (new_certain) is kept.
                pos = np.where(placed, half_ulp, err)
                zd, ezd, md = _evaluated(stage, xn, pos)
                better = (ezd + md < ezn + margin) & ~new_certain[:, None]
                zn, ezn, margin = (
                    np.where(better, a, b) for a, b in ((zd, zn), (ezd, ezn), (md, margin))
                )
            zn, ezn, margin = zn[distinct], ezn[distinct], margin[distinct]
            new_certain = new_certain[distinct]
            ezn[new_certain] = 0.0
            # Every neuron whose crossing is this point sits exactly on its kink there.
            zn[point_of, col] = kinks[kink]
            ezn[point_of, col] = 0.0
            rep = np.flatnonzero(distinct)
            xi = i[rep]
            new_ids = np.arange(len(made), len(made) + len(rep))
            made = np.concatenate(
                [made, np.stack([np.full(len(rep), li), i[rep], col[rep], kink[rep]], axis=1)]
            )
            position = np.searchsorted(rep, list(exact_x))
            for n, q in zip(exact_x, position.tolist()):
                if q < len(rep) and rep[q] == n:
                    roots[int(new_ids[q])] = exact_x[n]
            # The new points' other values were interpolated: those within their bound of a kink
            # get their exact side, as the old points' did (their patterns are recorded below).
            for ki, k in enumerate(kinks):
                unsure_p, unsure_j = np.nonzero((np.abs(zn - k) <= margin + ezn) & (ezn > 0) & bend)
                for j in np.unique(unsure_j).tolist():
                    pts = unsure_p[unsure_j == j]
                    exact = _exact_sides(lineage, roots, made, li, j, ki, new_ids[pts], xi[pts])
                    _settle(zn, k, pts, j, exact, ezn)
            merged = np.argsort(np.concatenate([np.arange(len(x)) * 2, xi * 2 + 1]), kind="stable")
            # Each new interval starts at a point: an old point p (old interval p) or a new point in
            # old interval i; that old interval is its ancestor.
            ancestor = np.concatenate([np.arange(len(x)), xi])[merged][:-1]
            x = np.concatenate([x, xn[rep]])[merged]
            pe = np.concatenate([pe, pn[rep]])[merged]
            interpolated = np.concatenate([interpolated, new_interpolated[rep]])[merged]
            certain = np.concatenate([certain, new_certain])[merged]
            z = np.concatenate([z, zn])[merged]
            ez = np.concatenate([ez, ezn])[merged]
            ids = np.concatenate([ids, new_ids])[merged]
            layer_of = np.concatenate([layer_of, np.full(len(rep), li)])[merged]
            neuron_of = np.concatenate([neuron_of, col[rep]])[merged]
        else:
            ancestor = np.arange(len(x) - 1)
        stop_if_over(len(x) - 1, max_regions, li, smaller="segment")
        sides = side_bits(z, kinks, stage.activation.passes)
        lineage.record(li, ancestor.astype(np.int64), sides[:-1] | sides[1:])
        eh = activated_error(stage.activation, z, ez)
        h = stage.activation(z)
        if certain.any() and stage.activation.name != "relu":
            piece = stage.activation.piece(z)
            p, e = two_prod(stage.activation.slope[piece], z)
            _, f = two_sum(p, stage.activation.intercept[piece])
            certain &= np.all((e == 0) & (f == 0), axis=1)
        eh[certain] = 0.0
    x = _placed(lineage, roots, made, ids, x, h, eh, pe, interpolated)
    h = outputs_at(layers, x[:, None], h, eh)
    if lineage.has_games:
        # Neighbouring intervals with equal patterns (games off the winner's path ignored) are one
        # region: drop the point between them, keep the first interval's lineage.
        packed = lineage.packed()
        change = np.any(packed[1:] != packed[:-1], axis=1)
        points = np.concatenate([[True], change, [True]])
        lineage.keep(np.flatnonzero(np.concatenate([[True], change])))
        x, h, layer_of, neuron_of = x[points], h[points], layer_of[points], neuron_of[points]
    return x, h, layer_of, neuron_of, lineage


def _placed(
    lineage: Lineage,
    roots: dict,
    made: np.ndarray,
    ids: np.ndarray,
    x: np.ndarray,
    h: np.ndarray,
    eh: np.ndarray,
    pe: np.ndarray,
    interpolated: np.ndarray,
) -> np.ndarray:
    """The points, each interpolated one (accurate to 1/1000 of the distance to its neighbours, not
    to its own size) rounded from its exact root where its position error ``pe`` could set the
    affine maps of its two intervals apart at it by more than TOL/10 of the outputs, (|A_left| +
    |A_right|) pe, with |A| bounded by (|Δh| + the values' bounds) / (Δx − the positions' bounds).
    Elsewhere each map, evaluated at the point, is the point's value to that accuracy."""
    pts = np.flatnonzero(interpolated)
    if not len(pts):
        return x
    rise = np.abs(np.diff(h, axis=0)).max(axis=1) + eh[:-1].max(axis=1) + eh[1:].max(axis=1)
    run = np.diff(x) - pe[:-1] - pe[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(run > 0, rise / run, np.inf)
    steep = (slope[pts - 1] + slope[pts]) * pe[pts] > 0.1 * TOL * max(float(np.abs(h).max()), 1.0)
    for v in pts[steep].tolist():
        x[v] = min(max(float(_root(lineage, roots, made, int(ids[v]))), x[v - 1]), x[v + 1])
    return x


def _exact_interpolation(
    x: np.ndarray, z: np.ndarray, i: np.ndarray, t: np.ndarray, col: np.ndarray, kink: np.ndarray
) -> np.ndarray:
    """Per crossing: did t = d_i / (d_i − d_{i+1}), x_i + t (x_{i+1} − x_i) and z_i + t (z_{i+1} − z_i)
    come out exact (no step rounded)? Then the new point and its values are exact."""
    dx, e1 = two_sum(x[i + 1], -x[i])
    step, e2 = two_prod(t, dx)
    _, e3 = two_sum(x[i], step)
    dz, f1 = two_sum(z[i + 1], -z[i])
    zs, f2 = two_prod(t[:, None], dz)
    _, f3 = two_sum(z[i], zs)
    # t itself: with exact d_i, d_{i+1} of the crossing column, t · (d_i − d_{i+1}) must give d_i exactly.
    da, g1 = two_sum(z[i, col], -kink)
    db, g2 = two_sum(z[i + 1, col], -kink)
    gap, g3 = two_sum(da, -db)
    back, g4 = two_prod(t, gap)
    return (
        (e1 == 0)
        & (e2 == 0)
        & (e3 == 0)
        & np.all((f1 == 0) & (f2 == 0) & (f3 == 0), axis=1)
        & (g1 == 0)
        & (g2 == 0)
        & (g3 == 0)
        & (g4 == 0)
        & (back == da)
    )


class Partition1D:
    """The exact linear regions of a net on a segment (an interval or a 1D slice), float64.

    ``points`` (N+1,) are the breakpoints in slice coordinates (the ends included);
    region i is [points[i], points[i+1]]; ``values`` (N+1, out) the outputs there;
    ``point_layer``, ``point_neuron``: the layer and neuron that bend at each breakpoint (−1 at the ends).
    ``origin`` and ``basis`` (d, 1) embed the line in input space: x = origin + basis · t.
    """

    def __init__(
        self, layers, points, values, point_layer, point_neuron, lineage, origin, basis, seconds
    ):
        self.layers = layers
        self.lineage = lineage
        self.points = points
        self.values = values
        self.point_layer = point_layer
        self.point_neuron = point_neuron
        self.origin = origin
        self.basis = basis
        self.seconds = seconds

    @property
    def count(self) -> int:
        """Number of linear (activation) regions: the intervals between breakpoints."""
        return len(self.points) - 1

    def intervals(self) -> np.ndarray:
        """Region intervals (N, 2)."""
        return np.stack([self.points[:-1], self.points[1:]], axis=1)

    def areas(self) -> np.ndarray:
        """Length of each region."""
        return np.diff(self.points)

    def centroids(self) -> np.ndarray:
        """Midpoint of each region, (N, 1)."""
        return (0.5 * (self.points[:-1] + self.points[1:]))[:, None]

    def inputs(self, t: np.ndarray) -> np.ndarray:
        """Line coordinates t (n, 1) → input points origin + basis · t (n, d)."""
        return self.origin + np.asarray(t).reshape(-1, 1) @ self.basis.T

    def patterns(self) -> list[np.ndarray]:
        """Per layer with an activation, (N, width) int8 piece indices of each region, recorded while cutting."""
        return self.lineage.pieces_all()

    def affine_maps(self) -> tuple[np.ndarray, np.ndarray]:
        """(A (N, out, 1), c (N, out)): on region i the net is A[i] t + c[i], from its activation
        pattern (products of masked weight matrices; exact for any length), float64."""
        return self.lineage.affine_maps()

    def adjacency(self) -> np.ndarray:
        """Pairs (i, i+1) of neighbouring regions."""
        i = np.arange(self.count - 1)
        return np.stack([i, i + 1], axis=1)

    def level_set(self, level: float = 0.0, output: int = 0) -> np.ndarray:
        """Points t where output ``output`` crosses ``level`` (exact: the output is affine on each region)."""
        y = self.values[:, output] - level
        i = np.flatnonzero((y[:-1] > 0) != (y[1:] > 0))
        return self.points[i] + y[i] / (y[i] - y[i + 1]) * (self.points[i + 1] - self.points[i])

    def linear_pieces(self, rtol: float = 1e-9) -> int:
        """Number of maximal intervals on which the output is affine: neighbouring regions with the
        same slope (to ``rtol`` of the largest slope) are merged."""
        slope, _ = self.affine_maps()
        s = slope[:, :, 0]
        scale = max(float(np.abs(s).max()), 1e-300)
        change = np.any(np.abs(np.diff(s, axis=0)) > rtol * scale, axis=1)
        return int(change.sum()) + 1
