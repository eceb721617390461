"""Local complexity: how many linear regions (and neuron bends) a net has near given points.

Two measures side by side:

- exact: the number of linear regions that meet the disk (2D) or segment (1D) of radius
  r around x, and the number of distinct neurons (layer, unit) whose bend meets it —
  read off the exact partition of the square (segment) [x − r, x + r] (seed 003, SplineCam);
- frame-based (Humayun, Balestriero, Baraniuk 2024, "Deep networks always grok", local
  complexity): the number of neurons whose pre-activation changes sign (piece, for
  non-ReLU activations) across the 2P vertices x ± r v_p of a random orthonormal frame
  v_1 … v_P; a cheap estimate that works in any input dimension.
"""

from __future__ import annotations

import numpy as np
from torch import nn

from approxlab.errors import require
from approxlab.regions.layers import Stage, forward, input_dim, stages


def _segment_distance(c: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance from point c (2,) to each segment [a_i, b_i]."""
    ab = b - a
    t = np.clip(
        np.einsum("ij,ij->i", c - a, ab) / np.maximum(np.einsum("ij,ij->i", ab, ab), 1e-300),
        0.0,
        1.0,
    )
    return np.linalg.norm(a + t[:, None] * ab - c, axis=1)


def _local_2d(layers: list[Stage], centre: np.ndarray, radius: float) -> tuple[int, int]:
    from approxlab.regions import partition

    box = [(centre[0] - radius, centre[0] + radius), (centre[1] - radius, centre[1] + radius)]
    p = partition(layers, box)
    pairs, labels, sides = p.edges()
    near = _segment_distance(centre, p.vertices[pairs[:, 0]], p.vertices[pairs[:, 1]]) <= radius
    faces = set(sides[near].ravel().tolist()) - {-1}
    # The region holding the centre meets the disk even when no edge does.
    owner = p.vertices[p.face_vertices]
    nxt = owner[p.next_slot()]
    cross = (nxt[:, 0] - owner[:, 0]) * (centre[1] - owner[:, 1]) - (nxt[:, 1] - owner[:, 1]) * (
        centre[0] - owner[:, 0]
    )
    inside = np.logical_and.reduceat(cross >= 0, p.offsets[:-1])
    faces |= set(np.flatnonzero(inside).tolist())
    cuts = labels[near & (labels >= 0)]
    neurons = set(zip(p.cut_layer[cuts].tolist(), p.cut_neuron[cuts].tolist()))
    return len(faces), len(neurons)


def _local_1d(layers: list[Stage], centre: float, radius: float) -> tuple[int, int]:
    from approxlab.regions import partition

    p = partition(layers, (centre - radius, centre + radius))
    inner = slice(1, -1)
    return p.count, len(set(zip(p.point_layer[inner].tolist(), p.point_neuron[inner].tolist())))


def local_regions(
    net: nn.Module | list[Stage], points: np.ndarray, radius: float
) -> dict[str, np.ndarray]:
    """Exact local complexity at each point: the regions, and the distinct neurons' bends, that meet
    the disk |t − x| ≤ r (2-input nets) or the segment [x − r, x + r] (1-input nets). float64.

    Returns ``{"regions": (n,), "neurons": (n,)}`` integer arrays.

    >>> import approxlab
    >>> int(local_regions(approxlab.mlp(2, [8], seed=0), np.zeros((1, 2)), 0.1)["regions"][0]) >= 1
    True
    """
    layers = net if isinstance(net, list) else stages(net)
    d = input_dim(layers)
    require(
        d in (1, 2),
        f"exact local complexity needs a 1- or 2-input net (got {d} inputs): "
        "use frame_local_complexity, or restrict the net to a plane first",
    )
    require(radius > 0, f"the radius must be positive, got {radius}")
    pts = np.asarray(points, dtype=np.float64).reshape(-1, d)
    counts = [
        _local_1d(layers, float(x[0]), radius) if d == 1 else _local_2d(layers, x, radius)
        for x in pts
    ]
    regions, neurons = (
        (np.array(c, dtype=np.int64) for c in zip(*counts)) if counts else (np.zeros(0, int),) * 2
    )
    return {"regions": regions, "neurons": neurons}


def frame_local_complexity(
    net: nn.Module | list[Stage],
    points: np.ndarray,
    radius: float,
    n_vectors: int | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Humayun, Balestriero, Baraniuk 2024: the number of neurons (over all layers) whose linear
    piece is not the same at all 2P vertices x ± r v_p of a random orthonormal frame (P = n_vectors,
    default the input dimension), one frame per point drawn from ``default_rng(seed)``. float64.

    >>> import approxlab
    >>> frame_local_complexity(approxlab.mlp(2, [8], seed=0), np.zeros((3, 2)), 10.0).tolist()
    [8, 8, 8]
    """
    layers = net if isinstance(net, list) else stages(net)
    d = input_dim(layers)
    p_vec = d if n_vectors is None else int(n_vectors)
    require(1 <= p_vec <= d, f"the frame has between 1 and {d} vectors, got {n_vectors}")
    require(radius > 0, f"the radius must be positive, got {radius}")
    pts = np.asarray(points, dtype=np.float64).reshape(-1, d)
    rng = np.random.default_rng(seed)
    frames = np.linalg.qr(rng.normal(size=(len(pts), d, p_vec)))[0]  # (n, d, P) orthonormal columns
    offsets = np.concatenate([frames, -frames], axis=2).transpose(0, 2, 1) * radius  # (n, 2P, d)
    vertices = (pts[:, None, :] + offsets).reshape(-1, d)
    count = np.zeros(len(pts), dtype=np.int64)
    for s, z in zip(layers, forward(layers, vertices)):
        if s.activation is None:
            continue
        piece = s.activation.piece(z).reshape(len(pts), 2 * p_vec, -1)
        count += np.any(piece != piece[:, :1], axis=1).sum(axis=1)
    return count
