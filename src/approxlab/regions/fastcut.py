"""One layer of cuts, compiled (numba): the float-filtered fast path of :mod:`partition2d`.

Each face R at the start of a layer is cut by the lines {z_j = k} of the layer's neurons that
cross it (z_j is affine on R, seed 002 answer 2). Done per face instead of per neuron:

1. every edge (u, v) gets the crossings of all lines whose value changes sign along it, at
   t = (z_j(u) − k) / (z_j(u) − z_j(v)), ordered along the edge, shared by the faces on both sides;
2. each face, with those crossings inserted into its cycle, is cut by the lines that cross it
   (those with a crossing on its boundary) one after another; a line meets the edges made by
   earlier lines of the layer only inside the face, so those crossings are shared within it.
   On the first layer (one face, every line) each line is walked from where it enters the face
   through the pieces it crosses (its zone) and no others: a piece is split, and the walk goes on
   across the edge it leaves by (each slot knows its twin) — work ∝ the regions made. Deeper,
   the faces are small and each piece is tested against the face's few lines.

Float filter (the same error bound as :func:`partition2d.float_error_bound`): every sign is read
from a float64 value only when |z − k| exceeds the bound ``tol[j]``; a vertex made by line j is on
it by construction. Any other value within the bound — a line through or near a vertex, two lines
through one point, coincident lines, crossings closer than the bound on an edge — returns
``AMBIGUOUS`` with the (vertex, neuron) pair; the caller decides its sign exactly (−1, 0 or 1)
and cuts the layer again knowing it. A vertex decided to lie on a line (lines through one
point, as every first-layer line with zero biases, or a deeper line through an older vertex) is
a vertex of the cut like one the line made: its edges get no crossing, and its faces count the
line among theirs. What the floats cannot place (a decided side against its float, crossings
of one edge at one point) returns ``AMBIGUOUS`` on a decided pair or ``DEGENERATE``, and the
caller runs the exact path instead. So the result is the exact partition whenever this returns
``OK``.

The square cut by the lines x = −0.25 and y = −0.25 (the stage z = x + 0.25, y + 0.25):

>>> import numpy as np
>>> x = np.array([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]])
>>> z = x + 0.25
>>> rec, none = np.full((4, 4), -1), np.zeros(0, np.int64)
>>> out = cut_layer(x, z, rec, 4, np.arange(4), -1 - np.arange(4), np.array([0, 4]),
...                 np.full(2, 1e-9), 0.0, 0, 0, True, True, np.eye(2), np.full(2, 0.25), 100,
...                 none, none, none)
>>> int(out[0]), len(out[7]) - 1, int(out[4])   # status OK, four faces, 4 + 4 + 1 vertices
(0, 4, 9)
"""

from __future__ import annotations

import numba as nb
import numpy as np

OK, AMBIGUOUS, OVER, DEGENERATE, ROOM = 0, 1, 2, 3, 4
AGAINST = -2  # from _sides: a vertex's side, decided exactly, is not its float's
EPS = 2.0**-52  # float64's unit round-off, doubled: the spacing of floats at 1
UNKNOWN = 2  # from _resolved: no exact side decided (0: exactly on the line, ±1: a side)
ONES = np.array([bin(i).count("1") for i in range(256)], np.int64)  # set bits of each byte


@nb.njit(cache=True, inline="always")
def _grow1(a, need):
    if need <= len(a):
        return a
    b = np.empty(max(need, 2 * len(a)), a.dtype)
    b[: len(a)] = a
    return b


@nb.njit(cache=True, inline="always")
def _grow2(a, need):
    if need <= a.shape[0]:
        return a
    b = np.empty((max(need, 2 * a.shape[0]), a.shape[1]), a.dtype)
    b[: a.shape[0]] = a
    return b


@nb.njit(cache=True)
def _room(x, z, rec, need):
    """Vertex arrays with room for ``need`` vertices (all three the same length)."""
    size = max(need, 2 * len(rec))
    return _grow2(x, size), _grow2(z, size), _grow2(rec, size)


@nb.njit(cache=True, inline="always")
def _resolved(res_v, res_j, res_s, v, j):
    """The exact sign (−1, 0, 1) of z_j − k at vertex v if the caller has decided it, else
    ``UNKNOWN``. The pairs come sorted by (vertex, neuron): a binary search (k lines through one
    vertex put k entries there, read by every face around it)."""
    lo, hi = 0, len(res_v)
    while lo < hi:
        mid = (lo + hi) >> 1
        if res_v[mid] < v or (res_v[mid] == v and res_j[mid] < j):
            lo = mid + 1
        else:
            hi = mid
    if lo < len(res_v) and res_v[lo] == v and res_j[lo] == j:
        return res_s[lo]
    return UNKNOWN


@nb.njit(cache=True)
def _unsure(z, nv, tol, kink, res_v, res_j, res_s):
    """The (vertex, neuron) pairs with |z − kink| within the error bound and no exact sign given,
    and every vertex's packed sides (nv, ⌈n/8⌉), bit j = (z_j > kink)."""
    n = z.shape[1]
    count = 0
    vbits = np.zeros((nv, (n + 7) // 8), np.uint8)
    for v in range(nv):  # z[v, j], not a row view: a view made per vertex is reference-counted
        for j in range(n):
            count += abs(z[v, j] - kink) <= tol[j]
        for byte in range(vbits.shape[1]):
            acc = 0
            lo = 8 * byte
            if lo + 8 <= n:  # a whole byte: unrolled, as in _new_vertex_bits
                for i in range(8):
                    acc |= (z[v, lo + i] > kink) << (7 - i)
            else:
                for j in range(lo, n):
                    acc |= (z[v, j] > kink) << (7 - (j & 7))
            vbits[v, byte] = acc
    amb_v = np.empty(count, np.int64)
    amb_j = np.empty(count, np.int64)
    m = 0
    if count:
        for v in range(nv):
            for j in range(n):
                if (
                    abs(z[v, j] - kink) <= tol[j]
                    and _resolved(res_v, res_j, res_s, v, j) == UNKNOWN
                ):
                    amb_v[m], amb_j[m] = v, j
                    m += 1
    return amb_v[:m], amb_j[:m], vbits


@nb.njit(cache=True)
def _topology(sv, sl, off, nv):
    """Per slot: the next slot around its face, its face, and its twin (the slot v → u of an inner
    edge u → v, found among v's outgoing slots; −1 on the domain's boundary)."""
    nf, ns = len(off) - 1, off[-1]
    nxt = np.empty(ns, np.int64)
    f_of = np.empty(ns, np.int64)
    for f in range(nf):
        for s in range(off[f], off[f + 1]):
            nxt[s] = s + 1 if s + 1 < off[f + 1] else off[f]
            f_of[s] = f
    deg = np.zeros(nv + 1, np.int64)
    for s in range(ns):
        deg[sv[s] + 1] += 1
    for v in range(nv):
        deg[v + 1] += deg[v]
    out_of = np.empty(ns, np.int64)
    fill = deg[:-1].copy()
    for s in range(ns):
        out_of[fill[sv[s]]] = s
        fill[sv[s]] += 1
    twin = np.full(ns, -1, np.int64)
    for s in range(ns):
        if sl[s] >= 0:
            u, v = sv[s], sv[nxt[s]]
            for i in range(deg[v], deg[v + 1]):
                t = out_of[i]
                if sv[nxt[t]] == u:
                    twin[s] = t
                    break
    return nxt, f_of, twin


@nb.njit(cache=True, inline="always")
def _side(z, rec, v, j, lab, tol, kink, res_v, res_j, res_s):
    """Side of vertex v of line j (label lab): 0 if the line made it or passes through it (decided
    exactly), ±1 if certain or decided exactly, ``UNKNOWN``."""
    if rec[v, 0] == lab or rec[v, 1] == lab:
        return 0
    d = z[v, j] - kink
    if abs(d) <= tol[j]:
        return _resolved(res_v, res_j, res_s, v, j)
    return 1 if d > 0 else -1


@nb.njit(cache=True)
def _edge_crossings(
    x, z, rec, nv, vbits, sv, sl, nxt, f_of, tol, kink, base, stage, max_faces, res_v, res_j, res_s
):
    """Step 1: the crossings of every edge, ordered along it, made once (by the slot u → v with
    u < v, or the boundary slot). Returns (status, x, z, rec, nv, chain start and length per slot,
    chain vertices, an unknown sign (vertex, neuron) or (−1, −1)).

    ``OVER`` as soon as the faces must pass ``max_faces``: a face crossed by k lines becomes at
    least k + 1 faces, and it holds two crossings of each (an inner edge's crossing is on two
    faces), so the F faces become at least F + (crossings) / 2.

    An end decided to lie exactly on a line (z_j = k there: see :func:`_sides`) makes no crossing
    of its edges with that line: the line meets the edge at that end."""
    ns, n = len(sv), z.shape[1]
    nf = f_of[-1] + 1 if ns else 0
    chain_start = np.zeros(ns, np.int64)
    chain_len = np.zeros(ns, np.int64)
    on_line = False  # some vertex lies exactly on a line of this layer
    for i in range(len(res_s)):
        on_line |= res_s[i] == 0
    # Count the crossings first, so no array is reassigned (and reference-counted) in the loop.
    total = 0
    for s in range(ns):
        u, v = sv[s], sv[nxt[s]]
        if sl[s] < 0 or u < v:
            for byte in range(vbits.shape[1]):
                flips = vbits[u, byte] ^ vbits[v, byte]
                total += ONES[flips]
                if on_line and flips:
                    for j in range(8 * byte, min(8 * byte + 8, n)):
                        if (flips >> (7 - (j & 7))) & 1 and (z[u, j] == kink or z[v, j] == kink):
                            total -= 1
    if 2 * nf + total > 2 * max_faces:
        return OVER, x, z, rec, nv, chain_start, chain_len, np.zeros(0, np.int64), -1, -1
    if nv + total > len(rec):
        x, z, rec = _room(x, z, rec, nv + total)
    chain = np.empty(total, np.int64)
    # The crossings are placed by a second function, where x, z and rec are never assigned: that
    # cut the atomic reference counts made placing them about six-fold (counted with gdb on
    # 2 → 64³ → 1).
    status, nv, n_chain, av, aj = _place_crossings(
        x,
        z,
        rec,
        nv,
        vbits,
        sv,
        sl,
        nxt,
        f_of,
        tol,
        kink,
        base,
        stage,
        res_v,
        res_j,
        res_s,
        chain_start,
        chain_len,
        chain,
    )
    return status, x, z, rec, nv, chain_start, chain_len, chain[:n_chain], av, aj


@nb.njit(cache=True)
def _place_crossings(
    x,
    z,
    rec,
    nv,
    vbits,
    sv,
    sl,
    nxt,
    f_of,
    tol,
    kink,
    base,
    stage,
    res_v,
    res_j,
    res_s,
    chain_start,
    chain_len,
    chain,
):
    """The crossings of :func:`_edge_crossings` made into vertices nv, nv + 1, … (x, z and rec have
    room for them), ordered along each edge into ``chain``. Returns (status, nv, crossings, an
    unknown sign (vertex, neuron) or (−1, −1))."""
    n, ns = z.shape[1], len(sv)
    n_chain = 0
    lines = np.empty(n, np.int64)
    ts = np.empty(n, np.float64)
    for s in range(ns):
        u, v = sv[s], sv[nxt[s]]
        if sl[s] >= 0 and u > v:
            continue
        m = 0
        for byte in range(vbits.shape[1]):
            flips = vbits[u, byte] ^ vbits[v, byte]  # the lines whose side differs at u and v
            if flips == 0:
                continue
            for j in range(8 * byte, min(8 * byte + 8, n)):
                if not (flips >> (7 - (j & 7))) & 1:
                    continue
                du, dv = z[u, j] - kink, z[v, j] - kink
                if du == 0.0 or dv == 0.0:
                    continue  # an end on the line (decided exactly): no crossing inside the edge
                t = du / (du - dv)
                i = m
                while i > 0 and ts[i - 1] > t:  # insertion sort along the edge
                    ts[i], lines[i] = ts[i - 1], lines[i - 1]
                    i -= 1
                ts[i], lines[i] = t, j
                m += 1
        if m == 0:
            continue
        chain_start[s], chain_len[s] = n_chain, m
        for i in range(m):
            t, j, p = ts[i], lines[i], nv
            x[p, 0] = x[u, 0] + t * (x[v, 0] - x[u, 0])
            x[p, 1] = x[u, 1] + t * (x[v, 1] - x[u, 1])
            for c in range(n):
                z[p, c] = z[u, c] + t * (z[v, c] - z[u, c])
            z[p, j] = kink
            rec[p, 0], rec[p, 1], rec[p, 2], rec[p, 3] = base + j, sl[s], stage, f_of[s]
            chain[n_chain] = p
            n_chain += 1
            nv += 1
            if i > 0:
                # Certify the order: the previous crossing lies on u's side of this line, this one
                # on v's side of the previous line.
                q, jq = p - 1, lines[i - 1]
                sa = _side(z, rec, q, j, base + j, tol, kink, res_v, res_j, res_s)
                if sa == UNKNOWN or sa == 0 or (sa > 0) != (z[u, j] > kink):
                    return AMBIGUOUS, nv, n_chain, q, j
                sa = _side(z, rec, p, jq, base + jq, tol, kink, res_v, res_j, res_s)
                if sa == UNKNOWN or sa == 0 or (sa > 0) != (z[v, jq] > kink):
                    return AMBIGUOUS, nv, n_chain, p, jq
    return OK, nv, n_chain, -1, -1


@nb.njit(cache=True, inline="always")
def _new_vertex_bits(z, rec, p, base, tol, kink, res_v, res_j, res_s, pos, neg, row):
    """Row ``row`` of ``pos`` / ``neg`` for vertex p: bit j set when z_j > k / z_j < k, neither on a
    line through p (there z_j = k exactly). Returns −1, or a neuron whose sign at p is within the
    error bound and not decided."""
    n = z.shape[1]
    on_a, on_b = rec[p, 0] - base, rec[p, 1] - base  # the layer's lines through p (if any)
    unsure = False
    for byte in range(pos.shape[1]):
        a, b = 0, 0
        lo = 8 * byte
        if lo + 8 <= n:  # a whole byte: eight passes, unrolled with constant shifts
            for i in range(8):
                d = z[p, lo + i] - kink
                a |= (d > tol[lo + i]) << (7 - i)
                b |= (d < -tol[lo + i]) << (7 - i)
        else:
            for j in range(lo, n):  # branch-free: the common case
                d = z[p, j] - kink
                a |= (d > tol[j]) << (7 - (j & 7))
                b |= (d < -tol[j]) << (7 - (j & 7))
        pos[row, byte], neg[row, byte] = a, b
        known = a | b  # a line through p is known too: neither side
        if on_a >> 3 == byte:
            known |= 128 >> (on_a & 7)
        if on_b >> 3 == byte:
            known |= 128 >> (on_b & 7)
        unsure |= known != (0xFF if 8 * byte + 8 <= n else (0xFF << (8 * byte + 8 - n)) & 0xFF)
    if not unsure:
        return -1
    for j in range(n):
        bit = 128 >> (j & 7)
        if j == on_a or j == on_b or (pos[row, j >> 3] | neg[row, j >> 3]) & bit:
            continue
        r = _resolved(res_v, res_j, res_s, p, j)
        if r == UNKNOWN:
            return j
        if r > 0:
            pos[row, j >> 3] |= bit
        else:
            neg[row, j >> 3] |= bit
    return -1


@nb.njit(cache=True)
def _outputs(slots, faces, nb_bytes):
    """Room for the layer's output: slot vertices, slot labels, face offsets, ancestors, packed
    sides (the last three as long as each other, so they grow alike). Nothing is zeroed but the
    first offset: :func:`_emit` writes every row it hands out, and pages never written are never
    mapped (the first layer's walk asks for its bounds, far above what it uses)."""
    off = np.empty(faces, np.int64)
    off[0] = 0
    return (
        np.empty(slots, np.int64),
        np.empty(slots, np.int64),
        off,
        np.empty(faces, np.int64),
        np.empty((faces, nb_bytes), np.uint8),
    )


@nb.njit(cache=True)
def _finished(x, z, rec, nv, out_sv, out_sl, out_off, anc, bits, n_out, n_slots):
    """The ``OK`` result: the output arrays cut to the faces and slots written."""
    return (
        OK,
        x,
        z,
        rec,
        nv,
        out_sv[:n_slots],
        out_sl[:n_slots],
        out_off[: n_out + 1],
        anc[:n_out],
        bits[:n_out],
        -1,
        -1,
    )


@nb.njit(cache=True, inline="always")
def _at_origin(rec, p, j, base, offset):
    """The exact sign of z_j − k at vertex p of the first layer when two of its lines through the
    origin made it (``offset`` = b − k, zero on those: zero biases), else ``UNKNOWN``. Two distinct
    lines through 0 meet only there, where z_j − k = b_j − k."""
    a, c = rec[p, 0] - base, rec[p, 1] - base
    n = len(offset)
    if n == 0 or a < 0 or a >= n or c < 0 or c >= n or offset[a] != 0.0 or offset[c] != 0.0:
        return UNKNOWN
    return 1 if offset[j] > 0.0 else (-1 if offset[j] < 0.0 else 0)


@nb.njit(cache=True, inline="always")
def _sides(z, rec, lv, st, ln, j, lab, tol, kink, res_v, res_j, res_s, side, base, offset):
    """Sides of line j (label lab) at the piece's vertices lv[st:st + ln] into ``side`` (0: on it,
    ±1). Returns (any positive, any negative, a vertex whose sign is unknown, or −1, or ``AGAINST``
    when a side decided exactly is not its float's: no float interpolation places a crossing on that
    vertex's edges, and the caller takes the exact path). A vertex decided to lie on the line gets
    z_j = k exactly, so what is interpolated from it later reads the kink there. ``offset``: the
    first layer's b − k (:func:`_at_origin`), or empty deeper."""
    pos, neg = False, False
    for i in range(ln):
        p = lv[st + i]
        if rec[p, 0] == lab or rec[p, 1] == lab:
            side[i] = 0
            continue
        d = z[p, j] - kink
        if abs(d) > tol[j]:
            side[i] = 1 if d > 0 else -1
        else:
            side[i] = _side(z, rec, p, j, lab, tol, kink, res_v, res_j, res_s)
            if side[i] == UNKNOWN:
                side[i] = _at_origin(rec, p, j, base, offset)
            if side[i] == UNKNOWN:
                return pos, neg, p
            if side[i] == 0:
                z[p, j] = kink
            elif not (d > 0 if side[i] > 0 else d < 0):
                return pos, neg, AGAINST
        pos |= side[i] > 0
        neg |= side[i] < 0
    return pos, neg, -1


@nb.njit(cache=True, inline="always")
def _cycle_length(f, sv, sl, off, nxt, twin, chain_len):
    """Slots of face f's cycle with its edges' crossings inserted (see :func:`_face_cycle`)."""
    n = 0
    for s in range(off[f], off[f + 1]):
        n += 1 + chain_len[s if (sl[s] < 0 or sv[s] < sv[nxt[s]]) else twin[s]]
    return n


# Inlined (numba IR), as _emit: called per face, its arrays in and out were reference-counted by
# atomic operations on every call; inlined the counts cancel (2→50⁸'s deeper cuts: 15–19 % faster).
@nb.njit(cache=True, inline="always")
def _face_cycle(
    f, sv, sl, off, nxt, twin, chain_start, chain_len, chain, rec, base, lv, ll, seen, cand, enter
):
    """Face f's cycle with its edges' crossings inserted, into the local slots ``lv`` (vertex) and
    ``ll`` (label); its lines (those with a crossing on it) in order into ``cand``, and where each
    is first met on the cycle into ``enter``. Returns (slots, lines). ``lv`` and ``ll`` hold
    :func:`_cycle_length` slots (it grows nothing: see :func:`_emit`)."""
    n_local = 0
    n_cand = 0
    for s in range(off[f], off[f + 1]):
        t = s if (sl[s] < 0 or sv[s] < sv[nxt[s]]) else twin[s]
        lv[n_local], ll[n_local] = sv[s], sl[s]
        n_local += 1
        for i in range(chain_len[t]):
            p = chain[chain_start[t] + (i if t == s else chain_len[t] - 1 - i)]
            lv[n_local], ll[n_local] = p, sl[s]
            j = rec[p, 0] - base
            if seen[j] != f:
                seen[j] = f
                cand[n_cand] = j
                enter[j] = n_local
                n_cand += 1
            n_local += 1
    for i in range(1, n_cand):  # insertion sort: the lines in order
        j, q = cand[i], i
        while q > 0 and cand[q - 1] > j:
            cand[q] = cand[q - 1]
            q -= 1
        cand[q] = j
    return n_local, n_cand


@nb.njit(cache=True)
def _lines_through(res_v, res_j, res_s, nv):
    """The lines decided to pass exactly through each of the first nv vertices, as offsets (nv + 1)
    and lines (a vertex on a line that did not make it: three lines through one point, or a line
    through an older vertex)."""
    start = np.zeros(nv + 1, np.int64)
    for i in range(len(res_s)):
        if res_s[i] == 0 and res_v[i] < nv:
            start[res_v[i] + 1] += 1
    for v in range(nv):
        start[v + 1] += start[v]
    lines = np.empty(start[nv], np.int64)
    fill = start[:-1].copy()
    for i in range(len(res_s)):
        if res_s[i] == 0 and res_v[i] < nv:
            lines[fill[res_v[i]]] = res_j[i]
            fill[res_v[i]] += 1
    return start, lines


@nb.njit(cache=True, inline="always")
def _add_lines_through(lv, n_local, on_start, on_line, f, seen, cand, n_cand, met, times):
    """Add to face f's lines ``cand`` (kept in order) those decided to pass through two or more of
    its vertices lv[:n_local]: such a line crosses none of its edges, yet may cut it; one through a
    single vertex and no edge only touches the face there. Returns (the count, a vertex of the face
    at the layer's start on no such line, or −1: then every line through one of its vertices is
    added, since the face's sides are read at that vertex)."""
    nv0 = len(on_start) - 1
    clear = -1
    for i in range(n_local):
        p = lv[i]
        if p >= nv0:
            continue  # a crossing of this layer's lines, made by one of them
        if on_start[p] == on_start[p + 1]:
            if clear < 0:
                clear = p
            continue
        for q in range(on_start[p], on_start[p + 1]):
            j = on_line[q]
            if met[j] != f:
                met[j], times[j] = f, 0
            times[j] += 1
    for i in range(n_local):
        p = lv[i]
        if p >= nv0:
            continue
        for q in range(on_start[p], on_start[p + 1]):
            j = on_line[q]
            if seen[j] != f and (times[j] >= 2 or clear < 0):
                seen[j] = f
                c = n_cand
                while c > 0 and cand[c - 1] > j:
                    cand[c] = cand[c - 1]
                    c -= 1
                cand[c] = j
                n_cand += 1
    return n_cand, clear


# Inlined, growing nothing (the caller makes room per face): an array assigned in the loop that
# calls it would be reference-counted on every pass.
@nb.njit(cache=True, inline="always")
def _emit(out_sv, out_sl, out_off, anc, bits, n_out, n_slots, lv, ll, st, ln, f, rows, r):
    """Append the piece lv/ll[st:st + ln] of face f with packed sides ``rows[r]`` to the output.
    Returns (pieces, slots)."""
    for i in range(ln):
        out_sv[n_slots + i] = lv[st + i]
        out_sl[n_slots + i] = ll[st + i]
    anc[n_out] = f
    for q in range(rows.shape[1]):
        bits[n_out, q] = rows[r, q]
    out_off[n_out + 1] = n_slots + ln
    return n_out + 1, n_slots + ln


@nb.njit(cache=True, inline="always")
def _vertex_on_edge(x, z, rec, nv, a, b, j, kink, lab, label, stage, f):
    """Make vertex nv where z_j = kink on the edge a–b (label ``label``), interpolated from its lower
    end, so both faces beside the edge would compute it alike; it lies on line j (label ``lab``).
    The ends' floats lie strictly on either side of the kink (:func:`_sides` sees to it)."""
    lo_v, hi_v = min(a, b), max(a, b)
    da, db = z[lo_v, j] - kink, z[hi_v, j] - kink
    t = da / (da - db)
    x[nv, 0] = x[lo_v, 0] + t * (x[hi_v, 0] - x[lo_v, 0])
    x[nv, 1] = x[lo_v, 1] + t * (x[hi_v, 1] - x[lo_v, 1])
    for c in range(z.shape[1]):
        z[nv, c] = z[lo_v, c] + t * (z[hi_v, c] - z[lo_v, c])
    z[nv, j] = kink
    rec[nv, 0], rec[nv, 1], rec[nv, 2], rec[nv, 3] = lab, label, stage, f


@nb.njit(cache=True)
def _cut_faces(
    x,
    z,
    rec,
    nv,
    vbits,
    sv,
    sl,
    off,
    nxt,
    twin,
    chain_start,
    chain_len,
    chain,
    tol,
    kink,
    base,
    stage,
    affine,
    w,
    b,
    max_faces,
    res_v,
    res_j,
    res_s,
):
    """Step 2: each face, its edges' crossings inserted, cut by the lines crossing it in turn.
    Returns (status, x, z, rec, nv, slot vertices, slot labels, offsets, ancestors, packed sides,
    an unknown sign (vertex, neuron) or (−1, −1))."""
    n = z.shape[1]
    nb_bytes = (n + 7) // 8
    nf, ns = len(off) - 1, off[-1]
    n_chain = len(chain)
    out_sv, out_sl, out_off, anc, bits = _outputs(ns + 4 * n_chain + 16, nf + n_chain + 2, nb_bytes)
    n_out, n_out_slots = 0, 0
    lv = np.empty(64, np.int64)  # local slots: vertex, label
    ll = np.empty(64, np.int64)
    sub_start = np.empty(16, np.int64)
    sub_len = np.empty(16, np.int64)
    sub_alive = np.empty(16, np.bool_)
    sub_bits = np.zeros((16, nb_bytes), np.uint8)
    box = np.empty((16, 4), np.float64)
    side = np.empty(64, np.int64)
    seen = np.full(n, -1, np.int64)
    enter = np.empty(n, np.int64)  # where each line is first met (unused here)
    cand = np.empty(n, np.int64)
    met_a = np.empty(16, np.int64)  # crossings made by the current line: edge (a, b) → vertex
    met_b = np.empty(16, np.int64)
    met_p = np.empty(16, np.int64)
    on_start, on_line = _lines_through(res_v, res_j, res_s, vbits.shape[0])
    offset = b - kink if affine else np.zeros(0)  # the first layer's lines are straight
    met = np.full(n, -1, np.int64)  # per line: the face whose vertices on it are being counted
    times = np.zeros(n, np.int64)
    for f in range(nf):
        need = _cycle_length(f, sv, sl, off, nxt, twin, chain_len)
        if need > len(lv):
            lv = _grow1(lv, need)
            ll = _grow1(ll, len(lv))
        n_local, n_cand = _face_cycle(
            f,
            sv,
            sl,
            off,
            nxt,
            twin,
            chain_start,
            chain_len,
            chain,
            rec,
            base,
            lv,
            ll,
            seen,
            cand,
            enter,
        )
        v0 = sv[off[f]]
        if len(on_line):
            n_cand, clear = _add_lines_through(
                lv, n_local, on_start, on_line, f, seen, cand, n_cand, met, times
            )
            if clear >= 0:
                v0 = clear  # its sides are the face's for every line not cut here
        for q in range(nb_bytes):
            sub_bits[0, q] = vbits[v0, q]
        sub_start[0], sub_len[0], sub_alive[0] = 0, n_local, True
        n_sub = 1
        n_alive = 1
        live_slots = n_local
        if affine:
            box[0, 0], box[0, 1], box[0, 2], box[0, 3] = np.inf, -np.inf, np.inf, -np.inf
            for i in range(n_local):
                p = lv[i]
                box[0, 0] = min(box[0, 0], x[p, 0])
                box[0, 1] = max(box[0, 1], x[p, 0])
                box[0, 2] = min(box[0, 2], x[p, 1])
                box[0, 3] = max(box[0, 3], x[p, 1])
        for ci in range(n_cand):
            j = cand[ci]
            lab = base + j
            byte, bit = j >> 3, np.uint8(128 >> (j & 7))
            n_met = 0
            now = n_sub
            # Room for this line's cuts first: an array assigned inside the loop below would cost
            # reference counts on every pass. A line splits each live face at most once, adding at
            # most 2 length + 4 slots, two faces and two vertices.
            if n_local + 2 * live_slots + 4 * n_alive > len(lv):
                lv = _grow1(lv, n_local + 2 * live_slots + 4 * n_alive)
                ll = _grow1(ll, len(lv))
            if n_sub + 2 * n_alive > len(sub_start):
                need = n_sub + 2 * n_alive
                sub_start, sub_len = _grow1(sub_start, need), _grow1(sub_len, need)
                sub_alive, sub_bits = _grow1(sub_alive, need), _grow2(sub_bits, need)
                box = _grow2(box, need)
            if 2 * n_alive > len(met_a):
                met_a = _grow1(met_a, 2 * n_alive)
                met_b = _grow1(met_b, 2 * n_alive)
                met_p = _grow1(met_p, 2 * n_alive)
            if live_slots > len(side):
                side = _grow1(side, live_slots)
            if nv + 2 * n_alive > len(rec):
                x, z, rec = _room(x, z, rec, nv + 2 * n_alive)
            for r in range(now):
                if not sub_alive[r]:
                    continue
                if affine:
                    # Bounds of z_j over the face's box; 2 tol covers the rounding of both readings.
                    g0, g1 = w[j, 0], w[j, 1]
                    lo = b[j] + min(g0 * box[r, 0], g0 * box[r, 1])
                    lo += min(g1 * box[r, 2], g1 * box[r, 3])
                    hi = b[j] + max(g0 * box[r, 0], g0 * box[r, 1])
                    hi += max(g1 * box[r, 2], g1 * box[r, 3])
                    if hi < kink - 2 * tol[j]:
                        sub_bits[r, byte] &= ~bit
                        continue
                    if lo > kink + 2 * tol[j]:
                        sub_bits[r, byte] |= bit
                        continue
                st, ln = sub_start[r], sub_len[r]
                pos, neg, p = _sides(
                    z, rec, lv, st, ln, j, lab, tol, kink, res_v, res_j, res_s, side, base, offset
                )
                if p >= 0:
                    return AMBIGUOUS, x, z, rec, nv, out_sv, out_sl, out_off, anc, bits, p, j
                if p == AGAINST:
                    return DEGENERATE, x, z, rec, nv, out_sv, out_sl, out_off, anc, bits, p, j
                if not (pos and neg):
                    if pos:
                        sub_bits[r, byte] |= bit
                    else:
                        sub_bits[r, byte] &= ~bit
                    continue
                # Split: the positive child, then the negative one, each in the parent's order.
                sub_alive[r] = False
                n_alive += 1
                if n_out + n_alive + (nf - f - 1) > max_faces:
                    return OVER, x, z, rec, nv, out_sv, out_sl, out_off, anc, bits, -1, -1
                live_slots -= ln
                for sgn in (1, -1):
                    c0 = n_local
                    for i in range(ln):
                        a = lv[st + i]
                        i2 = i + 1 if i + 1 < ln else 0
                        sa, sb = side[i], side[i2]
                        if sa * sgn >= 0:
                            lv[n_local] = a
                            ll[n_local] = lab if (sa == 0 and sb * sgn < 0) else ll[st + i]
                            n_local += 1
                        if sa * sb < 0:
                            bv = lv[st + i2]
                            lo_v, hi_v = min(a, bv), max(a, bv)
                            p = -1
                            for q in range(n_met):
                                if met_a[q] == lo_v and met_b[q] == hi_v:
                                    p = met_p[q]
                                    break
                            if p < 0:
                                p = nv
                                _vertex_on_edge(
                                    x, z, rec, p, a, bv, j, kink, lab, ll[st + i], stage, f
                                )
                                nv += 1
                                met_a[n_met], met_b[n_met], met_p[n_met] = lo_v, hi_v, p
                                n_met += 1
                            lv[n_local] = p
                            ll[n_local] = lab if sa * sgn > 0 else ll[st + i]
                            n_local += 1
                    sub_start[n_sub], sub_len[n_sub], sub_alive[n_sub] = c0, n_local - c0, True
                    live_slots += n_local - c0
                    for q in range(nb_bytes):
                        sub_bits[n_sub, q] = sub_bits[r, q]
                    if sgn > 0:
                        sub_bits[n_sub, byte] |= bit
                    else:
                        sub_bits[n_sub, byte] &= ~bit
                    if affine:
                        box[n_sub, 0], box[n_sub, 1] = np.inf, -np.inf
                        box[n_sub, 2], box[n_sub, 3] = np.inf, -np.inf
                        for i in range(c0, n_local):
                            p = lv[i]
                            box[n_sub, 0] = min(box[n_sub, 0], x[p, 0])
                            box[n_sub, 1] = max(box[n_sub, 1], x[p, 0])
                            box[n_sub, 2] = min(box[n_sub, 2], x[p, 1])
                            box[n_sub, 3] = max(box[n_sub, 3], x[p, 1])
                    n_sub += 1
        # Emit the face's pieces (at most n_sub of them, n_local slots).
        if n_out_slots + n_local > len(out_sv):
            out_sv = _grow1(out_sv, n_out_slots + n_local)
            out_sl = _grow1(out_sl, len(out_sv))
        if n_out + n_sub + 1 > len(out_off):
            anc = _grow1(anc, n_out + n_sub + 1)
            bits = _grow2(bits, len(anc))
            out_off = _grow1(out_off, len(anc))
        for r in range(n_sub):
            if not sub_alive[r]:
                continue
            n_out, n_out_slots = _emit(
                out_sv,
                out_sl,
                out_off,
                anc,
                bits,
                n_out,
                n_out_slots,
                lv,
                ll,
                sub_start[r],
                sub_len[r],
                f,
                sub_bits,
                r,
            )
        if n_out + (nf - f - 1) > max_faces:
            return OVER, x, z, rec, nv, out_sv, out_sl, out_off, anc, bits, -1, -1
    return _finished(x, z, rec, nv, out_sv, out_sl, out_off, anc, bits, n_out, n_out_slots)


@nb.njit(cache=True, inline="always")
def _walk_vertices(n, room):
    """Rows the first layer's walk may add for n lines, times ``room``: n(n − 1)/2 crossings."""
    return room * (n * (n - 1) // 2 + 16)


@nb.njit(cache=True)
def _walk_faces(
    x,
    z,
    rec,
    nv,
    vbits,
    sv,
    sl,
    off,
    nxt,
    twin,
    chain_start,
    chain_len,
    chain,
    tol,
    kink,
    base,
    stage,
    max_faces,
    res_v,
    res_j,
    res_s,
    room,
):
    """Step 2 on the first layer (one face, every line crossing it): each line is
    walked through the pieces it crosses (its zone), from where it enters the face: a piece is
    split, and the walk goes on into the piece across the edge it leaves by (every slot knows its
    twin, the slot of the same edge in the piece beside it), so no piece the line misses is
    visited. A piece's sides are the union of its vertices' sides, and a piece with vertices on
    both sides of a line — one a walk missed — returns ``DEGENERATE``. Returns (status, x, z, rec,
    nv, slot vertices, slot labels, offsets, ancestors, packed sides, an unknown sign (vertex,
    neuron) or (−1, −1)); ``ROOM`` when the walk outgrew its arrays, sized for ``room`` times the
    arrangement's bounds (0: room for the face's cycle alone): the caller calls again with twice
    the room.

    The arrays are made here and the walks run in :func:`_walk`, which allocates nothing and counts
    no references.
    Sizes: n lines make at most 1 + n + n(n − 1)/2 pieces of a face and n(n − 1)/2 new vertices."""
    n = z.shape[1]
    nb_bytes = (n + 7) // 8
    nf, ns = len(off) - 1, off[-1]
    nv0 = vbits.shape[0]  # vertices at the layer's start; later ones get their sides below
    n_chain = len(chain)
    pieces = nf + 1 + room * (n + n * (n - 1) // 2 + 16)
    slots = ns + n_chain + room * (6 * n * n + 64)  # room 0: the face's cycle alone
    fresh = nv - nv0 + _walk_vertices(n, room)
    out_sv, out_sl, out_off, anc, bits = _outputs(slots, pieces + 2, nb_bytes)
    new_pos = np.empty((fresh, nb_bytes), np.uint8)  # each row written by _new_vertex_bits
    new_neg = np.empty((fresh, nb_bytes), np.uint8)
    # Local slots: vertex, label, twin slot (−2 − i on the face's cycle edge i), piece.
    lv = np.empty(slots, np.int64)
    ll = np.empty(slots, np.int64)
    tw = np.empty(slots, np.int64)
    po = np.empty(slots, np.int64)
    sub_start = np.empty(2 * pieces + 1, np.int64)
    sub_len = np.empty(2 * pieces + 1, np.int64)
    sub_alive = np.empty(2 * pieces + 1, np.bool_)
    side = np.empty(slots, np.int64)
    seen = np.full(n, -1, np.int64)
    cand = np.empty(n, np.int64)
    enter = np.empty(n, np.int64)  # per line: the cycle position of its first crossing
    at = np.empty(slots, np.int64)  # per cycle edge: its slot now
    acc_pos = np.empty((1, nb_bytes), np.uint8)
    acc_neg = np.empty(nb_bytes, np.uint8)
    no_offset = np.zeros(0)  # no origin certificate: lines through one point are not walked
    status, nv, n_out, n_out_slots, av, aj = _walk(
        x,
        z,
        rec,
        nv,
        vbits,
        sv,
        sl,
        off,
        nxt,
        twin,
        chain_start,
        chain_len,
        chain,
        tol,
        kink,
        base,
        stage,
        max_faces,
        res_v,
        res_j,
        res_s,
        out_sv,
        out_sl,
        out_off,
        anc,
        bits,
        new_pos,
        new_neg,
        lv,
        ll,
        tw,
        po,
        sub_start,
        sub_len,
        sub_alive,
        side,
        seen,
        cand,
        enter,
        at,
        acc_pos,
        acc_neg,
        no_offset,
    )
    if status == OK:
        return _finished(x, z, rec, nv, out_sv, out_sl, out_off, anc, bits, n_out, n_out_slots)
    return status, x, z, rec, nv, out_sv, out_sl, out_off, anc, bits, av, aj


# The walk allocates nothing (its caller does): compiled without numba's reference counting (its
# _nrt flag), its inlined helpers' array arguments cost no atomic increments per call. With them,
# 7,300 per first layer of 2 → 32 → 1 (counted with gdb), a sixth of its time.
@nb.njit(cache=True, _nrt=False)
def _walk(
    x,
    z,
    rec,
    nv,
    vbits,
    sv,
    sl,
    off,
    nxt,
    twin,
    chain_start,
    chain_len,
    chain,
    tol,
    kink,
    base,
    stage,
    max_faces,
    res_v,
    res_j,
    res_s,
    out_sv,
    out_sl,
    out_off,
    anc,
    bits,
    new_pos,
    new_neg,
    lv,
    ll,
    tw,
    po,
    sub_start,
    sub_len,
    sub_alive,
    side,
    seen,
    cand,
    enter,
    at,
    acc_pos,
    acc_neg,
    no_offset,
):
    """The loop of :func:`_walk_faces` on the arrays it made. Returns (status, vertices, pieces,
    slots, an unknown sign (vertex, neuron) or (−1, −1))."""
    nb_bytes = new_pos.shape[1]
    nf = len(off) - 1
    nv0 = vbits.shape[0]
    slots = len(lv)
    fresh = len(new_pos)
    n_out, n_out_slots = 0, 0
    for p in range(nv0, nv):  # the edges' crossings
        j = _new_vertex_bits(
            z, rec, p, base, tol, kink, res_v, res_j, res_s, new_pos, new_neg, p - nv0
        )
        if j >= 0:
            return AMBIGUOUS, nv, n_out, n_out_slots, p, j
    for f in range(nf):  # lv holds any cycle: slots + crossings ≤ ns + n_chain
        n_cycle, n_cand = _face_cycle(
            f,
            sv,
            sl,
            off,
            nxt,
            twin,
            chain_start,
            chain_len,
            chain,
            rec,
            base,
            lv,
            ll,
            seen,
            cand,
            enter,
        )
        n_local = n_cycle
        for i in range(n_cycle):
            tw[i], po[i], at[i] = -2 - i, 0, i
        sub_start[0], sub_len[0], sub_alive[0] = 0, n_cycle, True
        n_sub = 1
        live = 1
        for ci in range(n_cand):
            j = cand[ci]
            lab = base + j
            r = po[at[enter[j]]]
            # The line enters at p_in: a vertex of the cycle, or a crossing on the edge in_b → in_a
            # whose halves in_a → p_in, p_in → in_b are the slots in_ap, in_pb of the last piece.
            p_in, in_a, in_b, in_ap, in_pb = lv[at[enter[j]]], -1, -1, -1, -1
            steps = 0
            while True:
                if not sub_alive[r] or steps > n_sub:
                    return DEGENERATE, nv, n_out, n_out_slots, -1, j
                steps += 1
                st, ln = sub_start[r], sub_len[r]
                pos, neg, p = _sides(
                    z,
                    rec,
                    lv,
                    st,
                    ln,
                    j,
                    lab,
                    tol,
                    kink,
                    res_v,
                    res_j,
                    res_s,
                    side,
                    base,
                    no_offset,
                )
                if p >= 0:
                    return AMBIGUOUS, nv, n_out, n_out_slots, p, j
                if p == AGAINST or not (pos and neg):
                    return DEGENERATE, nv, n_out, n_out_slots, -1, j
                live += 1
                if n_out + live + (nf - f - 1) > max_faces:
                    return OVER, nv, n_out, n_out_slots, -1, -1
                # Room for the two halves (at most ln + 2 slots each) and one vertex.
                if (
                    n_local + 2 * ln + 4 > slots
                    or n_sub + 2 > len(sub_start)
                    or nv + 1 > len(rec)
                    or nv + 1 - nv0 > fresh
                ):
                    return ROOM, nv, n_out, n_out_slots, -1, -1
                # Split: the positive half, then the negative one, each in the parent's order.
                p_out, out_a, out_b, out_ap, out_pb, exit_slot = -1, -1, -1, -1, -1, -1
                cut_pos = -1
                for sgn in (1, -1):
                    c0 = n_local
                    c = n_sub
                    for i in range(ln):
                        a = lv[st + i]
                        i2 = i + 1 if i + 1 < ln else 0
                        sa, sb = side[i], side[i2]
                        if sa * sgn >= 0:
                            q = n_local
                            lv[q], po[q] = a, c
                            if sa == 0 and sb * sgn < 0:  # the cut, from a along the line
                                ll[q] = lab
                                if cut_pos < 0:
                                    cut_pos = q
                                else:
                                    tw[q], tw[cut_pos] = cut_pos, q
                            else:
                                ll[q] = ll[st + i]
                                if sa * sb >= 0:  # the same edge a → b: its twin now points here
                                    t = tw[st + i]
                                    tw[q] = t
                                    if t >= 0:
                                        tw[t] = q
                                    else:
                                        at[-2 - t] = q
                            n_local += 1
                        if sa * sb < 0:
                            bv = lv[st + i2]
                            entry = a == in_b and bv == in_a
                            if entry:
                                p = p_in
                            elif a == out_a and bv == out_b:
                                p = p_out
                            else:
                                p = nv
                                _vertex_on_edge(
                                    x, z, rec, p, a, bv, j, kink, lab, ll[st + i], stage, f
                                )
                                nv += 1
                                p_out, out_a, out_b, exit_slot = p, a, bv, st + i
                            q = n_local
                            lv[q], po[q] = p, c
                            if sa * sgn > 0:
                                # a → p (slot q − 1) and the cut from p
                                ll[q] = lab
                                if cut_pos < 0:
                                    cut_pos = q
                                else:
                                    tw[q], tw[cut_pos] = cut_pos, q
                                if entry:
                                    tw[q - 1], tw[in_pb] = in_pb, q - 1
                                else:
                                    out_ap = q - 1
                            else:
                                ll[q] = ll[st + i]  # p → b
                                if entry:
                                    tw[q], tw[in_ap] = in_ap, q
                                else:
                                    out_pb = q
                            n_local += 1
                    sub_start[c], sub_len[c], sub_alive[c] = c0, n_local - c0, True
                    n_sub += 1
                sub_alive[r] = False
                if p_out < 0:
                    break  # it leaves by a vertex on the line: where it crosses the face's cycle
                k = _new_vertex_bits(
                    z,
                    rec,
                    p_out,
                    base,
                    tol,
                    kink,
                    res_v,
                    res_j,
                    res_s,
                    new_pos,
                    new_neg,
                    p_out - nv0,
                )
                if k >= 0:
                    return AMBIGUOUS, nv, n_out, n_out_slots, p_out, k
                t = tw[exit_slot]  # the piece beside the edge it leaves by
                if t < 0:
                    return DEGENERATE, nv, n_out, n_out_slots, -1, j
                r = po[t]
                p_in, in_a, in_b, in_ap, in_pb = p_out, out_a, out_b, out_ap, out_pb
        # Emit the face's pieces, each with its vertices' sides; none may have both for one line.
        if n_out + n_sub + 1 > len(out_off) or n_out_slots + n_local > slots:
            return ROOM, nv, n_out, n_out_slots, -1, -1
        for r in range(n_sub):
            if not sub_alive[r]:
                continue
            st, ln = sub_start[r], sub_len[r]
            acc_pos[0, :] = 0
            acc_neg[:] = 0
            for i in range(ln):
                p = lv[st + i]
                if p < nv0:
                    for q in range(nb_bytes):
                        acc_pos[0, q] |= vbits[p, q]
                        acc_neg[q] |= ~vbits[p, q]
                else:
                    for q in range(nb_bytes):
                        acc_pos[0, q] |= new_pos[p - nv0, q]
                        acc_neg[q] |= new_neg[p - nv0, q]
            for q in range(nb_bytes):
                if acc_pos[0, q] & acc_neg[q]:
                    return DEGENERATE, nv, n_out, n_out_slots, -1, -1
            n_out, n_out_slots = _emit(
                out_sv,
                out_sl,
                out_off,
                anc,
                bits,
                n_out,
                n_out_slots,
                lv,
                ll,
                st,
                ln,
                f,
                acc_pos,
                0,
            )
        if n_out + (nf - f - 1) > max_faces:
            return OVER, nv, n_out, n_out_slots, -1, -1
    return OK, nv, n_out, n_out_slots, -1, -1


@nb.njit(cache=True)
def cut_layer(
    x,
    z,
    rec,
    nv,
    sv,
    sl,
    off,
    tol,
    kink,
    base,
    stage,
    affine,
    walk,
    w,
    b,
    max_faces,
    res_v,
    res_j,
    res_s,
):
    """Cut the faces (slot vertices ``sv``, slot labels ``sl``, offsets ``off``) by the lines
    z_j = kink labelled base + j. ``z`` (≥ nv, n) holds the stage's pre-activations at the vertices
    ``x``; ``rec`` (≥ nv, 4) how each vertex was made (its two lines, the stage, the face at that
    stage's start), filled in for the new ones. ``affine``: z = x wᵀ + b on the whole plane (the
    first layer), used to skip faces a line misses by a margin. ``walk``: cut a lone face of the first
    layer by walking each line's zone (:func:`_walk_faces`); the caller turns it off once a vertex
    lies exactly on a line it did not make (lines through one point), which the walk's sides, read
    off the vertices, cannot tell from crossing it. ``res_*``: exact signs (−1, 0, 1) decided so far, sorted by (vertex, neuron).

    Returns (status, x, z, rec, nv, slot vertices, slot labels, offsets, ancestor of each new face
    (its face at the start), packed sides (faces, ⌈n/8⌉) uint8 with bit j = (z_j > kink), and for
    ``AMBIGUOUS`` the (vertex, neuron) pairs whose sign the caller must decide). ``DEGENERATE``: the
    cuts did not fit together (a walk lost its way, or a piece lies on both sides of a line): the
    caller takes the exact path."""
    amb_v, amb_j, vbits = _unsure(z, nv, tol, kink, res_v, res_j, res_s)
    nf = len(off) - 1
    if len(amb_v):
        return (
            AMBIGUOUS,
            x,
            z,
            rec,
            nv,
            sv,
            sl,
            off,
            np.arange(nf),
            np.zeros((0, 1), np.uint8),
            amb_v,
            amb_j,
        )
    nxt, f_of, twin = _topology(sv, sl, off, nv)
    status, x, z, rec, nv, chain_start, chain_len, chain, av, aj = _edge_crossings(
        x,
        z,
        rec,
        nv,
        vbits,
        sv,
        sl,
        nxt,
        f_of,
        tol,
        kink,
        base,
        stage,
        max_faces,
        res_v,
        res_j,
        res_s,
    )
    if status != OK:
        return (
            status,
            x,
            z,
            rec,
            nv,
            sv,
            sl,
            off,
            np.arange(nf),
            np.zeros((0, 1), np.uint8),
            np.full(1, av),
            np.full(1, aj),
        )
    if affine and walk and nf == 1:
        # The first layer: one face and every line; walking each line's zone makes work ∝ the
        # regions (sweeping every piece for every line is ∝ lines × regions).
        room = 1
        while True:
            need = nv + _walk_vertices(z.shape[1], room)
            if need > len(rec):
                x, z, rec = _room(x, z, rec, need)
            status, x, z, rec, nv_out, out_sv, out_sl, out_off, anc, bits, av, aj = _walk_faces(
                x,
                z,
                rec,
                nv,
                vbits,
                sv,
                sl,
                off,
                nxt,
                twin,
                chain_start,
                chain_len,
                chain,
                tol,
                kink,
                base,
                stage,
                max_faces,
                res_v,
                res_j,
                res_s,
                room,
            )
            if status != ROOM:
                break
            room *= 2
        nv = nv_out
    else:
        # Deeper layers: many small faces, a few lines each; a piece's sides are read off its
        # vertices for those lines only (per-vertex sides for every line cost more there).
        status, x, z, rec, nv, out_sv, out_sl, out_off, anc, bits, av, aj = _cut_faces(
            x,
            z,
            rec,
            nv,
            vbits,
            sv,
            sl,
            off,
            nxt,
            twin,
            chain_start,
            chain_len,
            chain,
            tol,
            kink,
            base,
            stage,
            affine,
            w,
            b,
            max_faces,
            res_v,
            res_j,
            res_s,
        )
    amb = np.full(1 if status == AMBIGUOUS else 0, av)
    return status, x, z, rec, nv, out_sv, out_sl, out_off, anc, bits, amb, np.full(len(amb), aj)


@nb.njit(cache=True)
def error_bound(w, b, h, scale, tiny):
    """Per neuron j: scale · max(Σ_i |w_ji| max_v |h_vi| + |b_j|, tiny), a bound on the float64
    error of z_j = w_j · h_v + b_j at every row h_v of ``h`` when ``scale`` exceeds the relative
    round-off of the products (see :data:`approxlab.regions.partition2d.TOL`)."""
    n_in = h.shape[1]
    largest = np.zeros(n_in)
    for v in range(h.shape[0]):
        for i in range(n_in):
            largest[i] = max(largest[i], abs(h[v, i]))
    out = np.empty(w.shape[0])
    for j in range(w.shape[0]):
        size = abs(b[j])
        for i in range(n_in):
            size += abs(w[j, i]) * largest[i]
        out[j] = scale * max(size, tiny)
    return out


@nb.njit(cache=True)
def zero_rows(z, rec, v, tol, kink, base, zero_below, offset, res_v, res_j, res_s):
    """The vertices (of the first v) where σ(z_j) = 0 exactly for every neuron j of the stage: z_j = k
    on a line that made the vertex or was decided to pass through it (σ(k) = 0; ``offset``: the first
    layer's b − k for :func:`_at_origin`, or empty), or, with ``zero_below`` (ReLU), z_j below the
    kink past its bound or decided so. A row is read until its first value that is not: on a random
    net one or two values per vertex."""
    out = np.empty(v, np.int64)
    n = 0
    for r in range(v):
        zero = True
        for c in range(z.shape[1]):
            d = z[r, c] - kink
            if zero_below and d < -tol[c]:
                continue
            if abs(d) > tol[c]:
                zero = False
                break
            if rec[r, 0] == base + c or rec[r, 1] == base + c:
                continue
            s = _resolved(res_v, res_j, res_s, r, c)
            if s == UNKNOWN:
                s = _at_origin(rec, r, c, base, offset)
            if s == 0 or (zero_below and s < 0):
                continue
            zero = False
            break
        if zero:
            out[n] = r
            n += 1
    return out[:n]


@nb.njit(cache=True)
def walks(b, kink):
    """Should the first layer be walked (:func:`_walk_faces`)? Not when three or more of its lines
    pass through the origin (b_j = k: zero biases), where the walk would stop at their crossing."""
    through = 0
    for j in range(len(b)):
        through += b[j] == kink
    return through < 3


@nb.njit(cache=True)
def _fan(x, z, rec, k, tol, kink, max_faces):
    """The first layer when every line z_j = kink passes through the origin (zero biases) and the
    origin lies inside the domain's k corners: its regions are the 2n sectors between consecutive
    rays, clipped by the polygon, so no line is cut against another (the per-face cut costs
    ∝ n²: 98 µs for 32 lines, 1.4 ms for 128). Each line crosses the boundary twice, where its
    corners' signs change; ordered ccw along the boundary (edge, then place on it) the crossings
    are the rays in angular order about the origin. Sector s lies between crossings s and s + 1,
    on the positive side of line j iff s is in j's cyclic range [where j turns positive, where it
    turns negative). Vertices: the 2n crossings (:func:`_vertex_on_edge`), then the origin, with
    z = b = kink there exactly, made by the lines of crossings 0 and 1 (two distinct lines
    through 0, so :func:`_at_origin` certifies the later layers' signs there).

    Every float read is certified: each corner off each line past its bound ``tol``, the origin
    inside each edge past the round-off of x_c × x_(c+1), and neighbouring crossings of one edge
    apart past both their :func:`partition2d.crossing_shift` bounds. Returns (applies, the tuple
    of :func:`_walk_faces`); not applied (a line through a corner, coincident lines, crossings
    closer than their bounds, the origin outside), the per-face cut takes the layer."""
    n = z.shape[1]
    nb_bytes = (n + 7) // 8
    out_sv, out_sl, out_off, anc, bits = _outputs(2 * n * (k + 3), 2 * n + 1, nb_bytes)
    fail = _finished(x, z, rec, k, out_sv, out_sl, out_off, anc, bits, 0, 0)
    if n < 2 or 2 * n > max_faces or k + 2 * n + 1 > len(rec):
        return False, fail
    for c in range(k):  # the origin inside edge c → c + 1: x_c × x_(c+1) > 0, past its round-off
        d = (c + 1) % k
        a, e = x[c, 0] * x[d, 1], x[d, 0] * x[c, 1]
        if not a - e > 8 * EPS * (abs(a) + abs(e)):
            return False, fail
    edge = np.empty(2 * n, np.int64)
    line = np.empty(2 * n, np.int64)
    pos = np.empty(2 * n)
    shift = np.empty(2 * n)
    up = np.empty(n, np.int64)  # per line: its crossing where the sign turns positive (ccw)
    down = np.empty(n, np.int64)
    m = 0
    for j in range(n):
        for c in range(k):
            d = (c + 1) % k
            za, zb = z[c, j] - kink, z[d, j] - kink
            if abs(za) <= tol[j] or abs(zb) <= tol[j]:
                return False, fail
            if (za > 0) == (zb > 0):
                continue
            if m == 2 * n:
                return False, fail
            gap = abs(za - zb)
            edge[m], line[m], pos[m] = c, j, za / (za - zb)
            shift[m] = 4.0 * tol[j] / gap + 4 * EPS if 4.0 * tol[j] < gap else 1.0
            if zb > 0:
                up[j] = m
            else:
                down[j] = m
            m += 1
    if m != 2 * n:
        return False, fail
    order = np.argsort(edge * 4.0 + pos)
    rank = np.empty(2 * n, np.int64)
    for i in range(2 * n):
        rank[order[i]] = i
        if i and edge[order[i]] == edge[order[i - 1]]:
            a, e = order[i - 1], order[i]
            if not pos[e] - pos[a] > shift[a] + shift[e]:
                return False, fail
    for i in range(2 * n):  # the crossings, in boundary order, then the origin
        q = order[i]
        c = edge[q]
        _vertex_on_edge(x, z, rec, k + i, c, (c + 1) % k, line[q], kink, line[q], -1 - c, 0, 0)
    o = k + 2 * n
    x[o, 0], x[o, 1] = 0.0, 0.0
    for j in range(n):
        z[o, j] = kink
    rec[o, 0], rec[o, 1], rec[o, 2], rec[o, 3] = line[order[0]], line[order[1]], 0, 0
    row = np.empty((1, nb_bytes), np.uint8)
    n_slots = 0
    for s in range(2 * n):  # sector s: the origin, crossing s, the corners after it, crossing s + 1
        t = (s + 1) % (2 * n)
        a, e = order[s], order[t]
        out_sv[n_slots], out_sl[n_slots] = o, line[a]
        out_sv[n_slots + 1], out_sl[n_slots + 1] = k + s, -1 - edge[a]
        n_slots += 2
        c = edge[a]
        while c != edge[e]:
            c = (c + 1) % k
            out_sv[n_slots], out_sl[n_slots] = c, -1 - c
            n_slots += 1
        out_sv[n_slots], out_sl[n_slots] = k + t, line[e]
        n_slots += 1
        out_off[s + 1] = n_slots
        anc[s] = 0
        row[0, :] = 0
        for j in range(n):
            lo, hi = rank[up[j]], rank[down[j]]
            if (lo <= s < hi) if lo < hi else (s >= lo or s < hi):
                row[0, j >> 3] |= 1 << (7 - (j & 7))
        for q in range(nb_bytes):
            bits[s, q] = row[0, q]
    return True, _finished(x, z, rec, o + 1, out_sv, out_sl, out_off, anc, bits, 2 * n, n_slots)


@nb.njit(cache=True)
def first_layer(polygon, w, b, kink, cap, scale, tiny, max_faces):
    """The first stage in one call: its pre-activations z = w x + b at the corners of the domain
    ``polygon`` (k, 2), their :func:`error_bound`, and :func:`cut_layer` of the polygon's one face
    by every line z_j = kink (labels j, stage 0), with room for ``cap`` vertices. Returns
    (cut_layer's tuple, the bound, whether the layer was walked: :func:`walks`); the corners'
    records are (−1, −1, 0, 0), boundary lines. When every line passes through the origin inside
    the domain (zero biases) the layer is the fan of :func:`_fan`, where it certifies."""
    k, n = polygon.shape[0], w.shape[0]
    x = np.empty((cap, 2))
    z = np.empty((cap, n))
    rec = np.empty((cap, 4), np.int64)
    for i in range(k):
        x[i, 0], x[i, 1] = polygon[i, 0], polygon[i, 1]
        for j in range(n):
            z[i, j] = polygon[i, 0] * w[j, 0] + polygon[i, 1] * w[j, 1] + b[j]
        rec[i, 0], rec[i, 1], rec[i, 2], rec[i, 3] = -1, -1, 0, 0
    tol = error_bound(w, b, polygon, scale, tiny)
    walk = walks(b, kink)
    if not walk and np.all(b == kink):
        fits, done = _fan(x, z, rec, k, tol, kink, max_faces)
        if fits:
            none = np.zeros(0, np.int64)
            status, x, z, rec, nv, sv, sl, off, anc, bits = done[:10]
            return (status, x, z, rec, nv, sv, sl, off, anc, bits, none, none), tol, walk
    sv = np.arange(k)
    off = np.array([0, k])
    none = np.zeros(0, np.int64)
    out = cut_layer(
        x,
        z,
        rec,
        k,
        sv,
        -1 - sv,
        off,
        tol,
        kink,
        0,
        0,
        True,
        walk,
        w,
        b,
        max_faces,
        none,
        none,
        none,
    )
    return out, tol, walk


def compile_kernels() -> float:
    """Compile every kernel once (numba writes them to its cache beside this file) and return the seconds.

    The first partition of a plain MLP on a fresh install otherwise pays the compilation (≈ 30 s on 2
    cores); ``make setup`` calls this so that no command or test does. Later processes load the cache
    (≈ 1 s with numba's import).

    >>> compile_kernels() >= 0.0
    True
    """
    import time

    from approxlab.nets import mlp
    from approxlab.regions import partition

    start = time.perf_counter()
    partition(mlp(2, [8, 8], seed=0), [(-1.0, 1.0), (-1.0, 1.0)])
    return time.perf_counter() - start
