"""Input features as in TensorFlow Playground: the net reads φ(x) = (φ_1(x), …, φ_k(x)), not x.

The features are x1, x2, x1², x2², x1·x2, sin(x1), sin(x2) (:data:`FEATURES`); a 1D problem
reads x as x1, and the features of x2 do not apply to it. The first layer then computes
σ(W φ(x) + b): with x1² and x2² one unit can draw a circle, which a unit on (x1, x2) cannot
(its level sets are lines). When every chosen feature is linear (x1, x2), φ(x) = P x for a
0/1 matrix P and the net is a plain MLP on x with first-layer weights W P (:func:`fold`):
that net is what regions, knots and model files read. With a non-linear feature the net is
not piecewise linear in x, and no plain MLP on x computes it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

import torch
from torch import nn

from approxlab.errors import ApproxlabError

FEATURES: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "x1": lambda X: X[:, 0],
    "x2": lambda X: X[:, 1],
    "x1^2": lambda X: X[:, 0] ** 2,
    "x2^2": lambda X: X[:, 1] ** 2,
    "x1*x2": lambda X: X[:, 0] * X[:, 1],
    "sin(x1)": lambda X: torch.sin(X[:, 0]),
    "sin(x2)": lambda X: torch.sin(X[:, 1]),
}
LINEAR = {"x1": 0, "x2": 1}  # the features that are coordinates: φ = P x with P's row e_i


def active(names: Sequence[str], dim: int) -> list[str]:
    """The chosen features that exist in ``dim`` dimensions, in :data:`FEATURES` order (a 1D
    problem has no x2); none left raises :class:`ApproxlabError`.

    >>> active(["x2^2", "x1", "x2"], 1)
    ['x1']
    """
    chosen = [f for f in FEATURES if f in names and (dim == 2 or "x2" not in f)]
    if not chosen:
        raise ApproxlabError(
            f"the features {', '.join(names)} all read x2, but the problem is 1D: "
            "tick x1, x1^2 or sin(x1) (x1 is x)"
        )
    return chosen


def raw(dim: int) -> list[str]:
    """The identity features of a ``dim``-dimensional problem: φ(x) = x.

    >>> raw(2)
    ['x1', 'x2']
    """
    return list(LINEAR)[:dim]


def features(names: Sequence[str], X: torch.Tensor) -> torch.Tensor:
    """φ(X): the (n, k) matrix whose column i is feature ``names[i]`` at the rows of X (n, d).

    >>> features(["x1", "x1*x2"], torch.tensor([[2.0, 3.0]])).tolist()
    [[2.0, 6.0]]
    """
    return torch.stack([FEATURES[f](X) for f in names], dim=1)


def is_linear(names: Sequence[str]) -> bool:
    """Are all features coordinates of x (so the net is a plain MLP on x)?"""
    return all(f in LINEAR for f in names)


def fold(net: nn.Sequential, names: Sequence[str], dim: int) -> nn.Sequential:
    """The plain MLP on x that computes ``net(φ(x))`` for linear features φ(x) = P x: a copy whose
    first Linear has weights W P (columns of the unused coordinates are zero).

    >>> from approxlab.nets import mlp
    >>> fold(mlp(1, [3]), ["x2"], 2)[0].weight.shape
    torch.Size([3, 2])
    """
    if not is_linear(names):
        raise ApproxlabError(
            f"the features {', '.join(n for n in names if n not in LINEAR)} are not linear in x: "
            "no plain MLP on x computes this net"
        )
    first = net[0]
    P = torch.zeros(len(names), dim, dtype=first.weight.dtype)
    for i, f in enumerate(names):
        P[i, LINEAR[f]] = 1.0
    out = copy.deepcopy(net)
    wide = nn.Linear(dim, first.out_features, bias=first.bias is not None, dtype=first.weight.dtype)
    with torch.no_grad():
        wide.weight.copy_(first.weight.detach() @ P)
        if first.bias is not None:
            wide.bias.copy_(first.bias.detach())
    out[0] = wide
    return out
