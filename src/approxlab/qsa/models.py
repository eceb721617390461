"""The three families of seed 003's comparison, in plain PyTorch, on the qSA token features.

Every model reads the encoded input (:func:`approxlab.qsa.task.encode`) flattened to one row
of N·D numbers, D = d' + 2N, and returns N·d' numbers (row i·d' … is f(X)_i); it declares
``in_features = N·D`` so that :func:`approxlab.fit.fit` and :func:`approxlab.baseline.best_of`
train it like any MLP. All parameters are float64 and drawn under a seed.

- **FC** (seed: f(x) = σ(Wx + b) on x ∈ R^{Nd}): :func:`approxlab.nets.mlp` with one hidden
  ReLU layer of width m on the flattened input.
- **RNN** with a state of m numbers: h_t = tanh(W x_t + U h_{t−1} + b), t = 1…N, then each
  answer f(X)_i = x_iᵀ A h_N + B x_i + C h_N + c (a bilinear read-out of the memory). The
  seed's causal g_i cannot answer a query y_i > i at all (z_{y_i} is not read yet), so the
  RNN reads the whole sequence before it answers: strictly more power than the seed's, and
  the memory lower bound m ≥ (N − 1)/2 still applies (its DISJ reduction only queries backwards).
- **Binary RNN**: the same with h_t ∈ {0, 1}^m — the seed's definition, a memory of m bits.
  The forward pass thresholds 1[· ≥ 0]; gradients pass through the logistic function
  (straight-through estimator, Bengio et al. 2013).
- **Attention**: the seed's f(X) = softmax(X Q Kᵀ Xᵀ) X V with Q, K ∈ R^{D×m}, V ∈ R^{D×d'}.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from approxlab import arguments
from approxlab.errors import choose
from approxlab.nets import mlp

ARCHITECTURES = ("fc", "rnn", "binary_rnn", "attention")
MAX_SIZE = 100_000


def features(N: int, d_prime: int) -> int:
    """D = d' + 2N: the width of one encoded token (z_i, multi-hot y_i, one-hot i).

    >>> features(8, 1)
    17
    """
    return d_prime + 2 * N


def _normal(shape: tuple[int, ...], scale: float, gen: torch.Generator) -> nn.Parameter:
    return nn.Parameter(torch.randn(*shape, generator=gen, dtype=torch.float64) * scale)


class Attention(nn.Module):
    """One softmax attention layer f(X) = softmax(X Q Kᵀ Xᵀ) X V (seed 003), float64.

    >>> net = Attention(4, 1, m=3, seed=0)
    >>> net(torch.zeros(2, 4 * 9, dtype=torch.float64)).shape
    torch.Size([2, 4])
    """

    def __init__(self, N: int, d_prime: int, m: int, seed: int = 0) -> None:
        super().__init__()
        D = features(N, d_prime)
        self.N, self.d_prime, self.m, self.in_features = N, d_prime, m, N * D
        gen = torch.Generator().manual_seed(seed)
        self.Q = _normal((D, m), 1 / math.sqrt(D), gen)
        self.K = _normal((D, m), 1 / math.sqrt(D), gen)
        self.V = _normal((D, d_prime), 1 / math.sqrt(D), gen)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        X = x.reshape(x.shape[0], self.N, -1)
        scores = (X @ self.Q) @ (X @ self.K).transpose(1, 2)
        return (torch.softmax(scores, dim=-1) @ (X @ self.V)).reshape(x.shape[0], -1)


class _Threshold(torch.autograd.Function):
    """1[a ≥ 0] forward; the logistic function's derivative backward (straight-through)."""

    @staticmethod
    def forward(ctx, a: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(a)
        return (a >= 0).to(a.dtype)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        (a,) = ctx.saved_tensors
        s = torch.sigmoid(a)
        return grad * s * (1 - s)


class RNN(nn.Module):
    """Read x_1 … x_N into a state of m numbers (or m bits), then answer each i from (x_i, h_N), float64.

    >>> net = RNN(4, 1, m=5, binary=True, seed=0)
    >>> h = net.memory(torch.zeros(3, 4 * 9, dtype=torch.float64))
    >>> sorted(set(h.flatten().tolist())) in ([0.0], [1.0], [0.0, 1.0])
    True
    """

    def __init__(self, N: int, d_prime: int, m: int, binary: bool = False, seed: int = 0) -> None:
        super().__init__()
        D = features(N, d_prime)
        self.N, self.d_prime, self.m, self.binary, self.in_features = N, d_prime, m, binary, N * D
        gen = torch.Generator().manual_seed(seed)
        self.W = _normal((D, m), 1 / math.sqrt(D), gen)
        self.U = _normal((m, m), 1 / math.sqrt(m), gen)
        self.b = nn.Parameter(torch.zeros(m, dtype=torch.float64))
        self.A = _normal((D, m, d_prime), 1 / math.sqrt(D * m), gen)
        self.B = _normal((D, d_prime), 1 / math.sqrt(D), gen)
        self.C = _normal((m, d_prime), 1 / math.sqrt(m), gen)
        self.c = nn.Parameter(torch.zeros(d_prime, dtype=torch.float64))

    def memory(self, x: torch.Tensor) -> torch.Tensor:
        """h_N after reading the sequence: shape (n, m); entries in {0, 1} for the binary RNN."""
        X = x.reshape(x.shape[0], self.N, -1)
        inputs = X @ self.W + self.b
        h = torch.zeros(x.shape[0], self.m, dtype=x.dtype)
        # unbind: one backward for all steps (indexing inputs[:, t] would fill a zero tensor of
        # inputs' full size per step in the backward, 85 % of a step's time at N = 64, m = 32)
        for x_t in inputs.unbind(1):
            a = x_t + h @ self.U
            h = _Threshold.apply(a) if self.binary else torch.tanh(a)
        return h

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        X = x.reshape(x.shape[0], self.N, -1)
        h = self.memory(x)
        # x_iᵀ (A h): A h first, n·D·m·d' products, then n·N·D·d' (x_iᵀ A, then h, would be n·N·D·m)
        out = (
            X @ torch.einsum("dmk,nm->ndk", self.A, h)
            + X @ self.B
            + (h @ self.C)[:, None, :]
            + self.c
        )
        return out.reshape(x.shape[0], -1)


def make(architecture: str, N: int, d_prime: int, m: int, seed: int = 0) -> nn.Module:
    """A fresh model of ``architecture`` (fc | rnn | binary_rnn | attention) with size m, float64.

    m is the hidden width (FC), the state size in numbers (RNN) or bits (binary RNN), or the
    query/key dimension (attention) — the size each theorem counts.

    >>> sum(p.numel() for p in make("attention", 8, 1, 4).parameters())
    153
    """
    choose("architecture", architecture, ARCHITECTURES)
    arguments.count("size m", m, MAX_SIZE)
    if architecture == "fc":
        return mlp(N * features(N, d_prime), [m], N * d_prime, activation="relu", seed=seed)
    if architecture == "attention":
        return Attention(N, d_prime, m, seed)
    return RNN(N, d_prime, m, binary=architecture == "binary_rnn", seed=seed)
