"""Self-checks of a computed partition, for users and tests.

- areas (lengths in 1D) are positive and sum to the domain's area, relative error ≤ 1e-9;
- Euler's formula V − E + F = 1 for the subdivided polygon (a consistent planar subdivision);
- the activation pattern is constant on each region: random interior points (convex
  combinations of the region's vertices) have the pattern read at its centroid;
- on each region the net equals its affine map A t + c at those points (relative 1e-9),
  evaluated by the torch net itself when it is given.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from approxlab.nets import net_dtype
from approxlab.regions.layers import forward, output
from approxlab.regions.partition1d import Partition1D
from approxlab.regions.partition2d import Partition2D

RTOL = 1e-9


def interior_points(p: Partition1D | Partition2D, per_region: int = 2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``per_region`` random points strictly inside each region (Dirichlet-weighted convex
    combinations of its vertices), and the region of each point."""
    rng = np.random.default_rng(seed)
    region = np.repeat(np.arange(p.count), per_region)
    if isinstance(p, Partition1D):
        a, b = p.points[:-1][region], p.points[1:][region]
        u = rng.uniform(0.05, 0.95, len(region))
        return (a + u * (b - a))[:, None], region
    lengths = p.lengths[region]
    slots = np.repeat(p.offsets[:-1][region], lengths) + (
        np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    )
    w = rng.gamma(1.0, size=len(slots)) + 0.05
    owner = np.repeat(np.arange(len(region)), lengths)
    total = np.bincount(owner, weights=w)
    v = p.vertices[p.face_vertices[slots]] * (w / total[owner])[:, None]
    return np.stack([np.bincount(owner, weights=v[:, k]) for k in range(2)], axis=1), region


def check(p: Partition1D | Partition2D, net: nn.Module | None = None, per_region: int = 2, seed: int = 0) -> dict[str, Any]:
    """Run the self-checks; returns the measured numbers and ``ok`` (all passed).

    >>> import approxlab
    >>> from approxlab.regions import partition
    >>> check(partition(approxlab.mlp(2, [6], seed=0), [(-1, 1), (-1, 1)]))["ok"]
    True
    """
    areas = p.areas()
    if isinstance(p, Partition1D):
        domain_area = float(p.points[-1] - p.points[0])
        euler = 1
    else:
        q = p.polygon
        r = np.roll(q, -1, axis=0)
        domain_area = 0.5 * float(np.sum(q[:, 0] * r[:, 1] - r[:, 0] * q[:, 1]))
        euler = p.euler()
    area_error = abs(float(areas.sum()) - domain_area) / domain_area
    t, region = interior_points(p, per_region, seed)
    centre = [pc[region] for pc in p.patterns()]
    inside = [s.activation.piece(z) for s, z in zip(p.layers, forward(p.layers, t)) if s.activation is not None]
    pattern_mismatch = int(sum(np.any(a != b, axis=1).sum() for a, b in zip(centre, inside)))
    a, c = p.affine_maps()
    predicted = np.einsum("nok,nk->no", a[region], t) + c[region]
    tolerance = RTOL
    if net is not None:
        dtype = net_dtype(net)
        # A float32 net is exact only to float32 round-off, measured ~1e-7 relative.
        tolerance = RTOL if dtype == torch.float64 else 1e-5
        with torch.no_grad():
            actual = net(torch.as_tensor(p.inputs(t), dtype=dtype)).double().numpy()
    else:
        actual = output(p.layers, t)
    scale = max(float(np.abs(actual).max()), 1.0) if len(t) else 1.0
    affine_error = float(np.abs(predicted - actual).max()) / scale if len(t) else 0.0
    result = {
        "regions": p.count,
        "area_relative_error": area_error,
        "min_area": float(areas.min()),
        "euler": euler,
        "pattern_mismatches": pattern_mismatch,
        "affine_relative_error": affine_error,
    }
    result["ok"] = bool(
        area_error <= RTOL and result["min_area"] > 0 and euler == 1 and pattern_mismatch == 0
        and affine_error <= tolerance
    )
    return result
