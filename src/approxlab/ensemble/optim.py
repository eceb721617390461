"""One optimiser step for K stacked nets, each with its own learning rate.

The update is torch's own, written for a leading K axis so that net k's learning rate
``lr[k]`` enters as a broadcast factor; with one rate it is step for step what
``torch.optim.Adam`` / ``torch.optim.SGD`` do to each net alone (single-tensor path):

- Adam (Kingma & Ba 2015): m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g²,
  θ ← θ − (lr_k / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε);
- SGD with momentum μ: b ← g (first step), b ← μ b + g; θ ← θ − lr_k b.

The schedule is :class:`torch.optim.lr_scheduler.CosineAnnealingLR`, the one
:func:`approxlab.fit.fit` uses, read once as factors lr_t / lr_0.
"""

from __future__ import annotations

import math

import torch


def schedule_factors(schedule: str, steps: int) -> list[float]:
    """lr_t / lr_0 for t = 0 … steps−1 under ``schedule`` (cosine: torch's CosineAnnealingLR, T_max = steps).

    >>> schedule_factors("cosine", 4)[0], schedule_factors("constant", 2)
    (1.0, [1.0, 1.0])
    """
    if schedule == "constant":
        return [1.0] * steps
    dummy = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([dummy], lr=1.0)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    factors = []
    for _ in range(steps):
        factors.append(float(opt.param_groups[0]["lr"]))
        opt.step()  # no gradient: a no-op that keeps the scheduler's step order
        sched.step()
    return factors


class StackedAdam:
    """Adam over tensors whose first axis indexes the K nets; ``lr`` has shape (K,)."""

    def __init__(
        self, params: list[torch.Tensor], lr: torch.Tensor, betas=(0.9, 0.999), eps: float = 1e-8
    ):
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]
        self.t = 0

    @torch.no_grad()
    def step(self, factor: float) -> None:
        b1, b2 = self.betas
        self.t += 1
        correction2 = math.sqrt(1 - b2**self.t)
        step_size = self.lr * factor / (1 - b1**self.t)
        for p, m, v in zip(self.params, self.m, self.v):
            g = p.grad
            m.lerp_(g, 1 - b1)
            v.mul_(b2).addcmul_(g, g, value=1 - b2)
            denom = (v.sqrt() / correction2).add_(self.eps)
            p.sub_((m / denom).mul_(step_size.view(-1, *[1] * (p.ndim - 1))))


class StackedSGD:
    """SGD with momentum over stacked tensors; ``lr`` has shape (K,)."""

    def __init__(self, params: list[torch.Tensor], lr: torch.Tensor, momentum: float = 0.9):
        self.params, self.lr, self.momentum = params, lr, momentum
        self.buffers: list[torch.Tensor | None] = [None] * len(params)

    @torch.no_grad()
    def step(self, factor: float) -> None:
        for i, p in enumerate(self.params):
            g = p.grad
            if self.momentum:
                if self.buffers[i] is None:
                    self.buffers[i] = g.clone()
                else:
                    self.buffers[i].mul_(self.momentum).add_(g)
                g = self.buffers[i]
            p.sub_(g * (self.lr * factor).view(-1, *[1] * (p.ndim - 1)))
