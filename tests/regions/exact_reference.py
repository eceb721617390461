"""An independent exact reference for small nets: polygon clipping in rational arithmetic.

Each region is kept as its own polygon with exact ``Fraction`` vertices (no shared
vertices, no float64, no error filter); for each layer its affine map is recomputed from
the region's activation pattern and the polygon is clipped (Sutherland–Hodgman) by
every neuron's kink lines. Slow, and therefore only for small nets, but it shares no
code or idea of precision with ``approxlab.regions``.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import torch

Point = tuple[Fraction, Fraction]


def relu_net(weights: list[np.ndarray], biases: list[np.ndarray]) -> torch.nn.Sequential:
    """Linear/ReLU/…/Linear in float64 with exactly these weights and biases (no ReLU after the last)."""
    mods = []
    for i, (w, b) in enumerate(zip(weights, biases)):
        lin = torch.nn.Linear(w.shape[1], w.shape[0]).double()
        with torch.no_grad():
            lin.weight.copy_(torch.as_tensor(w))
            lin.bias.copy_(torch.as_tensor(b))
        mods.append(lin)
        if i + 1 < len(weights):
            mods.append(torch.nn.ReLU())
    return torch.nn.Sequential(*mods)


def _layers(net: torch.nn.Sequential):
    """[(W, b, kind)] with exact Fractions; kind 'relu' or None (no activation after)."""
    mods = list(net)
    out = []
    for i, m in enumerate(mods):
        if isinstance(m, torch.nn.Linear):
            w = [[Fraction(float(v)) for v in row] for row in m.weight.detach().double().tolist()]
            b = [Fraction(float(v)) for v in m.bias.detach().double().tolist()]
            relu = i + 1 < len(mods) and isinstance(mods[i + 1], torch.nn.ReLU)
            out.append((w, b, "relu" if relu else None))
    return out


def _area2(poly: list[Point]) -> Fraction:
    return sum(
        (poly[i][0] * poly[i - 1][1] - poly[i - 1][0] * poly[i][1] for i in range(len(poly))),
        Fraction(0),
    )


def _clip(poly: list[Point], f) -> list[Point]:
    """The part of a convex polygon where the affine f ≥ 0 (exact)."""
    out = []
    for i in range(len(poly)):
        a, b = poly[i - 1], poly[i]
        fa, fb = f(a), f(b)
        if fa >= 0:
            out.append(a)
        if (fa > 0 and fb < 0) or (fa < 0 and fb > 0):
            t = fa / (fa - fb)
            out.append((a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])))
    # Drop repeated points (a vertex on the line appears once).
    clean = []
    for p in out:
        if not clean or clean[-1] != p:
            clean.append(p)
    if len(clean) > 1 and clean[0] == clean[-1]:
        clean.pop()
    return clean


def _affine(layers, pattern: list[list[int]], upto: int):
    """Rows (p, q, r) of z^(upto) = p x + q y + r on a region with the given pattern of earlier layers
    (ReLU: 1 on / 0 off per neuron; max: the argmax entry per window; affine stages: none)."""
    h = [(Fraction(1), Fraction(0), Fraction(0)), (Fraction(0), Fraction(1), Fraction(0))]
    for s in range(upto + 1):
        w, b, kind = layers[s]
        z = [
            tuple(
                sum((row[k] * h[k][c] for k in range(len(h)) if row[k]), Fraction(0))
                + (b[j] if c == 2 else 0)
                for c in range(3)
            )
            for j, row in enumerate(w)
        ]
        if s == upto:
            return z
        if kind == "relu":
            h = [zj if on else (Fraction(0),) * 3 for zj, on in zip(z, pattern[s])]
        elif kind == "affine":
            h = z
        else:
            h = [z[a] for a in pattern[s]]
    raise IndexError(upto)


def _argmax_cells(poly: list[Point], z, window: list[int]) -> list[tuple[list[Point], int]]:
    """The cells {z_a ≥ z_j for every j of the window} of positive area, with a; of entries with
    identical affine maps the first one wins (their cells coincide)."""
    cells = []
    for a in window:
        cell = poly
        for j in window:
            d = tuple(za - zj for za, zj in zip(z[a], z[j]))
            if j == a or (d == (0, 0, 0) and a < j):
                continue
            if d == (0, 0, 0):
                cell = []
                break
            cell = _clip(cell, lambda v, d=d: d[0] * v[0] + d[1] * v[1] + d[2])
            if len(cell) < 3:
                break
        if len(cell) >= 3 and _area2(cell) != 0:
            cells.append((cell, a))
    return cells


def regions_of_layers(
    layers, box: tuple[float, float, float, float]
) -> list[tuple[tuple[int, ...], ...]]:
    """The patterns of the regions of positive area on the box, by exact clipping, of a net given as
    [(W, b, kind)] in Fractions: kind "relu", "affine" (no activation), ("max", windows) (the max
    over each window of entries, pattern: each window's argmax), or None (the output)."""
    x0, x1, y0, y1 = (Fraction(float(v)) for v in box)
    cells = [([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], [])]
    for s, (_, _, kind) in enumerate(layers):
        if kind is None:
            break
        if kind == "affine":
            cells = [(poly, pattern + [()]) for poly, pattern in cells]
            continue
        done = []
        for poly, pattern in cells:
            z = _affine(layers, pattern, s)
            if kind != "relu":
                parts = [(poly, [])]
                for window in kind[1]:
                    parts = [
                        (cell, chosen + [a])
                        for part, chosen in parts
                        for cell, a in _argmax_cells(part, z, window)
                    ]
                done += [(part, pattern + [chosen]) for part, chosen in parts]
                continue
            parts = [(poly, [])]
            for p, q, r in z:
                nxt = []
                if p == q == r == 0:  # z ≡ 0: never active, no line
                    parts = [(part, bits + [0]) for part, bits in parts]
                    continue
                for part, bits in parts:
                    for sign in (1, -1):
                        piece = _clip(
                            part,
                            lambda v, p=p, q=q, r=r, sign=sign: sign * (p * v[0] + q * v[1] + r),
                        )
                        if len(piece) >= 3 and _area2(piece) != 0:
                            nxt.append((piece, bits + [1 if sign > 0 else 0]))
                parts = nxt
            done += [(part, pattern + [bits]) for part, bits in parts]
        cells = done
    return [tuple(tuple(b) for b in pattern) for _, pattern in cells]


def regions(
    net: torch.nn.Sequential, box: tuple[float, float, float, float]
) -> list[tuple[tuple[int, ...], ...]]:
    """The activation patterns of the linear regions of ``net`` (Linear/ReLU, 2 inputs) on the box
    (x0, x1, y0, y1), one per region of positive area, found by exact clipping."""
    return regions_of_layers(_layers(net), box)


# σ as exact (kinks, slopes, intercepts per piece): piece i holds k_i ≤ z < k_(i+1) (approxlab's index).
_PIECES = {
    torch.nn.ReLU: lambda m: ([0], [0, 1], [0, 0]),
    torch.nn.LeakyReLU: lambda m: ([0], [m.negative_slope, 1], [0, 0]),
    torch.nn.Hardtanh: lambda m: ([m.min_val, m.max_val], [0, 1, 0], [m.min_val, 0, m.max_val]),
}


def intervals(net: torch.nn.Sequential, lo: float, hi: float) -> list[tuple[tuple[int, ...], ...]]:
    """The activation patterns (piece index per neuron) of the linear regions of ``net`` (Linear and
    ReLU / LeakyReLU / Hardtanh / ReLU6, 1 input) on [lo, hi], in order from lo: on each interval of
    the previous layers' pattern every neuron is an exact affine s t + c, cut where it meets a kink;
    neighbouring intervals with equal patterns are one region."""
    mods = list(net)
    cells = [(Fraction(lo), Fraction(hi), [(Fraction(1), Fraction(0))], [])]
    for lin, act in zip(mods[::2], mods[1::2]):
        w = [[Fraction(float(v)) for v in row] for row in lin.weight.detach().double().tolist()]
        b = [Fraction(float(v)) for v in lin.bias.detach().double().tolist()]
        kind = next(k for k in _PIECES if isinstance(act, k))
        kinks, slopes, icpts = ([Fraction(float(v)) for v in a] for a in _PIECES[kind](act))
        nxt = []
        for a, e, h, pattern in cells:
            z = [
                (
                    sum((r * s for r, (s, _) in zip(row, h)), Fraction(0)),
                    sum((r * c for r, (_, c) in zip(row, h)), Fraction(0)) + bj,
                )
                for row, bj in zip(w, b)
            ]
            roots = {(k - c) / s for s, c in z if s != 0 for k in kinks}
            cuts = sorted(q for q in roots if a < q < e)
            ends = [a, *cuts, e]
            for u, v in zip(ends[:-1], ends[1:]):
                mid = (u + v) / 2
                piece = [sum(s * mid + c >= k for k in kinks) for s, c in z]
                h_next = [(slopes[i] * s, slopes[i] * c + icpts[i]) for (s, c), i in zip(z, piece)]
                nxt.append((u, v, h_next, [*pattern, tuple(piece)]))
        cells = nxt
    out: list[tuple[tuple[int, ...], ...]] = []
    for *_, pattern in cells:
        if not out or out[-1] != tuple(pattern):
            out.append(tuple(pattern))
    return out


def pattern_at(net: torch.nn.Sequential, point) -> tuple[tuple[int, ...], ...]:
    """The piece index of every neuron (as approxlab's ``patterns()``) at a float64 point, from the
    net evaluated in exact rational arithmetic (Linear and the activations of :data:`_PIECES`)."""
    mods = list(net)
    h = [Fraction(float(v)) for v in point]
    out = []
    for lin, act in zip(mods[::2], mods[1::2]):
        w = [[Fraction(float(v)) for v in row] for row in lin.weight.detach().double().tolist()]
        b = [Fraction(float(v)) for v in lin.bias.detach().double().tolist()]
        kind = next(k for k in _PIECES if isinstance(act, k))
        kinks, slopes, icpts = ([Fraction(float(v)) for v in a] for a in _PIECES[kind](act))
        z = [sum((r * x for r, x in zip(row, h)), Fraction(0)) + bj for row, bj in zip(w, b)]
        piece = [sum(zj >= k for k in kinks) for zj in z]
        h = [slopes[i] * zj + icpts[i] for zj, i in zip(z, piece)]
        out.append(tuple(piece))
    return tuple(out)


def patterns_of(p) -> set[tuple[tuple[int, ...], ...]]:
    """The patterns of an approxlab partition, in the reference's form."""
    rows = np.concatenate(p.patterns(), axis=1) if p.patterns() else np.zeros((p.count, 0), np.int8)
    widths = np.cumsum([q.shape[1] for q in p.patterns()])[:-1]
    return {tuple(tuple(int(v) for v in part) for part in np.split(row, widths)) for row in rows}


def seeded(net: torch.nn.Module, seed: int) -> torch.nn.Module:
    """``net`` re-initialised by torch's default init under ``seed``, in float64 and eval mode."""
    torch.manual_seed(seed)
    for m in net.modules():
        if hasattr(m, "reset_parameters"):
            m.reset_parameters()
    return net.double().eval()
