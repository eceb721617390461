"""Exact 1D partitions: sawtooth counts, one breakpoint per unit, slices through two points."""

import numpy as np
import pytest
import torch

import approxlab
from approxlab.construct.sawtooth import sawtooth_net
from approxlab.errors import ApproxlabError
from approxlab.regions import partition, segment
from approxlab.regions.checks import check

from .exact_reference import intervals


@pytest.mark.parametrize("n", [1, 2, 3, 7, 12])
def test_the_sawtooth_has_exactly_two_to_the_n_regions_and_pieces(n):
    p = partition(sawtooth_net(n), (0.0, 1.0))
    assert p.count == 2**n
    assert p.linear_pieces() == 2**n
    # Breakpoints are the dyadic points k / 2^n, exactly representable in float64.
    assert np.array_equal(p.points, np.arange(2**n + 1) / 2**n)
    assert check(p, sawtooth_net(n))["ok"]


def test_one_hidden_layer_has_one_breakpoint_per_unit_inside_the_interval():
    net = approxlab.mlp(1, [40], seed=3)
    w = net[0].weight.detach().numpy().ravel()
    b = net[0].bias.detach().numpy()
    knots = -b / w
    p = partition(net, (-1.0, 1.0))
    assert p.count == 1 + int(np.sum(np.abs(knots) < 1))
    assert np.allclose(np.sort(knots[np.abs(knots) < 1]), p.points[1:-1], rtol=0, atol=1e-15)


def test_deep_random_net_regions_match_a_dense_sample_of_patterns():
    net = approxlab.mlp(1, [8, 8, 8], seed=4)
    p = partition(net, (-2.0, 2.0))
    assert check(p, net)["ok"]
    x = np.linspace(-2, 2, 400_001)[:, None]
    from approxlab.regions.layers import forward

    bits = np.concatenate([z > 0 for z in forward(p.layers, x)[:-1]], axis=1)
    changes = 1 + int(np.any(bits[1:] != bits[:-1], axis=1).sum())
    # The shortest region (measured 4.3e-3) is far longer than the step 1e-5, so every one is seen.
    assert p.areas().min() > 1e-4
    assert p.count == changes


def test_a_segment_between_two_points_of_a_higher_dimensional_input():
    net = approxlab.mlp(6, [16, 16], seed=2)
    a, b = np.zeros(6), np.ones(6)
    p = partition(net, segment(a, b))
    assert abs(p.points[-1] - np.sqrt(6)) < 1e-15
    assert check(p, net)["ok"]
    # The breakpoints map back onto the segment in input space.
    x = p.inputs(p.points[:, None])
    assert np.allclose(x[-1], b) and np.allclose(x, x[:, :1] * np.ones(6))


def test_an_empty_interval_and_a_degenerate_segment_are_refused():
    with pytest.raises(ApproxlabError, match="empty"):
        partition(approxlab.mlp(1, [3]), (1.0, 1.0))
    with pytest.raises(ApproxlabError, match="coincide"):
        segment([1, 2], [1, 2])


def test_float32_nets_are_read_in_float64():
    net = approxlab.mlp(1, [16, 16], seed=1, dtype=torch.float32)
    assert check(partition(net, (-1, 1)), net)["ok"]


def test_max_regions_stops_the_1d_partition_at_the_layer_that_passes_it():
    # The sawtooth doubles its pieces per layer: 128 > 100 at layer 7; bound ∏(2 + 1) = 3^10 = 59049.
    with pytest.raises(
        ApproxlabError, match=r"max_regions=100 at layer 7 .*5\.9e\+04.*smaller segment"
    ):
        partition(sawtooth_net(10), (0.0, 1.0), max_regions=100)


@pytest.mark.parametrize("widths", [[16], [16, 16], [32] * 4, [50] * 4])
def test_zero_bias_nets_have_two_pieces_on_an_asymmetric_interval(widths):
    # Every pre-activation is positively homogeneous, so every bend sits at x = 0: exactly two
    # regions on [-0.3, 1.7] (issue 18 measured 32–53 before exact predicates).
    net = approxlab.mlp(1, widths, seed=0, dtype=torch.float64)
    with torch.no_grad():
        for m in net:
            if isinstance(m, torch.nn.Linear):
                m.bias.zero_()
    p = partition(net, (-0.3, 1.7))
    assert p.count == 2 and p.points[1] == 0.0
    assert check(p, net)["ok"]


def test_many_neurons_bending_at_one_point_make_one_breakpoint():
    # 40 first-layer neurons all bend at x = 0.375 (dyadic, exact), a second layer duplicates rows.
    rng = np.random.default_rng(0)
    w = rng.integers(1, 9, size=(40, 1)) / 4.0 * rng.choice([-1.0, 1.0], size=(40, 1))
    first = torch.nn.Linear(1, 40).double()
    second = torch.nn.Linear(40, 6).double()
    with torch.no_grad():
        first.weight.copy_(torch.as_tensor(w))
        first.bias.copy_(torch.as_tensor(-0.375 * w[:, 0]))
        second.weight[1] = second.weight[0]
        second.bias[1] = second.bias[0]
    net = torch.nn.Sequential(
        first, torch.nn.ReLU(), second, torch.nn.ReLU(), torch.nn.Linear(6, 1).double()
    )
    p = partition(net, (-1.0, 2.0))
    g = np.linspace(-1, 2, 300_001)[:, None]
    from approxlab.regions.layers import forward

    bits = np.concatenate([z > 0 for z in forward(p.layers, g)[:-1]], axis=1)
    runs = 1 + int(np.any(bits[1:] != bits[:-1], axis=1).sum())
    # Sampling sees every region here: the smallest region is longer than 1e-3 (measured), the step 1e-5.
    assert p.areas().min() > 1e-3
    assert 0.375 in p.points and p.count == runs
    assert check(p, net)["ok"]


def test_an_ordinary_deep_net_places_its_breakpoints_without_exact_arithmetic(monkeypatch):
    # approxlab.mlp(1, [32] * 3, seed=0): the carried bounds of its breakpoints' positions grow
    # ~50× per layer (worst-case round-off of 32-term dot products, amplified by interpolation), past
    # 1e-12 of the positions themselves: each was then rounded from its exact root (11 roots; 48 on
    # 1→64⁴, 0.5 s on 1→256⁴ where an exact root multiplies 256 × 256 integer matrices). A position
    # accurate to 1/1000 of the distance to its neighbours and consistent with both intervals'
    # affine maps to TOL/10 of the outputs needs none; regions and values as before.
    from approxlab.regions import partition1d

    roots = []
    crossing = partition1d._crossing
    monkeypatch.setattr(partition1d, "_crossing", lambda *a: roots.append(a) or crossing(*a))
    net = approxlab.mlp(1, [32] * 3, seed=0)
    p = partition(net, (-1.0, 1.0))
    rows = np.concatenate(p.patterns(), axis=1)
    assert [tuple(tuple(r[k : k + 32].tolist()) for k in (0, 32, 64)) for r in rows] == intervals(
        net, -1.0, 1.0
    )  # 29
    assert roots == []
    assert check(p, net)["ok"]
