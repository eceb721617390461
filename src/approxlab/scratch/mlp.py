"""A multilayer perceptron with backprop written out by hand, NumPy float64 (seed 002).

One column per example. With h^(0) = x (the input, (n_0, n)) the forward pass is

    z^(l) = W^(l) h^(l−1) + b^(l),   h^(l) = σ(z^(l)),   l = 1 … L,   ŷ = h^(L)

and backprop (seed 002, Example 1) runs the error signal δ^(l) = ∂L/∂z^(l) backwards:

    δ^(L) = ∇_h L ⊙ σ'(z^(L))
    δ^(l) = (W^(l+1))ᵀ δ^(l+1) ⊙ σ'(z^(l))
    ∂L/∂W^(l) = δ^(l) (h^(l−1))ᵀ,   ∂L/∂b^(l) = δ^(l) summed over the examples

Hidden layers use ``activation``, the last layer ``output``. W^(l) is (n_l, n_{l−1}),
the layout of ``torch.nn.Linear.weight``, so conversion is a copy (see convert.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from approxlab.errors import ApproxlabError, choose, require
from approxlab.scratch.activations import ACTIVATIONS, activation, softmax
from approxlab.scratch.init import draw_weights
from approxlab.scratch.losses import loss as get_loss
from approxlab.scratch.losses import target_matrix

OUTPUTS = (*ACTIVATIONS, "softmax")


@dataclass
class MLP:
    """Weights W^(1…L) ((n_l, n_{l−1}) each), biases b^(1…L) ((n_l,) each), float64.

    >>> net = init_mlp([2, 3, 1], activation="tanh")
    >>> net.sizes, net.depth
    ([2, 3, 1], 2)
    """

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    activation: str = "tanh"
    output: str = "linear"

    def __post_init__(self) -> None:
        choose("activation", self.activation, ACTIVATIONS)
        choose("output activation", self.output, OUTPUTS)
        require(
            len(self.weights) >= 1 and len(self.weights) == len(self.biases),
            f"an MLP needs as many biases as weight matrices (≥ 1), got {len(self.weights)} and {len(self.biases)}",
        )
        for l, (W, b) in enumerate(zip(self.weights, self.biases), start=1):
            require(
                W.ndim == 2 and b.shape == (W.shape[0],),
                f"layer {l}: W has shape {W.shape} but b has shape {b.shape}: b needs shape ({W.shape[0]},)",
            )
            if l > 1:
                require(
                    W.shape[1] == self.weights[l - 2].shape[0],
                    f"layer {l}: W takes {W.shape[1]} inputs but layer {l - 1} has {self.weights[l - 2].shape[0]} units",
                )

    @property
    def sizes(self) -> list[int]:
        """[n_0, n_1, …, n_L]."""
        return [self.weights[0].shape[1], *(W.shape[0] for W in self.weights)]

    @property
    def depth(self) -> int:
        """L, the number of weight layers."""
        return len(self.weights)

    def parameters(self) -> dict[str, np.ndarray]:
        """The parameter arrays by name, W1, b1, …, WL, bL (the arrays themselves, not copies)."""
        named = {}
        for l, (W, b) in enumerate(zip(self.weights, self.biases), start=1):
            named[f"W{l}"], named[f"b{l}"] = W, b
        return named


def parameter_count(sizes: Sequence[int]) -> int:
    """Σ_l (n_l n_{l−1} + n_l) for layer sizes [n_0, …, n_L] (seed 002, "Feedforward Network").

    >>> parameter_count([2, 6, 1])
    25
    """
    require(
        len(sizes) >= 2 and all(isinstance(n, (int, np.integer)) and n >= 1 for n in sizes),
        f"sizes must be ≥ 2 positive integers [n_0, …, n_L], got {list(sizes)!r}",
    )
    return sum(n * n_prev + n for n_prev, n in zip(sizes[:-1], sizes[1:]))


def init_mlp(
    sizes: Sequence[int],
    activation: str = "tanh",
    output: str = "linear",
    *,
    init: str = "standard",
    seed: int = 0,
) -> MLP:
    """A float64 MLP with layer sizes [n_0, …, n_L], weights from scheme ``init``, zero biases.

    See :mod:`approxlab.scratch.init` for the schemes (standard, xavier_in, xavier, he).

    >>> init_mlp([2, 8, 1], "tanh", "sigmoid", seed=0).parameters()["W1"].shape
    (8, 2)
    """
    parameter_count(sizes)
    rng = np.random.default_rng(seed)
    weights = [draw_weights(init, n_in, n_out, rng) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    biases = [np.zeros(n) for n in sizes[1:]]
    return MLP(weights, biases, activation, output)


@dataclass
class ForwardPass:
    """What backprop needs from the forward pass: z^(1…L) and h^(0…L), each (n_l, n)."""

    z: list[np.ndarray]
    h: list[np.ndarray]


def _as_input(net: MLP, X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != net.sizes[0]:
        raise ApproxlabError(
            f"inputs must have shape (n, {net.sizes[0]}), got {X.shape}: one row per example"
        )
    return X.T


def forward(net: MLP, X: np.ndarray) -> ForwardPass:
    """Run z^(l) = W^(l) h^(l−1) + b^(l), h^(l) = σ(z^(l)) for the rows of X ((n, n_0)).

    >>> forward(init_mlp([2, 3, 1]), np.zeros((5, 2))).h[-1].shape
    (1, 5)
    """
    h = [_as_input(net, X)]  # h^(0) = x, one column per example
    z = []
    for l, (W, b) in enumerate(zip(net.weights, net.biases), start=1):
        z.append(W @ h[-1] + b[:, None])  # z^(l) = W^(l) h^(l−1) + b^(l)
        if l < net.depth:
            h.append(activation(net.activation).sigma(z[-1]))  # h^(l) = σ(z^(l))
        elif net.output == "softmax":
            h.append(softmax(z[-1]))  # ŷ = softmax(z^(L))
        else:
            h.append(activation(net.output).sigma(z[-1]))  # ŷ = h^(L) = σ_out(z^(L))
    return ForwardPass(z, h)


def predict(net: MLP, X: np.ndarray) -> np.ndarray:
    """ŷ = h^(L) for the rows of X: shape (n, n_L).

    >>> predict(init_mlp([2, 3, 1]), np.zeros((4, 2))).shape
    (4, 1)
    """
    return forward(net, X).h[-1].T


def _check_pairing(net: MLP, loss_name: str) -> None:
    paired = get_loss(loss_name).output
    if paired is not None and net.output != paired:
        raise ApproxlabError(
            f"loss {loss_name!r} needs output activation {paired!r}, the net has {net.output!r}: "
            f"build it with output={paired!r}"
        )
    if paired is None and net.output == "softmax":
        raise ApproxlabError(
            f"loss {loss_name!r} needs an elementwise output, the net has softmax: use softmax_ce"
        )


def loss_value(net: MLP, X: np.ndarray, y: np.ndarray, loss: str = "mse") -> float:
    """The average loss of the net on (X, y).

    >>> loss_value(init_mlp([1, 1], output="linear"), np.zeros((2, 1)), np.ones(2))
    0.5
    """
    _check_pairing(net, loss)
    run = forward(net, X)
    Y = target_matrix(loss, y, net.sizes[-1])
    require(
        Y.shape[1] == run.h[0].shape[1],
        f"{Y.shape[1]} targets for {run.h[0].shape[1]} inputs: pass one per row of X",
    )
    return get_loss(loss).value(run.z[-1], run.h[-1], Y)


@dataclass
class Backprop:
    """The result of a backward pass: the loss, ∂L/∂θ by name (W1, b1, …) and δ^(1…L)."""

    loss: float
    grads: dict[str, np.ndarray]
    deltas: list[np.ndarray]


def backward(net: MLP, X: np.ndarray, y: np.ndarray, loss: str = "mse") -> Backprop:
    """Loss, gradients and error signals by seed 002's δ recursion, float64.

    >>> bp = backward(init_mlp([2, 4, 1], seed=1), np.ones((3, 2)), np.zeros(3))
    >>> sorted(bp.grads), bp.grads["W1"].shape
    (['W1', 'W2', 'b1', 'b2'], (4, 2))
    """
    _check_pairing(net, loss)
    run = forward(net, X)
    Y = target_matrix(loss, y, net.sizes[-1])
    require(
        Y.shape[1] == run.h[0].shape[1],
        f"{Y.shape[1]} targets for {run.h[0].shape[1]} inputs: pass one per row of X",
    )
    L = net.depth
    z, h, W = run.z, run.h, net.weights  # z[l−1] is z^(l), h[l] is h^(l), W[l−1] is W^(l)
    sigma_prime = activation(net.activation).prime
    deltas = [np.empty(0)] * L
    deltas[L - 1] = get_loss(loss).delta(z[L - 1], h[L], Y, net.output)  # δ^(L) = ∇_h L ⊙ σ'(z^(L))
    for l in range(L - 1, 0, -1):
        deltas[l - 1] = (W[l].T @ deltas[l]) * sigma_prime(
            z[l - 1]
        )  # δ^(l) = (W^(l+1))ᵀ δ^(l+1) ⊙ σ'(z^(l))
    grads = {}
    for l in range(1, L + 1):
        grads[f"W{l}"] = deltas[l - 1] @ h[l - 1].T  # ∂L/∂W^(l) = δ^(l) (h^(l−1))ᵀ
        grads[f"b{l}"] = deltas[l - 1].sum(axis=1)  # ∂L/∂b^(l) = δ^(l), summed over examples
    return Backprop(get_loss(loss).value(z[L - 1], h[L], Y), grads, deltas)
