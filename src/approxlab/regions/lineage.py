"""The activation pattern of every region, kept as it is made: ancestors and sides, layer by layer.

A region after stage s lies in one region at the start of stage s (its ancestor) and
on one side of every kink of every neuron of stage s: the bits (z_j^(s) > k_i), packed
eight to a byte. Chasing ancestors gives the whole pattern ω of a region (seed 002
answer 2), exactly — never read at a sample point — and with it the affine maps
z^(l) = W_l D_{l−1} W_{l−1} ⋯ D_1 W_1 x + … of the region (exactly in
:mod:`approxlab.regions.exact`, or in float64 for all regions at once).

>>> import numpy as np
>>> from approxlab import mlp
>>> from approxlab.regions.layers import stages
>>> lin = Lineage(stages(mlp(2, [3])))
>>> lin.record(0, np.zeros(2, np.int64), np.packbits(np.array([[1, 0, 1], [0, 1, 1]], bool), axis=1))
>>> lin.pieces_all()[0].tolist()
[[1, 0, 1], [0, 1, 1]]
"""

from __future__ import annotations

import numpy as np

from approxlab.regions.exact import ExactNet
from approxlab.regions.layers import Stage, canonical

CHUNK = 1 << 22  # floats per block when composing the affine maps of many regions


def side_bits(z: np.ndarray, kinks: np.ndarray, passes: np.ndarray | None = None) -> np.ndarray:
    """Packed bits (z_j > k_i) for columns j·m + i, shape (rows, ⌈n·m/8⌉); 0 on pass-through neurons."""
    if len(kinks) == 1:
        above = z > kinks[0]
    else:
        above = (z[:, :, None] > kinks).reshape(len(z), -1)
    if passes is not None:
        above[:, np.repeat(passes, len(kinks))] = False
    return np.packbits(above, axis=1)


class Lineage:
    """Per activation stage s: ``ancestor[s]`` (regions after s → regions at the start of s)
    and ``bits[s]`` (regions after s, packed sides of every neuron·kink of s)."""

    def __init__(self, layers: list[Stage]):
        self.layers = layers
        self.ancestor: dict[int, np.ndarray] = {}
        self.bits: dict[int, np.ndarray] = {}
        self._exact: ExactNet | None = None
        self._inputs: dict[tuple[int, int], tuple] = {}

    def fork(self) -> Lineage:
        """A copy that records and caches on its own (the stages so far shared, read-only), for an
        attempt that may be abandoned: its regions after the fork are numbered its own way."""
        other = Lineage(self.layers)
        other.ancestor, other.bits = dict(self.ancestor), dict(self.bits)
        other._exact, other._inputs = self._exact, dict(self._inputs)
        return other

    def record(self, stage: int, ancestor: np.ndarray, bits: np.ndarray) -> None:
        self.ancestor[stage] = ancestor
        self.bits[stage] = bits

    def _pieces(self, stage: int, bits: np.ndarray) -> np.ndarray:
        act = self.layers[stage].activation
        n, m = self.layers[stage].width, len(act.kinks)
        flat = np.unpackbits(bits, axis=-1, count=n * m)
        out = flat.reshape(*flat.shape[:-1], n, m).sum(axis=-1).astype(np.int8)
        if act.passes is not None:
            out[..., act.passes] = m + 1
        return out

    def pieces(self, stage: int, region: int) -> list[np.ndarray]:
        """Piece indices of σ_s (width_s,) for every stage s < ``stage``, for a region at the start of ``stage``."""
        out: list[np.ndarray] = [np.zeros(0, np.int8)] * stage
        idx = region
        for s in range(stage - 1, -1, -1):
            if s in self.bits:
                out[s] = self._pieces(s, self.bits[s][idx])
                idx = int(self.ancestor[s][idx])
        return out

    def pieces_all(self) -> list[np.ndarray]:
        """For the final regions: per activation stage, (F, width) int8 piece indices (ReLU: 1 on, 0 off;
        games of a max tournament off their winner's path 0, :func:`~approxlab.regions.layers.canonical`)."""
        stages_done = sorted(self.bits)
        if not stages_done:
            return []
        idx = np.arange(len(self.bits[stages_done[-1]]))
        out = {}
        for s in reversed(stages_done):
            out[s] = self._pieces(s, self.bits[s][idx])
            idx = self.ancestor[s][idx]
        return canonical(self.layers, stages_done, [out[s] for s in stages_done])

    @property
    def has_games(self) -> bool:
        """Does some stage hold the games of a max tournament?"""
        return any(s.activation is not None and s.activation.games is not None for s in self.layers)

    def keep(self, regions: np.ndarray) -> None:
        """Keep only the final regions ``regions`` (in this order): one per merged region."""
        last = max(self.bits)
        self._inputs = {key: v for key, v in self._inputs.items() if key[0] <= last}
        self.bits[last] = self.bits[last][regions]
        self.ancestor[last] = self.ancestor[last][regions]

    def packed(self) -> np.ndarray:
        """One row of bytes per final region: its whole pattern (equal rows ⇔ equal patterns)."""
        stages_done = sorted(self.bits)
        if not stages_done:
            return np.zeros((1, 0), np.uint8)
        if self.has_games:
            return np.concatenate(self.pieces_all(), axis=1).view(np.uint8)
        last = stages_done[-1]
        parts, idx = [self.bits[last]], self.ancestor[last]
        for s in reversed(stages_done[:-1]):
            parts.append(self.bits[s][idx])
            idx = self.ancestor[s][idx]
        return np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0]

    def line(self, stage: int, region: int, line_stage: int, neuron: int, kink: int) -> tuple:
        """Exact integer line z_neuron^(line_stage) = k_kink on a region at the start of ``stage``."""
        if self._exact is None:
            self._exact = ExactNet(self.layers)
        for s in range(
            stage - 1, line_stage - 1, -1
        ):  # the region's ancestor at line_stage's start
            if s in self.bits:
                region = int(self.ancestor[s][region])
        h, eh = self._input(line_stage, region)
        return self._exact.line(line_stage, h, eh, neuron, kink)

    def _input(self, stage: int, region: int) -> tuple:
        """Exact input H, e of ``stage`` on a region at its start (:meth:`ExactNet.before`), one stage
        from its ancestor's, kept: regions sharing ancestors share their products (a 1D 1→256⁴ net
        placing 75 points exactly multiplied 256 × 256 integer matrices 702 times, all from stage 0)."""
        key = (stage, region)
        if key not in self._inputs:
            s = stage - 1
            if s < 0:
                self._inputs[key] = self._exact.start()
            else:
                parent = int(self.ancestor[s][region]) if s in self.bits else region
                h, eh = self._input(s, parent)
                pieces = self._pieces(s, self.bits[s][region])
                self._inputs[key] = self._exact.after(s, h, eh, pieces)
        return self._inputs[key]

    def affine_maps(self) -> tuple[np.ndarray, np.ndarray]:
        """(A (F, out, k), c (F, out)) of the final regions from their patterns, float64:
        z^(l+1) = W_{l+1} (s_ω ⊙ z^(l) + i_ω) + b_{l+1}, composed as [t; 1] ↦ matrices, block by block."""
        pieces = self.pieces_all()
        acts = [s for s, st in enumerate(self.layers) if st.activation is not None]
        f_total = len(pieces[0]) if pieces else 1
        k = self.layers[0].weight.shape[1]
        widest = max(st.width for st in self.layers)
        block = max(1, CHUNK // (widest * (k + 1)))
        a_out, c_out = [], []
        for lo in range(0, f_total, block):
            hi = min(lo + block, f_total)
            first = self.layers[0]
            z = np.broadcast_to(
                np.concatenate([first.weight, first.bias[:, None]], axis=1),
                (hi - lo, first.width, k + 1),
            ).copy()
            for s, st in enumerate(self.layers[1:], start=1):
                prev = self.layers[s - 1].activation
                p = pieces[acts.index(s - 1)][lo:hi]
                h = z * prev.slope[p][:, :, None]
                h[:, :, k] += prev.intercept[p]
                n_in = h.shape[1]
                flat = h.transpose(1, 0, 2).reshape(n_in, -1)
                z = (st.weight @ flat).reshape(st.width, hi - lo, k + 1).transpose(1, 0, 2).copy()
                z[:, :, k] += st.bias
            if self.layers[-1].activation is not None:
                last = self.layers[-1].activation
                p = pieces[-1][lo:hi]
                z = z * last.slope[p][:, :, None]
                z[:, :, k] += last.intercept[p]
            a_out.append(z[:, :, :k])
            c_out.append(z[:, :, k])
        return np.concatenate(a_out), np.concatenate(c_out)
