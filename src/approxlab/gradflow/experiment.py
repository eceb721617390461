"""One gradient-flow experiment: a deep net at initialisation, its statistics layer by layer.

Inputs x ~ N(0, I) and targets y ~ N(0, I) of dimension ``width`` (seeded; the data and the
weights come from independent ``SeedSequence.spawn`` children of the seed), a net from
:func:`approxlab.gradflow.architectures.deep_net`, and one backward pass of
½·mean‖ŷ − y‖² (seed 002, Example 2; practice 3). Memory is checked first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from approxlab.gradflow.architectures import deep_net
from approxlab.gradflow.memory import require_memory
from approxlab.gradflow.statistics import LayerStatistics, layer_statistics, vanishing_bound
from approxlab.scratch.activations import activation as scratch_activation


@dataclass
class GradFlow:
    """The settings of a run and its :class:`LayerStatistics`; ``bound`` only for plain nets."""

    depth: int
    width: int
    activation: str
    variant: str
    init: str
    batch: int
    seed: int
    stats: LayerStatistics
    bound: np.ndarray | None

    @property
    def first_to_last(self) -> float:
        """‖δ^(1)‖ / ‖δ^(L)‖: how much the error signal shrinks (< 1) or grows on its way down."""
        return float(self.stats.delta_norm[0] / self.stats.delta_norm[-1])

    @property
    def decay_per_layer(self) -> float:
        """(‖δ^(1)‖ / ‖δ^(L)‖)^(1/(L−1)), the geometric mean factor per layer."""
        return self.first_to_last ** (1.0 / max(self.depth - 1, 1))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready settings, per-layer arrays, bound and summary ratios."""
        return {
            "depth": self.depth,
            "width": self.width,
            "activation": self.activation,
            "variant": self.variant,
            "init": self.init,
            "batch": self.batch,
            "seed": self.seed,
            **self.stats.to_dict(),
            "bound": None if self.bound is None else self.bound.tolist(),
            "first_to_last": self.first_to_last,
            "decay_per_layer": self.decay_per_layer,
        }


def gradient_flow(
    depth: int,
    width: int,
    activation: str,
    *,
    variant: str = "plain",
    init: str = "standard",
    batch: int = 128,
    seed: int = 0,
    bound: bool = True,
) -> GradFlow:
    """Per-layer ‖δ^(l)‖, ‖∂L/∂W^(l)‖, ‖W^(l)‖₂ and Var(h^(l)) of a fresh deep net, float64.

    For plain nets and ``bound=True`` it adds ‖W^(l)‖₂ and seed 002's bound
    ‖δ^(L)‖ Π_{k>l} ‖W^(k)‖₂ max|σ'|.

    >>> run = gradient_flow(10, 32, "sigmoid", batch=16)
    >>> run.first_to_last < 0.25 ** 9
    True
    """
    require_memory(depth, width, batch)
    # Independent streams: drawn from one generator, Gaussian first-layer weights would be a
    # rescaled copy of the inputs and Var z^(1) would double.
    data_stream, weight_stream = np.random.SeedSequence(seed).spawn(2)
    rng = np.random.default_rng(data_stream)
    X = torch.from_numpy(rng.normal(size=(batch, width)))
    Y = torch.from_numpy(rng.normal(size=(batch, width)))
    net = deep_net(depth, width, activation, variant=variant, init=init, seed=weight_stream)
    with_bound = bound and variant == "plain"
    stats = layer_statistics(net, X, Y, spectral=with_bound)
    limit = None
    if with_bound:
        limit = vanishing_bound(
            stats.delta_norm[-1], stats.spectral_norm, scratch_activation(activation).max_prime
        )
    return GradFlow(depth, width, activation, variant, init, batch, seed, stats, limit)
