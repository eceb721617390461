"""Training K stacked nets with one optimiser step: the ensemble's ``fit``.

Each net minimises its own empirical risk L_k = (1/n) Σ_i ℓ(net_k(x_ki), y_ki) with
fit's loss ℓ (:func:`approxlab.fit.loss_function`, mapped over the K axis with
``torch.func.vmap``); the step differentiates Σ_k L_k, whose gradient in net k's
parameters is ∇L_k alone, so the nets never interact. Optimisers and schedule:
:mod:`approxlab.ensemble.optim`. Net k trained here equals
``fit(mlp(..., seed=seeds[k]), data, seed=seeds[k], ...)`` to round-off (tested in float64).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from approxlab.ensemble import twolayer
from approxlab.ensemble.optim import StackedAdam, StackedSGD, schedule_factors
from approxlab.ensemble.stacked import Ensemble
from approxlab.errors import choose, require
from approxlab.fit import _DEFAULT_LR, LOSSES, SCHEDULES, _accuracy, _data, loss_function
from approxlab.nets import mlp
from approxlab.targets.domain import dense_points

OPTIMIZERS = ("adam", "sgd")
KERNELS = ("auto", "generic", "two_layer")
_DENSE_CHUNK = 2**22  # nets × grid points × widest layer per forward pass when measuring sup errors


@dataclass
class EnsembleResult:
    """What training K nets produced: ``losses[t, k]`` is net k's loss at step t; ``table[k]`` its metrics."""

    ensemble: Ensemble = field(repr=False)
    losses: np.ndarray = field(repr=False)
    table: list[dict[str, Any]]
    seconds: float
    device: str

    def nets(self):
        """The K trained nets as ``nn.Sequential`` (see :meth:`Ensemble.unstack`)."""
        return self.ensemble.unstack()


def _learning_rates(lr, K: int, optimizer: str, dtype, device) -> torch.Tensor:
    if lr is None:
        rates = [_DEFAULT_LR[optimizer]] * K
    elif isinstance(lr, (int, float)):
        rates = [float(lr)] * K
    else:
        rates = [float(r) for r in lr]
        require(
            len(rates) == K,
            f"lr has {len(rates)} values for {K} nets: give one rate or one per net",
        )
    for r in rates:
        require(r > 0 and math.isfinite(r), f"learning rate must be positive and finite, got {r}")
    return torch.tensor(rates, dtype=dtype, device=device)


def _stacked_data(
    data, ens: Ensemble, n_train: int, n_test: int, shared: bool, data_seed: int, test
):
    """(target or None, X (K,n,d) or (n,d), y, X_test, y_test) from fit's own sampling, per net or shared."""
    dtype, device = ens.dtype, ens.device
    if shared or isinstance(data, (tuple, list)):
        f, *arrays = _data(data, n_train, n_test, data_seed, dtype, test)
        return (f, *(a.to(device) if a is not None else None for a in arrays))
    per_net = [_data(data, n_train, n_test, s, dtype, test) for s in ens.seeds]
    f = per_net[0][0]
    stacked = [torch.stack([p[i] for p in per_net]).to(device) for i in range(1, 5)]
    return f, *stacked


def train(
    ens: Ensemble,
    data,
    *,
    steps: int = 2000,
    optimizer: str = "adam",
    lr: float | Sequence[float] | None = None,
    momentum: float = 0.9,
    schedule: str = "cosine",
    loss: str = "mse",
    n_train: int = 1000,
    n_test: int = 1000,
    shared_data: bool = False,
    data_seed: int = 0,
    test=None,
    grid_n: int | None = None,
    kernel: str = "auto",
    compile: bool | None = None,
    progress: Callable[[int, float], None] | None = None,
) -> EnsembleResult:
    """Train all K nets of ``ens`` in place, full batch, with one stacked Adam/SGD step per iteration.

    - ``data``: as for :func:`approxlab.fit.fit` — a target, a :class:`Dataset` or ``(X, y)``.
      By default net k samples its own ``n_train`` points with its seed ``ens.seeds[k]``
      (test points with seed + 1), exactly as ``fit(..., seed=seeds[k])``; ``shared_data=True``
      gives every net the one sample drawn with ``data_seed``. ``(X, y)`` is always shared.
    - ``lr``: one rate, or one per net (a learning-rate sweep in one run); default as fit.
    - ``optimizer``: adam | sgd (momentum); ``schedule``: cosine | constant; ``loss``: mse | bce |
      cross_entropy — fit's definitions. Minibatches, L-BFGS and early stopping are fit's alone.
    - A net whose loss becomes NaN/inf is reported (``diverged_at`` in its row) and the
      others train on; ``fit`` would raise instead.
    - ``kernel``: ``"two_layer"`` is the fused forward/backward of :mod:`approxlab.ensemble.twolayer`
      (one hidden sigmoid/tanh/relu layer, scalar output, MSE), ``"generic"`` autograd on the
      stacked tensors (every shape), ``"auto"`` the fused one where it applies.
      ``compile=True`` runs the fused kernel through ``torch.compile`` (needs a C++ compiler on
      the CPU; seconds to compile, then faster; it falls back to eager if compiling fails);
      ``None`` compiles when :func:`approxlab.ensemble.twolayer.compile_pays`.

    Dtype and device are the ensemble's (float64 by default).

    >>> from approxlab.ensemble import ensemble
    >>> r = train(ensemble(1, [8], activation="tanh", seeds=3), "sine", steps=50)
    >>> len(r.table), r.losses.shape
    (3, (50, 3))
    """
    require(
        isinstance(steps, int) and steps >= 1, f"steps must be a positive integer, got {steps!r}"
    )
    require(
        optimizer != "lbfgs",
        "the ensemble trains with adam or sgd: L-BFGS runs one net at a time in approxlab.fit",
    )
    choose("optimizer", optimizer, OPTIMIZERS)
    choose("loss", loss, LOSSES)
    choose("schedule", schedule, SCHEDULES)
    choose("kernel", kernel, KERNELS)
    K = ens.K
    rates = _learning_rates(lr, K, optimizer, ens.dtype, ens.device)
    f, X, y, Xte, yte = _stacked_data(data, ens, n_train, n_test, shared_data, data_seed, test)
    sizes = ens.sizes
    require(
        X.shape[-1] == sizes[0],
        f"the nets take {sizes[0]} inputs but the data has {X.shape[-1]} coordinates: "
        f"build the ensemble with in_dim={X.shape[-1]}",
    )
    shared = X.ndim == 2
    if loss == "mse" and y.ndim == (1 if shared else 2):
        require(
            sizes[-1] == 1,
            f"MSE on scalar targets needs out_dim=1, the nets have {sizes[-1]} outputs",
        )
    fused = twolayer.supports(sizes, ens.activation, ens.out_activation, loss)
    require(
        kernel != "two_layer" or fused,
        "the two_layer kernel trains d → m → 1 sigmoid/tanh/relu nets on MSE: "
        "use kernel='generic' (or 'auto') for this shape",
    )
    params = ens.parameters()
    if fused and kernel != "generic":
        if compile is None:
            compile = twolayer.compile_pays(K, steps, ens.device)
        losses_and_grads = twolayer.TwoLayerStep(params, X, y, ens.activation, compile=compile)
    else:
        template = mlp(
            sizes[0],
            sizes[1:-1],
            sizes[-1],
            activation=ens.activation,
            out_activation=ens.out_activation,
        )
        criterion = torch.func.vmap(
            loss_function(loss, template), in_dims=(0, None if shared else 0)
        )

        def losses_and_grads() -> torch.Tensor:
            for p in params:
                p.grad = None
            per_net = criterion(ens(X), y)
            per_net.sum().backward()
            return per_net.detach()

    opt = StackedAdam(params, rates) if optimizer == "adam" else StackedSGD(params, rates, momentum)
    factors = schedule_factors(schedule, steps)
    losses = torch.empty(steps, K, dtype=ens.dtype, device=ens.device)
    report_every = max(1, steps // 200)
    start = time.perf_counter()
    for t in range(steps):
        per_net = losses_and_grads()
        losses[t] = per_net
        opt.step(factors[t])
        if progress is not None and (t % report_every == 0 or t == steps - 1):
            progress(t + 1, float(per_net.mean()))
    if ens.device.type == "cuda":
        torch.cuda.synchronize(ens.device)
    seconds = time.perf_counter() - start
    losses_np = losses.cpu().numpy()
    table = _table(ens, f, X, y, Xte, yte, loss, losses_np, rates, grid_n, steps)
    return EnsembleResult(ens, losses_np, table, seconds, str(ens.device))


def _rmse(ens: Ensemble, X: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """Per-net sqrt(mean((net_k(x) − y)²)), as fit's ``_rmse``."""
    with torch.no_grad():
        out = ens(X)
        yk = y.expand(ens.K, *y.shape) if X.ndim == 2 else y
        return (
            torch.sqrt(torch.mean((out.reshape(yk.shape) - yk) ** 2, dim=tuple(range(1, yk.ndim))))
            .cpu()
            .numpy()
        )


def sup_errors(ens: Ensemble, f, n: int | None = None) -> np.ndarray:
    """max over fit's dense grid of |net_k(x) − f(x)| for each net k (as :func:`approxlab.fit.sup_error`)."""
    Xd = dense_points(f.domain, n)
    fx = torch.as_tensor(np.asarray(f(Xd)), dtype=torch.float64)
    Xt = torch.as_tensor(Xd, dtype=ens.dtype, device=ens.device)
    rows = max(1, _DENSE_CHUNK // (ens.K * max(ens.sizes)))
    worst = torch.zeros(ens.K, dtype=torch.float64)
    with torch.no_grad():
        for i in range(0, Xt.shape[0], rows):
            out = ens(Xt[i : i + rows])[..., 0].double().cpu()
            worst = torch.maximum(worst, (out - fx[i : i + rows]).abs().max(dim=1).values)
    return worst.numpy()


def _table(ens, f, X, y, Xte, yte, loss, losses, rates, grid_n, steps) -> list[dict[str, Any]]:
    finite = np.isfinite(losses)
    diverged = [
        int(np.argmin(finite[:, k])) if not finite[:, k].all() else None for k in range(ens.K)
    ]
    params = sum(p[0].numel() for p in ens.parameters())
    rows = [
        {
            "seed": s,
            "lr": float(r),
            "final_loss": float(losses[-1, k]),
            "steps": steps,
            "params": params,
            "diverged_at": d,
        }
        for k, (s, r, d) in enumerate(zip(ens.seeds, rates.tolist(), diverged))
    ]
    if loss == "mse":
        columns = {"train_rmse": _rmse(ens, X, y)}
        if Xte is not None:
            columns["test_rmse"] = _rmse(ens, Xte, yte)
        if f is not None:
            columns["max_error"] = sup_errors(ens, f, grid_n)
    else:
        nets = ens.unstack()
        columns = {"train_accuracy": _accuracies(nets, X, y, loss)}
        if Xte is not None:
            columns["test_accuracy"] = _accuracies(nets, Xte, yte, loss)
    for name, values in columns.items():
        for row, v in zip(rows, values):
            row[name] = float(v)
    for row in rows:
        if loss == "mse":
            row["rmse"] = row.get("test_rmse", row["train_rmse"])
        if row["diverged_at"] is not None:
            for name in columns:
                row[name] = math.nan
    return rows


def _accuracies(nets, X: torch.Tensor, y: torch.Tensor, loss: str) -> np.ndarray:
    """fit's accuracy for each unstacked net on its own (K, n, d) or the shared (n, d) data."""
    X, y = X.cpu(), y.cpu()
    return np.array(
        [
            _accuracy(net, X if X.ndim == 2 else X[k], y if X.ndim == 2 else y[k], loss)
            for k, net in enumerate(nets)
        ]
    )
