"""Region-count bounds on cases computed by hand."""

from math import comb

import pytest

from approxlab.errors import ApproxlabError
from approxlab.regions.bounds import (
    max_regions_1d,
    montufar2014_lower,
    montufar2017_upper,
    serra2018_upper,
    upper_bound,
    zaslavsky,
)


def test_zaslavsky_counts_regions_of_lines_in_general_position():
    # 3 lines in the plane: 1 + 3 + 3 = 7; 4 planes in R^3: 1 + 4 + 6 + 4 = 15.
    assert zaslavsky(3, 2) == 7
    assert zaslavsky(4, 3) == 15
    assert zaslavsky(5, 9) == 2**5  # d ≥ n: every sign vector is realised


def test_montufar_2014_lower_bound_by_hand():
    # widths (4, 4, 6) in the plane: (4//2)^2 · (4//2)^2 · (1 + 6 + 15) = 16 · 22.
    assert montufar2014_lower(2, [4, 4, 6]) == 352
    with pytest.raises(ApproxlabError):
        montufar2014_lower(3, [2, 4])


def test_montufar_2017_upper_bound_uses_the_running_minimum_dimension():
    # widths (3, 1, 3) in the plane: d = (2, 1, 1) → 7 · 2 · 4.
    assert montufar2017_upper(2, [3, 1, 3]) == 56


def test_serra_2018_by_hand_and_against_montufar_2017():
    # n0 = 2, widths (2, 2): j1 ∈ {0,1,2}; room after layer 1 is min(2, 2 − j1):
    # j1=0: C(2,0)·(1+2+1)=4, j1=1: 2·(1+2)=6, j1=2: 1·1=1 → 11 (Montufar 2017 gives 16).
    assert serra2018_upper(2, [2, 2]) == 11
    assert montufar2017_upper(2, [2, 2]) == 16
    for widths in ([3, 5], [8, 8, 8], [2, 7, 4, 9]):
        assert serra2018_upper(2, widths) <= montufar2017_upper(2, widths)


@pytest.mark.parametrize(
    "n0, widths", [(2, [3, 1, 3]), (2, [4, 2, 5]), (3, [2, 5, 1, 4]), (1, [3, 2])]
)
def test_serra_2018_is_its_sum_over_every_admissible_j(n0, widths):
    # The defining sum, enumerated: every (j_1, …, j_L) with j_l ≤ min(n0, n_1 − j_1, …, n_l).
    def paths(room, rest):
        if not rest:
            yield 1
            return
        n = rest[0]
        for j in range(min(room, n) + 1):
            for tail in paths(min(room, n - j), rest[1:]):
                yield comb(n, j) * tail

    assert serra2018_upper(n0, widths) == sum(paths(n0, widths))


def test_the_1d_maximum_is_the_product_and_serra_reaches_it():
    assert max_regions_1d([2, 3, 4]) == 3 * 4 * 5
    assert serra2018_upper(1, [2, 3, 4]) == 60
    assert upper_bound(1, [5, 5]) == 36
    assert zaslavsky(7, 1) == 8 == upper_bound(1, [7])
    assert upper_bound(2, [9]) == 1 + 9 + comb(9, 2)
