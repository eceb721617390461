"""Per-layer forward and backward statistics of any torch MLP (float64).

For each ``nn.Linear`` layer l = 1 … L of a net, one forward and one backward pass of
L = ½·mean_i ‖ŷ_i − y_i‖² record

- ‖δ^(l)‖ with δ^(l) = ∂L/∂z^(l), z^(l) the Linear's output (Frobenius over the batch),
  the error signal of seed 002's Example 1, and its entrywise variance;
- ‖∂L/∂W^(l)‖ and, when asked, ‖W^(l)‖₂ (largest singular value, from the top
  eigenvalue of WᵀW: an order of magnitude faster than a full SVD at width 512);
- Var(z^(l)), the variance of the pre-activations over units and examples (He et al.
  2015's "response" y_l, whose variance their initialisation preserves);
- Var(h^(l−1)), the variance of the Linear's input over units and examples, and
  Var(ŷ) of the net's output, so ``activation_variance`` runs over h^(0) … h^(L).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import scipy.linalg
import torch
from torch import nn

from approxlab.errors import ApproxlabError, require


def spectral_norm(W: np.ndarray) -> float:
    """‖W‖₂ = √λ_max(WᵀW), the largest singular value (float64).

    >>> spectral_norm(np.diag([3.0, -4.0]))
    4.0
    """
    W = np.asarray(W, dtype=np.float64)
    gram = W.T @ W if W.shape[0] >= W.shape[1] else W @ W.T
    top = scipy.linalg.eigh(
        gram, eigvals_only=True, subset_by_index=[gram.shape[0] - 1, gram.shape[0] - 1]
    )[0]
    return float(np.sqrt(max(top, 0.0)))


@dataclass
class LayerStatistics:
    """Arrays indexed by layer l = 1 … L (``activation_variance`` by l = 0 … L), float64."""

    delta_norm: np.ndarray
    delta_variance: np.ndarray
    preactivation_variance: np.ndarray
    weight_grad_norm: np.ndarray
    activation_variance: np.ndarray
    spectral_norm: np.ndarray | None = None

    @property
    def depth(self) -> int:
        return len(self.delta_norm)

    def to_dict(self) -> dict[str, list[float]]:
        """Plain lists, ready for JSON."""
        return {k: None if v is None else np.asarray(v).tolist() for k, v in asdict(self).items()}


def layer_statistics(
    net: nn.Module, X: torch.Tensor, Y: torch.Tensor, *, spectral: bool = False
) -> LayerStatistics:
    """One forward/backward pass of ½·mean‖net(X) − Y‖² and the per-layer statistics (float64).

    With ``spectral`` it also records ‖W^(l)‖₂ (needed for :func:`vanishing_bound`).

    ``net`` may be any module built from ``nn.Linear`` layers (plain, residual, with batch
    norm); it is run in training mode, as at the first step of training (batch norm uses
    the batch's statistics and updates its running averages), then put back in its mode.
    The net's ``.grad`` fields are overwritten.

    >>> net = torch.nn.Sequential(torch.nn.Linear(3, 3, dtype=torch.float64), torch.nn.Tanh())
    >>> s = layer_statistics(net, torch.ones(4, 3, dtype=torch.float64), torch.zeros(4, 3, dtype=torch.float64))
    >>> s.depth, len(s.activation_variance)
    (1, 2)
    """
    linears = [m for m in net.modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise ApproxlabError("the net has no nn.Linear layer: gradient-flow statistics need an MLP")
    require(
        X.ndim == 2 and X.shape[0] == Y.shape[0],
        f"inputs {tuple(X.shape)} and targets {tuple(Y.shape)} need the same number of rows",
    )
    z: list[torch.Tensor] = []
    inputs: list[torch.Tensor] = []

    def keep(module, args, output):
        inputs.append(args[0].detach())
        output.retain_grad()  # δ^(l) = ∂L/∂z^(l) is this tensor's .grad after backward
        z.append(output)

    hooks = [m.register_forward_hook(keep) for m in linears]
    was_training = net.training
    try:
        net.train()
        out = net(X)
        require(
            out.shape == Y.shape,
            f"the net outputs shape {tuple(out.shape)} but the targets have {tuple(Y.shape)}",
        )
        loss = 0.5 * ((out - Y) ** 2).sum() / X.shape[0]
        net.zero_grad(set_to_none=True)
        loss.backward()
    finally:
        net.train(was_training)
        for h in hooks:
            h.remove()
    deltas = [t.grad.detach() for t in z]
    return LayerStatistics(
        delta_norm=np.array([float(torch.linalg.norm(d)) for d in deltas]),
        delta_variance=np.array([float(d.var(unbiased=False)) for d in deltas]),
        preactivation_variance=np.array([float(t.detach().var(unbiased=False)) for t in z]),
        weight_grad_norm=np.array([float(torch.linalg.norm(m.weight.grad)) for m in linears]),
        activation_variance=np.array(
            [float(h.var(unbiased=False)) for h in inputs]
            + [float(out.detach().var(unbiased=False))]
        ),
        spectral_norm=np.array([spectral_norm(m.weight.detach().numpy()) for m in linears])
        if spectral
        else None,
    )


def vanishing_bound(
    delta_last_norm: float, spectral_norms: np.ndarray, max_prime: float
) -> np.ndarray:
    """Seed 002's bound ‖δ^(l)‖ ≤ ‖δ^(L)‖ Π_{k=l+1..L} ‖W^(k)‖₂ · max|σ'| for l = 1 … L.

    Each step of δ^(l) = (W^(l+1))ᵀ δ^(l+1) ⊙ σ'(z^(l)) multiplies a norm by at most
    ‖W^(l+1)‖₂ max|σ'| (seed 002, Example 2; plain nets only).

    >>> vanishing_bound(1.0, np.array([1.0, 1.0, 1.0]), 0.25).tolist()
    [0.0625, 0.25, 1.0]
    """
    factors = (
        np.asarray(spectral_norms, dtype=np.float64)[1:] * max_prime
    )  # ‖W^(k)‖ max|σ'| for k = 2 … L
    tail = np.cumprod(factors[::-1])[::-1]  # Π_{k=l+1..L} for l = 1 … L−1
    return float(delta_last_norm) * np.concatenate([tail, [1.0]])
