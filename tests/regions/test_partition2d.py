"""Exact 2D partitions: equal to regioncam, to dense sampling, to line-arrangement counts."""

from math import comb

import numpy as np
import pytest
import regioncam
import torch

import approxlab
from approxlab.errors import ApproxlabError
from approxlab.regions import partition
from approxlab.regions.checks import check
from approxlab.regions.layers import Stage, forward, stages

from .exact_reference import patterns_of

SQUARE = [(-1.0, 1.0), (-1.0, 1.0)]


def _same_weights(widths, seed):
    """A float32 net for regioncam and the same weights in float64 for approxlab."""
    net32 = approxlab.mlp(2, widths, seed=seed, dtype=torch.float32)
    return net32, approxlab.mlp(2, widths, seed=seed, dtype=torch.float32).double()


@pytest.mark.parametrize(
    "widths,seed", [([8], 0), ([16, 16], 1), ([32, 32, 32], 2), ([24] * 5, 3), ([64, 64], 4)]
)
def test_region_count_equals_regioncam_on_random_nets(widths, seed):
    net32, net64 = _same_weights(widths, seed)
    cam = regioncam.Regioncam(1.0)  # the square [-1, 1]^2
    cam.add(net32)
    p = partition(net64, SQUARE)
    assert p.count == cam.num_faces
    assert check(p, net64)["ok"]


@pytest.mark.parametrize("widths,seed", [([3], 0), ([4, 3], 1), ([5, 4], 2)])
def test_region_count_equals_dense_sampling_on_small_nets(widths, seed):
    net = approxlab.mlp(2, widths, seed=seed)
    p = partition(net, SQUARE)
    g = np.linspace(-1, 1, 801)
    x = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
    bits = np.concatenate([z > 0 for z in forward(p.layers, x)[:-1]], axis=1)
    sampled = len(np.unique(bits, axis=0))
    # These small nets have no region thinner than the grid step 2.5e-3 (smallest area
    # measured ≥ 1e-3), so sampling sees every region and the counts must agree.
    assert p.areas().min() > 1e-3
    assert p.count == sampled
    assert check(p, net)["ok"]


@pytest.mark.parametrize("n,seed", [(5, 0), (12, 1), (30, 2)])
def test_one_layer_in_a_box_has_one_plus_lines_plus_crossings_regions(n, seed):
    # A simple arrangement inside a convex domain: F = 1 + (lines meeting it) + (crossings inside).
    net = approxlab.mlp(2, [n], seed=seed)
    w = net[0].weight.detach().numpy()
    b = net[0].bias.detach().numpy()
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], float)
    s = corners @ w.T + b
    meets = (s.min(axis=0) < 0) & (s.max(axis=0) > 0)
    crossings = 0
    for i in range(n):
        for j in range(i + 1, n):
            pt = np.linalg.solve(w[[i, j]], -b[[i, j]])
            crossings += bool(np.all(np.abs(pt) < 1))
    assert partition(net, SQUARE).count == 1 + int(meets.sum()) + crossings


def test_zaslavsky_when_every_line_crosses_the_box():
    rng = np.random.default_rng(0)
    n = 20
    net = approxlab.mlp(2, [n], seed=0)
    with torch.no_grad():
        # Lines through points near the origin with random directions: all pairs cross inside.
        normals = rng.normal(size=(n, 2))
        net[0].weight.copy_(torch.as_tensor(normals))
        net[0].bias.copy_(
            torch.as_tensor(-np.einsum("ij,ij->i", normals, rng.uniform(-0.01, 0.01, (n, 2))))
        )
    assert partition(net, [(-50, 50), (-50, 50)]).count == 1 + n + comb(n, 2)


def test_a_convex_polygon_domain_and_region_attributes():
    net = approxlab.mlp(2, [10, 10], seed=5)
    hexagon = [(np.cos(a), np.sin(a)) for a in np.linspace(0, 2 * np.pi, 7)[:-1]]
    p = partition(net, hexagon)
    report = check(p, net)
    assert report["ok"] and report["euler"] == 1
    assert abs(p.areas().sum() - 1.5 * np.sqrt(3)) < 1e-12
    a, c = p.affine_maps()
    assert a.shape == (p.count, 1, 2) and c.shape == (p.count, 1)
    pats = p.patterns()
    assert [q.shape for q in pats] == [(p.count, 10), (p.count, 10)]
    assert len(np.unique(np.concatenate(pats, axis=1), axis=0)) == p.count  # one pattern per region
    adj = p.adjacency()
    assert len(adj) and np.all(adj[:, 0] < adj[:, 1])
    # Neighbours differ in exactly one neuron's state when their edge is one bend.
    both = np.concatenate(pats, axis=1)
    assert np.all((both[adj[:, 0]] != both[adj[:, 1]]).sum(axis=1) >= 1)
    layers = p.edge_layers()
    assert set(np.unique(layers)) <= {-1, 0, 1} and (layers == 1).any()


def test_the_level_set_lies_where_the_output_equals_the_level():
    net = approxlab.mlp(2, [12, 12], seed=7)
    p = partition(net, SQUARE)
    level = float(np.median(p.values[:, 0]))
    seg = p.level_set(level)
    assert len(seg) > 0
    with torch.no_grad():
        y = net(torch.as_tensor(seg.reshape(-1, 2))).numpy()
    assert np.max(np.abs(y - level)) < 1e-12


def test_max_regions_stops_early_with_the_bound_in_the_message():
    # Serra 2018 for widths (64, 64) in the plane: 2081 · (1 + 64 + 2016) = 4 330 561.
    with pytest.raises(
        ApproxlabError, match=r"max_regions=50 at layer 1 .*upper bound for this net: 4\.33e\+06"
    ):
        partition(approxlab.mlp(2, [64, 64], seed=0), SQUARE, max_regions=50)


def test_the_upper_bound_is_worked_out_only_for_a_message_or_a_memory_check(monkeypatch):
    # Cold, Serra's bound cost 10 µs of a 250 µs partition of 2 → 32 → 1: it is read only when the
    # partition stops at max_regions (to quote it) or max_regions alone would not fit in memory.
    import approxlab.regions as regions_module

    asked = []
    real = regions_module.bound
    monkeypatch.setattr(regions_module, "bound", lambda *a: asked.append(a[1]) or real(*a))
    monkeypatch.setattr(regions_module, "_free_bytes", lambda: 2 * 10**9)
    net = approxlab.mlp(2, [16, 16], seed=0)
    partition(net, SQUARE, max_regions=10**6)  # up to 1 GB: the free pages cover it
    assert asked == []
    partition(net, SQUARE, max_regions=4 * 10**6)  # up to 4 GB: the bound (18,769) allows less
    assert asked == [2]
    with pytest.raises(ApproxlabError, match=r"upper bound for this net: 1\.88e\+04"):
        partition(net, SQUARE, max_regions=10)
    assert asked == [2, 2]


def test_a_zero_area_box_is_refused():
    with pytest.raises(ApproxlabError, match="zero area"):
        partition(approxlab.mlp(2, [4]), [(0, 1), (2, 2)])
    with pytest.raises(ApproxlabError, match="zero area"):
        partition(approxlab.mlp(2, [4]), [(0, 0), (1, 1), (2, 2)])


def test_a_box_whose_area_overflows_is_refused_in_one_line():
    # 2e300 × 2e300 is not a float64: before, the cutting divided by zero (a ZeroDivisionError).
    for box in ([(-1e300, 1e300), (-1e300, 1e300)], np.array([(-1e300, 1e300), (-1e300, 1e300)])):
        with pytest.raises(ApproxlabError, match="too large: its area overflows") as info:
            partition(approxlab.mlp(2, [4]), box)
        assert "\n" not in str(info.value)
    with pytest.raises(ApproxlabError, match="polygon is too large"):
        partition(approxlab.mlp(2, [4]), [(0, 0), (1e300, 0), (0, 1e300)])


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_a_list_of_stages_with_a_non_finite_weight_is_refused(bad):
    # A list of stages skips stages()'s reading of a model, and with it the finiteness check: a NaN
    # weight gave 13 regions of garbage, an infinite one never returned.
    layers = stages(approxlab.mlp(2, [8], seed=0))
    w = layers[0].weight.copy()
    w[1, 1] = bad
    broken = [Stage(w, layers[0].bias, layers[0].activation), layers[1]]
    with pytest.raises(ApproxlabError, match="stage 0 has NaN or infinite weights"):
        partition(broken, SQUARE)
    with pytest.raises(ApproxlabError, match="stage 0 has NaN or infinite weights"):
        partition([Stage(w[:, 1:].copy(), layers[0].bias, layers[0].activation), layers[1]], (0, 1))


def test_pre_activations_that_overflow_float64_are_refused():
    # Finite weights (1e300) on a finite box (±1e10): |W| |x| is beyond float64, no sign can be read.
    layers = stages(approxlab.mlp(2, [8], seed=0))
    huge = [Stage(layers[0].weight * 1e300, layers[0].bias, layers[0].activation), layers[1]]
    with pytest.raises(ApproxlabError, match="pre-activations overflow float64"):
        partition(huge, [(-1e10, 1e10), (-1e10, 1e10)])


def test_leaky_relu_counts_equal_regioncam():
    net32 = approxlab.mlp(2, [24, 24], activation="leaky_relu", seed=6, dtype=torch.float32)
    cam = regioncam.Regioncam(1.0)
    cam.add(net32)
    net64 = approxlab.mlp(
        2, [24, 24], activation="leaky_relu", seed=6, dtype=torch.float32
    ).double()
    p = partition(net64, SQUARE)
    assert p.count == cam.num_faces and check(p, net64)["ok"]


def test_an_affine_net_has_one_region_and_a_classifier_has_a_boundary_per_output():
    linear = torch.nn.Sequential(
        torch.nn.Linear(2, 3, dtype=torch.float64), torch.nn.Linear(3, 1, dtype=torch.float64)
    )
    assert partition(linear, SQUARE).count == 1
    net = approxlab.mlp(2, [16, 16], out_dim=3, seed=2)
    p = partition(net, SQUARE)
    for k in range(3):
        seg = p.level_set(float(np.median(p.values[:, k])), output=k)
        with torch.no_grad():
            y = net(torch.as_tensor(seg.reshape(-1, 2))).numpy()[:, k]
        assert np.max(np.abs(y - np.median(p.values[:, k]))) < 1e-12


def test_affine_maps_are_exact_on_regions_of_area_1e_minus_20():
    # Lines x = 0, y = 0 and x + y = 1e-10 bound a triangle of area 5e-21; least squares on its
    # vertices was singular (issue 18), the maps from activation patterns are exact.
    lin = torch.nn.Linear(2, 3).double()
    with torch.no_grad():
        lin.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
        lin.bias.copy_(torch.tensor([0.0, 0.0, -1e-10]))
    head = torch.nn.Linear(3, 1).double()
    net = torch.nn.Sequential(lin, torch.nn.ReLU(), head)
    p = partition(net, SQUARE)
    assert p.count == 7 and p.areas().min() < 1e-20
    a, c = p.affine_maps()
    w = head.weight.detach().numpy()[0]
    pats = p.patterns()[0]
    expected = (w * pats) @ lin.weight.detach().numpy()
    assert np.array_equal(a[:, 0, :], expected)
    assert check(p, net)["ok"]


def test_max_regions_is_checked_against_memory_before_any_work(monkeypatch):
    import approxlab.regions as regions_module

    monkeypatch.setattr(regions_module, "_free_bytes", lambda: 2 * 10**9)
    monkeypatch.setattr(regions_module, "_available_bytes", lambda: 8 * 10**9)
    net = approxlab.mlp(2, [1000] * 3, seed=0)
    with pytest.raises(
        ApproxlabError,
        match=r"may need about 64\.0 GB, more than the 8\.0 GB available: "
        r"pass --max-regions \(max_regions=\) 125,000 or less",
    ):
        partition(net, SQUARE, max_regions=10**6)


def test_where_the_system_does_not_tell_free_pages_the_available_memory_is_read(monkeypatch):
    # macOS has no SC_AVPHYS_PAGES: free pages count as 0, so /proc/meminfo (or the physical pages)
    # decides, and a net whose regions fit is partitioned as before.
    import approxlab.regions as regions_module

    def sysconf(name):
        if name == "SC_AVPHYS_PAGES":
            raise ValueError("unrecognized configuration name")
        return real(name)

    real = regions_module.os.sysconf
    monkeypatch.setattr(regions_module.os, "sysconf", sysconf)
    assert regions_module._free_bytes() == 0
    read = []
    monkeypatch.setattr(regions_module, "_available_bytes", lambda: read.append(1) or 8 * 10**9)
    assert partition(approxlab.mlp(2, [16] * 3, seed=0), SQUARE, max_regions=10**6).count > 1
    assert read == [
        1
    ]  # up to 10⁶ regions × 16 units × 64 B = 1 GB: above the 256 MB always allowed


def test_free_pages_that_cover_the_need_spare_reading_the_available_memory(monkeypatch):
    # /proc/meminfo takes 45 µs to read, as much as the whole partition of 2 → 32 → 1.
    import approxlab.regions as regions_module

    monkeypatch.setattr(regions_module, "_free_bytes", lambda: 2 * 10**9)
    read = []
    monkeypatch.setattr(regions_module, "_available_bytes", lambda: read.append(1) or 8 * 10**9)
    net = approxlab.mlp(2, [16] * 3, seed=0)
    partition(net, SQUARE, max_regions=10**6)  # needs up to 1 GB: the free pages cover it
    assert read == []
    partition(net, SQUARE, max_regions=4 * 10**6)  # up to 4 GB: they do not
    assert read == [1]


def test_a_wide_layer_stops_at_max_regions_with_memory_proportional_to_it():
    import tracemalloc

    from approxlab.regions import memory_estimate, stages

    net = approxlab.mlp(2, [5000], seed=0)
    tracemalloc.start()
    with pytest.raises(ApproxlabError, match="passed max_regions=1000"):
        partition(net, SQUARE, max_regions=1000)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # Issue 18 measured 5 GB then a 303 GiB request; the bound is the estimate for 1000 regions.
    assert peak <= memory_estimate(stages(net), 1000)


def test_the_general_path_stays_within_the_memory_estimate():
    import tracemalloc

    from approxlab.regions import memory_estimate, stages

    # Hardtanh (two kinks) takes the general path, which keeps an error bound beside every value:
    # measured 50.8 bytes per region and unit here, over the 48 the estimate used before.
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(2, 64),
        torch.nn.Hardtanh(),
        torch.nn.Linear(64, 64),
        torch.nn.Hardtanh(),
        torch.nn.Linear(64, 64),
        torch.nn.Hardtanh(),
        torch.nn.Linear(64, 1),
    ).double()
    tracemalloc.start()
    p = partition(net, [(-3.0, 3.0), (-3.0, 3.0)])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak <= memory_estimate(stages(net), p.count)


def test_a_layer_whose_forward_is_not_its_class_is_caught_by_the_output_check():
    # A layer is read by its class when its forward is torch.nn's; an instance whose forward was
    # replaced is read as the class it is not, and the output check refuses it.
    shifted = torch.nn.Linear(2, 4).double()
    plain = shifted.forward
    shifted.forward = lambda x: plain(x) + 0.5
    net = torch.nn.Sequential(shifted, torch.nn.ReLU(), torch.nn.Linear(4, 1).double())
    with pytest.raises(ApproxlabError, match="output differs from its layers read in order"):
        partition(net, SQUARE)


def test_a_subclass_is_read_as_its_layer_or_from_its_own_forward():
    # A subclass keeping torch.nn's forward is its layer; one with a forward of its own is read
    # from that forward with torch.fx, here refused in one line (it reads a weight directly).
    class Renamed(torch.nn.Linear):
        pass

    class Shifted(torch.nn.Linear):
        def forward(self, x):
            return super().forward(x) + 0.5

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    renamed = Renamed(2, 4)
    renamed.load_state_dict(net[0].state_dict())
    same = torch.nn.Sequential(renamed, torch.nn.ReLU(), net[2])
    assert patterns_of(partition(same.double(), SQUARE)) == patterns_of(
        partition(net.double(), SQUARE)
    )
    with pytest.raises(ApproxlabError, match=r"reads the tensor '0.weight' directly"):
        partition(torch.nn.Sequential(Shifted(2, 4), torch.nn.ReLU()).double(), SQUARE)


def test_the_exact_path_reads_each_line_of_a_face_once(monkeypatch):
    # A duplicated second-layer unit sends the net to the exact path. A line on a face was computed
    # again for every vertex it made and every side decided against it (an integer product through
    # every layer each time): 2→128² with zero first-layer biases, 19,141 reads of 7,414 lines;
    # 2→256² 66 s, then 20 s. Same regions.
    from approxlab.regions.lineage import Lineage

    reads = []
    line = Lineage.line
    monkeypatch.setattr(
        Lineage, "line", lambda self, *a: reads.append((id(self), *a)) or line(self, *a)
    )
    net = approxlab.mlp(2, [32, 32], seed=0)
    with torch.no_grad():
        net[2].weight[3], net[2].bias[3] = net[2].weight[1], net[2].bias[1]
    p = partition(net, [(-1.0, 1.0), (-1.0, 1.0)])
    assert reads and len(reads) == len(set(reads))
    assert check(p, net)["ok"]
