"""Yarotsky's depth lower bound for x²: the folding construction meets the counting bound's rate."""

import numpy as np
import pytest
from torch import nn

from approxlab.construct.yarotsky import square_sup_error
from approxlab.errors import ApproxlabError
from approxlab.lowerbounds.depth import (
    fewest_folded_units,
    folded_square,
    folded_units,
    units_lower_bound,
)
from approxlab.regions import partition


@pytest.mark.parametrize("w,L", [(2, 2), (4, 2), (2, 4), (3, 3), (3, 5), (2, 6)])
def test_folding_net_errs_by_exactly_one_over_8P2(w, L):
    net = folded_square(w, L)
    widths = [m.out_features for m in net if isinstance(m, nn.Linear)][:-1]
    assert len(widths) == L - 1 and sum(widths) == folded_units(w, L)
    err, pieces, _ = square_sup_error(net)  # exact, from the affine pieces of approxlab.regions
    assert err == pytest.approx(1 / (8 * w ** (2 * (L - 1))), rel=1e-9)
    assert pieces == w ** (L - 1) <= np.prod([n + 1 for n in widths])
    assert len(partition(net, (0.0, 1.0)).points) - 1 <= np.prod(
        [n + 1 for n in widths]
    )  # the counting argument


@pytest.mark.parametrize("L", [2, 3, 4, 6])
def test_construction_is_sandwiched_by_the_counting_bound(L):
    for eps in np.logspace(-2, -12, 11):
        units, w = fewest_folded_units(float(eps), L)
        lb = units_lower_bound(float(eps), L)
        assert (
            lb <= units <= lb + 3 * (L - 1)
        )  # w = ⌈(8ε)^(−1/(2(L−1)))⌉ overshoots by < 1 per layer
        assert 1 / (8 * w ** (2 * (L - 1))) <= eps


def test_deeper_needs_fewer_units():
    assert [fewest_folded_units(1e-8, L)[0] for L in (2, 3, 4, 6)] == sorted(
        [fewest_folded_units(1e-8, L)[0] for L in (2, 3, 4, 6)], reverse=True
    )


def test_bad_input():
    with pytest.raises(ApproxlabError):
        folded_square(1, 3)
    with pytest.raises(ApproxlabError):
        units_lower_bound(0.0, 3)
    with pytest.raises(ApproxlabError):
        units_lower_bound(0.1, 1)
