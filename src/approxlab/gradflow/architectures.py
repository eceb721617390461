"""The deep nets of the gradient-flow experiments: plain, residual and batch-normalised.

All are ``depth`` layers of ``width`` → ``width`` units in float64, as plain
``torch.nn.Sequential`` models:

- plain:      h^(l) = σ(W^(l) h^(l−1) + b^(l))                (seed 002, "Feedforward Network")
- residual:   h^(l) = h^(l−1) + σ(W^(l) h^(l−1) + b^(l))      (He et al. 2016)
- batchnorm:  h^(l) = σ(BN(W^(l) h^(l−1) + b^(l)))            (Ioffe & Szegedy 2015)

Weights are drawn by :func:`approxlab.scratch.init.draw_weights`, biases start at zero.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from approxlab.errors import choose
from approxlab.nets import activation as torch_activation
from approxlab.scratch.activations import ACTIVATIONS
from approxlab.scratch.init import SCHEMES, draw_weights

VARIANTS = ("plain", "residual", "batchnorm")


class Residual(nn.Module):
    """h ↦ h + σ(W h + b): the identity path carries the gradient past the layer."""

    def __init__(self, linear: nn.Linear, act: nn.Module) -> None:
        super().__init__()
        self.linear = linear
        self.act = act

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return h + self.act(self.linear(h))


def initialise(net: nn.Module, scheme: str, seed: int | np.random.SeedSequence = 0) -> nn.Module:
    """Redraw every ``nn.Linear`` weight of ``net`` from ``scheme`` (seeded) and zero its bias, in place.

    ``seed`` may be a :class:`numpy.random.SeedSequence`, so that a caller drawing its data from
    the same integer seed can give the weights an independent child stream (``SeedSequence.spawn``).

    >>> net = initialise(torch.nn.Sequential(torch.nn.Linear(4, 4, dtype=torch.float64)), "he")
    >>> float(net[0].bias.detach().abs().sum())
    0.0
    """
    choose("initialisation", scheme, SCHEMES)
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, nn.Linear):
                W = draw_weights(scheme, module.in_features, module.out_features, rng)
                module.weight.copy_(torch.from_numpy(W))
                if module.bias is not None:
                    module.bias.zero_()
    return net


def deep_net(
    depth: int,
    width: int,
    activation: str,
    *,
    variant: str = "plain",
    init: str = "standard",
    seed: int | np.random.SeedSequence = 0,
) -> nn.Sequential:
    """``depth`` float64 layers width → width with ``activation``, in ``variant`` form, weights from ``init``.

    >>> [type(m).__name__ for m in deep_net(2, 3, "tanh", variant="batchnorm")]
    ['Linear', 'BatchNorm1d', 'Tanh', 'Linear', 'BatchNorm1d', 'Tanh']
    """
    choose("activation", activation, ACTIVATIONS)
    choose("variant", variant, VARIANTS)
    layers: list[nn.Module] = []
    for _ in range(depth):
        linear = nn.Linear(width, width, dtype=torch.float64)
        if variant == "residual":
            layers.append(Residual(linear, torch_activation(activation)))
        elif variant == "batchnorm":
            layers += [
                linear,
                nn.BatchNorm1d(width, dtype=torch.float64),
                torch_activation(activation),
            ]
        else:
            layers += [linear, torch_activation(activation)]
    return initialise(nn.Sequential(*layers), init, seed)
