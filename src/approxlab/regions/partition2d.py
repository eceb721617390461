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

import numpy as np

from approxlab.errors import ApproxlabError
from approxlab.regions.arrangement import arrange
from approxlab.regions.layers import Stage

BOUNDARY = -1  # edge label of the domain's boundary
REFRESH = 4  # re-read the crossing candidates each time the face count has grown this many times


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
        self.z: _Pool | None = None
        self.slot_vertex = _Pool(np.arange(k, dtype=np.int64))
        self.slot_label = _Pool(np.full(k, BOUNDARY, dtype=np.int32))
        self.start = _Pool(np.zeros(1, np.int64))
        self.length = _Pool(np.array([k], np.int64))
        self.alive = _Pool(np.ones(1, bool))
        self.count = 1

    @classmethod
    def from_faces(cls, x: np.ndarray, slot_vertex: np.ndarray, slot_label: np.ndarray, lengths: np.ndarray):
        """A subdivision from ready-made faces (vertex cycles in slot order, their lengths)."""
        sub = cls.__new__(cls)
        sub.x = _Pool(x)
        sub.z = None
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

    def cut(self, faces: np.ndarray, column: int, kink: float, label: int, candidates: "_Columns") -> None:
        """Split each face in ``faces`` that the line {z_column = kink} crosses into its two sides."""
        starts, lengths = self.start.view[faces], self.length.view[faces]
        slots, nxt, first = _gather(starts, lengths)
        vid = self.slot_vertex.view[slots]
        zdata = self.z.data
        side = np.sign(zdata[vid, column] - kink).astype(np.int8)
        pos = np.logical_or.reduceat(side > 0, first)
        neg = np.logical_or.reduceat(side < 0, first)
        split = pos & neg
        if not split.any():
            return
        if not split.all():
            faces, first_kept = faces[split], first[split]
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
        unique, inverse = np.unique(key, return_inverse=True)
        ua, ub = unique // (self.x.n + 1), unique % (self.x.n + 1)
        za, zb = zdata[ua, column] - kink, zdata[ub, column] - kink
        t = (za / (za - zb))[:, None]
        xd = self.x.data
        new_x = xd[ua] + t * (xd[ub] - xd[ua])
        new_z = zdata[ua] + t * (zdata[ub] - zdata[ua])
        new_z[:, column] = kink
        base = self.x.n
        self.x.extend(new_x)
        self.z.extend(new_z)
        new_vertex = np.full(len(vid), -1, np.int64)
        new_vertex[crossing] = base + inverse

        label_now = self.slot_label.view[slots]
        vertex_cols = np.stack([vid, new_vertex], axis=1)
        # Positive child: vertices with z ≥ kink plus the crossings; the edge leaving the
        # exit point (last point before the negative side) runs along the cut.
        pos_take = np.stack([side >= 0, crossing], axis=1)
        pos_label = np.stack([
            np.where((side == 0) & (s_next < 0), label, label_now),
            np.where(side > 0, label, label_now),
        ], axis=1)
        neg_take = np.stack([side <= 0, crossing], axis=1)
        neg_label = np.stack([
            np.where((side == 0) & (s_next > 0), label, label_now),
            np.where(side < 0, label, label_now),
        ], axis=1)
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
        candidates.extend_from(np.concatenate([faces, faces]))
        self.count += n_split


def _crossing_candidates(sub: _Subdivision, kinks: np.ndarray) -> np.ndarray:
    """(neuron·kink) × face booleans: does the line z_j = k cross the face's interior?

    True when the face has a vertex with z_j > k and one with z_j < k. Bits are packed
    eight neurons to a byte and OR-ed over each face's vertices (faces padded to equal
    length by repeating their first vertex).
    """
    lengths = sub.length.view
    first = sub.start.view
    vid = sub.slot_vertex.view
    z = sub.z.view
    n = z.shape[1]
    longest = int(lengths.max())
    pad = first[:, None] + np.minimum(np.arange(longest), lengths[:, None] - 1)
    corners = vid[pad]
    out = np.empty((n * len(kinks), len(lengths)), bool)
    for i, k in enumerate(kinks):
        above = np.bitwise_or.reduce(np.packbits(z > k, axis=1)[corners], axis=1)
        below = np.bitwise_or.reduce(np.packbits(z < k, axis=1)[corners], axis=1)
        out[i :: len(kinks)] = np.unpackbits(above & below, axis=1, count=n).T.astype(bool)
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


def stop_if_over(count: int, max_regions: int, layer: int, bound: float | None, smaller: str = "box") -> None:
    """Raise the one-line error once a partition has more than ``max_regions`` regions, quoting the bound."""
    if count > max_regions:
        bound_text = f" (upper bound for this net: {bound:.3g})" if bound is not None else ""
        raise ApproxlabError(
            f"the partition passed max_regions={max_regions} at layer {layer + 1}{bound_text}: "
            f"raise --max-regions or use a smaller {smaller}"
        )


def _first_layer(built, stage: Stage, label_base: int) -> _Subdivision:
    """The subdivision of the first layer from its line arrangement, with the pre-activations
    at its vertices (exactly the kink on the lines through each vertex)."""
    vertices, slot_vertex, slot_label, lengths, on, _ = built
    labels = np.where(slot_label >= 0, label_base + slot_label, BOUNDARY)
    sub = _Subdivision.from_faces(vertices, slot_vertex, labels, lengths)
    v = len(vertices)
    room = np.empty((2 * v + 64, stage.width))
    np.matmul(vertices, stage.weight.T, out=room[:v])
    room[:v] += stage.bias
    m = len(stage.activation.kinks)
    room[on[:, 0], on[:, 1] // m] = stage.activation.kinks[on[:, 1] % m]
    sub.z = _Pool(room)
    sub.z.n = v
    return sub


def subdivide(layers: list[Stage], polygon: np.ndarray, max_regions: int, bound: float | None = None):
    """Cut the convex ``polygon`` (k, 2), counter-clockwise, by every neuron of every stage.

    Returns (vertices (V, 2), face slot vertices, face slot labels, face offsets,
    outputs at vertices (V, out), the layer and neuron of each cut label). float64.
    """
    sub = _Subdivision(polygon)
    h = sub.x.view
    cut_layer, cut_neuron = [], []
    for li, stage in enumerate(layers):
        if stage.activation is None:
            h = h @ stage.weight.T + stage.bias
            continue
        kinks = stage.activation.kinks
        m = len(kinks)
        if li == 0:
            built = arrange(polygon, np.repeat(stage.weight, m, axis=0),
                            (stage.bias[:, None] - kinks[None, :]).ravel())
            if built is not None:
                sub = _first_layer(built, stage, len(cut_layer))
                cut_layer += [0] * len(built[5])
                cut_neuron += (built[5] // m).tolist()
                stop_if_over(sub.count, max_regions, li, bound)
                h = stage.activation(sub.z.view, out=sub.z.view if stage.activation.name == "relu" else None)
                continue
        # Room for the vertices this layer adds, so the pool is rarely copied while growing.
        v = len(h)
        room = np.empty((2 * v + 64, stage.width))
        np.matmul(h, stage.weight.T, out=room[:v])
        room[:v] += stage.bias
        sub.z = _Pool(room)
        sub.z.n = v
        sub.compact()
        candidates = _Columns(_crossing_candidates(sub, kinks))
        active = np.flatnonzero(candidates.data.any(axis=1))
        refreshed_at = sub.count
        for c in active:
            if sub.count >= REFRESH * refreshed_at:
                # The faces have multiplied since the candidate sets were read: re-read them so
                # each later neuron visits only the faces its line really crosses.
                sub.compact()
                candidates = _Columns(_crossing_candidates(sub, kinks))
                refreshed_at = sub.count
            j, i = divmod(int(c), m)
            faces = np.flatnonzero(candidates.data[c, : candidates.n] & sub.alive.view)
            if len(faces) == 0:
                continue
            label = len(cut_layer)
            cut_layer.append(li)
            cut_neuron.append(j)
            sub.cut(faces, j, float(kinks[i]), label, candidates)
            stop_if_over(sub.count, max_regions, li, bound)
        h = stage.activation(sub.z.view, out=sub.z.view if stage.activation.name == "relu" else None)
    sub.compact()
    return (
        sub.x.view.copy(), sub.slot_vertex.view.copy(), sub.slot_label.view.copy(),
        np.append(sub.start.view, sub.slot_vertex.n), np.asarray(h),
        np.array(cut_layer, np.int64), np.array(cut_neuron, np.int64),
    )


class Partition2D:
    """The exact linear regions of a net on a convex polygon (or a plane slice), float64.

    Attributes: ``vertices`` (V, 2) in plane coordinates; faces as counter-clockwise
    vertex cycles ``face_vertices[offsets[f]:offsets[f+1]]``; ``edge_labels`` (same
    slots) give the cut that made the edge leaving each slot (−1: the domain boundary);
    ``cut_layer[c]``, ``cut_neuron[c]`` name that cut's layer (0-based stage) and neuron;
    ``values`` (V, out) are the net's outputs at the vertices. ``origin`` and ``basis``
    (d, 2) embed the plane in input space: x = origin + basis · t.
    """

    def __init__(self, layers, polygon, vertices, face_vertices, edge_labels, offsets, values,
                 cut_layer, cut_neuron, origin, basis, seconds):
        self.layers = layers
        self.polygon = polygon
        self.vertices = vertices
        self.face_vertices = face_vertices
        self.edge_labels = edge_labels
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
        p = self.vertices[self.face_vertices]
        q = p[self.next_slot()]
        cross = p[:, 0] * q[:, 1] - q[:, 0] * p[:, 1]
        return 0.5 * np.add.reduceat(cross, self.offsets[:-1])

    def centroids(self) -> np.ndarray:
        """The mean of each region's vertices: a point strictly inside it (convexity)."""
        p = self.vertices[self.face_vertices]
        return np.add.reduceat(p, self.offsets[:-1], axis=0) / self.lengths[:, None]

    def inputs(self, t: np.ndarray) -> np.ndarray:
        """Plane coordinates t (n, 2) → input-space points origin + basis · t (n, d)."""
        return self.origin + np.asarray(t) @ self.basis.T

    def patterns(self) -> list[np.ndarray]:
        """Activation pattern of each region: per layer with an activation, (F, width) int8 piece
        indices (ReLU: 1 active, 0 inactive), read at the region's centroid (constant on the region)."""
        from approxlab.regions.layers import forward

        zs = forward(self.layers, self.centroids())
        return [s.activation.piece(z) for s, z in zip(self.layers, zs) if s.activation is not None]

    def affine_maps(self) -> tuple[np.ndarray, np.ndarray]:
        """(A (F, out, 2), c (F, out)): on region f the net is A[f] t + c[f] in plane coordinates.

        Fitted exactly through the region's vertices by least squares on the normal
        equations Σ [t,1][t,1]ᵀ, Σ [t,1] yᵀ (the values are affine there, so the fit is exact).
        """
        t = self.vertices[self.face_vertices]
        y = self.values[self.face_vertices]
        p = np.concatenate([t, np.ones((len(t), 1))], axis=1)
        gram = np.add.reduceat(p[:, :, None] * p[:, None, :], self.offsets[:-1], axis=0)
        rhs = np.add.reduceat(p[:, :, None] * y[:, None, :], self.offsets[:-1], axis=0)
        coef = np.linalg.solve(gram, rhs)
        return np.transpose(coef[:, :2, :], (0, 2, 1)), coef[:, 2, :]

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
        pairs, _, _ = self.edges()
        return len(np.unique(self.face_vertices)) - len(pairs) + self.count

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
        points = self.vertices[u[hit]] + t[:, None] * (self.vertices[v[hit]] - self.vertices[u[hit]])
        face = np.repeat(np.arange(self.count), self.lengths)[hit]
        # {y > 0} is a contiguous arc of a convex face's cycle: exactly 0 or 2 crossings per face.
        order = np.argsort(face, kind="stable")
        return points[order].reshape(-1, 2, 2)
