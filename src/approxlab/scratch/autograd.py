"""The reference gradient: the same net and loss through ``torch.autograd`` (float64).

The net is converted with :func:`approxlab.scratch.convert.to_torch` and the loss is
torch's own (``mse`` as ½·mean‖ŷ − y‖², ``F.binary_cross_entropy`` on the sigmoid
output, ``F.nll_loss`` of the log-softmax output), so nothing of the hand-written
backward pass is shared with this check.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from approxlab.scratch.convert import to_torch
from approxlab.scratch.losses import target_matrix
from approxlab.scratch.mlp import MLP, loss_value


def autograd_gradients(
    net: MLP, X: np.ndarray, y: np.ndarray, loss: str = "mse"
) -> tuple[float, dict[str, np.ndarray]]:
    """(loss, {W1: ∂L/∂W^(1), b1: …}) computed by ``torch.autograd`` on ``to_torch(net)``.

    >>> from approxlab.scratch.mlp import init_mlp
    >>> value, grads = autograd_gradients(init_mlp([2, 3, 1]), np.ones((4, 2)), np.zeros(4))
    >>> grads["W1"].shape
    (3, 2)
    """
    loss_value(net, X, y, loss)  # validates shapes and the loss/output pairing with one-line errors
    seq = to_torch(net)
    x = torch.as_tensor(np.asarray(X, dtype=np.float64))
    target = torch.as_tensor(target_matrix(loss, y, net.sizes[-1]).T.copy())
    out = seq(x)
    if loss == "mse":
        value = 0.5 * ((out - target) ** 2).sum() / x.shape[0]
    elif loss == "bce":
        value = F.binary_cross_entropy(out, target)
    else:
        value = F.nll_loss(torch.log(out), target.argmax(dim=1))
    value.backward()
    linears = [m for m in seq if isinstance(m, torch.nn.Linear)]
    grads = {}
    for l, linear in enumerate(linears, start=1):
        grads[f"W{l}"] = linear.weight.grad.numpy().copy()
        grads[f"b{l}"] = linear.bias.grad.numpy().copy()
    return float(value.detach()), grads
