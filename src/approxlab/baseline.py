"""The one fair training baseline that every "construction vs training" comparison uses.

A trained net stands in for "what gradient descent finds" only if training was given a
fair chance, so :func:`best_of` fixes one protocol:

1. the learning rate is chosen on a small grid by the training loss after a short Adam
   probe (``probe_steps``) from the first initialisation (cosine decay, full batch, float64);
2. every initialisation (seeds ``seed, seed+1, …``) is trained by Adam at that rate and
   then finished by L-BFGS (strong-Wolfe line search) — a second-order finish that takes
   a run from "near a minimum" to "at it";
3. the run with the smallest sup error (or a given score) max_x |net(x) − f(x)| on the target's dense grid
   is the baseline, and the spread (min, median, max over initialisations) is reported,
   so a single collapsed run can neither make training look bad nor hide.

An L-BFGS finish that diverges is undone (the Adam weights are kept) and an Adam rate
that diverges scores +inf, so one bad setting never stops the protocol. Everything is
float64 when the net is, and seeded.

Reference: the issue "every verdict falsifiable" (Adam then L-BFGS from several inits
turned a reported 682× gap into ≈ 30×); Nocedal & Wright, *Numerical Optimization*, ch. 7.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from approxlab.ensemble import Ensemble, train
from approxlab.errors import ApproxlabError, require
from approxlab.fit import LBFGS_TOLERANCES, fit, sup_error
from approxlab.nets import net_dtype
from approxlab.targets import Target, sample


@dataclass
class BestOf:
    """The best net of the protocol, its sup error, the chosen rate and the spread over inits."""

    net: nn.Module = field(repr=False)
    error: float
    lr: float
    seed: int
    errors: list[float]
    lr_losses: dict[float, float]

    @property
    def spread(self) -> dict[str, float]:
        """min, median and max sup error over the initialisations."""
        e = np.asarray(self.errors, dtype=float)
        return {"min": float(e.min()), "median": float(np.median(e)), "max": float(e.max())}

    def row(self) -> dict[str, Any]:
        """JSON-able summary for an atlas table."""
        return {
            "trained_error": self.error,
            "trained_lr": self.lr,
            "best_init": self.seed,
            "inits": len(self.errors),
            **{f"trained_{k}": v for k, v in self.spread.items()},
        }


def _adam(net: nn.Module, data, lr: float, steps: int, seed: int) -> float:
    try:
        return fit(net, data, steps=steps, optimizer="adam", lr=lr, seed=seed).losses[-1]
    except ApproxlabError:  # diverged: this rate is not the one to pick
        return math.inf


def _adam_runs(
    nets: list[nn.Module], data, rates: Sequence[float], steps: int, seed: int
) -> list[float]:
    """Adam (cosine decay, full batch) on each net at its own rate, in place; each net's last loss.

    Nets of one :func:`approxlab.mlp` shape train as one stacked ensemble (:mod:`approxlab.ensemble`):
    the same updates as :func:`fit` to round-off (measured: parameters within 4e-13 after 1500
    steps of three 1→8→1 sigmoid nets) for an eighth of the CPU time. Any other net, or one with
    frozen parameters, trains through :func:`fit` alone. A diverged run's loss is +inf.
    """
    frozen = any(not p.requires_grad for net in nets for p in net.parameters())
    try:
        ens = None if frozen else Ensemble.from_nets(nets)
    except ApproxlabError:
        ens = None
    if ens is None:
        return [_adam(net, data, lr, steps, seed) for net, lr in zip(nets, rates)]
    last = train(ens, data, steps=steps, optimizer="adam", lr=list(rates)).losses[-1]
    with torch.no_grad():
        for k, net in enumerate(nets):
            linears = [m for m in net if isinstance(m, nn.Linear)]
            for lin, W, b in zip(linears, ens.weights, ens.biases):
                lin.weight.copy_(W[k])
                lin.bias.copy_(b[k])
    return [float(v) if math.isfinite(v) else math.inf for v in last]


def lbfgs_finish(net: nn.Module, data, steps: int) -> None:
    """Full-batch L-BFGS on the MSE for ``steps`` iterations, undone if it diverges or ends worse.

    Not through :func:`approxlab.fit.fit`: its L-BFGS keeps torch's default tolerances (stop when
    max|∇| ≤ 1e-7), which end the finish as soon as the loss is small — exactly where a second-order
    finish matters (measured: sin 2πx with 8 sigmoids stalled at sup error 0.047; with the tolerances
    at 1e-14 the same start reached 6e-4).
    """
    dtype = net_dtype(net)
    X = torch.as_tensor(np.asarray(data[0]), dtype=dtype)
    X = X[:, None] if X.ndim == 1 else X
    y = torch.as_tensor(np.asarray(data[1]), dtype=dtype).reshape(X.shape[0], -1)
    state = copy.deepcopy(net.state_dict())
    opt = torch.optim.LBFGS(
        net.parameters(),
        lr=1.0,
        max_iter=steps,
        history_size=50,
        line_search_fn="strong_wolfe",
        **LBFGS_TOLERANCES,
    )

    def loss() -> torch.Tensor:
        return torch.mean((net(X) - y) ** 2)

    def closure() -> torch.Tensor:
        opt.zero_grad()
        value = loss()
        value.backward()
        return value

    with torch.no_grad():
        before = float(loss())
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny problems: intra-op threads only cost on a shared machine
    try:
        opt.step(closure)
    finally:
        torch.set_num_threads(threads)
    with torch.no_grad():
        after = float(loss())
    if not math.isfinite(after) or after > before:
        net.load_state_dict(state)


def best_of(
    make: Callable[[int], nn.Module],
    f: Target | tuple[np.ndarray, np.ndarray],
    *,
    inits: int = 4,
    lrs: Sequence[float] = (1e-3, 1e-2, 1e-1),
    adam_steps: int = 2000,
    lbfgs_steps: int = 300,
    probe_steps: int = 300,
    n_train: int = 1000,
    seed: int = 0,
    score: Callable[[nn.Module], float] | None = None,
) -> BestOf:
    """Train ``make(s)`` for s = seed … seed+inits−1 on ``f`` by the fair protocol; return the best.

    ``make(s)`` builds a fresh net from initialisation seed ``s``. For a :class:`Target` the
    ``n_train`` training points are sampled once (seed ``seed``) and shared by every run, and
    the score is sup |net − f| on f's dense grid (:func:`approxlab.fit.sup_error`). ``f`` may
    instead be training data ``(X, y)``; then ``score(net)`` (smaller is better) is required.

    >>> from approxlab.nets import mlp
    >>> from approxlab.targets import target
    >>> b = best_of(lambda s: mlp(1, [4], activation="tanh", seed=s), target("sine"),
    ...             inits=2, lrs=(1e-2, 1e-1), adam_steps=50, lbfgs_steps=5, probe_steps=20)
    >>> len(b.errors), b.error == min(b.errors)
    (2, True)
    """
    require(inits >= 1, f"inits must be at least 1, got {inits}: pass inits=4")
    require(len(lrs) >= 1, "lrs is empty: give at least one learning rate, e.g. lrs=(1e-2,)")
    if isinstance(f, Target):
        X = sample(f.domain, n_train, seed)
        data = (X, np.asarray(f(X)))
        score = score or (lambda net: sup_error(net, f))
    else:
        require(
            score is not None, "best_of on (X, y) data needs score=: pass a function net -> error"
        )
        data = f
    if len(lrs) > 1:
        probes = _adam_runs([make(seed) for _ in lrs], data, lrs, probe_steps, seed)
        lr_losses = dict(zip(lrs, probes))
    else:
        lr_losses = {lrs[0]: math.nan}
    lr = min(lrs, key=lambda r: lr_losses[r]) if len(lrs) > 1 else lrs[0]
    best: tuple[float, int, nn.Module] | None = None
    errors = []
    nets = [make(s) for s in range(seed, seed + inits)]
    _adam_runs(nets, data, [lr] * inits, adam_steps, seed)
    for s, net in zip(range(seed, seed + inits), nets):
        if lbfgs_steps:
            lbfgs_finish(net, data, lbfgs_steps)
        error = float(score(net))
        error = error if math.isfinite(error) else math.inf
        errors.append(error)
        if best is None or error < best[0]:
            best = (error, s, net)
    return BestOf(best[2], best[0], lr, best[1], errors, lr_losses)
