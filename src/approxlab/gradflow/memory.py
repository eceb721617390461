"""How much memory a gradient-flow run needs, and a refusal past a limit.

A run on ``depth`` layers of ``width`` units with a batch of ``batch`` examples in
float64 (8 bytes) holds the weights and their gradients, 2·L·(n² + n) numbers, and for
the backward pass every layer's pre-activation, activation and its gradient (plus one
more for batch norm's normalised values), at most 4·L·n·batch numbers.
"""

from __future__ import annotations

from approxlab.errors import require

MEMORY_LIMIT_BYTES = 4 * 2**30


def estimate_bytes(depth: int, width: int, batch: int, bytes_per_number: int = 8) -> int:
    """8·(2 L (n² + n) + 4 L n B) bytes for L = depth, n = width, B = batch (float64).

    >>> estimate_bytes(30, 512, 256) // 2**20
    240
    """
    return bytes_per_number * (2 * depth * (width * width + width) + 4 * depth * width * batch)


def require_memory(depth: int, width: int, batch: int, limit: int = MEMORY_LIMIT_BYTES) -> int:
    """The estimate of :func:`estimate_bytes`, or a one-line error when it exceeds ``limit``.

    >>> require_memory(10, 64, 128) < MEMORY_LIMIT_BYTES
    True
    """
    for name, value in (("depth", depth), ("width", width), ("batch", batch)):
        require(
            isinstance(value, int) and value >= 1,
            f"{name} must be a positive integer, got {value!r}",
        )
    need = estimate_bytes(depth, width, batch)
    require(
        need <= limit,
        f"depth {depth} × width {width} × batch {batch} needs about {need / 2**30:.1f} GiB, "
        f"over the {limit / 2**30:.0f} GiB limit: use a smaller depth, width or batch",
    )
    return need
