"""Exact linear regions of a net on a segment: its breakpoints, layer by layer.

On an interval where the layers before l are affine, each pre-activation z_j^(l) is
affine too, so it crosses a kink k of σ_l at most once, at t = (z_j(a) − k)/(z_j(a) − z_j(b))
along [a, b] (seed 002 answer 2: one breakpoint per neuron for a one-hidden-layer net).
All crossings of all neurons of a layer in all intervals are found at once with NumPy;
the new points are merged in order and their values interpolated exactly. float64.
"""

from __future__ import annotations

import numpy as np

from approxlab.regions.layers import Stage, forward
from approxlab.regions.partition2d import stop_if_over


def breakpoints(layers: list[Stage], lo: float, hi: float, max_regions: int, bound: float | None = None):
    """Points lo = p_0 < … < p_N = hi where some neuron crosses a kink, the outputs there, and the
    layer and neuron of each point (−1 for the ends). float64."""
    x = np.array([lo, hi], dtype=np.float64)
    h = x[:, None]
    layer_of = np.array([-1, -1], np.int64)
    neuron_of = np.array([-1, -1], np.int64)
    for li, stage in enumerate(layers):
        z = h @ stage.weight.T + stage.bias
        if stage.activation is None:
            h = z
            continue
        new_i, new_t, new_col, new_kink = [], [], [], []
        for k in stage.activation.kinks:
            d = z - k
            # A strict sign change between consecutive points: the interval holds one crossing.
            i, j = np.nonzero(d[:-1] * d[1:] < 0)
            new_i.append(i)
            new_t.append(d[i, j] / (d[i, j] - d[i + 1, j]))
            new_col.append(j)
            new_kink.append(np.full(len(i), k))
        i, t, col, kink = (np.concatenate(a) for a in (new_i, new_t, new_col, new_kink))
        if len(i):
            order = np.lexsort((t, i))
            i, t, col, kink = i[order], t[order], col[order], kink[order]
            xn = x[i] + t * (x[i + 1] - x[i])
            zn = z[i] + t[:, None] * (z[i + 1] - z[i])
            zn[np.arange(len(i)), col] = kink
            # Crossings that fall on the same point (coincident kinks) become one breakpoint.
            distinct = np.ones(len(i), bool)
            distinct[1:] = (i[1:] != i[:-1]) | (xn[1:] != xn[:-1])
            i, xn, zn, col = i[distinct], xn[distinct], zn[distinct], col[distinct]
            merged = np.argsort(np.concatenate([np.arange(len(x)) * 2, i * 2 + 1]), kind="stable")
            x = np.concatenate([x, xn])[merged]
            z = np.concatenate([z, zn])[merged]
            layer_of = np.concatenate([layer_of, np.full(len(xn), li)])[merged]
            neuron_of = np.concatenate([neuron_of, col])[merged]
        stop_if_over(len(x) - 1, max_regions, li, bound, smaller="segment")
        h = stage.activation(z)
    return x, h, layer_of, neuron_of


class Partition1D:
    """The exact linear regions of a net on a segment (an interval or a 1D slice), float64.

    ``points`` (N+1,) are the breakpoints in slice coordinates (the ends included);
    region i is [points[i], points[i+1]]; ``values`` (N+1, out) the outputs there;
    ``point_layer``, ``point_neuron``: the layer and neuron that bend at each breakpoint (−1 at the ends).
    ``origin`` and ``basis`` (d, 1) embed the line in input space: x = origin + basis · t.
    """

    def __init__(self, layers, points, values, point_layer, point_neuron, origin, basis, seconds):
        self.layers = layers
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
        """Per layer with an activation, (N, width) int8 piece indices at each region's midpoint."""
        zs = forward(self.layers, self.centroids())
        return [s.activation.piece(z) for s, z in zip(self.layers, zs) if s.activation is not None]

    def affine_maps(self) -> tuple[np.ndarray, np.ndarray]:
        """(A (N, out, 1), c (N, out)): on region i the net is A[i] t + c[i]."""
        slope = np.diff(self.values, axis=0) / np.diff(self.points)[:, None]
        return slope[:, :, None], self.values[:-1] - slope * self.points[:-1, None]

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
