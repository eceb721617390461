"""Backprop by hand: a NumPy float64 multilayer perceptron written as seed 002's equations.

Read ``mlp.py`` next to seed 002: the forward pass z^(l) = W^(l) h^(l−1) + b^(l),
h^(l) = σ(z^(l)); the δ recursion δ^(l) = (W^(l+1))ᵀ δ^(l+1) ⊙ σ'(z^(l)); and
∂L/∂W^(l) = δ^(l) (h^(l−1))ᵀ. ``gradcheck`` checks any gradient by centred finite
differences, ``autograd_gradients`` by ``torch.autograd``; ``batchnorm`` is practice 4,
``exercise1`` practice 1, ``convert`` moves nets to and from ``torch.nn.Sequential``.

>>> import numpy as np
>>> from approxlab import scratch
>>> net = scratch.init_mlp([2, 4, 1], "tanh", "sigmoid", seed=0)
>>> bp = scratch.backward(net, np.ones((3, 2)), np.array([0.0, 1.0, 1.0]), "bce")
>>> scratch.gradcheck(lambda: scratch.loss_value(net, np.ones((3, 2)), np.array([0.0, 1.0, 1.0]), "bce"),
...                   net.parameters(), bp.grads).ok
True
"""

from approxlab.scratch.activations import ACTIVATIONS, activation
from approxlab.scratch.autograd import autograd_gradients
from approxlab.scratch.batchnorm import batchnorm_backward, batchnorm_forward
from approxlab.scratch.convert import from_torch, to_torch
from approxlab.scratch.gradcheck import compare, finite_differences, gradcheck, relative_error
from approxlab.scratch.init import SCHEMES, draw_weights, weight_variance
from approxlab.scratch.losses import LOSSES, loss
from approxlab.scratch.mlp import (
    MLP,
    backward,
    forward,
    init_mlp,
    loss_value,
    parameter_count,
    predict,
)
from approxlab.scratch.train import accuracy, exercise1, gradient_descent

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "MLP",
    "SCHEMES",
    "accuracy",
    "activation",
    "autograd_gradients",
    "backward",
    "batchnorm_backward",
    "batchnorm_forward",
    "compare",
    "draw_weights",
    "exercise1",
    "finite_differences",
    "forward",
    "from_torch",
    "gradcheck",
    "gradient_descent",
    "init_mlp",
    "loss",
    "loss_value",
    "parameter_count",
    "predict",
    "relative_error",
    "to_torch",
    "weight_variance",
]
