"""Numbers and names given on the command line or to an API entry, checked once with one wording.

Each check returns the value when it is fine and otherwise raises
:class:`ApproxlabError` in the form "OPTION must be …, got VALUE: fix".

>>> seed(3), count("--width", 6), positive("--tol", 1e-3), names("a, b", "variant", ["a", "b"])
(3, 6, 0.001, ['a', 'b'])
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from approxlab.errors import ApproxlabError, choose

MAX_SEED = 2**63 - 1  # torch.manual_seed and numpy's default_rng both take 0 … 2^63 − 1


def seed(value: int, option: str = "--seed", bounded: bool = True) -> int:
    """A seed for numpy's ``default_rng`` and ``torch.manual_seed``: an integer in [0, 2^63 − 1]
    (``bounded=False``: any integer ≥ 0, as numpy alone takes, for derived seeds such as seed + 1)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 0 <= value <= (MAX_SEED if bounded else value)
    ):
        raise ApproxlabError(
            f"{option} must be an integer from 0 to 2^63 - 1, got {_show(value)}: pass e.g. {option} 0"
        )
    return value


def count(option: str, value: int, high: int | None = None, low: int = 1) -> int:
    """An integer in [low, high] (a width, depth, number of points, steps …)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        wanted = "a positive integer" if low == 1 else f"an integer ≥ {low}"
        raise ApproxlabError(f"{option} must be {wanted}, got {_show(value)}")
    if high is not None and value > high:
        raise ApproxlabError(f"{option} is {value}, above the limit of {high}: use a smaller value")
    return value


def positive(option: str, value: float, high: float | None = None) -> float:
    """A finite number > 0 (a tolerance, step size, ε …), at most ``high`` when given."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ApproxlabError(f"{option} must be a finite number > 0, got {_show(value)}")
    if high is not None and value > high:
        raise ApproxlabError(f"{option} is {value:g}, above {high:g}: use a smaller value")
    return float(value)


def names(text: str, kind: str, allowed: Iterable[str], option: str | None = None) -> list[str]:
    """A non-empty comma-separated list of names, each one of ``allowed``, without repeats kept."""
    chosen = []
    for name in text.split(","):
        name = name.strip()
        if name and name not in chosen:
            chosen.append(choose(kind, name, allowed))
    if not chosen:
        flag = option or f"the {kind} list"
        raise ApproxlabError(
            f"{flag} {text!r} names no {kind}: give one or more of {', '.join(sorted(allowed))}, "
            "separated by commas"
        )
    return chosen


def integers(text: str, option: str) -> list[int]:
    """Comma-separated integers such as ``2,8,8,1``."""
    try:
        values = [int(v) for v in text.split(",")]
    except ValueError:
        raise ApproxlabError(
            f"{option} must be comma-separated integers such as 2,8,1, got {_show(text)}"
        ) from None
    return values


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
