"""Boxes in R^d, seeded uniform samples in them, and tensor-product grids.

A domain is a list of ``(low, high)`` intervals, one per coordinate. Samples and
grids are float64 NumPy arrays of shape ``(n, d)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from approxlab.errors import ApproxlabError

Domain = list[tuple[float, float]]

MAX_GRID_POINTS = 20_000_000
MAX_DENSE_POINTS = 200_000  # beyond this a sup-norm grid becomes a seeded sample
MAX_COORDINATE = 1e12  # |low|, |high| of a box: products with weights must stay finite in float64


def as_domain(domain: Sequence[Sequence[float]] | Sequence[float]) -> Domain:
    """Normalise ``(lo, hi)`` or ``[(lo, hi), …]`` to a list of float pairs, checking lo < hi.

    >>> as_domain((0, 1))
    [(0.0, 1.0)]
    """
    try:
        items = list(domain)
    except TypeError:
        raise ApproxlabError(
            f"a domain is a list of (low, high) pairs, got {type(domain).__name__}"
        ) from None
    if len(items) == 2 and all(np.isscalar(v) for v in items):
        items = [items]
    out: Domain = []
    for pair in items:
        pair = list(pair) if isinstance(pair, (list, tuple, np.ndarray)) else [pair]
        if len(pair) != 2:
            raise ApproxlabError(f"a domain is a list of (low, high) pairs, got {pair!r}")
        try:
            lo, hi = float(pair[0]), float(pair[1])
        except (TypeError, ValueError, OverflowError):
            raise ApproxlabError(
                f"a domain interval needs two numbers, got {pair!r}: give (low, high)"
            ) from None
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ApproxlabError(
                f"domain interval ({lo}, {hi}) is empty or infinite: give finite low < high"
            )
        if max(abs(lo), abs(hi)) > MAX_COORDINATE:
            raise ApproxlabError(
                f"domain interval ({lo:g}, {hi:g}) reaches beyond ±{MAX_COORDINATE:g}, where "
                "float64 products overflow or lose all precision: rescale the inputs"
            )
        if (hi - lo) <= 1e-12 * max(abs(lo), abs(hi)):
            raise ApproxlabError(
                f"domain interval ({lo!r}, {hi!r}) is too narrow for float64 "
                "(width below 1e-12 of its magnitude): give a wider interval"
            )
        out.append((lo, hi))
    if not out:
        raise ApproxlabError("the domain is empty: give at least one (low, high) pair")
    return out


def parse_box(text: str) -> Domain:
    """Parse ``"-1,1,-1,1"`` (low, high per axis) into a domain.

    >>> parse_box("-1,1,0,2")
    [(-1.0, 1.0), (0.0, 2.0)]
    """
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise ApproxlabError(
            f"cannot read box {text[:60]!r}: write low,high per axis, e.g. -1,1,-1,1"
        ) from None
    if len(values) > 128:
        raise ApproxlabError(
            f"box has {len(values)} values: at most 64 axes (128 values), e.g. -1,1,-1,1"
        )
    if len(values) % 2 or not values:
        raise ApproxlabError(
            f"box {text!r} needs an even number of values: low,high per axis, e.g. -1,1,-1,1"
        )
    return as_domain([values[i : i + 2] for i in range(0, len(values), 2)])


def volume(domain: Domain) -> float:
    """Lebesgue measure Π (high − low) of the box."""
    return float(np.prod([hi - lo for lo, hi in domain]))


def sample(domain: Domain, n: int, seed: int = 0) -> np.ndarray:
    """``n`` points uniform in the box, drawn from ``numpy.random.default_rng(seed)``.

    >>> sample([(0, 1)], 3, seed=0).shape
    (3, 1)
    """
    domain = as_domain(domain)
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ApproxlabError(f"the number of samples must be a positive integer, got {n!r}")
    from approxlab.arguments import seed as check_seed

    rng = np.random.default_rng(
        check_seed(int(seed) if isinstance(seed, np.integer) else seed, "seed", bounded=False)
    )
    lo = np.array([a for a, _ in domain])
    hi = np.array([b for _, b in domain])
    return lo + (hi - lo) * rng.random((int(n), len(domain)))


def grid_axes(domain: Domain, n: int) -> list[np.ndarray]:
    """``n`` equally spaced points per axis, endpoints included."""
    return [np.linspace(lo, hi, n) for lo, hi in as_domain(domain)]


def grid(domain: Domain, n: int) -> np.ndarray:
    """All ``n**d`` points of the tensor grid, shape ``(n**d, d)``, first axis fastest-varying last.

    Used for plots and for sup-norm errors (the maximum over the grid).

    >>> grid([(0, 1), (0, 1)], 3).shape
    (9, 2)
    """
    from approxlab.limits import FLOAT64, require_memory

    domain = as_domain(domain)
    if not isinstance(n, (int, np.integer)) or n < 2:
        raise ApproxlabError(f"a grid needs at least 2 points per axis, got {n!r}")
    d = len(domain)
    if n**d > MAX_GRID_POINTS:
        raise ApproxlabError(
            f"a grid of {n}^{d} points exceeds {MAX_GRID_POINTS}: use fewer points per axis"
        )
    require_memory(f"a grid of {n}^{d} points", 2 * n**d * d * FLOAT64)
    mesh = np.meshgrid(*grid_axes(domain, n), indexing="ij")
    return np.stack([m.ravel() for m in mesh], axis=1)


def dense_points(
    domain: Domain, n: int | None = None, seed: int = 0, limit: int = MAX_DENSE_POINTS
) -> np.ndarray:
    """Points where sup-norm errors and finiteness are measured, shape ``(m, d)``.

    The tensor grid with ``n`` points per axis (default :func:`default_grid_size`) when
    it has at most ``limit`` points (:data:`MAX_DENSE_POINTS`); beyond that (``d ≥ 18``
    at the default, where even 2 points per axis give 2^d) a uniform sample of ``limit``
    points drawn with ``seed`` plus the box's centre, so memory and time grow linearly,
    not exponentially, with the dimension.

    >>> dense_points([(0, 1)] * 30).shape
    (200001, 30)
    """
    domain = as_domain(domain)
    d = len(domain)
    n = n or default_grid_size(d)
    if n**d <= limit:
        return grid(domain, n)
    centre = np.array([[(lo + hi) / 2 for lo, hi in domain]])
    return np.vstack([centre, sample(domain, limit, seed)])


def default_grid_size(dim: int) -> int:
    """Points per axis for sup-norm grids: ~10^4–10^5 points in all, dense in low dimension."""
    return {1: 4001, 2: 201, 3: 41}.get(dim, max(2, int(round(100_000 ** (1 / dim)))))
