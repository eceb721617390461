"""Exact linear regions of a net on a convex polygon in the plane, by successive cutting.

On a region R of the layers before l, every pre-activation z_j^(l) is affine, so the
set {z_j^(l) = k} (k a kink of σ_l) is a straight line through R and cuts the convex
polygon R into two convex polygons (Montufar et al. 2014; seed 002 answer 2: a
hyperplane arrangement per region). Cutting every region by every neuron of layer l,
layer after layer, gives the exact partition into activation regions.

The partition is a planar subdivision kept as shared vertices (positions and the
current layer's pre-activations at each vertex) and faces (vertex cycles, counter-
clockwise). Along an edge the net is affine, so a new vertex where z_j crosses a kink
is found by linear interpolation of the values at the edge's ends and the value z_j
is set to the kink exactly — no sampling, float64 throughout. A new vertex on an
edge is created once and shared by both faces of that edge, so no T-junctions arise
and V − E + F = 1 holds (Euler, for a subdivided disk).

Vectorisation: neuron by neuron, all faces that neuron crosses are split at once with
NumPy. A face only needs the neurons whose line crossed its ancestor at the start of
the layer (a sub-polygon is crossed only if its ancestor was), so deep layers touch
few faces per neuron (regioncam's scheme, with per-face candidate sets).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from approxlab.errors import ApproxlabError
from approxlab.regions.arrangement import arrange
from approxlab.regions.exact import boundary_line, meet, point, sign_at
from approxlab.regions.layers import Stage, all_finite, output
from approxlab.regions.lineage import Lineage, side_bits
from approxlab.regions.threads import prepare, product_threads

BOUNDARY = -1  # edge label of the domain's boundary
BATCH_SKIPS = 4  # lines a batch passes over (waiting for the next batch) before it is cut
REFRESH = 4  # re-read the crossing candidates each time the face count has grown this many times
# Error bound of a pre-activation at a vertex, relative to the size of its terms |W| |h| + |b|:
# interpolation along edges and one matrix product per layer lose a few ulps (measured against
# exact values at sampled vertices: ≤ 5e-16 on 2→64^6, 2→128^4, 2→256^3). Within TOL of a kink
# the side is decided exactly, so TOL only needs to exceed the true error.
TOL = 1e-9
# Cuts of one layer the compiled path repeats (each deciding the ambiguous signs it found) before
# the exact path takes the net: a repeat costs at most one fast partition of the whole net, the
# exact path 5.4–9.0 of them (measured, ReLU 2→8²…2→128², 2→32⁴, torch seed 0), so handing over
# after RETRIES repeats costs at most about twice the cheaper of the two (the ski-rental rule).
# torch's seed-0 2→24→12→1 with its first layer × 1e12 (24 lines within 2.4e-12 of the origin,
# nearly every sign ambiguous) took 6,500 repeats of one sign each, 39 s; now 0.45 s.
RETRIES = 8
TINY = np.finfo(float).tiny
EPS = float(np.finfo(np.float64).eps)


class _Pool:
    """A growable 1-D or 2-D NumPy array (capacity doubling), for vertices, slots and faces."""

    def __init__(self, data: np.ndarray):
        self.data = data
        self.n = len(data)

    def extend(self, rows: np.ndarray) -> None:
        need = self.n + len(rows)
        if need > len(self.data):
            grown = np.empty((max(need, 2 * len(self.data)), *self.data.shape[1:]), self.data.dtype)
            grown[: self.n] = self.data[: self.n]
            self.data = grown
        self.data[self.n : need] = rows
        self.n = need

    @property
    def view(self) -> np.ndarray:
        return self.data[: self.n]


def _segment_ids(lengths: np.ndarray) -> np.ndarray:
    return np.repeat(np.arange(len(lengths)), lengths)


def _gather(starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Slot indices of faces given by (start, length), the local index of each slot's successor
    around its face, and the position of each face's first slot in the gathered array."""
    first = np.zeros(len(lengths), np.int64)
    np.cumsum(lengths[:-1], out=first[1:])
    total = int(first[-1] + lengths[-1]) if len(lengths) else 0
    offset = np.repeat(starts - first, lengths)
    local = np.arange(total, dtype=np.int64)
    nxt = local + 1
    nxt[first + lengths - 1] = first
    return local + offset, nxt, first


class _Subdivision:
    """Faces as vertex cycles in a slot pool: face f owns slots start[f] … start[f]+length[f]−1;
    slot i holds a vertex id and the label of the edge from it to the next slot's vertex."""

    def __init__(self, polygon: np.ndarray):
        k = len(polygon)
        self.x = _Pool(np.array(polygon, dtype=np.float64))
        self.ex = _Pool(np.zeros(k))  # bound on each vertex's position error (max norm)
        self.z: _Pool | None = None
        # Carried error bound of each vertex's z (inputs' errors, interpolation): see :func:`subdivide`.
        self.ez: _Pool | None = None
        self.slot_vertex = _Pool(np.arange(k, dtype=np.int64))
        self.slot_label = _Pool(-1 - np.arange(k, dtype=np.int32))
        self.start = _Pool(np.zeros(1, np.int64))
        self.length = _Pool(np.array([k], np.int64))
        self.alive = _Pool(np.ones(1, bool))
        self.ancestor = _Pool(np.zeros(1, np.int64))
        self.count = 1
        self.corners = k
        # How each vertex was made (its two lines, the stage and the region at that stage's start),
        # read only when a sign there must be decided exactly.
        self.rec_a = _Pool(np.full(k, BOUNDARY, np.int64))
        self.rec_b = _Pool(np.full(k, BOUNDARY, np.int64))
        self.rec_stage = _Pool(np.zeros(k, np.int64))
        self.rec_face = _Pool(np.zeros(k, np.int64))
        self.tol = np.zeros(0)

    @classmethod
    def from_faces(
        cls,
        x: np.ndarray,
        slot_vertex: np.ndarray,
        slot_label: np.ndarray,
        lengths: np.ndarray,
        corners: int,
        rec_a: np.ndarray,
        rec_b: np.ndarray,
    ):
        """A subdivision from ready-made faces (vertex cycles in slot order, their lengths); the
        first ``corners`` vertices are the polygon's, vertex v ≥ corners is where lines rec_a[v], rec_b[v] meet."""
        sub = cls.__new__(cls)
        sub.corners = corners
        sub.rec_a = _Pool(rec_a.astype(np.int64))
        sub.rec_b = _Pool(rec_b.astype(np.int64))
        sub.rec_stage = _Pool(np.zeros(len(x), np.int64))
        sub.rec_face = _Pool(np.zeros(len(x), np.int64))
        sub.ancestor = _Pool(np.zeros(len(lengths), np.int64))
        sub.tol = np.zeros(0)
        sub.x = _Pool(x)
        sub.ex = _Pool(np.zeros(len(x)))
        sub.z = None
        sub.ez = None
        sub.slot_vertex = _Pool(slot_vertex.astype(np.int64))
        sub.slot_label = _Pool(slot_label.astype(np.int32))
        sub.start = _Pool(np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64))
        sub.length = _Pool(lengths.astype(np.int64))
        sub.alive = _Pool(np.ones(len(lengths), bool))
        sub.count = len(lengths)
        return sub

    def compact(self) -> None:
        """Drop split faces and store the live ones contiguously, in order."""
        faces = np.flatnonzero(self.alive.view)
        slots, _, first = _gather(self.start.view[faces], self.length.view[faces])
        lengths = self.length.view[faces]
        self.slot_vertex = _Pool(self.slot_vertex.view[slots])
        self.slot_label = _Pool(self.slot_label.view[slots])
        self.start = _Pool(first)
        self.length = _Pool(lengths.copy())
        self.alive = _Pool(np.ones(len(faces), bool))
        self.ancestor = _Pool(self.ancestor.view[faces])
        self.count = len(faces)

    def cut(
        self,
        faces: np.ndarray,
        column: np.ndarray,
        kink: np.ndarray,
        label: np.ndarray,
        candidates: _Columns,
        resolve,
        stage: int,
    ) -> None:
        """Split each face ``faces[n]`` that the line {z_column[n] = kink[n]} crosses into its two sides.

        Several lines are cut at once when no face is a candidate of two of them: then no edge is
        crossed by two lines (a line crossing an edge crosses both faces on it). Where |z − kink| at a
        vertex is within the float64 error bound ``tol[column]``, the side is decided exactly by
        ``resolve(vertices, faces, n)`` (−1, 0, 1; n the index of one face of that line) and z is set
        to agree.
        """
        starts, lengths = self.start.view[faces], self.length.view[faces]
        slots, nxt, first = _gather(starts, lengths)
        vid = self.slot_vertex.view[slots]
        zdata = self.z.data
        col_s, kink_s = np.repeat(column, lengths), np.repeat(kink, lengths)
        ezdata = self.ez.data
        d = zdata[vid, col_s] - kink_s
        e = ezdata[vid, col_s]
        unsure = (np.abs(d) <= self.tol[col_s] + e) & ((d != 0) | (e > 0))
        if unsure.any():
            at = np.flatnonzero(unsure)
            at_face = np.searchsorted(first, at, side="right") - 1
            # One exact sign per vertex and line: group by the line (its label).
            for lab in np.unique(label[at_face]).tolist():
                mine = at[label[at_face] == lab]
                verts, once = np.unique(vid[mine], return_index=True)
                n = int(at_face[label[at_face] == lab][once[0]])
                owner = faces[np.searchsorted(first, mine[once], side="right") - 1]
                exact = resolve(verts, owner, n)
                col, k = int(column[n]), kink[n]
                now = zdata[verts, col] - k
                agree = (np.sign(now) == exact) & (exact != 0)
                # Disagreeing values move to the float next to the kink on the exact side: the sign is
                # then right and the value no further from the truth than before.
                zdata[verts, col] = np.where(
                    exact == 0, k, np.where(agree, zdata[verts, col], np.nextafter(k, k + exact))
                )
                ezdata[verts[exact == 0], col] = 0.0
            d = zdata[vid, col_s] - kink_s
        side = np.sign(d).astype(np.int8)
        pos = np.logical_or.reduceat(side > 0, first)
        neg = np.logical_or.reduceat(side < 0, first)
        split = pos & neg
        if not split.any():
            return
        if not split.all():
            faces, first_kept = faces[split], first[split]
            column, kink, label = column[split], kink[split], label[split]
            keep = np.repeat(split, lengths)
            lengths = lengths[split]
            remap = np.cumsum(keep) - 1
            slots, vid, side = slots[keep], vid[keep], side[keep]
            nxt = remap[nxt[keep]]
            first = remap[first_kept]
        s_next = side[nxt]
        v_next = vid[nxt]
        crossing = (side * s_next) < 0

        # One new vertex per crossed edge, shared by the two faces on either side of it.
        a = np.minimum(vid[crossing], v_next[crossing])
        b = np.maximum(vid[crossing], v_next[crossing])
        key = a * (self.x.n + 1) + b
        unique, once, inverse = np.unique(key, return_index=True, return_inverse=True)
        ua, ub = unique // (self.x.n + 1), unique % (self.x.n + 1)
        crossed_slot = np.flatnonzero(crossing)[once]
        crossed_face = np.searchsorted(first, crossed_slot, side="right") - 1
        col_c, kink_c = column[crossed_face], kink[crossed_face]
        za, zb = zdata[ua, col_c] - kink_c, zdata[ub, col_c] - kink_c
        t = (za / (za - zb))[:, None]
        xd = self.x.data
        new_x = xd[ua] + t * (xd[ub] - xd[ua])
        dz = zdata[ub] - zdata[ua]
        new_z = zdata[ua] + t * dz
        new_z[np.arange(len(unique)), col_c] = kink_c
        shift = crossing_shift(ezdata[ua, col_c] + ezdata[ub, col_c], za - zb)
        new_ez = interpolation_error(zdata[ua], zdata[ub], ezdata[ua], ezdata[ub], shift)
        new_ez[np.arange(len(unique)), col_c] = 0.0
        base = self.x.n
        self.x.extend(new_x)
        exdata = self.ex.data
        self.ex.extend(
            np.maximum(exdata[ua], exdata[ub])
            + shift * np.abs(xd[ub] - xd[ua]).max(axis=1)
            + 4 * EPS * (np.abs(xd[ua]) + np.abs(xd[ub])).max(axis=1)
        )
        self.z.extend(new_z)
        self.ez.extend(new_ez)
        self.rec_a.extend(label[crossed_face].astype(np.int64))
        self.rec_b.extend(self.slot_label.view[slots[crossed_slot]].astype(np.int64))
        self.rec_stage.extend(np.full(len(unique), stage, np.int64))
        self.rec_face.extend(self.ancestor.view[faces[crossed_face]])
        new_vertex = np.full(len(vid), -1, np.int64)
        new_vertex[crossing] = base + inverse

        label_now = self.slot_label.view[slots]
        label = np.repeat(label, lengths)
        vertex_cols = np.stack([vid, new_vertex], axis=1)
        # Positive child: vertices with z ≥ kink plus the crossings; the edge leaving the
        # exit point (last point before the negative side) runs along the cut.
        pos_take = np.stack([side >= 0, crossing], axis=1)
        pos_label = np.stack(
            [
                np.where((side == 0) & (s_next < 0), label, label_now),
                np.where(side > 0, label, label_now),
            ],
            axis=1,
        )
        neg_take = np.stack([side <= 0, crossing], axis=1)
        neg_label = np.stack(
            [
                np.where((side == 0) & (s_next > 0), label, label_now),
                np.where(side < 0, label, label_now),
            ],
            axis=1,
        )
        n_split = len(faces)
        child_vertices, child_labels, child_lengths = [], [], []
        for take, lab in ((pos_take, pos_label), (neg_take, neg_label)):
            child_vertices.append(vertex_cols[take])
            child_labels.append(lab[take])
            child_lengths.append(np.add.reduceat(take.sum(axis=1), first))
        lengths_new = np.concatenate(child_lengths)
        slot_base = self.slot_vertex.n
        starts_new = slot_base + np.concatenate([[0], np.cumsum(lengths_new)[:-1]])
        self.slot_vertex.extend(np.concatenate(child_vertices))
        self.slot_label.extend(np.concatenate(child_labels).astype(np.int32))
        self.alive.data[faces] = False
        self.start.extend(starts_new)
        self.length.extend(lengths_new)
        self.alive.extend(np.ones(2 * n_split, bool))
        self.ancestor.extend(np.concatenate([self.ancestor.view[faces]] * 2))
        candidates.extend_from(np.concatenate([faces, faces]))
        self.count += n_split


def _crossing_candidates(
    sub: _Subdivision, kinks: np.ndarray, passes: np.ndarray | None
) -> np.ndarray:
    """(neuron·kink) × face booleans: may the line z_j = k cross the face's interior?

    True when the face has a vertex with z_j > k − tol_j and one with z_j < k + tol_j (tol_j:
    the float64 error bound, so a face is never skipped on a wrong sign). Bits are packed
    eight neurons to a byte and OR-ed over each face's vertices (faces padded to equal
    length by repeating their first vertex). Never for pass-through neurons (``passes``).
    """
    lengths = sub.length.view
    first = sub.start.view
    vid = sub.slot_vertex.view
    z = sub.z.view
    bound = sub.tol + sub.ez.view
    n = z.shape[1]
    longest = int(lengths.max())
    pad = first[:, None] + np.minimum(np.arange(longest), lengths[:, None] - 1)
    corners = vid[pad]
    out = np.empty((n * len(kinks), len(lengths)), bool)
    for i, k in enumerate(kinks):
        above = np.bitwise_or.reduce(np.packbits(z > k - bound, axis=1)[corners], axis=1)
        below = np.bitwise_or.reduce(np.packbits(z < k + bound, axis=1)[corners], axis=1)
        out[i :: len(kinks)] = np.unpackbits(above & below, axis=1, count=n).T.astype(bool)
    if passes is not None:
        out[np.repeat(passes, len(kinks))] = False  # pass-through neurons never bend
    return out


class _Columns:
    """A bool matrix (rows, faces) that grows along the face axis (capacity doubling)."""

    def __init__(self, data: np.ndarray):
        self.data = data
        self.n = data.shape[1]

    def extend_from(self, parents: np.ndarray) -> None:
        need = self.n + len(parents)
        if need > self.data.shape[1]:
            grown = np.empty((self.data.shape[0], max(need, 2 * self.data.shape[1])), bool)
            grown[:, : self.n] = self.data[:, : self.n]
            self.data = grown
        self.data[:, self.n : need] = self.data[:, parents]
        self.n = need


class TooManyRegions(ApproxlabError):
    """The partition passed ``max_regions`` at ``layer``; the message quotes the net's upper bound
    on its regions when one is given (:meth:`quoting`: :func:`approxlab.regions.partition` works it
    out only then)."""

    def __init__(self, max_regions: int, layer: int, bound: float | None, smaller: str):
        self.max_regions, self.layer, self.smaller = max_regions, layer, smaller
        bound_text = f" (upper bound for this net: {bound:.3g})" if bound is not None else ""
        super().__init__(
            f"the partition passed max_regions={max_regions} at layer {layer + 1}{bound_text}: "
            f"raise --max-regions or use a smaller {smaller}"
        )

    def quoting(self, bound: float) -> TooManyRegions:
        """The same error, its message quoting ``bound``."""
        return TooManyRegions(self.max_regions, self.layer, bound, self.smaller)


def stop_if_over(count: int, max_regions: int, layer: int, smaller: str = "box") -> None:
    """Raise :class:`TooManyRegions` once a partition has more than ``max_regions`` regions."""
    if count > max_regions:
        raise TooManyRegions(max_regions, layer, None, smaller)


def _first_layer(built, stage: Stage, label_base: int, polygon: np.ndarray) -> _Subdivision:
    """The subdivision of the first layer from its line arrangement, with the pre-activations
    at its vertices (exactly the kink on the lines through each vertex)."""
    vertices, slot_vertex, slot_label, lengths, on, meets, edge_of = built
    k = len(polygon)
    labels = np.where(slot_label >= 0, label_base + slot_label, slot_label)
    # Each non-corner vertex lies on two lines: two entries of ``on``, or one and a boundary edge.
    order = np.argsort(on[:, 0], kind="stable")
    vid, line = on[order, 0], label_base + np.searchsorted(meets, on[order, 1])
    rec_a = np.full(len(vertices), BOUNDARY, np.int64)
    rec_b = np.full(len(vertices), BOUNDARY, np.int64)
    head = np.ones(len(vid), bool)
    head[1:] = vid[1:] != vid[:-1]
    rec_a[vid[head]] = line[head]
    rec_b[vid[~head]] = line[~head]
    lone = np.flatnonzero(rec_b == BOUNDARY)
    lone = lone[lone >= k]
    rec_b[lone] = -1 - edge_of[lone - k]
    sub = _Subdivision.from_faces(vertices, slot_vertex, labels, lengths, k, rec_a, rec_b)
    v = len(vertices)
    room = np.empty((2 * v + 64, stage.width))
    np.matmul(vertices, stage.weight.T, out=room[:v])
    room[:v] += stage.bias
    m = len(stage.activation.kinks)
    sub.tol = float_error_bound(stage, vertices)
    ez = np.empty_like(room)
    placed = _placement_error(sub, stage, polygon, meets, label_base)
    sub.ex = _Pool(placed.max(axis=1))
    ez[:v] = carried_error(stage, placed, sub.tol)
    room[on[:, 0], on[:, 1] // m] = stage.activation.kinks[on[:, 1] % m]
    ez[on[:, 0], on[:, 1] // m] = 0.0
    sub.z, sub.ez = _Pool(room), _Pool(ez)
    sub.z.n = sub.ez.n = v
    return sub


def _placement_error(
    sub: _Subdivision, stage: Stage, polygon: np.ndarray, meets: np.ndarray, label_base: int
) -> np.ndarray:
    """Bound on |x_v − x*_v| per coordinate for the arrangement's vertices (V, 2), from the
    residuals r = A x_v + c of the two lines that make each (first-layer lines or polygon edges):
    x_v − x* = A⁻¹ r, and r is computed to within 8 ε (|A| |x_v| + |c|). Corners are exact;
    a nearly singular A (|det| ≤ 1e-6 of its terms) gives an infinite bound (every value there
    is then decided exactly)."""
    x = sub.x.view
    out = np.zeros_like(x)
    kinks, m = stage.activation.kinks, len(stage.activation.kinks)
    corner_next = np.roll(polygon, -1, axis=0)
    edge_normal = np.stack(
        [polygon[:, 1] - corner_next[:, 1], corner_next[:, 0] - polygon[:, 0]], 1
    )
    edge_offset = -(edge_normal * polygon).sum(axis=1)
    v = np.arange(sub.corners, len(x))
    rows, offs = [], []
    for lab in (sub.rec_a.view[v], sub.rec_b.view[v]):
        line = lab >= 0
        c = meets[np.where(line, lab - label_base, 0)]
        e = np.where(line, 0, -1 - lab)
        rows.append(np.where(line[:, None], stage.weight[c // m], edge_normal[e]))
        offs.append(np.where(line, stage.bias[c // m] - kinks[c % m], edge_offset[e]))
    a = np.stack(rows, axis=1)  # (V', 2 lines, 2)
    c = np.stack(offs, axis=1)
    xv = x[v]
    r = np.abs(np.einsum("vij,vj->vi", a, xv) + c)
    r += 8 * EPS * (np.einsum("vij,vj->vi", np.abs(a), np.abs(xv)) + np.abs(c))
    det = a[:, 0, 0] * a[:, 1, 1] - a[:, 0, 1] * a[:, 1, 0]
    terms = np.abs(a[:, 0, 0] * a[:, 1, 1]) + np.abs(a[:, 0, 1] * a[:, 1, 0])
    inverse = np.stack([a[:, 1, 1], -a[:, 0, 1], -a[:, 1, 0], a[:, 0, 0]], 1).reshape(-1, 2, 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = np.einsum("vij,vj->vi", np.abs(inverse), r) / np.abs(det)[:, None] * (1 + 1e-6)
    bound[np.abs(det) <= 1e-6 * terms] = np.inf
    out[v] = bound
    return out


class _Exact:
    """Exact sides of vertices (:mod:`approxlab.regions.exact`), from how each vertex was made."""

    def __init__(
        self,
        sub: _Subdivision | None,
        lineage: Lineage,
        polygon: np.ndarray,
        cuts: list[list[int]],
    ):
        self.sub, self.lineage, self.polygon, self.cuts = sub, lineage, polygon, cuts
        self.points: dict[int, tuple[int, int, int]] = {}
        # A line on a face is read by each vertex it makes there and each side decided against it:
        # one integer product per (stage, face, line), not per use.
        self.lines: dict[tuple[int, int, int, int, int], tuple[int, int, int]] = {}

    def _exact_line(self, stage: int, face: int, layer: int, neuron: int, kink: int) -> tuple:
        key = (stage, face, layer, neuron, kink)
        if key not in self.lines:
            self.lines[key] = self.lineage.line(stage, face, layer, neuron, kink)
        return self.lines[key]

    def records(self, corners: int, rec: np.ndarray, faces: int) -> None:
        """Read how each vertex was made from ``rec`` (V, 4): its two lines, the stage and the face at
        that stage's start (the fast path's records), with ``faces`` faces at the current stage's start."""
        self.sub = _Subdivision.__new__(_Subdivision)
        self.sub.corners = corners
        self.sub.rec_a, self.sub.rec_b = _Pool(rec[:, 0]), _Pool(rec[:, 1])
        self.sub.rec_stage, self.sub.rec_face = _Pool(rec[:, 2]), _Pool(rec[:, 3])
        self.sub.ancestor = _Pool(np.arange(faces, dtype=np.int64))

    def _line(self, label: int, stage: int, face: int) -> tuple[int, int, int]:
        if label < 0:
            e = -1 - label
            return boundary_line(self.polygon[e], self.polygon[(e + 1) % len(self.polygon)])
        layer, neuron, kink = self.cuts[0][label], self.cuts[1][label], self.cuts[2][label]
        return self._exact_line(stage, face, layer, neuron, kink)

    def point(self, v: int) -> tuple[int, int, int]:
        if v not in self.points:
            sub = self.sub
            if v < sub.corners:
                self.points[v] = point(self.polygon[v])
            else:
                stage, face = int(sub.rec_stage.data[v]), int(sub.rec_face.data[v])
                self.points[v] = meet(
                    self._line(int(sub.rec_a.data[v]), stage, face),
                    self._line(int(sub.rec_b.data[v]), stage, face),
                )
        return self.points[v]

    def sides(
        self, stage: int, column: int, kink: int, vertices: np.ndarray, faces: np.ndarray
    ) -> np.ndarray:
        """Exact sign of z_column^(stage) − k_kink at each vertex, read on a face that holds it."""
        anc = self.sub.ancestor.data
        return np.array(
            [
                sign_at(
                    self._exact_line(stage, int(anc[f]), stage, column, kink), self.point(int(v))
                )
                for v, f in zip(vertices, faces)
            ],
            np.int8,
        )


def _record(
    sub: _Subdivision,
    lineage: Lineage,
    li: int,
    kinks: np.ndarray,
    passes: np.ndarray | None,
    exact: _Exact | None = None,
) -> None:
    """Store each face's ancestor and its sides of the stage's kinks (its pattern for stage li): the
    union of its vertices' sides. With ``exact``, a vertex value within the float error bound of a
    kink has its side decided exactly (its float may lie on the wrong side of the kink)."""
    sub.compact()
    lengths, first, vid = sub.length.view, sub.start.view, sub.slot_vertex.view
    longest = int(lengths.max())
    pad = first[:, None] + np.minimum(np.arange(longest), lengths[:, None] - 1)
    sides = side_bits(sub.z.view, kinks, passes)
    if exact is not None:
        _exact_sides(sub, sides, li, kinks, passes, exact)
    bits = np.bitwise_or.reduce(sides[vid[pad]], axis=1)
    lineage.record(li, sub.ancestor.view.copy(), bits)
    sub.ancestor = _Pool(np.arange(sub.count, dtype=np.int64))


def _exact_sides(
    sub: _Subdivision,
    sides: np.ndarray,
    li: int,
    kinks: np.ndarray,
    passes: np.ndarray | None,
    exact: _Exact,
) -> None:
    """Set the bits of ``sides`` (vertices × packed neuron·kink columns, as :func:`side_bits`) whose
    value lies within the error bound of the kink to the exact side (1 above, 0 on it or below)."""
    z, ez = sub.z.view, sub.ez.view
    bound = sub.tol + ez
    holder = (
        None  # a face holding each vertex (any: z is continuous), made when some value needs it
    )
    for i, k in enumerate(kinks):
        # A value on the kink with a zero bound is exact (the vertex was made on that line).
        v, j = np.nonzero((np.abs(z - k) <= bound) & ((z != k) | (ez > 0)))
        if passes is not None:
            v, j = v[~passes[j]], j[~passes[j]]
        if len(v) and holder is None:
            holder = np.empty(len(z), np.int64)
            holder[sub.slot_vertex.view] = np.repeat(np.arange(sub.count), sub.length.view)
        for col in np.unique(j).tolist():
            at = v[j == col]
            above = exact.sides(li, col, i, at, holder[at]) > 0
            c = col * len(kinks) + i
            mask = np.uint8(128 >> (c % 8))
            sides[at, c // 8] = np.where(above, sides[at, c // 8] | mask, sides[at, c // 8] & ~mask)


def float_error_bound(stage: Stage, h: np.ndarray) -> np.ndarray:
    """Bound on the float64 error of z_j = W_j h + b_j at the vertices h (rows): TOL times the
    size of its terms, TOL · max(Σ_i |W_ji| max_v |h_vi| + |b_j|, TINY) (compiled:
    :func:`approxlab.regions.fastcut.error_bound`)."""
    from approxlab.regions.fastcut import error_bound  # numba: imported on first use

    return representable(error_bound(stage.weight, stage.bias, h, TOL, TINY))


def carried_error(stage: Stage, eh: np.ndarray, tol: np.ndarray) -> np.ndarray:
    """Bound on |z − exact z| per point and neuron for z = W h + b: the inputs' bounds ``eh``
    through |W| (the product's own round-off, 1 + O(n ε), is covered by the factor 1 + 1e-6) plus
    this product's round-off γ_(n+2) (Σ|W||h| + |b|), which is ``tol`` (:func:`float_error_bound`)
    · (n + 2) ε / TOL (Higham, *Accuracy and Stability of Numerical Algorithms*, §3.1). A running
    forward bound, as in interval arithmetic; float64."""
    n = stage.weight.shape[1]
    return (eh @ np.abs(stage.weight).T) * (1.0 + 1e-6) + tol * ((n + 2) * EPS / TOL)


def activated_error(activation, z: np.ndarray, ez: np.ndarray) -> np.ndarray:
    """Bound on |σ(z) − σ(exact z)| given |z − exact z| ≤ ``ez``: σ is Lipschitz with constant
    max |slope|, and applying it rounds once more (ε |σ(z)| ≤ ε (L |z| + max |intercept|))."""
    lip = float(np.abs(activation.slope).max())
    return lip * (ez + EPS * np.abs(z)) + EPS * float(np.abs(activation.intercept).max())


def crossing_shift(spread: np.ndarray, gap: np.ndarray) -> np.ndarray:
    """How far (as a fraction of its edge) the crossing t = d_a / (d_a − d_b) may lie from the
    exact one when the d's carry error bounds δ_a + δ_b = ``spread`` in all, ``gap`` = d_a − d_b:
    by the mean value theorem at most 2 (δ_a + δ_b) / |gap| while that is below 1 (the exact
    |gap| is then ≥ |gap| / 2), plus the division's rounding; 1 otherwise (it lies on the edge)."""
    size = np.abs(gap)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # those take 1
        return np.where(2.0 * spread < size, 2.0 * spread / size + 4 * EPS, 1.0)


def interpolation_error(za, zb, eza, ezb, shift) -> np.ndarray:
    """Bound on the error of z = z_a + t (z_b − z_a) at a crossing whose t is off by at most
    ``shift`` (:func:`crossing_shift`): the ends' bounds, the shift times each value's change
    along the edge (and the ends' bounds), and the two roundings."""
    shift = np.asarray(shift)[:, None]
    return (
        np.maximum(eza, ezb)
        + shift * (np.abs(zb - za) + eza + ezb)
        + 4 * EPS * (np.abs(za) + np.abs(zb))
    )


def representable(tol: np.ndarray) -> np.ndarray:
    """``tol`` (an error bound per neuron), after checking it is finite: an infinite bound means
    the pre-activations' terms overflow float64 on this domain, where no sign can be read."""
    if not all_finite(tol):
        raise ApproxlabError(
            "the net's pre-activations overflow float64 on this domain (|W| |h| + |b| is infinite): "
            "give a smaller domain or scale the weights down"
        )
    return tol


def _capacity(v: int, width: int, max_regions: int) -> int:
    """Rows to allocate for the vertices of a layer that starts with v of them, so the arrays are
    rarely copied while growing (pages never written are never mapped): about two per new face,
    and at most four per region allowed (the cuts stop once the faces must pass max_regions). On
    the first layer (v corners) this holds its 2·width boundary crossings and width(width − 1)/2
    inner ones, the room the first layer's walk asks for (:func:`fastcut.cut_layer`)."""
    return min(3 * v + width * (width + 3) // 2, v + 4 * max_regions) + 64


def fast_eligible(layers: list[Stage]) -> bool:
    """Can :func:`fast_subdivide` take this net: every activation with one kink, no pass-through
    neurons and no max tournaments (a plain MLP of ReLU, LeakyReLU, PReLU or Abs)?"""
    acts = [s.activation for s in layers if s.activation is not None]
    return bool(acts) and all(
        len(a.kinks) == 1 and a.passes is None and a.games is None for a in acts
    )


def fast_subdivide(
    layers: list[Stage],
    polygon: np.ndarray,
    max_regions: int,
    first: tuple | None = None,
):
    """:func:`subdivide` for a plain MLP with the compiled cuts of :mod:`approxlab.regions.fastcut`,
    or ``None`` when the net is degenerate (a line exactly through a vertex it did not make).

    Faces are cut per face rather than per neuron, every sign read past the error bound of
    :func:`float_error_bound`; a sign within it is decided exactly (:class:`_Exact`, from the two
    lines that made the vertex) and the layer cut again knowing it. So the regions, patterns and
    vertices are the exact path's (in another order); cut labels are base_l + j for neuron j of
    stage l.

    ``first``: the first layer already cut by the exact path (:func:`subdivide`, where it was
    degenerate: lines through one point), as (vertices, their records, its outputs h, slot
    vertices, slot labels, offsets, lineage, cuts); the compiled cuts take the layers after it.
    """
    from approxlab.regions import fastcut  # numba: imported (and its cache read) on first use

    prepare()

    k = len(polygon)
    slot_vertex = slot_label = offsets = None  # the polygon's one face, made when a retry needs it
    lineage = Lineage(layers)
    cuts: list[list[int]] = [[], [], []]
    h = np.ascontiguousarray(polygon, dtype=np.float64)
    v = k
    x = rec = None
    none = np.zeros(0, np.int64)
    done = 0
    zero_rows = none  # vertices where the stage's input is exactly zero (z = b there, exactly)
    if first is not None:
        x, rec, h, slot_vertex, slot_label, offsets, lineage, cuts = first
        v, done = len(h), 1
    for li, stage in enumerate(layers):
        if li < done:
            continue
        if stage.activation is None:
            h = h @ stage.weight.T + stage.bias
            zero_rows = none
            continue
        kink = float(stage.activation.kinks[0])
        cap = _capacity(v, stage.width, max_regions)
        if x is None:  # the domain's corners, their bound and the first cut: one compiled call
            out, tol, walk = fastcut.first_layer(
                h, stage.weight, stage.bias, kink, cap, TOL, TINY, max_regions
            )
            representable(tol)
            x, z, rec = out[1], out[2], out[3]
        else:
            z = np.empty((cap, stage.width))
            with product_threads(v * stage.weight.size):
                np.matmul(h, stage.weight.T, out=z[:v])
            z[:v] += stage.bias
            x, rec = _resized(x, v, cap), _resized(rec, v, cap)
            tol = float_error_bound(stage, h)
            out, walk = None, True  # a deeper layer: only the first is walked (see cut_layer)
        base = len(cuts[0])
        cuts[0] += [li] * stage.width
        cuts[1] += range(stage.width)
        cuts[2] += [0] * stage.width
        known = _on_bias(zero_rows, stage.bias, tol, kink)  # (vertex, neuron, exact sign)
        exact = None
        retries = 0
        while True:
            if out is None:
                out = fastcut.cut_layer(
                    x,
                    z,
                    rec,
                    v,
                    slot_vertex,
                    slot_label,
                    offsets,
                    tol,
                    kink,
                    base,
                    li,
                    li == 0,
                    walk,
                    stage.weight,
                    stage.bias,
                    max_regions,
                    *known,
                )
            if out[0] == fastcut.DEGENERATE:
                return None
            if out[0] != fastcut.AMBIGUOUS:
                break
            retries += 1
            if retries > RETRIES:
                return None
            x, z, rec = out[1], out[2], out[3]
            verts, neurons = _near(z, rec, out[-2], out[-1], tol, kink, base)
            out = None
            fresh = ~np.isin(verts * stage.width + neurons, known[0] * stage.width + known[1])
            if not fresh.any():
                # Nothing new to decide: the floats keep reading a decided sign as ambiguous (seen
                # with a first layer × 1e15: 160,000 retries in 78 s, no end). The exact path takes it.
                return None
            verts, neurons = verts[fresh], neurons[fresh]
            if slot_vertex is None:
                slot_vertex = np.arange(k, dtype=np.int64)
                slot_label, offsets = -1 - slot_vertex, np.array([0, k], np.int64)
            exact = exact or _Exact(None, lineage, polygon, cuts)
            # A vertex of this layer lies in the face it was made in; an older one in any face holding it.
            face = np.where(verts >= v, rec[verts, 3], 0)
            old = verts < v
            if old.any():
                holder = np.searchsorted(offsets, np.arange(len(slot_vertex)), side="right") - 1
                first = np.full(v, 0, np.int64)
                first[slot_vertex[::-1]] = holder[::-1]
                face[old] = first[verts[old]]
            exact.records(k, rec, len(offsets) - 1)
            signs = np.array(
                [
                    exact.sides(li, int(j), 0, verts[n : n + 1], face[n : n + 1])[0]
                    for n, j in enumerate(neurons)
                ],
                np.int64,
            )
            if li == 0 and walk and not signs.all():
                # Lines through one point: the walk reads a piece's sides off its vertices, which
                # cannot tell a line through a vertex from one crossing there; the per-face cut
                # can. Its new vertices are numbered otherwise: their decided signs are dropped.
                walk, exact = False, None
                keep = known[0] < v
                known = [a[keep] for a in known]
                continue
            now = z[verts[old], neurons[old]] - kink
            # Older vertices' values move to the float next to the kink on the exact side, so every
            # comparison reads the exact sign; newer ones are made again, so their sign is looked up.
            z[verts[old], neurons[old]] = np.where(
                np.sign(now) == signs[old], now + kink, np.nextafter(kink, kink + signs[old])
            )
            known = [np.concatenate([a, b]) for a, b in zip(known, (verts, neurons, signs))]
            order = np.lexsort((known[1], known[0]))  # the compiled cut looks pairs up by bisection
            known = [a[order] for a in known]
        status, x, z, rec, v, slot_vertex, slot_label, offsets, ancestor, bits = out[:10]
        if status == fastcut.OVER:
            stop_if_over(max_regions + 1, max_regions, li)
        lineage.record(li, ancestor, bits)
        if any(later.activation is not None for later in layers[li + 1 :]):
            zero_rows = _zero_rows(stage, li == 0, z, rec, v, tol, base, known)
        h = stage.activation(z[:v], out=z[:v] if stage.activation.name == "relu" else None)
    return (
        x[: len(h)].copy(),
        slot_vertex,
        slot_label,
        offsets,
        np.asarray(h),
        np.array(cuts[0], np.int64),
        np.array(cuts[1], np.int64),
        lineage,
    )


def _near(
    z: np.ndarray,
    rec: np.ndarray,
    verts: np.ndarray,
    neurons: np.ndarray,
    tol: np.ndarray,
    kink: float,
    base: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The (vertex, neuron) pairs to decide exactly when the cut stopped at ``verts``/``neurons``:
    at each of those vertices every neuron within its error bound of the kink (|z − k| ≤ tol) and
    not made by it. Deciding a vertex's values at once, k lines through one point cost one more
    cut of the layer, not k − 2."""
    at = np.unique(verts)
    near = np.abs(z[at] - kink) <= tol
    made = rec[at, :2] - base
    for c in range(2):
        ok = (made[:, c] >= 0) & (made[:, c] < z.shape[1])
        near[np.flatnonzero(ok), made[ok, c]] = False
    i, j = np.nonzero(near)
    n = z.shape[1]
    pairs = np.unique(np.concatenate([verts * n + neurons, at[i] * n + j]))
    return pairs // n, pairs % n


def _zero_rows(stage: Stage, first: bool, z, rec, v: int, tol: np.ndarray, base: int, known):
    """The vertices (of the first v) whose activations σ(z) are all exactly 0, certified
    (:func:`fastcut.zero_rows`): σ(k) = 0 (k = 0, no intercept) on the lines through a vertex, and
    for ReLU below the kink too. The next stage's values there are its biases, exactly (0 · w = 0):
    with zero biases every line of every layer passes through the origin, and these signs need no
    exact arithmetic."""
    from approxlab.regions import fastcut

    act = stage.activation
    kink = float(act.kinks[0])
    if kink != 0.0 or act.intercept[0] != 0.0 or v == 0:
        return np.zeros(0, np.int64)
    offset = stage.bias - kink if first else np.zeros(0)  # straight first-layer lines
    return fastcut.zero_rows(z, rec, v, tol, kink, base, act.slope[0] == 0.0, offset, *known)


def _on_bias(rows: np.ndarray, bias: np.ndarray, tol: np.ndarray, kink: float) -> list[np.ndarray]:
    """Exact signs (vertex, neuron, sign) at vertices whose stage input is exactly zero
    (:func:`_zero_rows`), where z = b computed in floats is exact: b_j − k's sign for the neurons
    whose float sign is not certain already (|b_j − k| ≤ tol_j)."""
    if not len(rows):
        return [rows] * 3
    near = np.flatnonzero(np.abs(bias - kink) <= tol)
    if not len(near):
        return [np.zeros(0, np.int64)] * 3
    return [
        np.repeat(rows, len(near)),
        np.tile(near, len(rows)),
        np.tile(np.sign(bias[near] - kink).astype(np.int64), len(rows)),
    ]


def _after_first(
    sub: _Subdivision,
    lineage: Lineage,
    cuts: list[list[int]],
    layers: list[Stage],
    polygon: np.ndarray,
    h: np.ndarray,
    eh: np.ndarray,
    max_regions: int,
):
    """The layers after an exact first layer cut by :func:`fast_subdivide`'s compiled path, or
    None (the exact path goes on). A degenerate first layer (every line through one point, as with
    zero biases) sent the whole net down the exact path, cut neuron by neuron in NumPy: 2→256² 20 s
    where regioncam takes 6. The compiled path reads a sign once |z − k| exceeds its margin
    :func:`float_error_bound`, so it takes over only where the error the first layer's values
    carry (``eh``: placement and interpolation) moves the second layer's by at most half that
    margin, and the next layers are its kind (one kink, no pass-through)."""
    if len(layers) < 2 or not fast_eligible(layers[1:]):
        return None
    x = sub.x.view
    # The first layer's values evaluated at the vertices, with a bound from each vertex's own
    # placement error (its two lines' residuals there): interpolated along edges cut again and
    # again, their carried bounds grow with the width (2→128² with zero biases: past the margin).
    first, act = layers[0], layers[0].activation
    meets = np.asarray(cuts[1], np.int64) * len(act.kinks) + np.asarray(cuts[2], np.int64)
    placed = _placement_error(sub, first, polygon, meets, 0)
    z = x @ first.weight.T + first.bias
    ez = carried_error(first, placed, float_error_bound(first, x))
    direct = activated_error(act, z, ez)
    better = direct < eh
    h, eh = np.where(better, act(z), h), np.where(better, direct, eh)
    tol = float_error_bound(layers[1], h)
    if not np.all(carried_error(layers[1], eh, tol) <= 0.5 * tol):
        return None
    rec = np.stack(
        [sub.rec_a.view, sub.rec_b.view, sub.rec_stage.view, sub.rec_face.view], axis=1
    ).astype(np.int64)
    lengths = sub.length.view
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    state = (
        np.ascontiguousarray(x),
        rec,
        np.ascontiguousarray(h),
        sub.slot_vertex.view.astype(np.int64),
        sub.slot_label.view.astype(np.int64),
        offsets,
        # Its own lineage and labels: if it gives up, the exact path goes on with its own.
        lineage.fork(),
        [list(c) for c in cuts],
    )
    return fast_subdivide(layers, polygon, max_regions, first=state)


def _resized(a: np.ndarray, n: int, cap: int) -> np.ndarray:
    """The first n rows of ``a`` in an array of ``cap`` rows."""
    out = np.empty((cap, *a.shape[1:]), a.dtype)
    out[:n] = a[:n]
    return out


def subdivide(
    layers: list[Stage],
    polygon: np.ndarray,
    max_regions: int,
    fast: bool = True,
):
    """Cut the convex ``polygon`` (k, 2), counter-clockwise, by every neuron of every stage.

    Returns (vertices (V, 2), face slot vertices, face slot labels, face offsets,
    outputs at vertices (V, out), the layer and neuron of each cut label, the
    :class:`~approxlab.regions.lineage.Lineage` of the faces). float64 geometry; signs
    within the float64 error bound of a kink are decided exactly. ``fast``: try
    :func:`fast_subdivide` first (plain MLPs), falling back here when it finds such a sign.
    """
    if fast and fast_eligible(layers):
        done = fast_subdivide(layers, polygon, max_regions)
        if done is not None:
            return done
    sub = _Subdivision(polygon)
    lineage = Lineage(layers)
    h = sub.x.view
    eh = np.zeros_like(h)  # the corners are exact
    cuts: list[list[int]] = [[], [], []]  # layer, neuron, kink index of each cut label
    for li, stage in enumerate(layers):
        if stage.activation is None:
            eh = carried_error(stage, eh, float_error_bound(stage, h))
            h = h @ stage.weight.T + stage.bias
            continue
        kinks = stage.activation.kinks
        m = len(kinks)
        lines = stage.width * m
        # The arrangement is built whole (memory ∝ crossings): only when its face count,
        # at most 1 + n + n(n−1)/2, is within max_regions; otherwise cut line by line and stop early.
        if (
            li == 0
            and stage.activation.passes is None
            and 1 + lines + lines * (lines - 1) // 2 <= max_regions
        ):
            built = arrange(
                polygon,
                np.repeat(stage.weight, m, axis=0),
                (stage.bias[:, None] - kinks[None, :]).ravel(),
            )
            if built is not None:
                sub = _first_layer(built, stage, len(cuts[0]), polygon)
                cuts[0] += [0] * len(built[5])
                cuts[1] += (built[5] // m).tolist()
                cuts[2] += (built[5] % m).tolist()
                stop_if_over(sub.count, max_regions, li)
                exact = _Exact(sub, lineage, polygon, cuts)
                _record(sub, lineage, li, kinks, stage.activation.passes, exact)
                eh = activated_error(stage.activation, sub.z.view, sub.ez.view)
                h = stage.activation(
                    sub.z.view, out=sub.z.view if stage.activation.name == "relu" else None
                )
                if fast:
                    handed = _after_first(sub, lineage, cuts, layers, polygon, h, eh, max_regions)
                    if handed is not None:
                        return handed
                continue
        # Room for the vertices this layer adds, so the pool is rarely copied while growing.
        v = len(h)
        room = np.empty((2 * v + 64, stage.width))
        np.matmul(h, stage.weight.T, out=room[:v])
        room[:v] += stage.bias
        sub.tol = float_error_bound(stage, h)
        # The values' carried error bounds: an input's error (a vertex placed by interpolation,
        # a saturated unit's input 1e15 × larger than its output) can exceed the round-off tol
        # bounds, and a sign within it is decided exactly too.
        ez = np.empty_like(room)
        ez[:v] = carried_error(stage, eh, sub.tol)
        sub.z, sub.ez = _Pool(room), _Pool(ez)
        sub.z.n = sub.ez.n = v
        sub.compact()
        exact = _Exact(sub, lineage, polygon, cuts)
        candidates = _Columns(_crossing_candidates(sub, kinks, stage.activation.passes))
        left = np.flatnonzero(candidates.data.any(axis=1)).tolist()
        refreshed_at = sub.count
        while left:
            if sub.count >= REFRESH * refreshed_at:
                # The faces have multiplied since the candidate sets were read: re-read them so
                # each later neuron visits only the faces its line really crosses.
                sub.compact()
                candidates = _Columns(_crossing_candidates(sub, kinks, stage.activation.passes))
                refreshed_at = sub.count
            # A batch of lines whose candidate faces are disjoint, cut at once; a line meeting the
            # batch's faces waits for the next one (up to BATCH_SKIPS of them per batch, in order).
            alive = sub.alive.view
            used = np.zeros(candidates.n, bool)
            rows, faces, waiting = [], [], []
            for at, c in enumerate(left):
                f = candidates.data[c, : candidates.n] & alive
                if not f.any():
                    continue  # no live face may be crossed, nor any face cut from them later
                if rows and (f & used).any():
                    waiting.append(c)
                    if len(waiting) > BATCH_SKIPS:
                        waiting += left[at + 1 :]
                        break
                    continue
                used |= f
                rows.append(c)
                faces.append(np.flatnonzero(f))
            left = waiting
            if not rows:
                continue
            j, i = np.divmod(np.array(rows), m)
            label = np.arange(len(cuts[0]), len(cuts[0]) + len(rows))
            cuts[0] += [li] * len(rows)
            cuts[1] += j.tolist()
            cuts[2] += i.tolist()
            sizes = [len(f) for f in faces]

            def resolve(vertices, owners, n, _li=li, _j=j, _i=i, _at=np.cumsum(sizes)):
                row = int(np.searchsorted(_at, n, side="right"))
                return exact.sides(_li, int(_j[row]), int(_i[row]), vertices, owners)

            sub.cut(
                np.concatenate(faces),
                np.repeat(j, sizes),
                np.repeat(kinks[i], sizes),
                np.repeat(label, sizes),
                candidates,
                resolve,
                li,
            )
            stop_if_over(sub.count, max_regions, li)
        _record(sub, lineage, li, kinks, stage.activation.passes, exact)
        eh = activated_error(stage.activation, sub.z.view, sub.ez.view)
        h = stage.activation(
            sub.z.view, out=sub.z.view if stage.activation.name == "relu" else None
        )
        if fast and li == 0:
            handed = _after_first(sub, lineage, cuts, layers, polygon, h, eh, max_regions)
            if handed is not None:
                return handed
    sub.compact()
    h = _settled(sub, layers, np.asarray(h), eh, _Exact(sub, lineage, polygon, cuts))
    slot_vertex, slot_label = sub.slot_vertex.view.copy(), sub.slot_label.view.copy()
    offsets = np.append(sub.start.view, sub.slot_vertex.n)
    if lineage.has_games:
        slot_vertex, slot_label, offsets = merge_same_patterns(
            slot_vertex, slot_label, offsets, lineage
        )
    return (
        sub.x.view.copy(),
        slot_vertex,
        slot_label,
        offsets,
        np.asarray(h),
        np.array(cuts[0], np.int64),
        np.array(cuts[1], np.int64),
        lineage,
    )


def _settled(
    sub: _Subdivision, layers: list[Stage], h: np.ndarray, eh: np.ndarray, exact: _Exact
) -> np.ndarray:
    """The outputs at the vertices, after moving each vertex whose position error bound exceeds
    1/1000 of its shortest edge (interpolated from far corners, or placed from ill-conditioned
    lines: kinks 1e-15 apart near 0 in the square; the figure would show it out of place) to its
    exact position rounded, and evaluating from the stages the outputs whose carried bound is not
    small (:func:`outputs_at`)."""
    x = sub.x.view
    face_vertex = sub.slot_vertex.view
    after = face_vertex[_gather(sub.start.view, sub.length.view)[1]]
    edge = np.abs(x[face_vertex] - x[after]).max(axis=1)
    shortest = np.full(len(x), np.inf)
    np.minimum.at(shortest, face_vertex, edge)
    for v in np.flatnonzero(sub.ex.view > 1e-3 * shortest).tolist():
        px, py, d = exact.point(v)
        x[v] = float(Fraction(px, d)), float(Fraction(py, d))
    return outputs_at(layers, x, h, eh)


def outputs_at(layers: list[Stage], x: np.ndarray, h: np.ndarray, eh: np.ndarray) -> np.ndarray:
    """The outputs ``h`` at the points ``x`` (n, d), those whose carried error bound ``eh``
    exceeds TOL of the outputs' size (interpolated across an ill-conditioned layer) evaluated from
    the stages there instead: that error is a few ε times the size of the terms,
    :func:`approxlab.regions.layers.roundoff`, however large the carried one. The carried bounds
    are pessimistic (3e-10 of the outputs on Hardtanh 2→128²), so TOL, not ε: a forward pass over
    every vertex would cost 15 % of that partition. float64.

    >>> from approxlab import mlp
    >>> from approxlab.regions.layers import stages
    >>> s = stages(mlp(2, [4]))
    >>> x = np.zeros((1, 2))
    >>> bool(np.allclose(outputs_at(s, x, np.full((1, 1), 9.0), np.ones((1, 1))), output(s, x)))
    True
    """
    redo = np.flatnonzero(eh.max(axis=1) > TOL * max(float(np.abs(h).max()), 1.0))
    if not len(redo):
        return h
    h = h.copy()
    h[redo] = output(layers, x[redo])
    return h


def merge_same_patterns(
    slot_vertex: np.ndarray, slot_label: np.ndarray, offsets: np.ndarray, lineage: Lineage
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Join the faces with equal patterns (:meth:`Lineage.packed`, games off the winner's path
    ignored) into one region each; the lineage keeps the first face of each.

    Such faces tile one convex region (the set of a pattern is an intersection of half-planes), cut
    only by games no winner played; with shared vertices each inner edge appears once in each
    direction, so the region's boundary is the faces' edges whose reverse is not among them,
    chained into one counter-clockwise cycle (a vertex on it keeps its place even where the
    boundary runs straight through it).
    """
    packed = lineage.packed()
    _, group, sizes = np.unique(packed, axis=0, return_inverse=True, return_counts=True)
    group = group.ravel()
    if sizes.max() == 1:
        return slot_vertex, slot_label, offsets
    count = len(offsets) - 1
    lengths = np.diff(offsets)
    face = np.repeat(np.arange(count), lengths)
    nxt = np.arange(1, len(slot_vertex) + 1)
    nxt[offsets[1:] - 1] = offsets[:-1]
    u, v, g = slot_vertex, slot_vertex[nxt], group[face]
    joined = sizes[g] > 1
    # An inner edge: its reverse (v, u) belongs to a face of the same group.
    edges = np.stack([g, u, v], axis=1)[joined]
    reverse = np.stack([g, v, u], axis=1)[joined]
    both = np.unique(np.concatenate([edges, reverse]), axis=0, return_inverse=True)[1].ravel()
    seen = np.bincount(both)
    outer = np.flatnonzero(joined)[seen[both[: len(edges)]] == 1]
    # Successor of each outer slot: the outer slot of the same group starting at its end vertex.
    span = int(u.max()) + 1
    key = g[outer] * span + u[outer]
    order = np.argsort(key)
    succ = order[np.searchsorted(key[order], g[outer] * span + v[outer])]
    first = np.full(len(sizes), count, np.int64)  # each group's lowest face, kept in the lineage
    np.minimum.at(first, group, np.arange(count))
    keep = np.unique(first)
    rank = np.empty(len(sizes), np.int64)
    rank[group[keep]] = np.arange(len(keep))
    # Walk each group's cycle from its first outer slot (a few slots per group: plain Python).
    cycle_slots, cycle_rank, cycle_pos, started = [], [], [], set()
    for i0 in range(len(outer)):
        gi = int(g[outer[i0]])
        if gi in started:
            continue
        started.add(gi)
        i, n = i0, 0
        while True:
            cycle_slots.append(int(outer[i]))
            cycle_rank.append(int(rank[gi]))
            cycle_pos.append(n)
            i, n = int(succ[i]), n + 1
            if i == i0:
                break
    alone = np.flatnonzero(sizes[g] == 1)
    slots = np.concatenate([alone, np.array(cycle_slots, np.int64)])
    ranks = np.concatenate([rank[g[alone]], np.array(cycle_rank, np.int64)])
    within = np.concatenate([alone - offsets[face[alone]], np.array(cycle_pos, np.int64)])
    slots = slots[np.lexsort((within, ranks))]
    lineage.keep(keep)
    new_offsets = np.zeros(len(keep) + 1, np.int64)
    np.cumsum(np.bincount(ranks, minlength=len(keep)), out=new_offsets[1:])
    return slot_vertex[slots], slot_label[slots], new_offsets


class Partition2D:
    """The exact linear regions of a net on a convex polygon (or a plane slice), float64.

    Attributes: ``vertices`` (V, 2) in plane coordinates; faces as counter-clockwise
    vertex cycles ``face_vertices[offsets[f]:offsets[f+1]]``; ``edge_labels`` (same
    slots) give the cut that made the edge leaving each slot (−1: the domain boundary);
    ``cut_layer[c]``, ``cut_neuron[c]`` name that cut's layer (0-based stage) and neuron;
    ``values`` (V, out) are the net's outputs at the vertices. ``origin`` and ``basis``
    (d, 2) embed the plane in input space: x = origin + basis · t.
    """

    def __init__(
        self,
        layers,
        polygon,
        vertices,
        face_vertices,
        edge_labels,
        offsets,
        values,
        cut_layer,
        cut_neuron,
        lineage,
        origin,
        basis,
        seconds,
    ):
        self.layers = layers
        self.polygon = polygon
        self.vertices = vertices
        self.face_vertices = face_vertices
        self.edge_labels = np.maximum(edge_labels, BOUNDARY)
        self.lineage = lineage
        self.offsets = offsets
        self.values = values
        self.cut_layer = cut_layer
        self.cut_neuron = cut_neuron
        self.origin = origin
        self.basis = basis
        self.seconds = seconds

    @property
    def count(self) -> int:
        """Number of linear (activation) regions."""
        return len(self.offsets) - 1

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def polygon_of(self, f: int) -> np.ndarray:
        """Region f's vertices (k, 2), counter-clockwise, in plane coordinates."""
        return self.vertices[self.face_vertices[self.offsets[f] : self.offsets[f + 1]]]

    def next_slot(self) -> np.ndarray:
        """For each slot, the slot of the next vertex around the same region."""
        nxt = np.arange(1, len(self.face_vertices) + 1)
        nxt[self.offsets[1:] - 1] = self.offsets[:-1]
        return nxt

    def areas(self) -> np.ndarray:
        """Area of each region, ½ Σ (x_i y_{i+1} − x_{i+1} y_i) (shoelace), in plane units."""
        from approxlab.regions.planar import shoelace  # numba: imported on first use

        return shoelace(self.vertices, self.face_vertices, self.offsets, self.polygon[0])

    def centroids(self) -> np.ndarray:
        """The mean of each region's vertices: a point strictly inside it (convexity)."""
        p = self.vertices[self.face_vertices]
        return np.add.reduceat(p, self.offsets[:-1], axis=0) / self.lengths[:, None]

    def inputs(self, t: np.ndarray) -> np.ndarray:
        """Plane coordinates t (n, 2) → input-space points origin + basis · t (n, d)."""
        return self.origin + np.asarray(t) @ self.basis.T

    def patterns(self) -> list[np.ndarray]:
        """Activation pattern of each region: per layer with an activation, (F, width) int8 piece
        indices (ReLU: 1 active, 0 inactive), as recorded while cutting (exact, any area)."""
        return self.lineage.pieces_all()

    def affine_maps(self) -> tuple[np.ndarray, np.ndarray]:
        """(A (F, out, 2), c (F, out)): on region f the net is A[f] t + c[f] in plane coordinates.

        From the region's activation pattern ω: A = W_L D_ω W_{L−1} ⋯ D_ω W_1 (slopes of the
        pieces on the diagonal), c likewise with the biases — exact for any area (seed 002
        answer 2), float64.
        """
        return self.lineage.affine_maps()

    def edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Unique undirected edges: (vertex pairs (E, 2), cut label (E,), the faces on each side (E, 2),
        −1 where the edge lies on the domain boundary)."""
        u = self.face_vertices
        v = u[self.next_slot()]
        face = np.repeat(np.arange(self.count), self.lengths)
        a, b = np.minimum(u, v), np.maximum(u, v)
        key = a * (len(self.vertices) + 1) + b
        order = np.argsort(key, kind="stable")
        key_sorted = key[order]
        first = np.ones(len(key), bool)
        first[1:] = key_sorted[1:] != key_sorted[:-1]
        starts = np.flatnonzero(first)
        pairs = np.stack([a[order][starts], b[order][starts]], axis=1)
        labels = self.edge_labels[order][starts]
        sides = np.full((len(starts), 2), -1, np.int64)
        sides[:, 0] = face[order][starts]
        second = np.flatnonzero(~first)
        sides[np.searchsorted(starts, second, side="right") - 1, 1] = face[order][second]
        return pairs, labels, sides

    def edge_layers(self) -> np.ndarray:
        """For each unique edge, the layer (0-based) whose neuron made it; −1 for the domain boundary."""
        _, labels, _ = self.edges()
        return np.where(labels >= 0, self.cut_layer[np.maximum(labels, 0)], -1)

    def adjacency(self) -> np.ndarray:
        """Pairs (f, g), f < g, of regions that share an edge, shape (k, 2)."""
        _, _, sides = self.edges()
        inner = sides[sides[:, 1] >= 0]
        return np.sort(inner, axis=1)

    def euler(self) -> int:
        """V − E + F for the subdivided polygon; equals 1 when the subdivision is consistent."""
        from approxlab.regions.planar import euler_characteristic

        return int(euler_characteristic(self.face_vertices, self.offsets, len(self.vertices)))

    def level_set(self, level: float = 0.0, output: int = 0) -> np.ndarray:
        """Segments (k, 2, 2) in plane coordinates where output ``output`` equals ``level``.

        Inside a region the output is affine, so the level set is the segment between the
        points where it crosses the region's boundary (linear interpolation along edges);
        for a classifier with logit output this is the decision boundary.
        """
        y = self.values[:, output] - level
        u = self.face_vertices
        v = u[self.next_slot()]
        yu, yv = y[u], y[v]
        hit = (yu > 0) != (yv > 0)
        t = yu[hit] / (yu[hit] - yv[hit])
        points = self.vertices[u[hit]] + t[:, None] * (
            self.vertices[v[hit]] - self.vertices[u[hit]]
        )
        face = np.repeat(np.arange(self.count), self.lengths)[hit]
        # {y > 0} is a contiguous arc of a convex face's cycle: exactly 0 or 2 crossings per face.
        order = np.argsort(face, kind="stable")
        return points[order].reshape(-1, 2, 2)

    def slope_norms(self) -> np.ndarray:
        """‖A_f‖ (Frobenius) of each region's affine map in plane coordinates: with the orthonormal
        slice bases of :mod:`approxlab.regions.slices`, the size of the net's slope within the plane
        (SplineCam's colouring of the tiles)."""
        a, _ = self.affine_maps()
        return np.sqrt(np.einsum("fok,fok->f", a, a))

    def decision_boundary(self) -> np.ndarray:
        """Segments (k, 2, 2) in plane coordinates where the top output (the predicted class) changes.

        On a region the outputs are affine, so the set where class i is on top is a convex polygon
        (the region clipped by y_i ≥ y_j for every j); its edges on a line y_i = y_j, i < j, are
        the boundary. A region whose vertices all have the same top class lies wholly in that
        class's cell (convexity) and is skipped. float64.
        """
        if self.values.shape[1] == 1:
            return self.level_set(0.0)
        a, c = self.affine_maps()
        top = self.values[self.face_vertices].argmax(axis=1)
        starts = self.offsets[:-1]
        mixed = np.flatnonzero(np.minimum.reduceat(top, starts) != np.maximum.reduceat(top, starts))
        segments = []
        for f in mixed:
            poly = self.polygon_of(f)
            for i in range(a.shape[1]):
                cell, labels = poly, np.full(len(poly), -1)
                for j in range(a.shape[1]):
                    if j != i and len(cell):
                        cell, labels = _clip(cell, labels, a[f, i] - a[f, j], c[f, i] - c[f, j], j)
                for k in np.flatnonzero(labels > i):
                    segments.append((cell[k], cell[(k + 1) % len(cell)]))
        return np.array(segments, dtype=np.float64).reshape(-1, 2, 2)


def _clip(poly: np.ndarray, labels: np.ndarray, g: np.ndarray, h: float, label: int):
    """The part of a convex polygon where g·t + h ≥ 0 (Sutherland–Hodgman), with edge labels: the edge
    leaving each vertex keeps its label, the new edge along the line gets ``label``."""
    v = poly @ g + h
    out, out_labels = [], []
    n = len(poly)
    for k in range(n):
        m = (k + 1) % n
        if v[k] >= 0:
            out.append(poly[k])
            out_labels.append(labels[k])
        if (v[k] >= 0) != (v[m] >= 0):
            out.append(poly[k] + v[k] / (v[k] - v[m]) * (poly[m] - poly[k]))
            out_labels.append(labels[k] if v[k] < 0 else label)
    if len(out) < 3:
        return np.zeros((0, 2)), np.zeros(0, np.int64)
    return np.array(out), np.array(out_labels)
