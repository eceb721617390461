"""Gradient flow at initialisation: vanishing gradients, their bound, and initialisation.

``gradient_flow(depth, width, activation, variant=..., init=...)`` builds a deep net
(plain, residual or batch-normalised), runs one backward pass and returns per-layer
‖δ^(l)‖, ‖∂L/∂W^(l)‖, ‖W^(l)‖₂, Var(h^(l)) and, for plain nets, seed 002's bound
‖δ^(l)‖ ≤ ‖δ^(L)‖ Π_{k>l} ‖W^(k)‖₂ max|σ'|. ``layer_statistics`` does the same for any
torch MLP a user already has.

>>> from approxlab.gradflow import gradient_flow
>>> gradient_flow(10, 16, "relu", init="he", batch=8).depth
10
"""

from approxlab.gradflow.architectures import VARIANTS, Residual, deep_net, initialise
from approxlab.gradflow.experiment import GradFlow, gradient_flow
from approxlab.gradflow.memory import MEMORY_LIMIT_BYTES, estimate_bytes, require_memory
from approxlab.gradflow.statistics import (
    LayerStatistics,
    layer_statistics,
    spectral_norm,
    vanishing_bound,
)

__all__ = [
    "MEMORY_LIMIT_BYTES",
    "VARIANTS",
    "GradFlow",
    "LayerStatistics",
    "Residual",
    "deep_net",
    "estimate_bytes",
    "gradient_flow",
    "initialise",
    "layer_statistics",
    "require_memory",
    "spectral_norm",
    "vanishing_bound",
]
