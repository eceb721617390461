"""The arrangement of lines inside a convex polygon, built at once (the first layer's regions).

On the input plane the first layer's bends are straight lines a_c · x + b_c = 0, one per
(neuron, kink). Their arrangement in a convex polygon (Zaslavsky 1975; seed 002 answer
2) is built without cutting one line at a time: every vertex is a line–line crossing
inside the polygon or a line–boundary crossing; every edge joins consecutive vertices
along a line or along the boundary; the faces are the cycles of the planar map where
the half-edge u→v is followed by the outgoing half-edge at v just clockwise of v→u.
All steps are NumPy sorts and pointer jumping, float64.

Degenerate input — a line through a corner, three lines through a point, two lines
meeting on the boundary, coincident lines (within 1e-12 relative) — returns ``None`` and the
caller cuts line by line instead, which handles exact coincidences.
"""

from __future__ import annotations

import numpy as np

TOL = 1e-12


def _cycle_order(nxt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For a permutation ``nxt`` made of cycles: each element's cycle representative (its
    smallest member) and its distance to the end of the cycle counted from the representative.

    Pointer jumping: after r rounds rep[i] is the minimum over the 2^r elements from i on;
    once rep is constant along every cycle it is that cycle's minimum, so the loop stops
    after about log2(longest face) rounds.
    """
    rep = np.arange(len(nxt))
    jump = nxt.copy()
    while True:
        rep = np.minimum(rep, rep[jump])
        if np.array_equal(rep, rep[nxt]):
            break
        jump = jump[jump]
    # Cut each cycle before its representative and rank the resulting lists (Wyllie).
    link = nxt.copy()
    last = nxt == rep[nxt]
    link[last] = np.flatnonzero(last)
    dist = (~last).astype(np.int64)
    while True:
        ahead = link[link]
        dist = dist + dist[link]
        if np.array_equal(ahead, link):
            break
        link = ahead
    return rep, dist


def arrange(polygon: np.ndarray, normals: np.ndarray, offsets: np.ndarray):
    """Faces of the lines normals[c] · x + offsets[c] = 0 inside the convex CCW ``polygon``.

    Returns (vertices (V, 2), slot vertices, slot labels, face lengths, vertex-on-line
    pairs (vertex, line c), the lines c that meet the polygon, the polygon edge of each
    line–boundary crossing) with faces counter-clockwise and slot labels indexing those
    meeting lines (−1 − e: polygon edge e), or ``None`` for degenerate input.
    """
    k = len(polygon)
    s = polygon @ normals.T + offsets  # (k, L) line values at the corners
    scale = np.abs(polygon) @ np.abs(normals).T + np.abs(offsets)
    if np.any(np.abs(s) <= TOL * scale):
        return None
    meets = np.flatnonzero((s.min(axis=0) < 0) & (s.max(axis=0) > 0))
    a, b, s = normals[meets], offsets[meets], s[:, meets]
    n = len(meets)

    # Line–boundary crossings: two per line, on the edges whose ends have opposite signs.
    s_next = np.concatenate([s[1:], s[:1]])
    edge, line = np.nonzero((s > 0) != (s_next > 0))
    t = s[edge, line] / (s[edge, line] - s_next[edge, line])
    corner_next = np.concatenate([polygon[1:], polygon[:1]])
    cross_pts = polygon[edge] + t[:, None] * (corner_next[edge] - polygon[edge])
    order = np.lexsort((t, edge))
    if np.any((np.diff(edge[order]) == 0) & (np.diff(t[order]) <= TOL)):
        return None
    cross_id = k + np.arange(len(edge))

    # Line–line crossings strictly inside the polygon.
    i, j = np.triu_indices(n, 1)
    det = a[i, 0] * a[j, 1] - a[i, 1] * a[j, 0]
    norm = np.linalg.norm(a[i], axis=1) * np.linalg.norm(a[j], axis=1)
    ok = np.abs(det) > TOL * norm
    i, j, det = i[ok], j[ok], det[ok]
    px = (-b[i] * a[j, 1] + b[j] * a[i, 1]) / det
    py = (-a[i, 0] * b[j] + a[j, 0] * b[i]) / det
    pts = np.stack([px, py], axis=1)
    e = corner_next - polygon
    inside_val = e[:, 0][None, :] * (pts[:, 1:2] - polygon[:, 1][None, :]) - e[:, 1][None, :] * (
        pts[:, 0:1] - polygon[:, 0][None, :]
    )
    size = float(np.abs(polygon).max()) + 1.0
    margin = (
        TOL
        * size
        * np.linalg.norm(e, axis=1)[None, :]
        * (1.0 + np.abs(pts).max(axis=1, initial=0)[:, None])
    )
    if np.any(np.abs(inside_val) <= margin):
        return None
    inside = np.all(inside_val > 0, axis=1)
    i, j, pts = i[inside], j[inside], pts[inside]
    inner_id = k + len(edge) + np.arange(len(i))
    vertices = np.concatenate([polygon, cross_pts, pts])

    # Edges along each line: consecutive points in the direction (−a1, a0).
    on_line = np.concatenate([line, i, j])
    on_vid = np.concatenate([cross_id, inner_id, inner_id])
    tau = -a[on_line, 1] * vertices[on_vid, 0] + a[on_line, 0] * vertices[on_vid, 1]
    order = np.lexsort((tau, on_line))
    on_line, on_vid, tau = on_line[order], on_vid[order], tau[order]
    same = on_line[1:] == on_line[:-1]
    if np.any(same & (np.diff(tau) <= TOL * size * np.linalg.norm(a[on_line[1:]], axis=1))):
        return None
    line_u, line_v, line_lab = on_vid[:-1][same], on_vid[1:][same], on_line[1:][same]

    # Boundary edges: corners and crossings in counter-clockwise order.
    bkey_edge = np.concatenate([np.arange(k), edge])
    bkey_t = np.concatenate([np.zeros(k), t])
    bid = np.concatenate([np.arange(k), cross_id])
    cycle = bid[np.lexsort((bkey_t, bkey_edge))]
    bound_u, bound_v = cycle, np.concatenate([cycle[1:], cycle[:1]])

    # Half-edges: inner ones (both directions of line edges, the CCW direction of the boundary)
    # and the outer boundary direction, needed only as a place in each vertex's angular order.
    src = np.concatenate([line_u, line_v, bound_u, bound_v])
    dst = np.concatenate([line_v, line_u, bound_v, bound_u])
    edge_of = np.concatenate([np.arange(k), edge])  # the polygon edge each boundary vertex starts
    lab = np.concatenate([line_lab, line_lab, -1 - edge_of[bound_u], np.full(len(cycle), -1)])
    n_line, n_bound = len(line_u), len(cycle)
    twin = np.concatenate(
        [
            np.arange(n_line) + n_line,
            np.arange(n_line),
            2 * n_line + n_bound + np.arange(n_bound),
            2 * n_line + np.arange(n_bound),
        ]
    )
    outer = np.zeros(len(src), bool)
    outer[2 * n_line + n_bound :] = True
    d = vertices[dst] - vertices[src]
    angle = np.arctan2(d[:, 1], d[:, 0])
    by_angle = np.lexsort((angle, src))
    group_start = np.searchsorted(src[by_angle], src[by_angle], side="left")
    group_end = np.searchsorted(src[by_angle], src[by_angle], side="right")
    pos = np.arange(len(src))
    prev_pos = np.where(pos == group_start, group_end - 1, pos - 1)
    clockwise_prev = np.empty(len(src), np.int64)
    clockwise_prev[by_angle] = by_angle[prev_pos]
    nxt = clockwise_prev[twin]

    keep = np.flatnonzero(~outer)
    new_index = np.full(len(src), -1)
    new_index[keep] = np.arange(len(keep))
    nxt_inner = new_index[nxt[keep]]
    if np.any(nxt_inner < 0):
        return None
    rep, dist = _cycle_order(nxt_inner)
    order = np.lexsort((-dist, rep))
    slot_vertex = src[keep][order]
    slot_label = lab[keep][order]
    reps = rep[order]
    first = np.flatnonzero(np.concatenate([[True], reps[1:] != reps[:-1]]))
    lengths = np.diff(np.append(first, len(order)))
    on = np.stack([on_vid, meets[on_line]], axis=1)
    return vertices, slot_vertex, slot_label.astype(np.int64), lengths, on, meets, edge
