"""Scratch MLP ↔ ``torch.nn.Sequential``: the same weights, the same outputs.

``W^(l)`` is stored (n_l, n_{l−1}) like ``nn.Linear.weight``, so converting is a copy
in float64. Hidden activations map to approxlab's modules (``approxlab.nets``); the
output activation becomes a final module (none for linear, ``nn.Softmax(dim=-1)`` for
softmax), as ``approxlab.mlp(..., out_activation=...)`` builds it.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from approxlab.errors import ApproxlabError
from approxlab.nets import activation as torch_activation
from approxlab.nets import activation_name
from approxlab.scratch.activations import ACTIVATIONS
from approxlab.scratch.mlp import MLP


def to_torch(net: MLP) -> nn.Sequential:
    """The float64 ``nn.Sequential`` computing the same function as ``net``.

    >>> from approxlab.scratch.mlp import init_mlp
    >>> to_torch(init_mlp([2, 3, 1], "relu", "sigmoid"))
    Sequential(
      (0): Linear(in_features=2, out_features=3, bias=True)
      (1): ReLU()
      (2): Linear(in_features=3, out_features=1, bias=True)
      (3): Sigmoid()
    )
    """
    layers: list[nn.Module] = []
    for l, (W, b) in enumerate(zip(net.weights, net.biases), start=1):
        linear = nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(W)))
            linear.bias.copy_(torch.from_numpy(np.ascontiguousarray(b)))
        layers.append(linear)
        if l < net.depth:
            layers.append(torch_activation(net.activation))
    if net.output == "softmax":
        layers.append(nn.Softmax(dim=-1))
    elif net.output != "linear":
        layers.append(torch_activation(net.output))
    return nn.Sequential(*layers)


def _name(module: nn.Module) -> str:
    if isinstance(module, nn.Softmax):
        return "softmax"
    name = activation_name(module)
    if name not in ACTIVATIONS:
        raise ApproxlabError(
            f"the scratch MLP has no activation {type(module).__name__}: "
            f"use one of {', '.join(sorted(ACTIVATIONS))} (or softmax at the end)"
        )
    return name


def from_torch(seq: nn.Sequential) -> MLP:
    """The scratch MLP (float64 copies of the weights) of a Linear/activation ``nn.Sequential``.

    Layers must alternate ``Linear`` and one hidden activation, optionally ending in an
    output activation, e.g. ``approxlab.mlp(2, [8], activation="tanh", out_activation="sigmoid")``.

    >>> import approxlab
    >>> from_torch(approxlab.mlp(2, [4, 4], activation="tanh")).sizes
    [2, 4, 4, 1]
    """
    modules = list(seq)
    layers: list[tuple[nn.Linear, str]] = []  # each Linear with the activation after it
    for i, module in enumerate(modules):
        if isinstance(module, nn.Linear):
            if module.bias is None:
                raise ApproxlabError(f"layer {i} is a Linear without bias: build it with bias=True")
            layers.append((module, "linear"))
        elif layers and layers[-1][1] == "linear" and isinstance(modules[i - 1], nn.Linear):
            layers[-1] = (layers[-1][0], _name(module))
        else:
            raise ApproxlabError(
                f"module {i} ({type(module).__name__}) breaks the Linear/activation pattern: "
                "start with nn.Linear and put one activation after each Linear"
            )
    if not layers:
        raise ApproxlabError(
            "the Sequential has no Linear layer: pass Linear and activation modules"
        )
    hidden = {name for _, name in layers[:-1]}
    if len(hidden) > 1 or "softmax" in hidden:
        raise ApproxlabError(
            f"hidden layers use {sorted(hidden)}: the scratch MLP has one elementwise hidden activation"
        )
    weights = [linear.weight.detach().to(torch.float64).numpy().copy() for linear, _ in layers]
    biases = [linear.bias.detach().to(torch.float64).numpy().copy() for linear, _ in layers]
    return MLP(weights, biases, hidden.pop() if hidden else "tanh", layers[-1][1])
