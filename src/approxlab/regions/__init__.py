"""Exact linear regions of piecewise-linear nets on segments, polygons and slices.

A ReLU (or LeakyReLU, Abs, Hardtanh) net is affine on each of finitely many convex
regions (Montufar et al. 2014; seed 001's answer; seed 002 answer 2). ``partition``
computes them exactly in float64 by cutting the domain with each neuron's bend,
layer by layer — no sampling.

>>> import approxlab
>>> from approxlab.regions import partition
>>> partition(approxlab.mlp(2, [5], seed=0), [(-1, 1), (-1, 1)]).count
14
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn

from approxlab.errors import ApproxlabError
from approxlab.nets import net_dtype
from approxlab.regions.bounds import montufar2017_upper, upper_bound
from approxlab.regions.checks import structure
from approxlab.regions.layers import (
    Stage,
    finite,
    input_dim,
    output,
    restrict,
    roundoff,
    stages,
)
from approxlab.regions.partition1d import Partition1D, breakpoints
from approxlab.regions.partition2d import Partition2D, TooManyRegions, subdivide
from approxlab.regions.slices import (
    Slice,
    convex_polygon,
    plane,
    rectangle,
    segment,
    through_points,
)

MAX_REGIONS = 1_000_000
# Peak memory per region and per unit of the widest layer (vertex pre-activations, crossing
# candidates, patterns): measured 24–38 bytes on 2→64^6, 2→128^4, 2→256^3, 2→512^2 (compiled path),
# 42–51 on Hardtanh 2→128², 2→64³ (the general path also keeps each value's error bound).
BYTES_PER_REGION_UNIT = 64
ALWAYS_AFFORDABLE = 1 << 28  # below 256 MB the machine's free memory is not even read

__all__ = [
    "MAX_REGIONS",
    "Partition1D",
    "Partition2D",
    "Slice",
    "bound",
    "memory_estimate",
    "partition",
    "plane",
    "segment",
    "stages",
    "through_points",
]


def bound(layers: list[Stage], dim: int) -> int:
    """Upper bound on the regions of ``layers`` on a ``dim``-dimensional domain (1 or 2).

    ReLU nets: Serra et al. 2018. Other piecewise-linear activations with m kinks: each
    neuron is m hyperplanes, bounded by Montufar 2017's product with widths m·n_l.

    >>> import approxlab
    >>> bound(stages(approxlab.mlp(2, [3])), 2)
    7
    """
    # Stages that only carry values (every neuron passes through) add no cut.
    acts = [s for s in layers if s.activation is not None and s.bends > 0]
    if not acts:
        return 1
    if all(s.activation.name == "relu" for s in acts):
        return upper_bound(dim, [s.bends for s in acts])
    return montufar2017_upper(dim, [s.bends * len(s.activation.kinks) for s in acts])


def _read_only(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


# The input's own coordinates as a slice, x = t (1 or 2 inputs): read-only, so partitions share them.
_OWN = {k: (_read_only(np.zeros(k)), _read_only(np.eye(k))) for k in (1, 2)}


def _as_slice(layers: list[Stage], domain) -> Slice:
    if isinstance(domain, Slice):
        if domain.origin.shape[0] != input_dim(layers):
            raise ApproxlabError(
                f"the slice lives in dimension {domain.origin.shape[0]} but the net takes "
                f"{input_dim(layers)} inputs: build the slice from points of the net's input space"
            )
        return domain
    d = input_dim(layers)
    if d == 1:
        lo, hi = (float(v) for v in np.ravel(np.asarray(domain, dtype=np.float64)))
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ApproxlabError(f"the interval ({lo}, {hi}) is empty: give finite low < high")
        return Slice(*_OWN[1], np.array([lo, hi]))
    if d == 2:
        items = np.asarray(domain, dtype=np.float64)
        poly = rectangle(items) if items.shape == (2, 2) else convex_polygon(items)
        return Slice(*_OWN[2], poly)
    raise ApproxlabError(
        f"the net takes {d} inputs: give a slice, e.g. approxlab.regions.through_points(three_points) "
        "or approxlab.regions.segment(a, b)"
    )


def partition(
    net: nn.Module | list[Stage],
    domain: Sequence | np.ndarray | Slice,
    *,
    max_regions: int = MAX_REGIONS,
) -> Partition1D | Partition2D:
    """The exact partition of ``domain`` into the net's linear regions (float64 geometry).

    ``domain``: an interval ``(lo, hi)`` for a 1-input net; a rectangle ``[(x0, x1), (y0, y1)]``
    or a convex polygon ``(m, 2)`` for a 2-input net; for any input dimension a
    :class:`Slice` from :func:`plane`, :func:`through_points` (2D) or :func:`segment` (1D).
    On each region R the net is the affine map A_R t + c_R in slice coordinates t.
    Stops with :class:`~approxlab.errors.ApproxlabError` once more than ``max_regions``
    regions appear, quoting the upper bound (:func:`bound`), and refuses before any work
    when ``max_regions`` regions (or the upper bound, if smaller) may not fit in memory
    (:func:`memory_estimate`). Runs the structural self-checks on the result, and for a
    torch module compares its output with the partition's at the vertices; a failure raises.

    >>> import approxlab
    >>> partition(approxlab.mlp(1, [4], seed=0), (-1, 1)).count <= 5
    True
    """
    layers = finite(net) if isinstance(net, list) else stages(net)
    piece = _as_slice(layers, domain)
    # A domain given in the input's own coordinates is the slice x = t: the layers as they are.
    local = restrict(layers, piece.origin, piece.basis) if isinstance(domain, Slice) else layers
    _check_memory(layers, max_regions, piece.dim)
    start = time.perf_counter()
    try:
        if piece.dim == 1:
            lo, hi = piece.domain
            found = breakpoints(local, lo, hi, max_regions)
            p = Partition1D(local, *found, piece.origin, piece.basis, time.perf_counter() - start)
        else:
            parts = subdivide(local, piece.domain, max_regions)
            p = Partition2D(
                local, piece.domain, *parts, piece.origin, piece.basis, time.perf_counter() - start
            )
    except TooManyRegions as over:
        # The bound is worked out only for the message (cold, it costs as much as a tenth of a
        # small net's partition).
        raise over.quoting(bound(layers, piece.dim)) from None
    except (
        ArithmeticError
    ) as err:  # exact lines that floats saw crossing are parallel, and the like
        raise ApproxlabError(
            f"the partition could not be computed ({err}): the net's weights may span more orders of "
            "magnitude than float64 geometry resolves on this domain (rescale its first layer); if "
            "they do not, this is a bug in approxlab.regions: please report it with the model file"
        ) from None
    _verify(p, None if isinstance(net, list) else net)
    return p


def _free_bytes() -> int:
    """Memory no process holds (the kernel's free pages: a sysinfo call, under a microsecond); 0
    where the system does not say (macOS has no SC_AVPHYS_PAGES)."""
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return 0


def _available_bytes() -> int:
    """Memory the kernel can hand out (MemAvailable: free pages and reclaimable caches)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def memory_estimate(layers: list[Stage], regions: int) -> int:
    """Bytes a partition with ``regions`` regions may need at its peak: regions × widest layer ×
    BYTES_PER_REGION_UNIT (a measured constant; kinks count as units for multi-kink activations)."""
    widest = max(
        s.width * (len(s.activation.kinks) if s.activation is not None else 1) for s in layers
    )
    return regions * widest * BYTES_PER_REGION_UNIT


def _check_memory(layers: list[Stage], max_regions: int, dim: int) -> None:
    """Refuse before any work when the regions allowed (at most the upper bound) may not fit in memory."""
    if max_regions < 1:
        raise ApproxlabError(f"max_regions must be positive, got {max_regions}")
    need = memory_estimate(layers, max_regions)
    # Free pages suffice where they cover the need; /proc/meminfo (45 µs to read, as much as the
    # whole partition of a small net) is read only where they do not, and the upper bound (which
    # may allow fewer regions) only worked out then.
    if need <= ALWAYS_AFFORDABLE or need <= _free_bytes():
        return
    regions = min(max_regions, bound(layers, dim))
    need = memory_estimate(layers, regions)
    if need <= ALWAYS_AFFORDABLE:
        return
    have = _available_bytes()
    if need > have:
        fits = have // max(memory_estimate(layers, 1), 1)
        raise ApproxlabError(
            f"up to {regions:,} regions of this net may need about {need / 1e9:.1f} GB, more than the "
            f"{have / 1e9:.1f} GB available: pass --max-regions (max_regions=) {fits:,} or less"
        )


def _verify(p: Partition1D | Partition2D, net: nn.Module | None) -> None:
    """Run the structural self-checks, and compare the torch module with its reading as stages at
    (up to 1000 of) the vertices; raise instead of returning a partition that fails either."""
    report = structure(p)
    if not report["ok"]:
        raise ApproxlabError(
            f"the partition failed its self-check ({report}); this is a bug in approxlab.regions: "
            "please report it with the model file"
        )
    if net is None:
        return
    pts = p.points[:, None] if isinstance(p, Partition1D) else p.vertices
    pick = np.unique(np.linspace(0, len(pts) - 1, min(len(pts), 1000)).astype(np.int64))
    dtype = net_dtype(net)
    with torch.no_grad():
        actual = (
            net(torch.as_tensor(p.inputs(pts[pick]), dtype=dtype))
            .double()
            .numpy()
            .reshape(len(pick), -1)
        )
    expected = p.values[pick]
    scale = max(float(np.abs(expected).max()), 1.0)
    error = (
        float(np.abs(actual - expected).max()) / scale if actual.shape == expected.shape else np.inf
    )
    # float64 nets agree to round-off (measured ≤ 1e-14 relative); float32 ones to ~1e-7.
    limit = 1e-9 if dtype == torch.float64 else 1e-5
    if not error <= limit and actual.shape == expected.shape:
        # Where the output is tiny next to its terms (a first layer ~1e12 × the rest, then
        # saturating units) no float evaluation agrees to `limit` of the outputs. Then compare the
        # module with its stages at the same points beyond both evaluations' round-off bounds
        # (the module's in its own dtype), as check() does.
        x = pts[pick]
        slack = roundoff(p.layers, x) + roundoff(p.layers, x, float(torch.finfo(dtype).eps))
        excess = np.abs(actual - output(p.layers, x)) - slack
        error = max(float(excess.max()), 0.0) / scale
    if not error <= limit:
        raise ApproxlabError(
            f"the net's output differs from its layers read in order (relative error {error:.2g}): its forward "
            "is not the chain of its modules; write it as nn.Sequential or a module torch.fx can trace"
        )
