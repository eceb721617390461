"""Invariants of a planar subdivision stored as face cycles, compiled (numba): the numbers the
self-checks of :mod:`approxlab.regions.checks` compare, in one pass each instead of a dozen NumPy
calls (on small nets those calls, not the arithmetic, were the cost).

A subdivision is ``vertices`` (V, 2), the vertex of each slot ``face_vertices`` and the face
offsets ``offsets`` (F + 1,): face f is the cycle face_vertices[offsets[f]:offsets[f + 1]].

The unit square cut by the diagonal from (0, 0) to (1, 1) into two triangles:

>>> import numpy as np
>>> v = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
>>> fv, off = np.array([0, 1, 2, 0, 2, 3]), np.array([0, 3, 6])
>>> shoelace(v, fv, off, v[0]).tolist(), euler_characteristic(fv, off, 4)
([0.5, 0.5], 1)
>>> rows_distinct(np.array([[1, 2], [1, 3]], np.uint8)), rows_distinct(np.array([[7], [7]], np.uint8))
(True, False)
>>> invariants(v, fv, off, v, np.array([[1], [2]], np.uint8))  # area sum, least area, domain's, V − E + F
(1.0, 0.5, 1.0, 1, True)
"""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True)
def shoelace(vertices, face_vertices, offsets, corner):
    """Signed area of each face, ½ Σ (x_i y_{i+1} − x_{i+1} y_i) over its cycle, with the
    coordinates taken about ``corner`` (a domain corner: no cancellation against a far origin)."""
    nf = len(offsets) - 1
    out = np.empty(nf, np.float64)
    for f in range(nf):
        a, b = offsets[f], offsets[f + 1]
        acc = 0.0
        for s in range(a, b):
            p, q = face_vertices[s], face_vertices[s + 1 if s + 1 < b else a]
            px, py = vertices[p, 0] - corner[0], vertices[p, 1] - corner[1]
            qx, qy = vertices[q, 0] - corner[0], vertices[q, 1] - corner[1]
            acc += px * qy - qx * py
        out[f] = 0.5 * acc
    return out


@nb.njit(cache=True)
def euler_characteristic(face_vertices, offsets, n_vertices):
    """V − E + F: V the vertices on some face, E the distinct undirected edges {u, v} of the
    cycles (an inner edge is on two faces), F the faces; 1 for a subdivided polygon. The edges
    are bucketed by their lower vertex (counting sort), so no comparison sort is needed."""
    nf, ns = len(offsets) - 1, len(face_vertices)
    start = np.zeros(n_vertices + 1, np.int64)
    used = np.zeros(n_vertices, np.bool_)
    for f in range(nf):
        a, b = offsets[f], offsets[f + 1]
        for s in range(a, b):
            u, v = face_vertices[s], face_vertices[s + 1 if s + 1 < b else a]
            used[u] = True
            start[min(u, v) + 1] += 1
    for i in range(n_vertices):
        start[i + 1] += start[i]
    fill = start[:-1].copy()
    upper = np.empty(ns, np.int64)
    for f in range(nf):
        a, b = offsets[f], offsets[f + 1]
        for s in range(a, b):
            u, v = face_vertices[s], face_vertices[s + 1 if s + 1 < b else a]
            lo = min(u, v)
            upper[fill[lo]] = max(u, v)
            fill[lo] += 1
    v_count, e_count = 0, 0
    for i in range(n_vertices):
        v_count += used[i]
        for s in range(start[i], start[i + 1]):  # a handful per vertex: count the new ones
            new = True
            for t in range(start[i], s):
                if upper[t] == upper[s]:
                    new = False
                    break
            e_count += new
    return v_count - e_count + nf


@nb.njit(cache=True)
def rows_distinct(rows):
    """True when the rows of the uint8 matrix are certainly all distinct: their 64-bit hashes
    (splitmix64 of each 8-byte word salted by its position, summed) are, checked in an
    open-addressing table. False means two hashes are equal — equal rows, or (rarely) a
    collision: the caller then compares the rows themselves."""
    n, width = rows.shape
    size = 1
    while size < 2 * n:
        size *= 2
    table = np.zeros(size, np.uint64)
    filled = np.zeros(size, np.bool_)
    for r in range(n):
        total = np.uint64(0)
        for w in range((width + 7) // 8):
            x = np.uint64(0)
            for k in range(8 * w, min(8 * w + 8, width)):
                x |= np.uint64(rows[r, k]) << np.uint64(8 * (k - 8 * w))
            x += np.uint64(w + 1) * np.uint64(0x9E3779B97F4A7C15)
            x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            total += x ^ (x >> np.uint64(31))
        h = np.int64(total >> np.uint64(33)) & (size - 1)
        while filled[h]:
            if table[h] == total:
                return False
            h = (h + 1) & (size - 1)
        table[h], filled[h] = total, True
    return True


@nb.njit(cache=True)
def invariants(vertices, face_vertices, offsets, polygon, patterns):
    """The self-checks' numbers in one call: (Σ face areas, least face area, the domain
    ``polygon``'s area, V − E + F, :func:`rows_distinct` of the ``patterns`` rows), areas about
    the polygon's first corner."""
    areas = shoelace(vertices, face_vertices, offsets, polygon[0])
    domain = shoelace(polygon, np.arange(len(polygon)), np.array([0, len(polygon)]), polygon[0])[0]
    euler = euler_characteristic(face_vertices, offsets, len(vertices))
    return areas.sum(), areas.min(), domain, euler, rows_distinct(patterns)
