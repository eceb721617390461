"""Degenerate arrangements counted exactly: against exact rational clipping and regioncam.

Many lines through one point, all-zero biases, duplicated and rescaled rows at every
depth, a deep line exactly through a first-layer vertex: the cases where float64
cutting alone makes slivers or misses them (issue 10). Each net's regions are compared
pattern by pattern with ``exact_reference`` (Fraction arithmetic, no float at all).
"""

import copy
import warnings

import numpy as np
import pytest
import regioncam
import torch

import approxlab
from approxlab.errors import ApproxlabError
from approxlab.regions import partition, stages
from approxlab.regions.checks import check
from approxlab.regions.partition2d import _Exact, fast_subdivide
from approxlab.regions.slices import rectangle

from .exact_reference import intervals, pattern_at, patterns_of, regions, relu_net

SQUARE = [(-1.0, 1.0), (-1.0, 1.0)]


def _random(widths: list[int], seed: int, zero_bias: bool = False) -> torch.nn.Sequential:
    rng = np.random.default_rng(seed)
    sizes = [2, *widths, 1]
    ws = [rng.normal(size=(o, i)) for i, o in zip(sizes[:-1], sizes[1:])]
    bs = [np.zeros(o) if zero_bias else rng.normal(scale=0.5, size=o) for o in sizes[1:]]
    return relu_net(ws, bs)


def _agrees_with_reference(net, box=(-1, 1, -1, 1)):
    p = partition(net, [box[:2], box[2:]])
    truth = regions(net, box)
    assert len(set(truth)) == len(truth)
    assert patterns_of(p) == set(truth)
    assert p.count == len(truth)
    assert check(p, net)["ok"]
    return p.count


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_all_zero_biases_at_every_depth(depth):
    # Every region is a cone from the origin: all bends of all layers pass through it.
    _agrees_with_reference(_random([6] * depth, seed=depth, zero_bias=True))


@pytest.mark.parametrize("k", [2, 3, 7, 20, 50])
def test_k_lines_through_one_point(k):
    # Dyadic weights (multiples of 1/8) and point, so the lines pass through it exactly in float64.
    rng = np.random.default_rng(k)
    point = np.array([0.25, -0.375])
    w = rng.integers(-16, 17, size=(k, 2)) / 8.0
    w[np.all(w == 0, axis=1)] = [1.0, 0.5]
    net = relu_net([w, np.ones((1, k))], [-(w @ point), np.zeros(1)])
    count = _agrees_with_reference(net)
    directions = {tuple(np.round(v / np.linalg.norm(v), 12)) for v in np.concatenate([w, -w])}
    assert count == len(directions)  # each distinct line direction bounds two of the sectors
    # The compiled cut takes the point as a vertex on every line through it (decided exactly), unless
    # two lines coincide: they cross the domain's edges at the same points, which floats cannot order.
    coincide = len(directions) < 2 * k
    assert (fast_subdivide(stages(net), rectangle(SQUARE), 10**6) is not None) or coincide


def test_zero_biases_at_every_depth_are_cut_by_the_compiled_path_without_exact_arithmetic(
    monkeypatch,
):
    # Every line of every layer passes through the origin. Its first-layer lines meet only there (two
    # lines through 0), and the inputs of every later layer are exactly 0 there (ReLU of values on or
    # below the kink), so z = b = 0 exactly: no sign needs rational arithmetic. Before, the exact path
    # cut such nets neuron by neuron: 2→32³ took 51 ms where regioncam takes 0.9 ms (now 2–3 ms).
    decided = []
    sides = _Exact.sides
    monkeypatch.setattr(_Exact, "sides", lambda self, *a: decided.append(a) or sides(self, *a))
    net = _random([24, 24, 24], seed=3, zero_bias=True)
    assert fast_subdivide(stages(net), rectangle(SQUARE), 10**6) is not None
    assert not decided
    _agrees_with_reference(net)


@pytest.mark.parametrize("layer", [0, 1, 2])
def test_duplicated_and_rescaled_rows_at_every_depth(layer):
    rng = np.random.default_rng(10 + layer)
    sizes = [2, 6, 6, 6, 1]
    ws = [rng.normal(size=(o, i)) for i, o in zip(sizes[:-1], sizes[1:])]
    bs = [rng.normal(scale=0.5, size=o) for o in sizes[1:]]
    ws[layer][1], bs[layer][1] = ws[layer][0], bs[layer][0]  # an exact duplicate
    ws[layer][2], bs[layer][2] = 2.0 * ws[layer][0], 2.0 * bs[layer][0]  # the same line, rescaled
    _agrees_with_reference(relu_net(ws, bs))


def test_a_first_layer_of_copied_neurons_has_the_regions_of_its_distinct_neurons():
    # Every neuron twice: the copies' lines coincide, so the net has the regions of its 7 distinct
    # neurons (24). regioncam 0.5.2 counts 34 on this net's float32 weights, and more regions than
    # exist on 61 of the 65 such nets of bench/regions_agreement.py.
    distinct = _random([7], seed=137)
    w, b = distinct[0].weight.detach().numpy(), distinct[0].bias.detach().numpy()
    v = distinct[2].weight.detach().numpy()
    copied = relu_net(
        [np.repeat(w, 2, axis=0), np.repeat(v, 2, axis=1) / 2], [np.repeat(b, 2), np.zeros(1)]
    )
    count = _agrees_with_reference(copied)
    assert count == partition(distinct, SQUARE).count == 24


def test_a_second_layer_line_exactly_through_a_first_layer_vertex():
    # Integer weights: the first-layer lines x = 0.5 and y = −0.25 cross at v = (0.5, −0.25), and the
    # second-layer neuron is zero exactly there (its bias cancels its value at v in exact arithmetic).
    w1 = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, -2.0]])
    b1 = np.array([-0.5, 0.25, 0.1, -0.3])
    v = np.array([0.5, -0.25])
    h = np.maximum(w1 @ v + b1, 0)
    w2 = np.array([[1.0, -2.0, 3.0, 0.5], [2.0, 1.0, -1.0, 1.0], [-1.0, 0.5, 2.0, -1.5]])
    b2 = -(w2 @ h)
    b2[1] += 0.3
    net = relu_net([w1, w2, np.ones((1, 3))], [b1, b2, np.zeros(1)])
    assert np.all(w2[[0, 2]] @ np.maximum(w1 @ v + b1, 0) + b2[[0, 2]] == 0)
    _agrees_with_reference(net)


def test_zero_length_edges_do_not_appear():
    # Three lines through one corner of the box and two through the midpoint of an edge.
    w = np.array([[1.0, 1.0], [1.0, 2.0], [2.0, 1.0], [1.0, 0.0], [1.0, 0.5]])
    b = -np.array([w[0] @ [1, 1], w[1] @ [1, 1], w[2] @ [1, 1], w[3] @ [0, -1], w[4] @ [0, -1]])
    p = partition(relu_net([w, np.ones((1, 5))], [b, np.zeros(1)]), SQUARE)
    pairs, _, _ = p.edges()
    assert np.all(np.linalg.norm(p.vertices[pairs[:, 0]] - p.vertices[pairs[:, 1]], axis=1) > 0)
    assert p.count == _agrees_with_reference(relu_net([w, np.ones((1, 5))], [b, np.zeros(1)]))


@pytest.mark.parametrize("widths,seed", [([24, 24], 2), ([50] * 4, 2), ([24] * 4, 0)])
def test_zero_first_layer_biases_equal_regioncam(widths, seed):
    # Measured before the exact predicates: 2→24→24 seed 2 gave 673 regions and LinAlgError,
    # regioncam 500; here both tools must agree (regioncam is exact on these, float32 weights).
    net = approxlab.mlp(2, widths, seed=seed, dtype=torch.float32)
    with torch.no_grad():
        net[0].bias.zero_()
    cam = regioncam.Regioncam(1.0)
    cam.add(copy.deepcopy(net))
    p = partition(net.double(), SQUARE)
    assert p.count == cam.num_faces
    assert check(p, net.double())["ok"]


@pytest.mark.parametrize("scale, depth", [(1e15, 1), (1e15, 2), (1e20, 2)])
def test_lines_a_scale_apart_near_one_point_are_counted_exactly(scale, depth):
    # First-layer weights × scale: all 8 lines pass within ~1/scale of the origin, so at the vertices
    # near it the float pre-activations (interpolated from values ~scale at the box's edge) are off
    # by more than the regions are wide. Before, the fast path divided by zero (a sign decided
    # exactly, against the floats, on both ends of an edge) and the exact path read each region's
    # pattern from those floats (37 regions, 27 distinct patterns: a self-check error). Now the fast
    # path hands such an edge to the exact path, which decides those sides exactly.
    rng = np.random.default_rng(0)
    ws = [rng.normal(size=(8, 2)) * scale] + [rng.normal(size=(6, 8))] * (depth - 1)
    ws.append(np.ones((1, ws[-1].shape[0])))
    bs = [rng.normal(size=8)] + [rng.normal(size=6)] * (depth - 1) + [np.zeros(1)]
    _agrees_with_reference(relu_net(ws, bs))


@pytest.mark.parametrize("scale", [1e9, 1e15, 1e20])
@pytest.mark.parametrize("seed", range(12))
def test_a_segment_with_kinks_a_scale_apart_near_one_point_is_counted_exactly(scale, seed):
    # 1 → 8 → 6 → 1 with the first layer × scale: all 8 kinks within ~1/scale of 0, and the second
    # layer's values at them interpolated from ~scale at the ends. Before (measured on these 36 nets),
    # scale 1e9 was right on all 12, 1e15 on 5 (2 wrong counts that passed the self-checks: 15 vs 17,
    # 13 vs 14; 5 self-check errors), 1e20 on none: the new points' interpolated values were read
    # as floats, and a sign change between a settled ±5e-324 and a value below 1 was tested by
    # their product, which underflows to −0.
    rng = np.random.default_rng(seed)
    net = relu_net(
        [rng.normal(size=(8, 1)) * scale, rng.normal(size=(6, 8)), np.ones((1, 6))],
        [rng.normal(size=8), rng.normal(size=6), np.zeros(1)],
    )
    _agrees_in_order(net)


def _agrees_in_order(net):
    p = partition(net, (-1.0, 1.0))
    rows = np.concatenate(p.patterns(), axis=1)
    found = [(tuple(int(v) for v in row[:8]), tuple(int(v) for v in row[8:])) for row in rows]
    assert found == intervals(net, -1.0, 1.0)
    assert check(p, net)["ok"]


@pytest.mark.parametrize("scale", [1e9, 1e12, 1e15, 1e20])
@pytest.mark.parametrize("activation", [torch.nn.Hardtanh, torch.nn.ReLU6, torch.nn.LeakyReLU])
def test_a_segment_of_saturating_units_a_scale_apart_is_counted_and_valued_exactly(
    activation, scale
):
    # Before, partition refused these for Hardtanh and ReLU6 from 1e12 on ("the net's output differs
    # from its layers read in order", relative error 1.7e-5 … 0.88): the vertices' values,
    # interpolated from ±scale at the ends, were off by more than the saturated outputs are large,
    # and check() failed from 1e9 on (vertex error 7e-9 … 0.37 of the output) with every pattern
    # right. Now the points are rounded from their exact roots and those values evaluated there:
    # check() measures ≤ 2.5e-16 on all twelve.
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(1, 8),
        activation(),
        torch.nn.Linear(8, 6),
        activation(),
        torch.nn.Linear(6, 1),
    ).double()
    with torch.no_grad():
        net[0].weight.mul_(scale)
    _agrees_in_order(net)


def _saturating(activation, depth: int, seed: int, power: int) -> torch.nn.Sequential:
    torch.manual_seed(seed)
    mods = [torch.nn.Linear(2, 8), activation()]
    for n in range(depth - 1):
        mods += [torch.nn.Linear(8 if n == 0 else 6, 6), activation()]
    net = torch.nn.Sequential(*mods, torch.nn.Linear(mods[-2].out_features, 1)).double()
    with torch.no_grad():
        net[0].weight.mul_(2.0**power)  # a power of two: exact, so the nets are one net rescaled
    return net


@pytest.mark.parametrize("power", [50, 55, 66])
@pytest.mark.parametrize("depth", [2, 3])
@pytest.mark.parametrize("activation", [torch.nn.Hardtanh, torch.nn.ReLU6])
def test_two_kinks_a_scale_apart_give_the_regions_of_the_net_rescaled(activation, depth, power):
    # The first layer × 2^p on the square is the net × 2^30 on the square × 2^(p−30), exactly; every
    # vertex of these nets lies within 2^30 × 1e-9 of 0 (their counts at 2^20 … 2^45 agree), so the
    # regions are the same. Before, the saturated units' inputs (~2^p at the square's edge) carried
    # errors far beyond the error bound of the next layer (whose inputs are ≤ 6): ReLU6 at 2^50 gave
    # 278 regions for 276 and at 2^55 268, with the self-checks passing, and all 12 cases here failed
    # (wrong patterns, or "could not be computed" from 2^60 on). Now each value's error bound is
    # carried from layer to layer, and the signs within it are decided exactly.
    square = [(-1.0, 1.0), (-1.0, 1.0)]
    reference = partition(_saturating(activation, depth, 0, 30), square)
    scaled = _saturating(activation, depth, 0, power)
    p = partition(scaled, square)
    assert patterns_of(p) == patterns_of(reference)
    assert p.count == reference.count
    assert check(p, scaled)["ok"]


@pytest.mark.parametrize("power", [30, 50, 66])
@pytest.mark.parametrize("activation", [torch.nn.Hardtanh, torch.nn.ReLU6])
def test_the_vertices_of_an_ill_conditioned_net_are_where_its_regions_are(activation, power):
    # The geometry, not only the count: each region's centroid (from its float vertices) has the
    # region's pattern when the net is evaluated there in exact arithmetic. Vertices interpolated
    # along edges from the square's corners are off by ~1e-16, more than the regions near 0 are wide
    # (~2^-power); before, check() failed from 1e9 on with every pattern right (vertex error 3e-8 …
    # 860 of the outputs). Now such vertices are rounded from their exact positions, their outputs
    # evaluated there, and check() allows each output its round-off bound (the terms are ~2^power).
    # The regions checked are those off the square's edge (all vertices within 1e-3 of 0: the
    # cluster); a strip 2^-power wide running to the edge has no float point inside it there.
    net = _saturating(activation, 2, 0, power)
    p = partition(net, [(-1.0, 1.0), (-1.0, 1.0)])
    recorded = np.concatenate(p.patterns(), axis=1)
    inner = 0
    for f in range(p.count):
        corners = p.polygon_of(f)
        if np.abs(corners).max() < 1e-3:
            inner += 1
            exact = pattern_at(net, corners.mean(axis=0))
            assert sum(exact, ()) == tuple(recorded[f].tolist())
    assert inner >= 30
    assert check(p, net)["ok"]


def test_an_arithmetic_failure_of_the_geometry_is_one_clear_error(monkeypatch):
    # No net known to this suite makes the exact geometry fail any more (Hardtanh × 1e20 did:
    # "parallel lines have no crossing"); should one, partition turns the ArithmeticError into one
    # ApproxlabError naming the likely cause and the remedy, not a traceback.
    import approxlab.regions as regions

    def fails(*args):
        raise ArithmeticError("parallel lines have no crossing")

    monkeypatch.setattr(regions, "subdivide", fails)
    with pytest.raises(ApproxlabError, match="could not be computed .*rescale its first layer"):
        partition(approxlab.mlp(2, [4], seed=0), [(-1.0, 1.0), (-1.0, 1.0)])


@pytest.mark.parametrize("scale", [1e15, 1e20])
def test_a_fast_path_retry_that_learns_nothing_hands_over_to_the_exact_path(scale):
    # torch's seed-0 2→8→6→1 ReLU net with the first layer × 1e15 looped in the compiled path's
    # retries (160,000 in 78 s, no end: each retry reported only signs already decided). A retry
    # with nothing new to decide would repeat itself, so the exact path now takes the layer; it
    # gives the regions of the same net × 2^30 (120, all patterns equal).
    net = _saturating(torch.nn.ReLU, 2, 0, 0)
    with torch.no_grad():
        net[0].weight.mul_(scale)
    p = partition(net, [(-1.0, 1.0), (-1.0, 1.0)])
    assert patterns_of(p) == patterns_of(partition(_saturating(torch.nn.ReLU, 2, 0, 30), SQUARE))
    assert check(p, net)["ok"]


def _torch_relu(sizes: list[int], scale: float) -> torch.nn.Sequential:
    """torch's seed-0 ReLU net sizes[0] → … → 1 (float64), its first layer's weights × scale."""
    torch.manual_seed(0)
    mods = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        mods += [torch.nn.Linear(n_in, n_out), torch.nn.ReLU()]
    net = torch.nn.Sequential(*mods, torch.nn.Linear(sizes[-1], 1)).double()
    with torch.no_grad():
        net[0].weight.mul_(scale)
    return net


def test_a_layer_whose_signs_are_all_ambiguous_is_not_cut_thousands_of_times(monkeypatch):
    # torch's seed-0 2→24→12→1 ReLU with its first layer × 1e12: its 24 lines pass within 2.4e-12 of
    # the origin, so nearly every vertex's side of every line is within the error bound. The compiled
    # path found them one at a time and cut the layer again for each: 6,500 cuts (39 s). After
    # RETRIES repeats of one layer's cut the exact path takes the net, with the same regions (and after
    # its exact first layer hands the next ones back to the compiled path, RETRIES + 1 cuts again at most).
    from approxlab.regions import fastcut
    from approxlab.regions.partition2d import RETRIES

    calls = []
    cut = fastcut.cut_layer
    monkeypatch.setattr(fastcut, "cut_layer", lambda *a: calls.append(a[11]) or cut(*a))
    net = _torch_relu([2, 24, 12], 1e12)
    p = partition(net, SQUARE)
    assert len(calls) <= 2 * (RETRIES + 1)
    assert patterns_of(p) == set(regions(net, (-1, 1, -1, 1)))  # 609
    assert check(p, net)["ok"]


def test_a_crossing_between_two_settled_values_is_placed_exactly_without_a_warning():
    # torch's seed-0 1→64→64→1 ReLU with its first layer × 1e15: a crossing between values settled
    # to ∓5e-324 has a slope of 1e-323, and its position bound tol / slope overflowed with a NumPy
    # RuntimeWarning (the position is unknown: it is placed exactly). Same regions, no warning.
    net = _torch_relu([1, 64, 64], 1e15)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = partition(net, (-1.0, 1.0))
    rows = np.concatenate(p.patterns(), axis=1)
    assert [(tuple(r[:64].tolist()), tuple(r[64:].tolist())) for r in rows] == intervals(
        net, -1.0, 1.0
    )  # 126
    assert check(p, net)["ok"]


def test_new_points_near_the_kinks_of_a_steep_first_layer_get_their_own_error_bounds(monkeypatch):
    # torch's seed-0 1→64→64→1 ReLU with its first layer × 1e12: its 64 kinks lie within 2.4e-12 of
    # 0. Values interpolated from the segment's ends (~1e12) carried a bound ~ε · 1e12, and every
    # point's margin was the largest |W| |h| (at the ends): 11,971 signs went to the exact predicates
    # (0.2 s). Evaluated at the new points with their own bounds: 63 (measured), the same regions.
    from approxlab.regions import partition1d

    decided = []
    exact_sides = partition1d._exact_sides
    monkeypatch.setattr(
        partition1d, "_exact_sides", lambda *a: decided.append(len(a[6])) or exact_sides(*a)
    )
    net = _torch_relu([1, 64, 64], 1e12)
    p = partition(net, (-1.0, 1.0))
    rows = np.concatenate(p.patterns(), axis=1)
    assert [(tuple(r[:64].tolist()), tuple(r[64:].tolist())) for r in rows] == intervals(
        net, -1.0, 1.0
    )  # 126
    assert sum(decided) <= 2 * 64
    assert check(p, net)["ok"]


def test_after_an_exact_first_layer_the_compiled_path_cuts_the_next(monkeypatch):
    # Two first-layer neurons with one line (a copied row) cross the domain's edges at the same
    # points, which the floats cannot order: the compiled path refuses that layer, and the exact path
    # used to cut every later layer too, neuron by neuron (2→256² with zero first-layer biases, then
    # also refused: 21 s where regioncam takes 6.4 s). Its first layer's vertices are accurate (their
    # values evaluated from each vertex's placement bound), so the compiled path takes layer 2 on.
    from approxlab.regions import fastcut

    cut_stages = []
    cut = fastcut.cut_layer
    monkeypatch.setattr(fastcut, "cut_layer", lambda *a: cut_stages.append(a[10]) or cut(*a))
    net = approxlab.mlp(2, [20, 20], seed=0)
    with torch.no_grad():
        net[0].weight[1], net[0].bias[1] = net[0].weight[0], net[0].bias[0]
    assert fast_subdivide(stages(net), rectangle(SQUARE), 10**6) is None
    cut_stages.clear()
    p = partition(stages(net), SQUARE)
    assert cut_stages[-1] == 1
    assert patterns_of(p) == set(regions(net, (-1, 1, -1, 1)))
    assert check(p, net)["ok"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_hand_over_that_gives_up_leaves_the_exact_path_its_own_state(seed, monkeypatch):
    # A copied first-layer row: the exact path cuts the first layer and hands the rest to the
    # compiled path, made here to give up at the second layer (as it does where two of its lines
    # cross an edge at one point). The exact path goes on from the first layer with its own lineage
    # and labels (the compiled attempt worked on copies): the exact reference's regions.
    from approxlab.regions import fastcut

    net = approxlab.mlp(2, [10, 10, 10], seed=seed)
    with torch.no_grad():
        net[0].weight[1], net[0].bias[1] = net[0].weight[0], net[0].bias[0]
    cut = fastcut.cut_layer
    refused = []

    def refuse_stage_1(*a):
        out = cut(*a)
        if a[10] == 1:
            refused.append(1)
            return (fastcut.DEGENERATE, *out[1:])
        return out

    monkeypatch.setattr(fastcut, "cut_layer", refuse_stage_1)
    p = partition(net, SQUARE)
    assert refused
    assert patterns_of(p) == set(regions(net, (-1, 1, -1, 1)))
    assert check(p, net)["ok"]
