"""Plane and line slices of higher-dimensional inputs."""

import numpy as np
import pytest
import torch

import approxlab
from approxlab.errors import ApproxlabError
from approxlab.regions import partition, plane, through_points
from approxlab.regions.checks import check
from approxlab.regions.slices import convex_polygon


def test_the_plane_through_three_anchors_is_their_triangle():
    anchors = np.random.default_rng(0).normal(size=(3, 10))
    s = through_points(anchors)
    assert np.allclose(s.basis.T @ s.basis, np.eye(2), atol=1e-14)
    corners = s.origin + s.domain @ s.basis.T  # the triangle mapped back, in some order
    assert np.max(np.min(np.linalg.norm(anchors[:, None] - corners[None], axis=2), axis=1)) < 1e-12
    u, v = anchors[1] - anchors[0], anchors[2] - anchors[0]
    triangle = 0.5 * np.sqrt(np.dot(u, u) * np.dot(v, v) - np.dot(u, v) ** 2)
    net = approxlab.mlp(10, [32, 32], seed=1)
    p = partition(net, s)
    assert abs(p.areas().sum() - triangle) < 1e-9 * triangle
    assert check(p, net)["ok"]


def test_an_axis_plane_slice_equals_the_2d_restriction():
    # Fixing x3 = 0.3 in a 3-input net gives a 2-input net; both partitions must agree.
    net = approxlab.mlp(3, [12, 12], seed=4)
    p = partition(net, plane([0, 0, 0.3], [[1, 0, 0], [0, 1, 0]], box=[(-1, 1), (-1, 1)]))
    net2 = approxlab.mlp(2, [12, 12], seed=4)
    with torch.no_grad():
        net2[0].weight.copy_(net[0].weight[:, :2])
        net2[0].bias.copy_(net[0].bias + 0.3 * net[0].weight[:, 2])
        for i in (2, 4):
            net2[i].weight.copy_(net[i].weight)
            net2[i].bias.copy_(net[i].bias)
    assert p.count == partition(net2, [(-1, 1), (-1, 1)]).count


def test_collinear_anchors_parallel_directions_and_non_convex_polygons_are_refused():
    with pytest.raises(ApproxlabError, match="collinear"):
        through_points([[0, 0, 0], [1, 1, 1], [2, 2, 2]])
    with pytest.raises(ApproxlabError, match="parallel"):
        plane([0, 0, 0], [[1, 0, 0], [2, 0, 0]])
    with pytest.raises(ApproxlabError, match="not convex"):
        convex_polygon([(0, 0), (2, 0), (1, 0.2), (2, 2), (0, 2)])
    with pytest.raises(ApproxlabError, match="3 inputs"):
        partition(approxlab.mlp(3, [4]), [(-1, 1), (-1, 1)])


def test_a_clockwise_polygon_is_turned_counter_clockwise():
    p = convex_polygon([(0, 0), (0, 1), (1, 1), (1, 0)])
    q = np.roll(p, -1, axis=0)
    assert 0.5 * np.sum(p[:, 0] * q[:, 1] - q[:, 0] * p[:, 1]) == 1.0


def test_a_box_1e_13_wide_is_a_box_and_a_collinear_one_is_not():
    # The zero-area test is relative to the size of the shoelace terms, not absolute.
    net = approxlab.mlp(2, [8, 8], seed=0)
    p = partition(net, [(0.0, 1e-13), (0.0, 1.0)])
    assert p.count >= 1 and abs(p.areas().sum() - 1e-13) <= 1e-9 * 1e-13
    assert partition(net, [(0.3, 0.3 + 1e-13), (0.2, 0.2 + 1e-13)]).count == 1
    with pytest.raises(ApproxlabError, match="zero area"):
        partition(net, [(0, 1), (0, 1), (2, 2.0000000001)])
