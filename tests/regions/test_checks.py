"""The self-checks catch broken partitions (they are not tautologies)."""

import numpy as np

import approxlab
from approxlab.regions import partition
from approxlab.regions.checks import check, structure


def test_checks_pass_on_a_correct_partition_and_report_the_numbers():
    net = approxlab.mlp(2, [16, 16, 16], seed=0)
    report = check(partition(net, [(-1, 1), (-1, 1)]), net)
    assert report["ok"]
    assert (
        report["area_relative_error"] <= 1e-9
        and report["euler"] == 1
        and report["pattern_mismatches"] == 0
    )


def test_a_merged_region_breaks_the_pattern_check():
    net = approxlab.mlp(2, [8, 8], seed=1)
    p = partition(net, [(-1, 1), (-1, 1)])
    # Drop the last layer's cuts: regions then straddle layer-2 bends.
    p_coarse = partition(approxlab.mlp(2, [8], seed=1), [(-1, 1), (-1, 1)])
    p_coarse.layers = p.layers
    report = check(p_coarse, per_region=20)
    assert not report["ok"] and report["pattern_mismatches"] > 0


def test_a_missing_region_breaks_the_area_check():
    net = approxlab.mlp(2, [8, 8], seed=2)
    p = partition(net, [(-1, 1), (-1, 1)])
    p.offsets = p.offsets[:-1]
    p.face_vertices = p.face_vertices[: p.offsets[-1]]
    p.edge_labels = p.edge_labels[: p.offsets[-1]]
    report = check(p)
    assert not report["ok"] and report["area_relative_error"] > 1e-9


def test_an_unshared_vertex_breaks_euler():
    # Give one face its own copy of a vertex it shares: the subdivision is no longer one
    # connected planar graph with shared vertices, and V − E + F drops to 0.
    net = approxlab.mlp(2, [8, 8], seed=2)
    p = partition(net, [(-1, 1), (-1, 1)])
    assert p.euler() == 1
    interior = np.flatnonzero(np.bincount(p.face_vertices) >= 3)[0]
    slot = np.flatnonzero(p.face_vertices == interior)[0]
    p.vertices = np.concatenate([p.vertices, p.vertices[interior : interior + 1]])
    p.values = np.concatenate([p.values, p.values[interior : interior + 1]])
    p.face_vertices = p.face_vertices.copy()
    p.face_vertices[slot] = len(p.vertices) - 1
    assert p.euler() == 0 and not check(p)["ok"]


def test_wrong_vertex_values_break_the_vertex_check():
    net = approxlab.mlp(2, [8, 8], seed=3)
    p = partition(net, [(-1, 1), (-1, 1)])
    p.values = p.values + 1e-3 * np.arange(len(p.values))[:, None]
    report = check(p, net)
    assert not report["ok"] and report["vertex_relative_error"] > 1e-9


def test_a_wrong_recorded_pattern_breaks_the_affine_and_pattern_checks():
    net = approxlab.mlp(2, [8, 8], seed=3)
    p = partition(net, [(-1, 1), (-1, 1)])
    last = max(p.lineage.bits)
    p.lineage.bits[last] = p.lineage.bits[last] ^ np.uint8(
        0b1000_0000
    )  # flip neuron 0 of the last layer everywhere
    report = check(p, net)
    assert (
        not report["ok"]
        and report["pattern_mismatches"] > 0
        and report["affine_relative_error"] > 1e-9
    )


def test_two_regions_with_one_pattern_break_the_structure_check():
    p = partition(approxlab.mlp(2, [8, 8], seed=3), [(-1, 1), (-1, 1)])
    last = max(p.lineage.bits)
    p.lineage.bits[last][1] = p.lineage.bits[last][0]
    p.lineage.ancestor[last][1] = p.lineage.ancestor[last][0]
    assert structure(p)["distinct_patterns"] == p.count - 1 and not structure(p)["ok"]
