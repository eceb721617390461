"""Memory and work caps, checked from the arguments before anything is allocated.

A request whose estimate exceeds a cap is refused with the estimate, the cap and how
to raise it. The caps are environment variables so that every command and API call
shares them:

- ``APPROXLAB_MAX_MEMORY`` (bytes, suffixes K/M/G/T allowed; default 4G): the largest
  allocation one request may plan (weights, optimiser state, activations, grids).
- ``APPROXLAB_MAX_WORK`` (multiply-adds; default 2e11, minutes on one core): the
  largest amount of arithmetic one training or construction may plan.
- ``APPROXLAB_MAX_PANELS`` (default 64): the most subplots one figure may draw.

>>> require_memory("a 10×10 float64 matrix", 800)
800
"""

from __future__ import annotations

import os
import re

from approxlab.errors import ApproxlabError

DEFAULT_MEMORY = 4 * 2**30
DEFAULT_WORK = 2e11
DEFAULT_PANELS = 64
FLOAT64 = 8

_SUFFIX = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def _read(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    match = re.fullmatch(
        r"([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([KMGT]?)i?B?", text, flags=re.IGNORECASE
    )
    if match is None:
        raise ApproxlabError(f"cannot read {name}={text!r}: give a number such as 8G or 2e11")
    return float(match.group(1)) * _SUFFIX[match.group(2).upper()]


def memory_limit() -> float:
    """The memory cap in bytes (``APPROXLAB_MAX_MEMORY``, default 4 GiB)."""
    return _read("APPROXLAB_MAX_MEMORY", DEFAULT_MEMORY)


def work_limit() -> float:
    """The work cap in multiply-adds (``APPROXLAB_MAX_WORK``, default 2e11)."""
    return _read("APPROXLAB_MAX_WORK", DEFAULT_WORK)


def panel_limit() -> int:
    """The most subplots one figure draws (``APPROXLAB_MAX_PANELS``, default 64)."""
    return int(_read("APPROXLAB_MAX_PANELS", DEFAULT_PANELS))


def human(nbytes: float) -> str:
    """Bytes as a short human string.

    >>> human(3 * 2**30)
    '3.0 GiB'
    """
    if not nbytes < 2**60:
        return "over 1 EiB"
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if nbytes >= size:
            return f"{nbytes / size:.1f} {unit}"
    return f"{int(nbytes)} B"


def require_memory(what: str, nbytes: float) -> float:
    """Refuse ``what`` if it needs more than :func:`memory_limit` bytes; return the estimate."""
    limit = memory_limit()
    if not nbytes <= limit:
        raise ApproxlabError(
            f"{what} needs about {human(nbytes)}, above the memory limit of {human(limit)}: use smaller sizes"
            + (
                f", or raise the limit with APPROXLAB_MAX_MEMORY={_suggest(nbytes)}"
                if nbytes < 2**60
                else ""
            )
        )
    return nbytes


def require_work(what: str, madds: float) -> float:
    """Refuse ``what`` if it plans more than :func:`work_limit` multiply-adds; return the estimate."""
    limit = work_limit()
    if not madds <= limit:
        raise ApproxlabError(
            f"{what} plans about {madds:.2g} multiply-adds, above the work limit of {limit:.2g}: "
            "use smaller sizes or fewer steps"
            + (
                f", or raise the limit with APPROXLAB_MAX_WORK={float(f'{madds * 1.1:.2g}'):g}"
                if madds < 1e30
                else ""
            )
        )
    return madds


def panels(count: int) -> int:
    """How many of ``count`` panels a figure draws: all, or the first :func:`panel_limit`.

    >>> panels(3)
    3
    """
    return min(int(count), panel_limit())


def _suggest(nbytes: float) -> str:
    gib = nbytes * 1.1 / 2**30
    return f"{gib:.0f}G" if gib >= 1 else f"{max(1, nbytes * 1.1 / 2**20):.0f}M"


def require_training(
    what: str,
    in_dim: int,
    widths: list[int],
    n_train: int,
    steps: int,
    batch: int | None = None,
    n_test: int = 1000,
    out_dim: int = 1,
) -> tuple[float, float]:
    """Refuse a training run whose memory or work estimate is over the caps; return both.

    For an MLP with P = Σ (n_{l−1} + 1) n_l parameters on n points of dimension d,
    trained for s steps on batches of b:

    - memory ≈ 8 B · (4P [weights, gradients, two Adam moments] + (n + n_test)(d + 1)
      [data] + 3 b Σ widths [activations kept for the backward pass]);
    - work ≈ 3 s b P multiply-adds (forward, and backward at twice its cost).

    >>> require_training("fit", 2, [6], 1000, 3000)[1]
    225000000
    """
    sizes = [in_dim, *widths, out_dim]
    params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
    b = min(batch or n_train, n_train)
    memory = FLOAT64 * (4 * params + (n_train + n_test) * (in_dim + 1) + 3 * b * sum(widths))
    work = 3 * steps * b * params
    require_memory(what, memory)
    require_work(what, work)
    return memory, work
