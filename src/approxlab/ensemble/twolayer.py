"""The fused path for two-layer nets d → m → 1 under MSE: forward and backward written out.

For K nets with hidden units σ(W x + b) and output a·h + c (seed 003, eq. (1)), on n points
held with n as the fast axis (so each net's work is a few passes over an m × n block):

    z = b + Σ_j W[:, j] x_j,   h = σ(z),   ŷ = Σ_u a_u h_u + c,   r = ŷ − y,   L = (1/n) Σ r²
    g = 2r/n,   ∂L/∂a = Σ_n h g,   ∂L/∂c = Σ_n g,   δ = σ'(z) a g,   ∂L/∂W[:, j] = Σ_n δ x_j,   ∂L/∂b = Σ_n δ

(seed 002's δ recursion for one hidden layer). The K nets are processed in chunks whose
m × n blocks stay in cache, which is what makes this faster than autograd's batched
matrix products (launch- and memory-bound at these sizes); ``compile=True`` also fuses the
passes with ``torch.compile``. The generic autograd path trains every other shape and is
the reference this one is tested against.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

# σ and σ' written from h = σ(z) where that is cheaper (sigmoid, tanh) or from z (relu).
DERIVATIVES: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "sigmoid": lambda z, h: h * (1 - h),
    "tanh": lambda z, h: 1 - h * h,
    "relu": lambda z, h: (z > 0).to(h.dtype),
}
_FORWARD = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}
CACHE_ELEMENTS = (
    2**19
)  # nets × units × points per chunk: ≈ 4 MB in float64, within a core's L2/L3 share


def supports(sizes: list[int], activation: str, out_activation: str | None, loss: str) -> bool:
    """Whether the fused path applies: one hidden layer, scalar output, MSE, sigmoid/tanh/relu."""
    return (
        len(sizes) == 3
        and sizes[2] == 1
        and out_activation is None
        and loss == "mse"
        and activation in DERIVATIVES
    )


def chunk_losses_and_grads(
    W: torch.Tensor,
    b: torch.Tensor,
    a: torch.Tensor,
    c: torch.Tensor,
    XT: torch.Tensor,
    y: torch.Tensor,
    activation: str,
):
    """Per-net loss (Kc,) and gradients of W (Kc,m,d), b (Kc,m), a (Kc,1,m), c (Kc,1) for one chunk.

    ``XT`` is (d, n) shared or (Kc, d, n) per net; ``y`` is (n,) or (Kc, n).
    """
    n = XT.shape[-1]
    d = XT.shape[-2]
    x = [XT[j] if XT.ndim == 2 else XT[:, j, None, :] for j in range(d)]
    z = b.unsqueeze(2) + W[:, :, 0:1] * x[0]
    for j in range(1, d):
        z = z + W[:, :, j : j + 1] * x[j]
    h = _FORWARD[activation](z)
    au = a[:, 0, :].unsqueeze(2)
    r = (au * h).sum(1) + c - y
    loss = (r * r).mean(1)
    g = r * (2.0 / n)
    gg = g.unsqueeze(1)
    grad_a = (h * gg).sum(2).unsqueeze(1)
    grad_c = g.sum(1, keepdim=True)
    delta = DERIVATIVES[activation](z, h) * au * gg
    grad_W = torch.stack([(delta * x[j]).sum(2) for j in range(d)], dim=2)
    grad_b = delta.sum(2)
    return loss, grad_W, grad_b, grad_a, grad_c


class TwoLayerStep:
    """Loss and gradients of all K nets, chunk by chunk; writes ``.grad`` of the stacked tensors."""

    def __init__(
        self,
        params: list[torch.Tensor],
        X: torch.Tensor,
        y: torch.Tensor,
        activation: str,
        compile: bool = False,
    ):
        self.params = params
        self.XT = X.transpose(-1, -2).contiguous()
        self.y = y.reshape(*y.shape[: X.ndim - 1])
        self.activation = activation
        K, m = params[0].shape[0], params[0].shape[1]
        n = X.shape[-2]
        self.chunk = max(1, min(K, CACHE_ELEMENTS // (m * n)))
        if compile:
            import torch._dynamo as dynamo

            # one compiled kernel per (width, activation, chunk shape): a sweep needs more than the default 8
            dynamo.config.recompile_limit = max(dynamo.config.recompile_limit, 64)
        self.fn = (
            torch.compile(chunk_losses_and_grads, dynamic=False)
            if compile
            else chunk_losses_and_grads
        )
        self.compiled = compile
        for p in params:
            p.grad = torch.zeros_like(p)

    @torch.no_grad()
    def __call__(self) -> torch.Tensor:
        W, b, a, c = self.params
        K = W.shape[0]
        losses = torch.empty(K, dtype=W.dtype, device=W.device)
        per_net = self.XT.ndim == 3
        for s in range(0, K, self.chunk):
            # the last chunk overlaps the one before rather than being smaller: every chunk has one shape
            # (one compiled kernel), and the overlapping nets' gradients are recomputed identically
            s = min(s, K - self.chunk)
            e = s + self.chunk
            XT = self.XT[s:e] if per_net else self.XT
            y = self.y[s:e] if per_net else self.y
            loss, *grads = self._chunk(W[s:e], b[s:e], a[s:e], c[s:e], XT, y)
            losses[s:e] = loss
            for p, g in zip(self.params, grads):
                p.grad[s:e] = g
        return losses

    def _chunk(self, *tensors):
        try:
            return self.fn(*tensors, self.activation)
        except Exception as exc:  # torch.compile's backends raise many types; eager is always right
            if not self.compiled:
                raise
            import warnings

            warnings.warn(
                f"torch.compile failed ({type(exc).__name__}); the fused kernel runs eagerly",
                stacklevel=2,
            )
            self.fn, self.compiled = chunk_losses_and_grads, False
            return self.fn(*tensors, self.activation)


def compile_pays(K: int, steps: int, device: torch.device) -> bool:
    """Whether ``compile=None`` (auto) compiles: a C++ compiler (CPU) and ≥ 2·10^5 net-steps of work,
    where the ≈ 5–30 s of compiling is repaid (measured: 4·10^3 net-steps/s eager, 2–4·10^4 compiled,
    bench/ensemble.py on 2 busy cores)."""
    import shutil

    if K * steps < 200_000:
        return False
    return (
        device.type == "cuda" or shutil.which("c++") is not None or shutil.which("gcc") is not None
    )
