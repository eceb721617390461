"""Self-checks of a computed partition, for users and tests.

- every region has its own activation pattern (recorded while cutting), all distinct;
- areas (lengths in 1D) sum to the domain's area, relative error ≤ 1e-9, none negative
  beyond round-off;
- Euler's formula V − E + F = 1 for the subdivided polygon (a consistent planar subdivision);
- the activation pattern is constant on each region: random interior points (convex
  combinations of the region's vertices) have the recorded pattern;
- on each region the net equals its affine map A t + c (from the pattern) at those points
  and at the region's vertices (relative 1e-9), evaluated by the torch net itself when given.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from approxlab.nets import net_dtype
from approxlab.regions.layers import canonical, forward, output, roundoff
from approxlab.regions.partition1d import Partition1D
from approxlab.regions.partition2d import Partition2D

RTOL = 1e-9


def interior_points(
    p: Partition1D | Partition2D, per_region: int = 2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
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


def _vertex_error(p: Partition1D | Partition2D, a: np.ndarray, c: np.ndarray) -> float:
    """max (|A_f t_v + c_f − y_v| − 3 ρ_v)⁺ / max(|y|, 1) over every region f and each of its
    vertices v, ρ_v the round-off bound of the output at v (:func:`roundoff`): the part of the
    error that float64 evaluation does not explain."""
    if isinstance(p, Partition1D):
        points = p.points[:, None]
        at = np.stack([np.arange(p.count), np.arange(1, p.count + 1)], axis=1)
        pred = np.einsum("nok,nek->neo", a, points[at]) + c[:, None, :]
    else:
        points = p.vertices
        at = p.face_vertices
        face = np.repeat(np.arange(p.count), p.lengths)
        pred = np.einsum("sok,sk->so", a[face], points[at]) + c[face]
    actual = p.values[at]
    excess = np.abs(pred - actual) - 3 * roundoff(p.layers, points)[at]
    return max(float(excess.max()), 0.0) / max(float(np.abs(actual).max()), 1.0)


def _distinct_rows(rows: np.ndarray, hashed: bool | None = None) -> int:
    """Number of distinct rows of a uint8 matrix: 64-bit hashes first (distinct hashes ⇒ distinct
    rows; ``hashed``: that verdict when already read), the exact row sort only when two collide."""
    if hashed is None:
        from approxlab.regions.planar import rows_distinct  # numba: imported on first use

        hashed = rows_distinct(np.ascontiguousarray(rows))
    return len(rows) if hashed else len(np.unique(rows, axis=0))


def structure(p: Partition1D | Partition2D) -> dict[str, Any]:
    """The exact, combinatorial checks (cheap; :func:`approxlab.regions.partition` runs them on
    every partition): one recorded pattern per region and all of them distinct (the region of a
    pattern is convex, so it appears once), V − E + F = 1, areas summing to the domain's."""
    packed = p.lineage.packed()
    if isinstance(p, Partition1D):
        areas = p.areas()
        total, least = float(areas.sum()), float(areas.min())
        domain_area = float(p.points[-1] - p.points[0])
        euler, unique = 1, None
    else:
        from approxlab.regions.planar import invariants  # numba: imported on first use

        total, least, domain_area, euler, unique = invariants(
            p.vertices, p.face_vertices, p.offsets, p.polygon, np.ascontiguousarray(packed)
        )
    distinct = _distinct_rows(packed, unique) if len(packed) == p.count else -1
    result = {
        "regions": p.count,
        "distinct_patterns": distinct,
        "area_relative_error": abs(total - domain_area) / domain_area,
        "min_area": least,
        "euler": euler,
    }
    # A region thinner than float64 can resolve may get a shoelace area of −(round-off): allowed
    # down to −RTOL of the domain, far below any inverted (wrongly oriented) region.
    result["ok"] = bool(
        distinct == p.count
        and euler == 1
        and result["area_relative_error"] <= RTOL
        and result["min_area"] >= -RTOL * domain_area
    )
    return result


def check(
    p: Partition1D | Partition2D, net: nn.Module | None = None, per_region: int = 2, seed: int = 0
) -> dict[str, Any]:
    """Run all self-checks; returns the measured numbers and ``ok`` (all passed).

    Beyond :func:`structure`: at random interior points the float64 pattern equals the
    recorded one (points within the float64 error bound of a kink, where float64 cannot tell
    the side, are skipped); the affine maps from the patterns reproduce the outputs at every
    vertex and, at the interior points, the net itself (the torch module when given), to RTOL of
    the outputs beyond three times their round-off bound (:func:`~approxlab.regions.layers.roundoff`:
    a net whose first layer is 1e15 × its outputs has terms 1e15 × larger than them).

    >>> import approxlab
    >>> from approxlab.regions import partition
    >>> check(partition(approxlab.mlp(2, [6], seed=0), [(-1, 1), (-1, 1)]))["ok"]
    True
    """
    result = structure(p)
    t, region = interior_points(p, per_region, seed)
    recorded = p.patterns()
    at = [i for i, s in enumerate(p.layers) if s.activation is not None]
    acts = [p.layers[i] for i in at]
    zs = [z for s, z in zip(p.layers, forward(p.layers, t)) if s.activation is not None]
    if len(recorded) != len(acts):
        pattern_mismatch = len(t)
    else:
        wrong = np.zeros(len(t), bool)
        unsure = np.zeros(len(t), bool)
        found = canonical(p.layers, at, [s.activation.piece(z) for s, z in zip(acts, zs)])
        for s, z, rec, piece in zip(acts, zs, recorded, found):
            wrong |= np.any(piece != rec[region], axis=1)
            size = np.abs(z).max() + 1.0
            bends = s.activation.bending(s.width)
            unsure |= np.any(
                np.abs(z[:, bends, None] - s.activation.kinks) <= 1e-9 * size, axis=(1, 2)
            )
        pattern_mismatch = int((wrong & ~unsure).sum())
    a, c = p.affine_maps()
    predicted = np.einsum("nok,nk->no", a[region], t) + c[region]
    tolerance, eps = RTOL, float(np.finfo(np.float64).eps)
    if net is not None:
        dtype = net_dtype(net)
        # A float32 net is exact only to float32 round-off, measured ~1e-7 relative.
        if dtype != torch.float64:
            tolerance, eps = 1e-5, float(np.finfo(np.float32).eps)
        with torch.no_grad():
            actual = net(torch.as_tensor(p.inputs(t), dtype=dtype)).double().numpy()
    else:
        actual = output(p.layers, t)
    scale = max(float(np.abs(actual).max()), 1.0) if len(t) else 1.0
    # Beyond what round-off explains: both sides err by up to the round-off bound of the chain.
    excess = np.abs(predicted - actual) - 3 * roundoff(p.layers, t, eps)
    affine_error = max(float(excess.max()), 0.0) / scale if len(t) else 0.0
    result["pattern_mismatches"] = pattern_mismatch
    result["affine_relative_error"] = affine_error
    result["vertex_relative_error"] = _vertex_error(p, a, c)
    result["ok"] = bool(
        result["ok"]
        and pattern_mismatch == 0
        and affine_error <= tolerance
        and result["vertex_relative_error"] <= RTOL
    )
    return result


def sampled(
    p: Partition2D, net: nn.Module | None = None, samples: int = 1000, seed: int = 0
) -> dict[str, Any]:
    """Dense-sampling check of a plane partition, independent of the patterns: ``samples`` uniform
    random points of the domain are located geometrically (strictly inside a counter-clockwise
    region polygon); returns how many lie in no region or in several (``misplaced``, 0 when the
    regions tile the domain) and max |A_f t + c_f − net(t)| / max(|net|, 1) over the points (the
    torch module when given, else the stages). float64.

    >>> import approxlab
    >>> from approxlab.regions import partition
    >>> net = approxlab.mlp(2, [6], seed=0)
    >>> sampled(partition(net, [(-1, 1), (-1, 1)]), net)["misplaced"]
    0
    """
    rng = np.random.default_rng(seed)
    lo, hi = p.polygon.min(axis=0), p.polygon.max(axis=0)
    q, r = p.polygon, np.roll(p.polygon, -1, axis=0)
    t = np.zeros((0, 2))
    while len(t) < samples:
        u = rng.uniform(lo, hi, size=(4 * samples, 2))
        inside = np.all(
            (r[:, 0] - q[:, 0]) * (u[:, None, 1] - q[:, 1])
            - (r[:, 1] - q[:, 1]) * (u[:, None, 0] - q[:, 0])
            > 0,
            axis=1,
        )
        t = np.concatenate([t, u[inside]])
    t = t[:samples]
    a = p.vertices[p.face_vertices]
    b = a[p.next_slot()]
    hits = np.zeros(len(t), np.int64)
    region = np.zeros(len(t), np.int64)
    block = max(1, (1 << 24) // max(len(a), 1))
    for start in range(0, len(t), block):
        s = t[start : start + block]
        cross = (b[:, 0] - a[:, 0]) * (s[:, None, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (
            s[:, None, 0] - a[:, 0]
        )
        inside = np.logical_and.reduceat(cross > 0, p.offsets[:-1], axis=1)
        hits[start : start + block] = inside.sum(axis=1)
        region[start : start + block] = inside.argmax(axis=1)
    maps, consts = p.affine_maps()
    predicted = np.einsum("nok,nk->no", maps[region], t) + consts[region]
    if net is not None:
        with torch.no_grad():
            actual = (
                net(torch.as_tensor(p.inputs(t), dtype=net_dtype(net)))
                .double()
                .numpy()
                .reshape(len(t), -1)
            )
    else:
        actual = output(p.layers, t)
    error = float(np.abs(predicted - actual).max()) / max(float(np.abs(actual).max()), 1.0)
    return {"samples": len(t), "misplaced": int((hits != 1).sum()), "relative_error": error}
