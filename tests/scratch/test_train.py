"""Seed 002's practice exercise 1, trained by hand-written backprop."""

import numpy as np

from approxlab.scratch import exercise1, gradient_descent, init_mlp


def test_exercise1_separates_the_two_moons():
    ex = exercise1("moons", width=16, n=400, steps=3000, lr=1.0, seed=0)
    # measured (2026-11-23): train accuracy 1.000, test accuracy 1.000 on 400 fresh points,
    # final cross-entropy 0.0031; 0.99 leaves room for at most 4 of 400 test points
    assert ex.test_accuracy >= 0.99
    assert ex.train_accuracy >= 0.99
    assert ex.losses[-1] < 0.01 < np.log(2) - 0.1 < ex.losses[0] + 0.1


def test_exercise1_separates_the_circle():
    ex = exercise1("circle", width=16, n=400, steps=3000, lr=1.0, seed=0)
    # measured: test accuracy 1.000 (disk of radius ½ inside a ring 0.7–1: a margin of 0.2)
    assert ex.test_accuracy >= 0.99


def test_gradient_descent_fits_a_line():
    # one linear unit, MSE, y = 2x − 1: gradient descent converges to w = 2, b = −1
    X = np.linspace(-1, 1, 21)[:, None]
    net = init_mlp([1, 1], "linear", "linear", seed=0)
    losses = gradient_descent(net, X, 2 * X[:, 0] - 1, "mse", lr=0.5, steps=500)
    assert abs(net.weights[0][0, 0] - 2) < 1e-8 and abs(net.biases[0][0] + 1) < 1e-8
    assert all(b <= a for a, b in zip(losses, losses[1:]))
