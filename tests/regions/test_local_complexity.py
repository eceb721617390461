"""Exact local complexity next to the frame-based estimate of Humayun et al. 2024."""

import numpy as np
import torch

import approxlab
from approxlab.regions.local_complexity import frame_local_complexity, local_regions


def _one_layer(normals, offsets):
    net = approxlab.mlp(2, [len(normals)], seed=0)
    with torch.no_grad():
        net[0].weight.copy_(torch.as_tensor(np.asarray(normals, float)))
        net[0].bias.copy_(torch.as_tensor(np.asarray(offsets, float)))
    return net


def test_two_crossing_lines_near_and_far():
    # Lines x = 0 and y = 0: the disk of radius 0.5 at the origin meets 4 regions, 2 bends;
    # at (0.3, 2) it meets 2 regions (x = 0 only); at (3, 3) one region and no bend.
    net = _one_layer([[1, 0], [0, 1]], [0, 0])
    out = local_regions(net, np.array([[0, 0], [0.3, 2], [3, 3]]), 0.5)
    assert out["regions"].tolist() == [4, 2, 1]
    assert out["neurons"].tolist() == [2, 1, 0]


def test_the_disk_counts_only_regions_it_meets_not_the_whole_square():
    # The line x + y = 0.65 cuts the square [-0.5, 0.5]^2 but misses the disk (distance 0.46 > 0.45).
    net = _one_layer([[1, 1]], [-0.65])
    assert local_regions(net, np.zeros((1, 2)), 0.45)["regions"].tolist() == [1]
    assert local_regions(net, np.zeros((1, 2)), 0.47)["regions"].tolist() == [2]


def test_the_frame_counts_sign_changes_at_the_cross_polytope_vertices():
    # Frame vertices x ± r v_p; the line y = 0 separates (0, ±r) for any frame at the origin.
    net = _one_layer([[1, 0], [0, 1], [1, 1]], [0, 0, -5])
    lc = frame_local_complexity(net, np.zeros((4, 2)), 1.0, seed=3)
    assert lc.tolist() == [2, 2, 2, 2]


def test_frame_estimate_never_exceeds_the_exact_neuron_count_in_2d():
    # The cross-polytope lies inside the disk, so a neuron it sees is one the disk meets.
    net = approxlab.mlp(2, [16, 16], seed=5)
    pts = np.random.default_rng(0).uniform(-1, 1, (20, 2))
    exact = local_regions(net, pts, 0.2)
    frame = frame_local_complexity(net, pts, 0.2, seed=1)
    assert np.all(frame <= exact["neurons"])
    assert np.all(exact["regions"] >= 1) and exact["regions"].max() > 1


def test_exact_local_complexity_on_a_segment():
    # Knots at 0 and 0.25: the segment [-0.1, 0.1] holds one, [0.1, 0.3] the other, [0.9, 1.1] none.
    one_input = approxlab.mlp(1, [2], seed=0)
    with torch.no_grad():
        one_input[0].weight.copy_(torch.tensor([[1.0], [1.0]], dtype=torch.float64))
        one_input[0].bias.copy_(torch.tensor([0.0, -0.25], dtype=torch.float64))
    out = local_regions(one_input, np.array([0.0, 0.2, 1.0]), 0.1)
    assert out["regions"].tolist() == [2, 2, 1] and out["neurons"].tolist() == [1, 1, 0]
