"""The Taylor reading p_k = [k=0]c + Σ_j a_j w_j^k σ^(k)(w_j x₀ + b_j)/k! (seed 000, principle 1)."""

import math

import numpy as np
import pytest
import torch

import approxlab as al
from approxlab.errors import ApproxlabError
from approxlab.smooth.taylor import (
    activation_derivative,
    evaluate_piece,
    taylor_coefficients,
    unit_taylor,
)
from approxlab.units import two_layer


def autograd_derivatives(net, x0: float, n: int) -> list[float]:
    """N(x₀), N'(x₀), …, N^(n)(x₀) by repeated torch.autograd in float64."""
    x = torch.tensor([[x0]], dtype=torch.float64, requires_grad=True)
    y = net(x)[0, 0]
    out = [float(y.detach())]
    for _ in range(n):
        (y,) = torch.autograd.grad(y, x, create_graph=True)
        y = y[0, 0]
        out.append(float(y.detach()))
    return out


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "softplus"])
def test_coefficients_are_the_nets_derivatives_over_k_factorial(act):
    net = al.mlp(1, [6], activation=act, seed=4).double()
    x0 = 0.3
    derivs = autograd_derivatives(net, x0, 4)
    expected = [d / math.factorial(k) for k, d in enumerate(derivs)]
    assert taylor_coefficients(two_layer(net), x0, 4) == pytest.approx(
        expected, rel=1e-10, abs=1e-13
    )


def test_unit_shares_sum_to_the_coefficients_less_the_output_bias():
    t = two_layer(al.mlp(1, [5], activation="tanh", seed=2).double())
    shares = unit_taylor(t, -0.4, 3)
    p = taylor_coefficients(t, -0.4, 3)
    p[0] -= t.c[0]
    assert shares.sum(axis=0) == pytest.approx(p, rel=1e-14, abs=1e-15)


def test_the_cubic_piece_error_shrinks_like_h_to_the_fourth():
    # Taylor's theorem: |N − P₃| ≤ max|N⁗|·h⁴/4!, so halving the radius h divides the error by ≈ 16.
    t = two_layer(al.mlp(1, [4], activation="sigmoid", seed=0).double())
    p = taylor_coefficients(t, 0.0, 3)

    def error(h):
        xs = np.linspace(-h, h, 201)
        return np.max(
            np.abs(t.contributions(xs[:, None]).sum(1) + t.c[0] - evaluate_piece(p, 0.0, xs))
        )

    ratio = error(0.2) / error(0.1)
    assert 12 < ratio < 20


def test_relu_derivatives_are_a_step_then_zero():
    z = np.array([-1.0, 2.0])
    assert activation_derivative("relu", 1, z).tolist() == [0.0, 1.0]
    assert activation_derivative("relu", 2, z).tolist() == [0.0, 0.0]


def test_the_reading_is_one_dimensional():
    with pytest.raises(ApproxlabError, match="one-dimensional"):
        unit_taylor(two_layer(al.mlp(2, [3], activation="sigmoid")), 0.0, 2)
