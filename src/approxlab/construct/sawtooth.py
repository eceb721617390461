"""Telgarsky's hat and sawtooth (seed 003, "Width vs depth").

The hat h(x) = 2σ(x) − 4σ(x − ½), σ = ReLU, maps [0, 1] onto [0, 1] with one peak at
½; composing it n times gives the sawtooth h^{∘n} with 2^{n−1} teeth, i.e. 2^n linear
pieces on [0, 1], from only 2n ReLU units — depth buys exponentially many pieces.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from approxlab.construct.layers import linear
from approxlab.errors import require

if TYPE_CHECKING:
    from approxlab.construct.certificate import Certificate


def _hat_layer() -> nn.Linear:
    """The two hat units σ(x) and σ(x − ½) as one Linear(1 → 2), float64."""
    return linear([[1.0], [1.0]], [0.0, -0.5])


def hat_net() -> nn.Sequential:
    """The hat h(x) = 2σ(x) − 4σ(x − ½) as a float64 ReLU net 1 → 2 → 1 (seed 003).

    On [0, 1]: h(x) = 2x for x ≤ ½ and 2 − 2x for x ≥ ½.

    >>> net = hat_net()
    >>> float(net(torch.tensor([[0.25]], dtype=torch.float64)).detach())
    0.5
    """
    return nn.Sequential(_hat_layer(), nn.ReLU(), linear([[2.0, -4.0]], [0.0]))


def sawtooth_net(n: int) -> nn.Sequential:
    """h composed n times, h^{∘n}, as a float64 ReLU net with n hidden layers of width 2.

    Hidden layer l holds (σ(y), σ(y − ½)) of y = h^{∘(l−1)}(x); the output map
    2σ(y) − 4σ(y − ½) of one layer is folded into the next layer's input weights, so
    the net has exactly 2n ReLU units and 2^n linear pieces on [0, 1] (seed 003,
    Telgarsky 2016). Layers: Linear(1,2), ReLU, [Linear(2,2), ReLU] × (n−1), Linear(2,1).

    >>> net = sawtooth_net(2)
    >>> float(net(torch.tensor([[0.25]], dtype=torch.float64)).detach())
    1.0
    """
    require(
        isinstance(n, int) and n >= 1,
        f"the sawtooth needs n ≥ 1 compositions, got {n!r}: pass e.g. n=3",
    )
    layers: list[nn.Module] = [_hat_layer(), nn.ReLU()]
    for _ in range(n - 1):
        # y = 2a − 4b feeds both units of the next hat: rows (y, y − ½).
        layers += [linear([[2.0, -4.0], [2.0, -4.0]], [0.0, -0.5]), nn.ReLU()]
    layers.append(linear([[2.0, -4.0]], [0.0]))
    return nn.Sequential(*layers)


def pieces_and_peaks(net: nn.Module, lo: float = 0.0, hi: float = 1.0) -> tuple[int, int]:
    """(linear pieces, peaks) of a 1D ReLU net on [lo, hi], counted exactly by
    :func:`approxlab.regions.partition` (no sampling): pieces are maximal affine intervals,
    peaks are breakpoints higher than both neighbours. Seed 003's "2^n spikes" of h^{∘n}
    are 2^{n−1} peaks and 2^n pieces.

    >>> pieces_and_peaks(sawtooth_net(3))
    (8, 4)
    """
    from approxlab.regions import partition

    p = partition(net, (lo, hi), max_regions=4 * 2**20)
    v = p.values[:, 0]
    peaks = int(np.sum((v[1:-1] > v[:-2]) & (v[1:-1] > v[2:])))
    return p.linear_pieces(), peaks


def sawtooth(n: int) -> tuple[nn.Sequential, Certificate]:
    """:func:`sawtooth_net` with its certificate: exact (bound 0) against h^{∘n} on a dyadic grid,
    with its pieces and peaks measured by :func:`pieces_and_peaks`.

    >>> net, cert = sawtooth(3)
    >>> cert.units, cert.details["pieces"], cert.details["peaks"], cert.measured
    (6, 8, 4, 0.0)
    """
    from approxlab.construct.certificate import certify

    net = sawtooth_net(n)
    x = np.linspace(0.0, 1.0, 2 ** (n + 2) * max(1, 4096 >> (n + 2)) + 1)
    y = x.copy()
    for _ in range(n):
        y = np.where(y <= 0.5, 2 * y, 2 - 2 * y)
    with torch.no_grad():
        out = net(torch.from_numpy(x).reshape(-1, 1)).numpy().ravel()
    pieces, peaks = pieces_and_peaks(net)
    return net, certify(
        net,
        construction="sawtooth",
        theorem="seed 003 (Telgarsky 2016): h^(∘n) from 2n ReLU units, 2^n pieces",
        bound=0.0,
        norm="sup",
        measured=float(np.max(np.abs(out - y))),
        bound_origin="exact construction (float64 round-off only; dyadic grid points are exact)",
        n=n,
        pieces=pieces,
        peaks=peaks,
    )
