"""Plain ``torch.nn.Sequential`` multilayer perceptrons and the activations they use.

A net built here is an ordinary PyTorch model: approxlab never wraps it. Layers
alternate ``Linear`` and an activation module:

    h^(0) = x,   h^(l) = σ(W^(l) h^(l-1) + b^(l)),   ŷ = W^(L+1) h^(L) + b^(L+1)

(seed 002, "Feedforward Network"). Parameters are float64 by default because
approxlab's analyses promise exactness; pass ``dtype=torch.float32`` for speed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from approxlab.errors import ApproxlabError, choose, require


class Step(nn.Module):
    """Heaviside threshold 1[z ≥ 0] (seed 003's threshold node); its gradient is zero."""

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return (z >= 0).to(z.dtype)


class Sin(nn.Module):
    """σ(z) = sin z."""

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sin(z)


class Cos(nn.Module):
    """σ(z) = cos z (a Stone–Weierstrass universal activation, seed 003)."""

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.cos(z)


class Exp(nn.Module):
    """σ(z) = exp z (a Stone–Weierstrass universal activation, seed 003)."""

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.exp(z)


class Abs(nn.Module):
    """σ(z) = |z| = relu(z) + relu(−z), piecewise linear with one kink."""

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.abs(z)


class Maxout(nn.Module):
    """Maxout layer (Goodfellow et al. 2013): y_i = max_{r < k} (W x + b)_{i·k + r}, i < out_features.

    One ``nn.Linear`` to ``out_features · pieces`` values, then the max over each group of
    ``pieces`` consecutive ones: piecewise linear, its regions are the cells of each group's argmax.

    >>> Maxout(2, 3, pieces=4)(torch.zeros(5, 2, dtype=torch.float64)).shape
    torch.Size([5, 3])
    """

    def __init__(
        self, in_features: int, out_features: int, pieces: int, dtype: torch.dtype = torch.float64
    ):
        super().__init__()
        require(pieces >= 1, f"a maxout unit needs at least one piece, got {pieces}")
        self.out_features, self.pieces = out_features, pieces
        self.linear = nn.Linear(in_features, out_features * pieces, dtype=dtype)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x).unflatten(-1, (self.out_features, self.pieces)).amax(dim=-1)


ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "step": Step,
    "linear": nn.Identity,
    "sin": Sin,
    "softplus": nn.Softplus,
    "gelu": nn.GELU,
    "abs": Abs,
    "cos": Cos,
    "exp": Exp,
}

MAX_UNITS = 1_000_000


def activation(name: str) -> nn.Module:
    """A fresh activation module by name, e.g. ``activation("sigmoid")``.

    >>> activation("relu")
    ReLU()
    """
    return ACTIVATIONS[choose("activation", name, ACTIVATIONS)]()


def activation_name(module: nn.Module) -> str | None:
    """The registry name of an activation module, or ``None`` if it is not one.

    >>> activation_name(torch.nn.Tanh())
    'tanh'
    """
    for name, factory in ACTIVATIONS.items():
        if type(module) is factory:
            return name
    return None


def mlp(
    in_dim: int,
    widths: Sequence[int] | int,
    out_dim: int = 1,
    activation: str = "relu",
    *,
    seed: int = 0,
    dtype: torch.dtype = torch.float64,
    out_activation: str | None = None,
) -> nn.Sequential:
    """A multilayer perceptron ``in_dim → widths[0] → … → widths[-1] → out_dim``.

    Hidden layers use ``activation``; the output is affine unless ``out_activation``
    is given. Weights use PyTorch's default initialisation drawn under ``seed``
    (the global RNG is left untouched), in ``dtype`` (float64 by default).

    >>> net = mlp(2, [6], activation="sigmoid")
    >>> net(torch.zeros(5, 2, dtype=torch.float64)).shape
    torch.Size([5, 1])
    """
    widths = [widths] if isinstance(widths, int) else list(widths)
    require(
        isinstance(in_dim, int) and in_dim >= 1,
        f"input dimension must be a positive integer, got {in_dim!r}",
    )
    require(
        isinstance(out_dim, int) and out_dim >= 1,
        f"output dimension must be a positive integer, got {out_dim!r}",
    )
    for w in widths:
        if not isinstance(w, int) or w < 1:
            raise ApproxlabError(
                f"every width must be a positive integer, got {w!r}: pass e.g. --width 6"
            )
    require(
        sum(widths) <= MAX_UNITS,
        f"{sum(widths)} hidden units exceed the limit of {MAX_UNITS}: use fewer or narrower layers",
    )
    choose("activation", activation, ACTIVATIONS)
    if out_activation is not None:
        choose("output activation", out_activation, ACTIVATIONS)
    sizes = [in_dim, *widths, out_dim]
    layers: list[nn.Module] = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(nn.Linear(n_in, n_out, dtype=dtype))
            if i < len(widths):
                layers.append(ACTIVATIONS[activation]())
    if out_activation is not None:
        layers.append(ACTIVATIONS[out_activation]())
    return nn.Sequential(*layers)


def count_params(net: nn.Module) -> int:
    """Number of trainable scalars; for an MLP it is Σ_l (n_l n_{l−1} + n_l) (seed 002).

    >>> count_params(mlp(2, [6]))
    25
    """
    return sum(p.numel() for p in net.parameters() if p.requires_grad)


def net_dtype(net: nn.Module) -> torch.dtype:
    """The floating dtype of a net's parameters (float64 when it has none)."""
    for p in net.parameters():
        return p.dtype
    return torch.float64


def in_features(net: nn.Module) -> int:
    """Input dimension of a net: its own ``in_features`` if it declares one (a Linear, or a
    model such as :class:`approxlab.qsa.models.Attention`), else that of its first ``Linear`` layer."""
    if isinstance(getattr(net, "in_features", None), int):
        return net.in_features
    for m in net.modules():
        if isinstance(m, nn.Linear):
            return m.in_features
    raise ApproxlabError(
        "the net has no Linear layer: approxlab analyses MLPs built from torch.nn.Linear"
    )
