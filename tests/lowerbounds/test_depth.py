"""Yarotsky's depth lower bound for x²: the folding construction meets the counting bound's rate; e^x, a second
C² target, never beats the same count."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from approxlab.construct.yarotsky import square_sup_error
from approxlab.errors import ApproxlabError
from approxlab.lowerbounds.depth import (
    exp_sup_error,
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


def test_exp_sup_error_is_exact_against_a_dense_grid():
    from approxlab.nets import mlp

    net = mlp(1, [5, 3], seed=4)
    err, pieces = exp_sup_error(net)
    x = torch.linspace(0, 1, 200_001, dtype=torch.float64)[:, None]
    with torch.no_grad():
        sampled = float((net(x)[:, 0] - torch.exp(x[:, 0])).abs().max())
    assert (
        sampled <= err <= sampled + 1e-9
    )  # the grid can only miss the peak, by < h² max g''/8 ≈ 1e-11
    assert 1 <= pieces <= (5 + 1) * (3 + 1)


def test_the_bound_with_curvature_two_is_the_square_bound():
    for L in (2, 3, 6):
        assert units_lower_bound(1e-6, L, curvature=2.0) == units_lower_bound(1e-6, L)


@pytest.mark.parametrize("k", [4, 8, 16, 32])
def test_exp_interpolants_respect_the_bound_and_their_own_error(k):
    from approxlab.construct.pwl import interpolate

    err, pieces = exp_sup_error(interpolate("exp(x)", k)[0])
    assert pieces == k
    assert err <= math.e / (8 * k**2)  # h² max g''/8, h = 1/k
    assert err >= 1 / (16 * k**2)  # μ/(16P²) with μ = 1: the piece count alone forbids less
    assert k >= units_lower_bound(err, 2, curvature=1.0)


@pytest.mark.parametrize("L,w", [(2, 3), (3, 2)])
def test_a_trained_net_does_not_beat_the_counting_bound(L, w):
    from approxlab.baseline import best_of
    from approxlab.nets import mlp
    from approxlab.targets import target

    b = best_of(
        lambda s: mlp(1, [w] * (L - 1), seed=s),
        target("exp(x)", domain=[(0.0, 1.0)]),
        inits=2,
        lrs=(1e-2, 1e-1),
        probe_steps=50,
        adam_steps=300,
        lbfgs_steps=100,
        n_train=200,
        score=lambda net: exp_sup_error(net)[0],
    )
    err, pieces = exp_sup_error(b.net)
    assert err >= 1 / (16 * pieces**2)  # ε ≥ μ/(16P²), μ = min e^x = 1
    assert w * (L - 1) >= units_lower_bound(err, L, curvature=1.0)
