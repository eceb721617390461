"""A ``torch.nn.Linear`` layer with weights given by a construction (float64)."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


def linear(weight, bias) -> nn.Linear:
    """``Linear`` with ``weight`` (out × in) and ``bias`` (out) copied in float64.

    >>> linear([[2.0, -4.0]], [0.0]).weight.shape
    torch.Size([1, 2])
    """
    w = np.asarray(weight, dtype=np.float64)
    layer = nn.Linear(w.shape[1], w.shape[0], dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(w))
        layer.bias.copy_(torch.from_numpy(np.asarray(bias, dtype=np.float64).reshape(-1)))
    return layer
