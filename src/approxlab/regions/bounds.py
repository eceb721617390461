"""Counting bounds for the linear regions of ReLU nets with input dimension n0 and widths n_1 … n_L.

All counts are exact Python integers (they grow beyond float range quickly).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from math import comb, prod

from approxlab.errors import ApproxlabError, require


def _check(n0: int, widths: Sequence[int]) -> list[int]:
    # The messages are formatted only on failure: partition() asks for a bound on every call.
    if not (isinstance(n0, int) and n0 >= 1):
        raise ApproxlabError(f"input dimension must be a positive integer, got {n0!r}")
    widths = list(widths)
    if not all(isinstance(n, int) and n >= 1 for n in widths):
        raise ApproxlabError(f"widths must be positive integers, got {widths!r}")
    return widths


def zaslavsky(n: int, d: int) -> int:
    """Regions of an arrangement of n hyperplanes in general position in R^d: Σ_{i=0}^{d} C(n, i).

    Zaslavsky 1975; a one-hidden-layer ReLU net with n units on R^d has at most this many
    linear regions (seed 002 answer 2: its bends form a hyperplane arrangement). In the
    plane: 1 + n + C(n, 2).

    >>> zaslavsky(3, 2)
    7
    """
    _check(d, [max(n, 1)])
    return sum(comb(n, i) for i in range(d + 1))


def montufar2014_lower(n0: int, widths: Sequence[int]) -> int:
    """Montufar, Pascanu, Cho, Bengio 2014 (Thm 5, Cor 6), lower bound on the *maximal* number of
    regions of a deep rectifier net with widths n_l ≥ n0:

        (∏_{l=1}^{L−1} ⌊n_l / n0⌋^{n0}) · Σ_{j=0}^{n0} C(n_L, j).

    Some net of these widths attains at least this many regions (a random one rarely does).

    >>> montufar2014_lower(2, [4, 4])
    44
    """
    widths = _check(n0, widths)
    require(all(n >= n0 for n in widths), f"Montufar 2014's bound needs every width ≥ n0 = {n0}")
    return prod((n // n0) ** n0 for n in widths[:-1]) * zaslavsky(widths[-1], n0)


def montufar2017_upper(n0: int, widths: Sequence[int]) -> int:
    """Montufar 2017 ("Notes on the number of linear regions of deep neural networks"), upper bound:

        ∏_{l=1}^{L} Σ_{j=0}^{d_l} C(n_l, j),   d_l = min(n0, n_1, …, n_l).

    >>> montufar2017_upper(2, [3, 3])
    49
    """
    widths = _check(n0, widths)
    out, d = 1, n0
    for n in widths:
        d = min(d, n)
        out *= zaslavsky(n, d)
    return out


def serra2018_upper(n0: int, widths: Sequence[int]) -> int:
    """Serra, Tjandraatmadja, Ramalingam 2018 (Thm 1), upper bound for ReLU nets:

        Σ_{(j_1,…,j_L) ∈ J} ∏_{l=1}^{L} C(n_l, j_l),
        J = {0 ≤ j_l ≤ min(n0, n_1 − j_1, …, n_{l−1} − j_{l−1}, n_l)}.

    A neuron layer that sends many units to zero shrinks the dimension left for the next
    layers. Computed by dynamic programming over the running minimum, layer by layer: the
    weight of each room left (at most n0 + 1 of them). For n0 = 1 and all n_l ≥ 2 it equals
    the exact 1D maximum ∏ (n_l + 1).

    >>> serra2018_upper(1, [2, 2, 2])
    27
    """
    return _serra(n0, tuple(_check(n0, widths)))


# partition() asks for it on every call: 12 µs for 2 → 32³ uncached.
@lru_cache(maxsize=256)
def _serra(n0: int, widths: tuple[int, ...]) -> int:
    rooms = {n0: 1}  # room left after the layers so far → Σ of ∏ C(n_l, j_l) over the paths there
    for n in widths:
        after: dict[int, int] = {}
        for room, ways in rooms.items():
            for j in range(min(room, n) + 1):
                r = min(room, n - j)
                after[r] = after.get(r, 0) + ways * comb(n, j)
        rooms = after
    return sum(rooms.values())


def max_regions_1d(widths: Sequence[int]) -> int:
    """The exact maximum number of linear regions of a ReLU net on a line: ∏_{l=1}^{L} (n_l + 1),
    for widths n_l ≥ 2 (a width-1 layer cannot double the pieces: use :func:`serra2018_upper`).

    Each of the n_l units of layer l adds at most one breakpoint to each region of the
    layers before it, and the sawtooth construction (Telgarsky 2016, seed 003) with
    suitably scaled hats attains it (Serra et al. 2018, Thm 1 and §3.2).

    >>> max_regions_1d([2, 2, 2])
    27
    """
    widths = _check(1, widths)
    require(all(n >= 2 for n in widths), "the 1D maximum ∏(n_l + 1) needs every width ≥ 2")
    return prod(n + 1 for n in widths)


def upper_bound(n0: int, widths: Sequence[int]) -> int:
    """The tightest upper bound here for a ReLU net: Serra 2018 (= ∏(n_l + 1) for n0 = 1, n_l ≥ 2).

    >>> upper_bound(2, [3])
    7
    """
    return serra2018_upper(n0, widths)
