"""A watched, resumable training loop: AdamW / Adam / SGD on (X, y), observers on a schedule.

``fit`` is the project's reference trainer; this loop adds what watching long runs needs:
AdamW with decoupled weight decay (the grokking recipe, Loshchilov & Hutter 2019), and
resuming — at every scheduled step the weights, the optimiser's moments and the minibatch
generator are saved with the record, so a run killed at any moment and started again
with the same settings reproduces, step for step, the history of an uninterrupted run
(single-threaded CPU arithmetic is deterministic). The net's dtype is used throughout.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

from approxlab.errors import ApproxlabError, choose, require
from approxlab.watch.observers import Watch

OPTIMIZERS = ("adamw", "adam", "sgd")
LOSSES = ("cross_entropy", "mse")


def _optimizer(
    name: str, params, lr: float, weight_decay: float, momentum: float, betas: tuple[float, float]
) -> torch.optim.Optimizer:
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay, betas=betas)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay, betas=betas)
    return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)


def _state(opt: torch.optim.Optimizer, gen: torch.Generator) -> dict[str, torch.Tensor]:
    out = {"generator": gen.get_state()}
    for index, slots in opt.state_dict()["state"].items():
        for key, value in slots.items():
            out[f"optimizer.{index}.{key}"] = torch.as_tensor(value)
    return out


def _restore(
    opt: torch.optim.Optimizer, gen: torch.Generator, state: dict[str, torch.Tensor]
) -> None:
    slots: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in state.items():
        if key.startswith("optimizer."):
            _, index, name = key.split(".", 2)
            slots.setdefault(int(index), {})[name] = value
    opt.load_state_dict({"state": slots, "param_groups": opt.state_dict()["param_groups"]})
    gen.set_state(state["generator"])


def train(
    net: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    steps: int,
    watch: Watch | None = None,
    loss: str = "cross_entropy",
    optimizer: str = "adamw",
    lr: float = 1e-3,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    betas: tuple[float, float] = (0.9, 0.999),
    warmup: int = 0,
    loss_dtype: torch.dtype | None = None,
    batch_size: int | None = None,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Minimise (1/n) Σ ℓ(net(x_i), y_i) for ``steps`` steps from where ``watch.history`` left off; return
    the step the run started from (0 for a fresh run).

    ``loss``: cross_entropy (integer labels) | mse; ``optimizer``: adamw | adam | sgd (``momentum``);
    ``batch_size=None`` is full batch, else minibatches drawn by a generator seeded with ``seed``.
    ``betas``: Adam's (β₁, β₂). ``warmup``: step t uses the rate lr · min(t / warmup, 1) (Nanda et al. 2023's
    linear warmup: step 0 moves nothing). ``loss_dtype``: compute the loss in this dtype (Nanda et al.'s
    float64 cross-entropy on a float32 net; float32 log-softmax of confident logits rounds to 0 and spikes).
    A non-finite loss raises :class:`ApproxlabError`.

    >>> import approxlab, tempfile
    >>> from approxlab.watch import History, Watch, WeightNorms
    >>> net = approxlab.mlp(1, [4], seed=0)
    >>> h = History.create(tempfile.mkdtemp() + "/h", {})
    >>> X = torch.linspace(-1, 1, 20, dtype=torch.float64)[:, None]
    >>> train(net, X, X[:, 0] ** 2, steps=8, loss="mse", watch=Watch(h, [WeightNorms()], [0, 4, 8]))
    0
    >>> h.steps
    [0, 4, 8]
    """
    require(
        isinstance(steps, int) and steps >= 1, f"steps must be a positive integer, got {steps!r}"
    )
    choose("optimizer", optimizer, OPTIMIZERS)
    choose("loss", loss, LOSSES)
    require(
        lr > 0 and math.isfinite(lr), f"the learning rate must be positive and finite, got {lr}"
    )
    require(weight_decay >= 0, f"weight decay must be ≥ 0, got {weight_decay}")
    require(
        batch_size is None or batch_size >= 1, f"the batch size must be positive, got {batch_size}"
    )
    require(
        len(betas) == 2 and all(0 <= b < 1 for b in betas),
        f"betas must be two numbers in [0, 1), got {betas}",
    )
    require(
        isinstance(warmup, int) and warmup >= 0, f"warmup must be an integer ≥ 0, got {warmup!r}"
    )
    opt = _optimizer(
        optimizer,
        [p for p in net.parameters() if p.requires_grad],
        lr,
        weight_decay,
        momentum,
        tuple(betas),
    )
    gen = torch.Generator().manual_seed(seed)
    start = 0
    if watch is not None:
        resumed = watch.history.resume_state()
        if resumed is None and watch.history.records:
            raise ApproxlabError(
                f"history {str(watch.history.path)!r} has records up to step {watch.history.steps[-1]} but no optimiser "
                "state to resume from (written by fit's observe hook?): train into a new history folder"
            )
        if resumed is not None:
            start, state = resumed
            watch.history.load_into(net, start)
            _restore(opt, gen, state)
    if loss == "cross_entropy":
        labels = y.long()

        def criterion(out: torch.Tensor, idx) -> torch.Tensor:
            out = out if loss_dtype is None else out.to(loss_dtype)
            return nn.functional.cross_entropy(out, labels if idx is None else labels[idx])
    else:

        def criterion(out: torch.Tensor, idx) -> torch.Tensor:
            target = y if idx is None else y[idx]
            out = out if loss_dtype is None else out.to(loss_dtype)
            return torch.mean((out.reshape(target.shape) - target) ** 2)

    def snapshot() -> dict[str, torch.Tensor]:
        return _state(opt, gen)

    net.train()
    if watch is not None and start == 0:
        watch(0, net, snapshot)
    n = X.shape[0]
    for step in range(start, steps):
        idx = (
            None
            if batch_size is None or batch_size >= n
            else torch.randint(0, n, (batch_size,), generator=gen)
        )
        if warmup:
            for group in opt.param_groups:
                group["lr"] = lr * min(step / warmup, 1.0)
        opt.zero_grad()
        value = criterion(net(X if idx is None else X[idx]), idx)
        value.backward()
        opt.step()
        if not math.isfinite(float(value.detach())):
            raise ApproxlabError(
                f"training diverged at step {step}: the loss is {float(value.detach())}; lower the learning "
                f"rate (now {lr})"
            )
        if watch is not None:
            watch(step + 1, net, snapshot)
        if progress is not None:
            progress(step + 1)
    net.eval()
    if watch is not None and not watch.history.finished:
        watch.history.finish()
    return start
