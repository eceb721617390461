"""The compiled fast path for plain MLPs (regions/fastcut.py) against the exact path.

The fast path reads every sign past the float64 error bound, decides the ones within it
exactly, and hands degenerate nets (a line exactly through a vertex it did not make) to the
exact path. Here: it runs and equals the exact path (count and every pattern) on random nets;
it decides near-degenerate signs exactly (a real region of area 1e-24 kept); it falls back on
zero biases and duplicated units, where the answer still equals exact rational clipping.
"""

import numpy as np
import pytest
import torch

import approxlab
from approxlab.regions import partition, stages
from approxlab.regions.checks import check
from approxlab.regions.layers import _input_dim, _mlp_stages, _Reader, _traced
from approxlab.regions.partition2d import Partition2D, fast_subdivide, subdivide
from approxlab.regions.slices import rectangle

from .exact_reference import patterns_of, regions, relu_net

SQUARE = [(-1.0, 1.0), (-1.0, 1.0)]
POLYGON = rectangle(SQUARE)


def _both(net):
    """The fast path's and the exact path's partitions of the square (same stages, same polygon)."""
    layers = stages(net)
    parts = {}
    for fast in (True, False):
        found = subdivide(layers, POLYGON, 10**6, fast=fast)
        parts[fast] = Partition2D(layers, POLYGON, *found, np.zeros(2), np.eye(2), 0.0)
    return parts[True], parts[False]


@pytest.mark.parametrize(
    "widths, seed",
    # [120] and [64, 8]: a first layer of many lines, walked line by line through its zone.
    [([8], 0), ([32], 1), ([16, 16], 2), ([12, 12, 12], 3), ([6] * 6, 4), ([120], 5), ([64, 8], 6)],
)
def test_the_fast_path_runs_and_equals_the_exact_path_on_random_nets(widths, seed):
    net = approxlab.mlp(2, widths, seed=seed)
    assert fast_subdivide(stages(net), POLYGON, 10**6) is not None  # no fallback: general position
    fast, exact = _both(net)
    assert fast.count == exact.count
    assert patterns_of(fast) == patterns_of(exact)
    assert len(fast.vertices) == len(exact.vertices)
    assert fast.euler() == 1
    assert check(fast, net)["ok"]


def test_the_fast_path_equals_exact_rational_clipping_on_a_small_net():
    net = approxlab.mlp(2, [5, 4, 3], seed=7).double()
    truth = regions(net, (-1, 1, -1, 1))
    fast, _ = _both(net)
    assert fast.count == len(truth)
    assert patterns_of(fast) == set(truth)


def test_a_sign_within_the_error_bound_is_decided_exactly_and_keeps_tiny_regions():
    # Layer 1: the axes, crossing at the origin. Layer 2: relu(x) + relu(y) = 1e-12 passes 1e-12
    # from the origin, a vertex of layer 1: within the float64 error bound (1e-9 of the terms), so
    # its sign there is decided exactly. It cuts three quadrants: a triangle of area 5e-25 and
    # two strips 1e-12 wide are regions, 4 + 3 = 7 in all.
    eps = 1e-12
    net = relu_net(
        [np.eye(2), np.array([[1.0, 1.0]]), np.array([[1.0]])],
        [np.zeros(2), np.array([-eps]), np.zeros(1)],
    )
    box = (-0.75, 1.0, -0.5, 1.0)
    poly = rectangle([box[:2], box[2:]])
    truth = regions(net, box)
    found = fast_subdivide(stages(net), poly, 10**6)
    assert found is not None  # the fast path itself decided the sign at the origin
    p = Partition2D(stages(net), poly, *found, np.zeros(2), np.eye(2), 0.0)
    assert p.count == len(truth) == 7
    assert patterns_of(p) == set(truth)
    # The strips' areas, 1e-12 × their length; the triangle's 5e-25 is below the shoelace's
    # round-off about a domain corner (~1e-17 here) but it is there, with its own pattern.
    assert np.sort(p.areas())[1:3] == pytest.approx([5e-13, 7.5e-13], rel=1e-3)


def test_a_first_layer_sign_within_the_error_bound_is_decided_and_the_layer_cut_again():
    # Three first-layer lines nearly through one point: x = 0, y = 0 and x + y = 1e-12. Where the
    # first two cross, z = x + y − 1e-12 is within the error bound of 0, so the compiled first layer
    # stops, the sign is decided exactly (the origin lies below the third line) and the polygon's
    # one face is cut again knowing it: 7 regions, one of them a triangle of area 5e-25.
    eps = 1e-12
    net = relu_net(
        [np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.ones((1, 3))],
        [np.array([0.0, 0.0, -eps]), np.zeros(1)],
    )
    box = (-0.75, 1.0, -0.5, 1.0)
    poly = rectangle([box[:2], box[2:]])
    truth = regions(net, box)
    found = fast_subdivide(stages(net), poly, 10**6)
    assert found is not None
    p = Partition2D(stages(net), poly, *found, np.zeros(2), np.eye(2), 0.0)
    assert p.count == len(truth) == 7
    assert patterns_of(p) == set(truth)


def test_the_error_bound_is_the_size_of_the_terms_scaled():
    # TOL · max(Σ_i |W_ji| max_v |h_vi| + |b_j|, TINY), read in NumPy: a zero neuron gets TINY·TOL.
    from approxlab.regions.fastcut import error_bound

    rng = np.random.default_rng(0)
    w, b, h = rng.normal(size=(5, 3)), rng.normal(size=5), rng.normal(size=(40, 3))
    w[4], b[4] = 0.0, 0.0
    size = np.abs(w) @ np.abs(h).max(axis=0) + np.abs(b)
    expected = 1e-9 * np.maximum(size, np.finfo(float).tiny)
    assert np.allclose(error_bound(w, b, h, 1e-9, np.finfo(float).tiny), expected, rtol=1e-14)
    assert error_bound(w, b, h, 1e-9, np.finfo(float).tiny)[4] == 1e-9 * np.finfo(float).tiny


@pytest.mark.parametrize(
    "case, compiled",
    [
        # Lines through one point are cut by the compiled path, the point decided exactly on them.
        ("zero first-layer biases", True),
        ("zero biases", True),
        # Two lines crossing an edge at one point: the floats cannot order them; exact path.
        ("duplicated unit", False),
    ],
)
def test_degenerate_nets_are_cut_exactly(case, compiled):
    rng = np.random.default_rng(5)
    ws = [rng.normal(size=(8, 2)), rng.normal(size=(6, 8)), rng.normal(size=(1, 6))]
    bs = [rng.normal(scale=0.5, size=8), rng.normal(scale=0.5, size=6), np.zeros(1)]
    if case == "zero first-layer biases":
        bs[0] = np.zeros(8)  # every first-layer line through the origin
    elif case == "zero biases":
        bs = [np.zeros(8), np.zeros(6), np.zeros(1)]  # every line of every layer through it
    else:
        ws[1][3], bs[1][3] = ws[1][1], bs[1][1]  # two second-layer units with one line
    net = relu_net(ws, bs)
    assert (fast_subdivide(stages(net), POLYGON, 10**6) is not None) == compiled
    p = partition(net, SQUARE)
    truth = regions(net, (-1, 1, -1, 1))
    assert p.count == len(truth)
    assert patterns_of(p) == set(truth)


@pytest.mark.parametrize("max_regions", [100, 1000, 2000])  # 2,349 regions in all
def test_max_regions_stops_the_fast_path_with_the_exact_paths_message(max_regions):
    layers = stages(approxlab.mlp(2, [64, 64], seed=0))
    messages = []
    for fast in (True, False):
        with pytest.raises(
            approxlab.ApproxlabError, match=f"passed max_regions={max_regions}"
        ) as e:
            subdivide(layers, POLYGON, max_regions, fast=fast)
        messages.append(str(e.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize(
    "net",
    [
        approxlab.mlp(2, [32, 32], seed=0, dtype=torch.float32),
        torch.nn.Sequential(
            torch.nn.Linear(3, 5),
            torch.nn.LeakyReLU(0.1),
            torch.nn.Dropout(0.2),
            torch.nn.Linear(5, 4),
            torch.nn.Hardtanh(),
            torch.nn.Linear(4, 2),
        ),
        torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU()),
    ],
)
def test_a_plain_mlp_is_read_from_its_weights_as_the_reader_reads_it(net):
    direct = _mlp_stages(net)
    read = _Reader(net, _traced(net), "net").read(_input_dim(net))
    assert direct is not None and len(direct) == len(read)
    for a, b in zip(direct, read):
        assert np.array_equal(a.weight, b.weight) and np.array_equal(a.bias, b.bias)
        assert (a.activation is None) == (b.activation is None)
        if a.activation is not None:
            assert a.activation.name == b.activation.name
            assert np.array_equal(a.activation.kinks, b.activation.kinks)
            assert np.array_equal(a.activation.slope, b.activation.slope)


def test_the_first_layer_walk_equals_the_exact_path_on_a_convex_polygon():
    # A hexagon, not a box: the walk enters each line where it crosses the polygon's cycle.
    hexagon = np.array([[np.cos(a), np.sin(a)] for a in np.linspace(0, 2 * np.pi, 7)[:-1]])
    layers = stages(approxlab.mlp(2, [48], seed=11))
    assert fast_subdivide(layers, hexagon, 10**6) is not None
    parts = {
        fast: Partition2D(
            layers,
            hexagon,
            *subdivide(layers, hexagon, 10**6, fast=fast),
            np.zeros(2),
            np.eye(2),
            0.0,
        )
        for fast in (True, False)
    }
    assert parts[True].count == parts[False].count
    assert patterns_of(parts[True]) == patterns_of(parts[False])
    assert parts[True].euler() == 1


def test_a_first_layer_walk_short_of_room_says_so_and_with_room_cuts_as_the_first_layer_does():
    from approxlab.regions import fastcut
    from approxlab.regions.partition2d import TINY, TOL

    layer = stages(approxlab.mlp(2, [24], seed=3))[0]
    n, cap = 24, 4 + 2 * 24 + 24 * 23 // 2 + 64
    whole = fastcut.first_layer(POLYGON, layer.weight, layer.bias, 0.0, cap, TOL, TINY, 10**6)[0]
    x, z = np.empty((cap, 2)), np.empty((cap, n))
    rec = np.empty((cap, 4), np.int64)
    x[:4], z[:4], rec[:4] = POLYGON, POLYGON @ layer.weight.T + layer.bias, (-1, -1, 0, 0)
    tol = fastcut.error_bound(layer.weight, layer.bias, POLYGON, TOL, TINY)
    none, sv, off = np.zeros(0, np.int64), np.arange(4), np.array([0, 4])
    vbits = fastcut._unsure(z, 4, tol, 0.0, none, none, none)[2]
    nxt, f_of, twin = fastcut._topology(sv, -1 - sv, off, 4)
    out = fastcut._edge_crossings(
        x, z, rec, 4, vbits, sv, -1 - sv, nxt, f_of, tol, 0.0, 0, 0, 10**6, none, none, none
    )
    assert out[0] == fastcut.OK
    args = (*out[1:5], vbits, sv, -1 - sv, off, nxt, twin, *out[5:8], tol, 0.0, 0, 0, 10**6)
    # Room for the face's cycle alone: the walk stops at its second cut instead of writing past
    # its arrays; the vertices it made are made again by the walk with room.
    assert fastcut._walk_faces(*args, none, none, none, 0)[0] == fastcut.ROOM
    walked = fastcut._walk_faces(*args, none, none, none, 1)
    assert walked[0] == whole[0] == fastcut.OK
    nv = walked[4]
    assert nv == whole[4]
    for k in (1, 2, 3):  # the vertices: x, z and how each was made
        assert np.array_equal(walked[k][:nv], whole[k][:nv])
    for k in (5, 6, 7, 8, 9):  # slots (vertex, label), offsets, ancestors, sides
        assert np.array_equal(walked[k], whole[k])


@pytest.mark.parametrize("zeroed", ["every layer", "first layer", "deeper layers"])
@pytest.mark.parametrize("activation", ["relu", "leaky", "abs", "prelu"])
def test_zero_biases_of_every_one_kink_activation_cut_as_the_exact_path_does(activation, zeroed):
    # The certificates (two first-layer lines through 0 meet there; inputs exactly 0 give z = b)
    # hold for any σ with σ(0) = 0: the compiled cut takes these nets and finds the exact path's
    # regions, pattern for pattern (measured on 120 such nets, seeds 0–119: all equal).
    from approxlab.regions.layers import Abs

    make = {
        "relu": torch.nn.ReLU,
        "leaky": lambda: torch.nn.LeakyReLU(0.1),
        "abs": Abs,
        "prelu": lambda: torch.nn.PReLU(init=0.3),
    }[activation]
    torch.manual_seed(7)
    net = torch.nn.Sequential(
        torch.nn.Linear(2, 12), make(), torch.nn.Linear(12, 9), make(), torch.nn.Linear(9, 1)
    ).double()
    with torch.no_grad():
        for i in {"every layer": [0, 2], "first layer": [0], "deeper layers": [2]}[zeroed]:
            net[i].bias.zero_()
    layers = stages(net)
    fast = fast_subdivide(layers, POLYGON, 10**6)
    assert fast is not None
    exact = subdivide(layers, POLYGON, 10**6, fast=False)
    found = Partition2D(layers, POLYGON, *fast, np.zeros(2), np.eye(2), 0.0)
    truth = Partition2D(layers, POLYGON, *exact, np.zeros(2), np.eye(2), 0.0)
    assert found.count == truth.count
    assert patterns_of(found) == patterns_of(truth)
    assert check(found, net)["ok"]


def _fan_of(w: np.ndarray, polygon: np.ndarray = POLYGON):
    """fastcut._fan on the first layer z = w x (zero biases, ReLU kink 0) over ``polygon``."""
    from approxlab.regions import fastcut
    from approxlab.regions.partition2d import TINY, TOL, _capacity

    k, n = len(polygon), len(w)
    cap = _capacity(k, n, 10**6)
    x, z, rec = np.empty((cap, 2)), np.empty((cap, n)), np.full((cap, 4), -1, np.int64)
    x[:k], z[:k] = polygon, polygon @ w.T
    tol = fastcut.error_bound(w, np.zeros(n), polygon, TOL, TINY)
    return fastcut._fan(x, z, rec, k, tol, 0.0, 10**6)


@pytest.mark.parametrize("n", [3, 8, 32, 128])
def test_lines_through_the_origin_make_a_fan_of_2n_sectors(n):
    # Every line through 0 inside the square: 2n sectors, each on the side of every line that its
    # centroid is on (read here from w · centroid, independently of the cut's boundary order).
    w = np.random.default_rng(n).normal(size=(n, 2))
    applies, out = _fan_of(w)
    assert applies and out[0] == 0
    x, nv, sv, off, bits = out[1], out[4], out[5], out[7], out[9]
    assert len(off) - 1 == 2 * n and nv == 4 + 2 * n + 1
    assert np.array_equal(x[nv - 1], [0.0, 0.0])
    area = 0.0
    for f in range(2 * n):
        poly = x[sv[off[f] : off[f + 1]]]
        a = 0.5 * np.sum(
            poly[:, 0] * np.roll(poly[:, 1], -1) - np.roll(poly[:, 0], -1) * poly[:, 1]
        )
        assert a > 0  # counter-clockwise, not empty
        area += a
        side = w @ poly.mean(axis=0) > 0
        assert np.array_equal(np.unpackbits(bits[f], count=n).astype(bool), side)
    assert area == pytest.approx(4.0, rel=1e-12)


@pytest.mark.parametrize(
    "case, row, box",
    [
        ("a line through two corners", [1.0, -1.0], (-1.0, 1.0, -1.0, 1.0)),
        ("coincident lines", [-0.6, 0.9], (-1.0, 1.0, -1.0, 1.0)),
        ("the origin outside the domain", [0.3, 0.8], (0.25, 1.0, -1.0, 1.0)),
        ("the origin on the boundary", [0.3, 0.8], (0.0, 1.0, -1.0, 1.0)),
    ],
)
def test_a_fan_the_floats_cannot_certify_is_left_to_the_per_face_cut(case, row, box):
    w1 = np.array([[0.6, -0.9], [1.0, 0.35], [-0.2, 1.0], [0.7, 0.7], row])
    if case == "coincident lines":
        w1[2] = 2.0 * w1[4]  # the same line through 0, scaled
    domain = rectangle([box[:2], box[2:]])
    assert not _fan_of(w1, domain)[0]
    w2 = np.random.default_rng(3).normal(size=(4, 5))
    net = relu_net([w1, w2, np.ones((1, 4))], [np.zeros(5), np.zeros(4), np.zeros(1)])
    found = partition(net, [box[:2], box[2:]])
    assert patterns_of(found) == set(regions(net, box))
    assert check(found, net)["ok"]


def test_zero_biases_through_the_fan_equal_exact_rational_clipping():
    rng = np.random.default_rng(11)
    net = relu_net(
        [rng.normal(size=(9, 2)), rng.normal(size=(6, 9)), rng.normal(size=(1, 6))],
        [np.zeros(9), np.zeros(6), np.zeros(1)],
    )
    assert _fan_of(stages(net)[0].weight)[0]
    found = partition(net, SQUARE)
    truth = regions(net, (-1.0, 1.0, -1.0, 1.0))
    assert found.count == len(truth)
    assert patterns_of(found) == set(truth)


def test_the_fan_on_a_convex_polygon_equals_the_exact_path():
    pentagon = np.array([[0.9, -0.4], [0.8, 0.7], [-0.3, 1.0], [-1.0, 0.1], [-0.2, -0.9]])
    rng = np.random.default_rng(5)
    net = relu_net(
        [rng.normal(size=(7, 2)), rng.normal(size=(5, 7)), rng.normal(size=(1, 5))],
        [np.zeros(7), np.zeros(5), np.zeros(1)],
    )
    layers = stages(net)
    assert _fan_of(layers[0].weight, pentagon)[0]
    parts = {}
    for fast in (True, False):
        found = subdivide(layers, pentagon, 10**6, fast=fast)
        parts[fast] = Partition2D(layers, pentagon, *found, np.zeros(2), np.eye(2), 0.0)
    assert parts[True].count == parts[False].count
    assert patterns_of(parts[True]) == patterns_of(parts[False])
    assert check(parts[True], net)["ok"]
