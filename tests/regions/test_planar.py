"""Invariants of a planar subdivision (regions/planar.py): the numbers the self-checks compare.

Each against a plain NumPy reading of the same definition, on a real partition and on broken
subdivisions that must fail: a face listed twice breaks V − E + F = 1 and repeats a pattern row.
"""

import numpy as np
import pytest

import approxlab
from approxlab.regions import partition
from approxlab.regions.checks import _distinct_rows, structure
from approxlab.regions.planar import euler_characteristic, invariants, rows_distinct, shoelace


def _partition():
    return partition(approxlab.mlp(2, [12, 12], seed=3), [(-1.0, 1.0), (0.0, 2.0)])


def test_shoelace_areas_are_the_polygon_areas_and_sum_to_the_box():
    p = _partition()
    areas = shoelace(p.vertices, p.face_vertices, p.offsets, p.polygon[0])
    for f in (0, p.count // 2, p.count - 1):
        q = p.polygon_of(f)
        x, y = q[:, 0], q[:, 1]
        assert np.isclose(
            areas[f], 0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y), rtol=1e-12
        )
    assert abs(areas.sum() - 4.0) < 1e-12
    assert areas.min() > 0


def test_euler_characteristic_is_one_and_counts_like_sorting_the_edges():
    p = _partition()
    u = p.face_vertices
    v = u[p.next_slot()]
    edges = np.unique(np.minimum(u, v) * (len(p.vertices) + 1) + np.maximum(u, v))
    by_sorting = len(np.unique(u)) - len(edges) + p.count
    assert euler_characteristic(p.face_vertices, p.offsets, len(p.vertices)) == by_sorting == 1


def test_a_face_listed_twice_breaks_euler_and_the_distinct_patterns():
    p = _partition()
    first = p.face_vertices[p.offsets[0] : p.offsets[1]]
    face_vertices = np.concatenate([p.face_vertices, first])
    offsets = np.append(p.offsets, len(face_vertices))
    assert euler_characteristic(face_vertices, offsets, len(p.vertices)) == 2
    packed = p.lineage.packed()
    twice = np.concatenate([packed, packed[:1]])
    assert rows_distinct(packed) and not rows_distinct(twice)
    assert _distinct_rows(twice) == p.count
    assert structure(p)["ok"]


def test_rows_distinct_on_wide_rows_differing_in_one_bit():
    i = np.arange(37 * 8)  # every one of the 296 bits set in its own row
    rows = np.zeros((len(i), 37), np.uint8)
    rows[i, i % 37] = 1 << (i // 37)
    assert rows_distinct(rows)
    rows[-1] = rows[0]
    assert not rows_distinct(rows)
    assert _distinct_rows(rows) == len(i) - 1


def test_invariants_are_the_separate_readings_in_one_call():
    p = _partition()
    areas = shoelace(p.vertices, p.face_vertices, p.offsets, p.polygon[0])
    total, least, domain, euler, unique = invariants(
        p.vertices, p.face_vertices, p.offsets, p.polygon, p.lineage.packed()
    )
    assert total == pytest.approx(areas.sum(), rel=1e-14) and least == areas.min()
    assert domain == pytest.approx(4.0, rel=1e-15)  # the box [-1, 1] × [0, 2]
    assert euler == euler_characteristic(p.face_vertices, p.offsets, len(p.vertices)) == 1
    assert unique
    twice = np.concatenate([p.lineage.packed(), p.lineage.packed()[:1]])
    assert not invariants(p.vertices, p.face_vertices, p.offsets, p.polygon, twice)[4]
