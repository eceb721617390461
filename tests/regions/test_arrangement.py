"""The first layer's line arrangement built at once equals cutting line by line."""

import numpy as np
import pytest
import torch

import approxlab
import approxlab.regions.partition2d as p2d
from approxlab.regions import partition
from approxlab.regions.arrangement import arrange
from approxlab.regions.checks import check

SQUARE = [(-1.0, 1.0), (-1.0, 1.0)]


@pytest.mark.parametrize("widths,seed", [([40], 0), ([30, 20], 1), ([16, 16, 16], 2)])
def test_arrangement_and_line_by_line_cutting_give_the_same_partition(widths, seed, monkeypatch):
    net = approxlab.mlp(2, widths, seed=seed)
    fast = partition(net, SQUARE)
    monkeypatch.setattr(p2d, "arrange", lambda *args: None)
    slow = partition(net, SQUARE)
    assert fast.count == slow.count
    assert np.allclose(np.sort(fast.areas()), np.sort(slow.areas()), rtol=0, atol=1e-13)
    assert check(fast, net)["ok"]


def test_degenerate_lines_fall_back_to_cutting_and_stay_exact():
    # x = 0, y = 0 and x = y meet at the origin, and x = y runs through two corners: six sectors.
    normals = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]])
    square = np.array([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]])
    assert arrange(square, normals, np.zeros(3)) is None
    net = approxlab.mlp(2, [3], seed=0)
    with torch.no_grad():
        net[0].weight.copy_(torch.as_tensor(normals))
        net[0].bias.zero_()
    p = partition(net, SQUARE)
    assert p.count == 6 and check(p, net)["ok"]


def test_arranged_faces_are_counter_clockwise_with_positive_area():
    net = approxlab.mlp(2, [25], seed=3)
    w, b = net[0].weight.detach().numpy(), net[0].bias.detach().numpy()
    square = np.array([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]])
    built = arrange(square, w, b)
    assert built is not None
    p = partition(net, SQUARE)
    assert p.areas().min() > 0 and abs(p.areas().sum() - 4.0) < 1e-12 and p.euler() == 1


def test_two_kinks_per_neuron_give_parallel_line_pairs_and_the_same_partition(monkeypatch):
    # Hardtanh bends at z = −1 and z = 1: two parallel lines per neuron in the first layer.
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(2, 12, dtype=torch.float64),
        torch.nn.Hardtanh(),
        torch.nn.Linear(12, 8, dtype=torch.float64),
        torch.nn.LeakyReLU(0.1),
        torch.nn.Linear(8, 1, dtype=torch.float64),
    )
    box = [(-3.0, 3.0), (-3.0, 3.0)]
    fast = partition(net, box)
    monkeypatch.setattr(p2d, "arrange", lambda *args: None)
    slow = partition(net, box)
    assert fast.count == slow.count and check(fast, net)["ok"]
    assert set(np.unique(fast.patterns()[0])) == {0, 1, 2}  # all three pieces of Hardtanh occur
