"""Plain gradient descent on the scratch MLP, and seed 002's practice exercise 1.

Each step takes the full batch and moves every parameter against its gradient:

    W^(l) ← W^(l) − η ∂L/∂W^(l),   b^(l) ← b^(l) − η ∂L/∂b^(l)

Exercise 1 (seed 002, practice 1 and answer 1): a 2-layer network
ŷ = σ(W^(2) tanh(W^(1) x + b^(1)) + b^(2)) with a sigmoid output and cross-entropy,
trained by hand-written backprop on a 2D binary classification set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from approxlab.errors import require
from approxlab.scratch.mlp import MLP, backward, init_mlp, predict


def gradient_descent(
    net: MLP,
    X: np.ndarray,
    y: np.ndarray,
    loss: str = "mse",
    *,
    lr: float = 0.1,
    steps: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> list[float]:
    """Full-batch gradient descent in place; returns the loss before each step (float64).

    ``progress(step)`` is called after every step when given.

    >>> net = init_mlp([1, 1])
    >>> losses = gradient_descent(net, np.ones((4, 1)), np.ones(4), lr=0.5, steps=20)
    >>> losses[-1] < losses[0]
    True
    """
    require(lr > 0 and np.isfinite(lr), f"learning rate must be a positive number, got {lr}")
    require(
        isinstance(steps, int) and steps >= 1, f"steps must be a positive integer, got {steps!r}"
    )
    losses = []
    params = net.parameters()
    for step in range(steps):
        result = backward(net, X, y, loss)
        losses.append(result.loss)
        for name, theta in params.items():
            theta -= lr * result.grads[name]  # θ ← θ − η ∂L/∂θ
        if progress is not None:
            progress(step)
    return losses


def accuracy(net: MLP, X: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows classified right: ŷ ≥ ½ for one sigmoid output, argmax for softmax.

    >>> accuracy(init_mlp([2, 1], output="sigmoid"), np.zeros((2, 2)), np.array([1.0, 1.0]))
    1.0
    """
    p = predict(net, X)
    labels = (p[:, 0] >= 0.5).astype(float) if p.shape[1] == 1 else p.argmax(axis=1).astype(float)
    return float(np.mean(labels == np.asarray(y, dtype=np.float64)))


@dataclass
class Exercise:
    """The trained net, its loss curve and its train/test accuracy."""

    net: MLP = field(repr=False)
    losses: list[float] = field(repr=False)  # one per step: thousands, so kept out of the repr
    train_accuracy: float
    test_accuracy: float
    X_train: np.ndarray = field(repr=False)
    y_train: np.ndarray = field(repr=False)

    def probability_grid(
        self, half_width: float = 1.2, n: int = 161
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(xx, yy, ŷ) on an n × n grid of [−half_width, half_width]², for a decision-boundary plot."""
        xs = np.linspace(-half_width, half_width, n)
        xx, yy = np.meshgrid(xs, xs)
        return (
            xx,
            yy,
            predict(self.net, np.column_stack([xx.ravel(), yy.ravel()]))[:, 0].reshape(xx.shape),
        )


def exercise1(
    data: str = "moons",
    *,
    width: int = 16,
    n: int = 400,
    steps: int = 3000,
    lr: float = 1.0,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> Exercise:
    """Seed 002's practice 1: a 2-layer tanh net, sigmoid output, BCE, plain gradient descent.

    Trains on ``n`` points of ``approxlab.dataset(data)`` drawn with ``seed`` and tests on
    ``n`` fresh points (seed + 1). Xavier (1/n_in) initial weights drawn with ``seed``.

    >>> ex = exercise1("moons", steps=10, n=50)
    >>> 0.0 <= ex.test_accuracy <= 1.0
    True
    """
    from approxlab.targets import dataset

    source = dataset(data)
    require(
        source.classes == 2,
        f"exercise 1 trains one sigmoid output on two classes; {data!r} has {source.classes}: "
        "use xor, circle, spiral, moons or gauss",
    )
    X, y = source.sample(n, seed)
    X_test, y_test = source.sample(n, seed + 1)
    net = init_mlp([2, width, 1], "tanh", "sigmoid", init="xavier_in", seed=seed)
    losses = gradient_descent(net, X, y, "bce", lr=lr, steps=steps, progress=progress)
    return Exercise(net, losses, accuracy(net, X, y), accuracy(net, X_test, y_test), X, y)
