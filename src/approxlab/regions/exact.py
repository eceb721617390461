"""Exact arithmetic on the float64 inputs: affine maps of a region and signs at vertices.

Every float64 number is a dyadic rational m·2^e, so a net's weights, a region's affine
maps z^(l)(t) = Z_l [t; 1] (products of masked weight matrices, seed 002 answer 2) and a
vertex where two bend lines meet are exact rationals. Here they are Python integers
with one power-of-two exponent per matrix: an affine map is an integer matrix Z and e
with z = Z·2^e; a point of the plane is homogeneous (X, Y, D), t = (X/D, Y/D). The
sign of a line p t₁ + q t₂ + r at a point is then sign(pX + qY + rD) with D > 0, an
exact predicate (Shewchuk 1997's idea, with big integers instead of expansions).

The partitions use it only where the float64 value is within its error bound of a kink
(an error-bounded filter): then the sign is read here exactly.

>>> import numpy as np
>>> ints, e = dyadic(np.array([0.5, 3.0]))
>>> [int(v) * 2.0**e for v in ints]
[0.5, 3.0]
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from approxlab.regions.layers import Stage


def dyadic(a: np.ndarray) -> tuple[np.ndarray, int]:
    """(M, e) with a = M·2^e exactly: M an object array of Python ints, e one exponent."""
    a = np.asarray(a, dtype=np.float64)
    mant, expo = np.frexp(a)
    m = (mant * 2.0**53).astype(np.int64)
    expo = expo.astype(np.int64) - 53
    nz = m != 0
    e = int(expo[nz].min()) if nz.any() else 0
    out = np.empty(a.shape, dtype=object)
    flat = out.reshape(-1)
    for i, (mi, ei) in enumerate(zip(m.reshape(-1).tolist(), expo.reshape(-1).tolist())):
        flat[i] = mi << (ei - e) if mi else 0
    return out, e


def _align(a: np.ndarray, ea: int, b: np.ndarray, eb: int) -> tuple[np.ndarray, np.ndarray, int]:
    e = min(ea, eb)
    return a * (1 << (ea - e)), b * (1 << (eb - e)), e


class ExactNet:
    """The stages in exact integer form; affine maps of z^(l) on a region given its pattern.

    ``pieces[s]`` (width_s,) are the piece indices of σ_s on the region for every stage s < l.
    """

    def __init__(self, layers: list[Stage]):
        self.layers = layers
        self._stages: dict[int, tuple] = {}
        self._rows: dict[tuple[int, int], tuple] = {}
        self._kinks: dict[int, tuple] = {}

    def stage(self, s: int) -> tuple:
        """(weights, biases, kinks, slopes, intercepts) of stage s as (M, e) pairs (None without an
        activation), converted on first use: a sign decided in layer l needs stages ≤ l only."""
        if s not in self._stages:
            st, act = self.layers[s], self.layers[s].activation
            self._stages[s] = (
                dyadic(st.weight),
                dyadic(st.bias),
                *(
                    (dyadic(act.kinks), dyadic(act.slope), dyadic(act.intercept))
                    if act is not None
                    else (None, None, None)
                ),
            )
        return self._stages[s]

    def row(self, s: int, neuron: int) -> tuple:
        """(weights (1, in), bias (1,)) of one neuron of stage s as (M, e) pairs: a line needs its
        own row only (on 2→256³ this spares converting and multiplying the 256 × 256 matrix)."""
        key = (s, neuron)
        if key not in self._rows:
            st = self.layers[s]
            self._rows[key] = (
                dyadic(st.weight[neuron : neuron + 1]),
                dyadic(st.bias[neuron : neuron + 1]),
            )
        return self._rows[key]

    def kinks(self, s: int) -> tuple[np.ndarray, int]:
        """The kinks of stage s's activation as (M, e)."""
        if s not in self._kinks:
            self._kinks[s] = dyadic(self.layers[s].activation.kinks)
        return self._kinks[s]

    def start(self) -> tuple[np.ndarray, int]:
        """H, e of the input of stage 0: the identity [t; 1] ↦ t."""
        k = self.layers[0].weight.shape[1]
        h = np.zeros((k, k + 1), dtype=object)
        for i in range(k):
            h[i, i] = 1
        return h, 0

    def after(self, s: int, h: np.ndarray, eh: int, pieces: np.ndarray) -> tuple[np.ndarray, int]:
        """H, e of the input of stage s + 1 from that of stage s, on a region where σ_s takes the
        piece ``pieces`` (width_s,) of each neuron: h ↦ slope ⊙ (W h + b) + intercept, exact."""
        k = self.layers[0].weight.shape[1]
        (w, ew), (b, eb), _, slopes, intercepts = self.stage(s)
        z, ez = _apply(w, ew, b, eb, h, eh, k)
        p = np.asarray(pieces)
        (slope, es), (icpt, ei) = slopes, intercepts
        h = z * slope[p][:, None]
        eh = es + ez
        if any(icpt):
            last, add, eh2 = _align(h[:, k], eh, icpt[p], ei)
            h = h * (1 << (eh - eh2))
            h[:, k] = last + add
            eh = eh2
        return h, eh

    def before(self, stage: int, pieces: list[np.ndarray]) -> tuple[np.ndarray, int]:
        """H (width of stage − 1, k+1) object ints and e: the input of ``stage``, h(t) = H [t; 1] · 2^e,
        on the region (the identity [t; 1] ↦ t for stage 0)."""
        h, eh = self.start()
        for s in range(stage):
            h, eh = self.after(s, h, eh, pieces[s])
        return h, eh

    def line(self, stage: int, h: np.ndarray, eh: int, neuron: int, kink: int) -> tuple:
        """Integer coefficients of z_neuron − k_kink of ``stage`` from its input H, e (:meth:`before`):
        (p, q, r) in 2D, (p, r) in 1D."""
        (w, ew), (b, eb) = self.row(stage, neuron)
        z, ez = _apply(w, ew, b, eb, h, eh, self.layers[0].weight.shape[1])
        kv, ek = self.kinks(stage)
        e = min(ez, ek)
        row = [int(v) << (ez - e) for v in z[0]]
        row[-1] -= int(kv[kink]) << (ek - e)
        return tuple(row)


def _apply(w: np.ndarray, ew: int, b: np.ndarray, eb: int, h: np.ndarray, eh: int, k: int):
    """W (H [t; 1]) + b as Z [t; 1] · 2^e: (Z, e), exact."""
    z = w.dot(h)
    col, bias, ez = _align(z[:, k], ew + eh, b, eb)
    z = z * (1 << (ew + eh - ez))
    z[:, k] = col + bias
    return z, ez


def boundary_line(a: np.ndarray, b: np.ndarray) -> tuple[int, int, int]:
    """Integer (p, q, r) of the line through the float64 points a and b (exact)."""
    ax, ay, bx, by = (Fraction(float(v)) for v in (a[0], a[1], b[0], b[1]))
    p, q = ay - by, bx - ax
    r = -(p * ax + q * ay)
    return _clear(p, q, r)


def _clear(*values: Fraction) -> tuple[int, ...]:
    den = 1
    for v in values:
        den = math.lcm(den, v.denominator)  # Python ints: np.gcd overflows past 64 bits
    return tuple(int(v * den) for v in values)


def meet(l1: tuple[int, int, int], l2: tuple[int, int, int]) -> tuple[int, int, int]:
    """Homogeneous (X, Y, D), D > 0, of the crossing of two lines p t₁ + q t₂ + r = 0 (Cramer)."""
    p1, q1, r1 = l1
    p2, q2, r2 = l2
    d = p1 * q2 - p2 * q1
    if d == 0:
        raise ArithmeticError("parallel lines have no crossing")
    x, y = q1 * r2 - q2 * r1, r1 * p2 - r2 * p1
    return (x, y, d) if d > 0 else (-x, -y, -d)


def point(t: np.ndarray) -> tuple[int, int, int]:
    """Homogeneous integers of a float64 point (exact)."""
    return _clear(Fraction(float(t[0])), Fraction(float(t[1])), Fraction(1))


def sign_at(line: tuple[int, int, int], x: tuple[int, int, int]) -> int:
    """Exact sign of p t₁ + q t₂ + r at the homogeneous point x (D > 0)."""
    v = line[0] * x[0] + line[1] * x[1] + line[2] * x[2]
    return (v > 0) - (v < 0)
