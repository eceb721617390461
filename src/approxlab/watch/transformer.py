"""The one-layer transformer of Nanda et al. 2023 ("Progress measures for grokking via mechanistic
interpretability") for (a + b) mod p.

The input is the token sequence (a, b, =) with ``=`` the token p; x_0 = W_E[token] + W_pos[position];
one attention layer with ``heads`` heads of size d_model/heads, causal, x_1 = x_0 + Σ_h W_O^h softmax(
(x_0 W_Q^h)(x_0 W_K^h)ᵀ / √d_head) x_0 W_V^h; an MLP block x_2 = x_1 + W_out ReLU(W_in x_1 + b_in) + b_out
(d_mlp = 4 d_model); logits = W_U x_2 read at the ``=`` position. No LayerNorm, as in the paper.
``init="paper"`` initialises as the paper's code does: every weight matrix N(0, 1/d_model), W_U N(0, 1/(p + 1))
(their d_vocab is p + 1), the MLP's biases 0; ``init="torch"`` keeps PyTorch's defaults, whose N(0, 1) embedding
is 11× larger at d_model 128.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from approxlab.errors import choose, require

# How each recipe trains the net (watch.train's betas, warmup and loss dtype): "paper" is Nanda et al.'s Trainer
# (AdamW β = (0.9, 0.98), a 10-step linear warmup, cross_entropy_high_precision), "torch" PyTorch's defaults.
RECIPES = {
    "paper": {"betas": (0.9, 0.98), "warmup": 10, "loss_dtype": torch.float64},
    "torch": {"betas": (0.9, 0.999), "warmup": 0, "loss_dtype": None},
}


def modular_tokens(p: int) -> tuple[torch.Tensor, torch.Tensor]:
    """All p² sequences (a, b, p) as int64 tokens (p², 3) and their labels (a + b) mod p, in the row order of
    :func:`approxlab.watch.grokking.modular_addition` (a major, b minor).

    >>> X, y = modular_tokens(3); X[5].tolist(), int(y[5])
    ([1, 2, 3], 0)
    """
    require(isinstance(p, int) and p >= 2, f"p must be an integer ≥ 2, got {p!r}")
    a, b = (t.ravel() for t in torch.meshgrid(torch.arange(p), torch.arange(p), indexing="ij"))
    return torch.stack([a, b, torch.full_like(a, p)], dim=1), (a + b) % p


class OneLayerTransformer(nn.Module):
    """Nanda et al. 2023's net: embed (a, b, =), one attention layer, one MLP block, unembed at ``=``, float32.

    >>> net = OneLayerTransformer(p=5, d_model=8, heads=2, seed=0)
    >>> net(modular_tokens(5)[0]).shape
    torch.Size([25, 5])
    """

    def __init__(
        self, p: int, d_model: int = 128, heads: int = 4, seed: int = 0, init: str = "paper"
    ):
        super().__init__()
        require(
            d_model % heads == 0,
            f"d_model ({d_model}) must be a multiple of the number of heads ({heads})",
        )
        choose("init", init, RECIPES)
        self.heads, self.d_head = heads, d_model // heads
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.embed = nn.Embedding(p + 1, d_model)
            self.pos = nn.Parameter(torch.randn(3, d_model) / math.sqrt(d_model))
            self.qkv = nn.Linear(d_model, 3 * d_model, bias=False)
            self.out = nn.Linear(d_model, d_model, bias=False)
            self.mlp = nn.Sequential(
                nn.Linear(d_model, 4 * d_model), nn.ReLU(), nn.Linear(4 * d_model, d_model)
            )
            self.unembed = nn.Linear(d_model, p, bias=False)
            if init == "paper":
                self._paper_init(p, d_model)
        self.register_buffer("causal", torch.tril(torch.ones(3, 3, dtype=torch.bool)))

    def _paper_init(self, p: int, d_model: int) -> None:
        with torch.no_grad():
            for w in (self.embed.weight, self.qkv.weight, self.out.weight):
                nn.init.normal_(w, std=1 / math.sqrt(d_model))
            for layer in (self.mlp[0], self.mlp[2]):
                nn.init.normal_(layer.weight, std=1 / math.sqrt(d_model))
                nn.init.zeros_(layer.bias)
            nn.init.normal_(self.unembed.weight, std=1 / math.sqrt(p + 1))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x = self.embed(tokens) + self.pos
        n = x.shape[0]
        q, k, v = (
            t.reshape(n, 3, self.heads, self.d_head).transpose(1, 2)
            for t in self.qkv(x).chunk(3, dim=-1)
        )
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(self.d_head)
        attention = scores.masked_fill(~self.causal, float("-inf")).softmax(dim=-1)
        x = x + self.out((attention @ v).transpose(1, 2).reshape(n, 3, -1))
        x = x + self.mlp(x)
        return self.unembed(x[:, -1])
