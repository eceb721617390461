"""When to look at a run: the steps at which observers are called.

Training dynamics change on a logarithmic clock (grokking: memorisation at step ~10²,
generalisation at ~10⁴; Power et al. 2022), so the default schedule is log-spaced:
step 0 (the initialisation) and ``points`` steps s_k = round(T^(k/(points−1))), k = 0 … points−1,
deduplicated, ending at T. ``every=N`` gives 0, N, 2N, …, T instead.
"""

from __future__ import annotations

import numpy as np

from approxlab.errors import ApproxlabError, require


def log_steps(total: int, points: int = 40) -> list[int]:
    """Step 0 and about ``points`` log-spaced steps in 1 … ``total`` (always including ``total``).

    >>> log_steps(1000, 4)
    [0, 1, 10, 100, 1000]
    """
    require(
        isinstance(total, int) and total >= 1, f"the run needs at least one step, got {total!r}"
    )
    require(
        isinstance(points, int) and points >= 2,
        f"a log schedule needs at least 2 points, got {points!r}",
    )
    steps = np.unique(np.round(np.geomspace(1, total, points)).astype(np.int64))
    return [0, *steps.tolist()]


def every_steps(total: int, every: int) -> list[int]:
    """Steps 0, ``every``, 2·``every``, … and ``total``.

    >>> every_steps(10, 4)
    [0, 4, 8, 10]
    """
    require(
        isinstance(every, int) and every >= 1,
        f"--every must be a positive number of steps or 'log', got {every!r}",
    )
    return sorted({*range(0, total + 1, every), total})


def schedule(total: int, every: str | int = "log", points: int = 40) -> list[int]:
    """The schedule named by ``every``: ``"log"`` (:func:`log_steps`) or a step count (:func:`every_steps`).

    >>> schedule(100, "25")
    [0, 25, 50, 75, 100]
    """
    if isinstance(every, str) and every.strip().lower() == "log":
        return log_steps(total, points)
    try:
        k = int(every)
    except (TypeError, ValueError):
        raise ApproxlabError(
            f"--every must be 'log' or a positive number of steps, got {every!r}"
        ) from None
    return every_steps(total, k)
