"""The linear pieces of a two-layer ReLU net in 2D: its exact linear regions (seed 000).

The ReLU counterpart of the 1D spline reading: the knot lines w_j·x + b_j = 0 cut the
box into convex polygons R, and on each N(x) = g_R·x + c_R exactly. The partition is
:func:`approxlab.regions.partition` (exact, float64); this module only reads it out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from torch import nn

from approxlab.regions import partition


@dataclass(frozen=True)
class LinearPiece:
    """One linear region: its centroid and area, and N(x) = gradient·x + intercept on it (float64)."""

    centroid: np.ndarray
    area: float
    gradient: np.ndarray
    intercept: float


def linear_pieces(net: nn.Module, box) -> list[LinearPiece]:
    """The exact linear regions of a 2-input ReLU net on the rectangle ``box``, one piece each.

    Areas sum to the box's area; at each centroid the piece equals the net.

    >>> from approxlab.nets import mlp
    >>> pieces = linear_pieces(mlp(2, [3], activation="relu", seed=0), [(-1, 1), (-1, 1)])
    >>> round(sum(p.area for p in pieces), 12)
    4.0
    """
    p = partition(net, [tuple(d) for d in box])
    A, c = p.affine_maps()
    # the partition works in plane coordinates t with x = origin + basis·t; back to x: g = A·basis⁺
    basis_inv = np.linalg.pinv(p.basis)
    gradients = A[:, 0, :] @ basis_inv
    intercepts = c[:, 0] - gradients @ p.origin
    return [
        LinearPiece(x, float(s), g, float(b))
        for x, s, g, b in zip(p.inputs(p.centroids()), p.areas(), gradients, intercepts)
    ]
