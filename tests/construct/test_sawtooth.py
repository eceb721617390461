"""Telgarsky's hat and sawtooth: exact values, 2n units, 2^n pieces (seed 003)."""

import numpy as np
import pytest
import torch
from torch import nn

from approxlab.construct.sawtooth import hat_net, sawtooth_net


def _eval(net, x):
    with torch.no_grad():
        return net(torch.as_tensor(x, dtype=torch.float64).reshape(-1, 1)).numpy().ravel()


def test_hat_is_the_tent_on_the_unit_interval():
    x = np.linspace(0, 1, 1001)
    assert np.max(np.abs(_eval(hat_net(), x) - np.where(x <= 0.5, 2 * x, 2 - 2 * x))) < 1e-15


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_sawtooth_is_h_composed_n_times_with_2n_relu_units(n):
    net = sawtooth_net(n)
    relus = [m for m in net if isinstance(m, nn.ReLU)]
    widths = [m.out_features for m in net if isinstance(m, nn.Linear)][:-1]
    assert len(relus) == n and widths == [2] * n
    assert all(p.dtype == torch.float64 for p in net.parameters())
    x = np.linspace(0, 1, 4097)
    y = x.copy()
    for _ in range(n):
        y = np.where(y <= 0.5, 2 * y, 2 - 2 * y)
    assert np.max(np.abs(_eval(net, x) - y)) < 1e-12


@pytest.mark.parametrize("n", [1, 4, 7])
def test_sawtooth_hits_0_and_1_alternately_at_the_dyadic_points(n):
    # 2^n pieces: the values at j/2^n alternate 0, 1, 0, ... so no fewer pieces can do it.
    x = np.arange(2**n + 1) / 2**n
    assert np.array_equal(_eval(sawtooth_net(n), x), (np.arange(2**n + 1) % 2).astype(float))


def test_sawtooth_rejects_n_below_one():
    from approxlab.errors import ApproxlabError

    with pytest.raises(ApproxlabError, match="n ≥ 1"):
        sawtooth_net(0)


def test_pieces_and_peaks_are_measured_not_assumed():
    from approxlab.construct.sawtooth import pieces_and_peaks, sawtooth_net

    # seed 003's "2^n spikes": 2^(n−1) peaks and 2^n pieces
    assert [pieces_and_peaks(sawtooth_net(n)) for n in (1, 2, 5)] == [(2, 1), (4, 2), (32, 16)]
    broken = sawtooth_net(3)
    with torch.no_grad():
        broken[2].weight.mul_(0.4)  # the second hat no longer reaches ½: it stops folding
    assert pieces_and_peaks(broken) != (8, 4)
