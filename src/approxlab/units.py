"""Two-layer networks read unit by unit.

A two-layer net computes

    N(x) = c + Σ_{j=1..m} a_j σ(w_j·x + b_j)

(seed 003, "Basic shallow network", eq. (1), with an output bias c). Unit j's
*contribution* is a_j σ(w_j·x + b_j); the contributions plus c sum to the output.
This module extracts (W, b, a, c, σ) from a plain ``Sequential(Linear, act, Linear)``
and evaluates the contributions in float64.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from approxlab.errors import ApproxlabError
from approxlab.nets import ACTIVATIONS, activation_name


@dataclass(frozen=True)
class TwoLayer:
    """Parameters of N(x) = c + Σ_j a_j σ(w_j·x + b_j), float64 NumPy arrays.

    ``W`` is (m, d), ``b`` (m,), ``a`` (k, m) for k outputs, ``c`` (k,);
    ``activation`` is a name from :data:`approxlab.nets.ACTIVATIONS`.
    """

    W: np.ndarray
    b: np.ndarray
    a: np.ndarray
    c: np.ndarray
    activation: str
    module: nn.Module

    @property
    def width(self) -> int:
        return self.W.shape[0]

    @property
    def dim(self) -> int:
        return self.W.shape[1]

    def preactivations(self, X: np.ndarray) -> np.ndarray:
        """z_j(x) = w_j·x + b_j at the rows of X: shape (n, m)."""
        return np.asarray(X, dtype=np.float64) @ self.W.T + self.b

    def activations(self, X: np.ndarray) -> np.ndarray:
        """σ(z_j(x)): shape (n, m), computed by the net's own activation module in float64."""
        z = torch.as_tensor(self.preactivations(X), dtype=torch.float64)
        with torch.no_grad():
            return self.module(z).numpy()

    def contributions(self, X: np.ndarray, output: int = 0) -> np.ndarray:
        """a_j σ(w_j·x + b_j) for every unit j: shape (n, m); add ``c[output]`` to sum to N(x)."""
        return self.activations(X) * self.a[output]


def two_layer(net: nn.Module) -> TwoLayer:
    """Read a ``Sequential(Linear(d, m), activation, Linear(m, k))`` as a :class:`TwoLayer`.

    Any other shape raises :class:`ApproxlabError` saying what is supported.

    >>> from approxlab.nets import mlp
    >>> two_layer(mlp(2, [6], activation="sigmoid")).width
    6
    """
    layers = list(net) if isinstance(net, nn.Sequential) else [net]
    ok = (
        len(layers) == 3
        and isinstance(layers[0], nn.Linear)
        and isinstance(layers[2], nn.Linear)
        and activation_name(layers[1]) is not None
    )
    if not ok:
        kinds = ", ".join(type(m).__name__ for m in layers)
        raise ApproxlabError(
            f"expected a two-layer net Sequential(Linear, activation, Linear), got ({kinds}): "
            f"build one with approxlab.mlp(d, [m], activation=...) using one of {', '.join(ACTIVATIONS)}"
        )
    first, act, last = layers

    def array(p: torch.Tensor | None, shape: tuple[int, ...]) -> np.ndarray:
        return np.zeros(shape) if p is None else p.detach().to(torch.float64).numpy().copy()

    return TwoLayer(
        W=array(first.weight, (first.out_features, first.in_features)),
        b=array(first.bias, (first.out_features,)),
        a=array(last.weight, (last.out_features, last.in_features)),
        c=array(last.bias, (last.out_features,)),
        activation=activation_name(act),
        module=act,
    )


def contributions(net: nn.Module, X: np.ndarray, output: int = 0) -> tuple[np.ndarray, float]:
    """Per-unit contributions a_j σ(w_j·x + b_j) at the rows of ``X`` and the output bias c.

    ``contributions(net, X)[0].sum(1) + c`` equals ``net(X)`` (to float64 round-off).

    >>> from approxlab.nets import mlp
    >>> net = mlp(1, [3], activation="tanh")
    >>> parts, c = contributions(net, np.zeros((2, 1)))
    >>> parts.shape
    (2, 3)
    """
    t = two_layer(net)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1 and t.dim == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[1] != t.dim:
        raise ApproxlabError(
            f"the net takes {t.dim} inputs, got points of shape {X.shape}: pass an (n, {t.dim}) array"
        )
    return t.contributions(X, output), float(t.c[output])
