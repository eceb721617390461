"""Training: ``fit(net, target_or_(X, y))`` — seeded, deterministic, with a divergence check.

Minimises the empirical risk (1/n) Σ ℓ(net(x_i), y_i) with Adam, SGD (momentum) or
L-BFGS, full-batch or minibatch. Data and computation use the net's dtype (float64
for nets from :func:`approxlab.mlp`). Errors reported:

- RMSE = sqrt((1/n) Σ (net(x_i) − y_i)²) on the training and the test sample;
- sup error = max over a dense grid of |net(x) − f(x)| (only when a target is given).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from approxlab.errors import ApproxlabError, choose, require
from approxlab.nets import count_params, in_features, net_dtype
from approxlab.targets import Dataset, Target, sample, target
from approxlab.targets.domain import dense_points

OPTIMIZERS = ("adam", "sgd", "lbfgs")
LOSSES = ("mse", "bce", "cross_entropy")
SCHEDULES = ("cosine", "constant")
SMALL_WORK = 10_000_000  # samples × parameters below which training runs on one thread
_DEFAULT_LR = {"adam": 5e-2, "sgd": 1e-1, "lbfgs": 1.0}
# PyTorch's defaults (1e-7, 1e-9) end L-BFGS while a float64 fit is still improving: a gradient
# of 1e-7 is far from float64's noise floor, so every later step returns at once (a stall).
LBFGS_TOLERANCES = {"tolerance_grad": 1e-14, "tolerance_change": 1e-16}
# One L-BFGS iteration per step: PyTorch's default max_eval (⌊5/4 max_iter⌋ = 1) leaves the
# strong-Wolfe search a single evaluation, after which it returns step size 0 forever
# (measured: tanh 8 units on sine stuck at loss 0.20 from step 10; 25 evaluations: 2.3e-6).
LBFGS_EVALUATIONS = 25


@dataclass
class FitResult:
    """What training produced. ``losses[i]`` is the training loss at step i."""

    net: nn.Module = field(repr=False)
    losses: list[float] = field(repr=False)
    train_rmse: float | None
    test_rmse: float | None
    max_error: float | None
    train_accuracy: float | None
    test_accuracy: float | None
    steps: int
    stopped_early: bool
    seconds: float
    params: int

    def metrics(self) -> dict[str, Any]:
        """The JSON-able numbers (``rmse`` is the test RMSE when there is a test set)."""
        out: dict[str, Any] = {
            "rmse": self.test_rmse if self.test_rmse is not None else self.train_rmse,
            "train_rmse": self.train_rmse,
            "test_rmse": self.test_rmse,
            "max_error": self.max_error,
            "train_accuracy": self.train_accuracy,
            "test_accuracy": self.test_accuracy,
            "final_loss": self.losses[-1] if self.losses else None,
            "steps": self.steps,
            "stopped_early": self.stopped_early,
            "params": self.params,
            "seconds": round(self.seconds, 4),
        }
        return {k: v for k, v in out.items() if v is not None}


def _as_tensor(a, dtype: torch.dtype) -> torch.Tensor:
    return (
        a.detach().to(dtype)
        if isinstance(a, torch.Tensor)
        else torch.as_tensor(np.asarray(a), dtype=dtype)
    )


def _data(data, n_train: int, n_test: int, seed: int, dtype: torch.dtype, test):
    """Return (target or None, X_train, y_train, X_test or None, y_test or None)."""
    if isinstance(data, str):
        data = target(data)
    if isinstance(data, Target):
        Xtr = sample(data.domain, n_train, seed)
        Xte = sample(data.domain, n_test, seed + 1)
        return (
            data,
            _as_tensor(Xtr, dtype),
            _as_tensor(data(Xtr), dtype),
            _as_tensor(Xte, dtype),
            _as_tensor(data(Xte), dtype),
        )
    if isinstance(data, Dataset):
        Xtr, ytr = data.sample(n_train, seed)
        Xte, yte = data.sample(n_test, seed + 1)
        return None, *(_as_tensor(a, dtype) for a in (Xtr, ytr, Xte, yte))
    if isinstance(data, (tuple, list)) and len(data) == 2:
        X, y = (_as_tensor(a, dtype) for a in data)
        if X.ndim == 1:
            X = X[:, None]
        require(
            X.shape[0] == y.shape[0],
            f"X has {X.shape[0]} rows but y has {y.shape[0]}: give one label per row",
        )
        Xte = yte = None
        if test is not None:
            Xte, yte = (_as_tensor(a, dtype) for a in test)
            if Xte.ndim == 1:
                Xte = Xte[:, None]
        return None, X, y, Xte, yte
    raise ApproxlabError(
        f"cannot train on a {type(data).__name__}: pass a target name or expression, a Target, a Dataset or (X, y)"
    )


def loss_function(
    loss: str, net: nn.Module
) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """The loss :func:`fit` minimises: mse (1/n) Σ (ŷ − y)², bce (on logits, or on probabilities when
    the net ends in Sigmoid) or cross_entropy (logits of k classes, integer labels)."""
    if loss == "mse":
        return lambda out, y: torch.mean((out.reshape(y.shape) - y) ** 2)
    if loss == "bce":
        if isinstance(net, nn.Sequential) and isinstance(net[-1], nn.Sigmoid):
            return lambda out, y: nn.functional.binary_cross_entropy(
                out.reshape(y.shape).clamp(1e-12, 1 - 1e-12), y
            )
        return lambda out, y: nn.functional.binary_cross_entropy_with_logits(
            out.reshape(y.shape), y
        )
    return lambda out, y: nn.functional.cross_entropy(out, y.long())


def make_optimizer(
    net: nn.Module, optimizer: str = "adam", lr: float | None = None, momentum: float = 0.9
) -> torch.optim.Optimizer:
    """The optimizer :func:`fit` uses, over ``net``'s trainable parameters: Adam, SGD with
    ``momentum``, or L-BFGS (one iteration per step, strong-Wolfe line search, history 50);
    ``lr=None`` takes the optimizer's default (adam 0.05, sgd 0.1, lbfgs 1).

    >>> from approxlab.nets import mlp
    >>> type(make_optimizer(mlp(1, [3]), "sgd")).__name__
    'SGD'
    """
    choose("optimizer", optimizer, OPTIMIZERS)
    lr = _DEFAULT_LR[optimizer] if lr is None else lr
    params = [p for p in net.parameters() if p.requires_grad]
    if optimizer == "adam":
        return torch.optim.Adam(params, lr=lr)
    if optimizer == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum)
    return torch.optim.LBFGS(
        params,
        lr=lr,
        max_iter=1,
        max_eval=LBFGS_EVALUATIONS,
        history_size=50,
        line_search_fn="strong_wolfe",
        **LBFGS_TOLERANCES,
    )


def weight_penalty(net: nn.Module, l1: float = 0.0, l2: float = 0.0) -> torch.Tensor:
    """λ₁ Σ |W| + λ₂ Σ W² over the weight matrices of the net's ``Linear`` layers (biases are not
    penalised, as in TensorFlow Playground's L1/L2 regularisation); a 0-d tensor in the net's dtype.

    >>> from approxlab.nets import mlp
    >>> float(weight_penalty(mlp(1, [3]), l2=0.0))
    0.0
    """
    total = torch.zeros((), dtype=net_dtype(net))
    for m in net.modules():
        if isinstance(m, nn.Linear):
            if l1:
                total = total + l1 * m.weight.abs().sum()
            if l2:
                total = total + l2 * (m.weight**2).sum()
    return total


def batch_step(
    net: nn.Module,
    opt: torch.optim.Optimizer,
    criterion: Callable,
    X: torch.Tensor,
    y: torch.Tensor,
    batch_size: int | None,
    gen: torch.Generator,
    penalty: Callable[[nn.Module], torch.Tensor] | None = None,
) -> float:
    """One optimizer step of :func:`fit` on ``criterion(net(x_B), y_B) (+ penalty(net))``: the whole
    sample when ``batch_size`` is None or ≥ n, else B = ``batch_size`` rows drawn with replacement by
    ``gen``. Returns the loss before the step (without the penalty); the caller checks it is finite.

    >>> from approxlab.nets import mlp
    >>> net = mlp(1, [3]); X = torch.zeros(4, 1, dtype=torch.float64); y = torch.zeros(4, dtype=torch.float64)
    >>> batch_step(net, make_optimizer(net), loss_function("mse", net), X, y, None, torch.Generator()) >= 0
    True
    """
    n = X.shape[0]
    if batch_size is None or batch_size >= n:
        xb, yb = X, y
    else:
        idx = torch.randint(0, n, (batch_size,), generator=gen)
        xb, yb = X[idx], y[idx]
    data_loss: list[torch.Tensor] = []

    def closure() -> torch.Tensor:
        opt.zero_grad()
        value = criterion(net(xb), yb)
        data_loss.append(value.detach())
        total = value if penalty is None else value + penalty(net)
        total.backward()
        return total

    total = opt.step(closure)
    return float(data_loss[0]) if penalty is not None else float(total.detach())


def _predict(net: nn.Module, X: torch.Tensor, chunk: int = 65536) -> torch.Tensor:
    with torch.no_grad():
        return torch.cat([net(X[i : i + chunk]) for i in range(0, X.shape[0], chunk)])


def _rmse(net, X, y) -> float:
    return float(torch.sqrt(torch.mean((_predict(net, X).reshape(y.shape) - y) ** 2)))


def _accuracy(net, X, y, loss: str) -> float:
    out = _predict(net, X)
    if loss == "cross_entropy":
        return float((out.argmax(dim=1) == y.long()).double().mean())
    ends_in_sigmoid = isinstance(net, nn.Sequential) and isinstance(net[-1], nn.Sigmoid)
    cut = 0.5 if ends_in_sigmoid else 0.0
    return float(((out.reshape(y.shape) > cut).to(y.dtype) == y).double().mean())


def sup_error(net: nn.Module, f: Target, n: int | None = None) -> float:
    """max |net(x) − f(x)| over the dense grid of ``n`` points per axis on f's domain
    (:func:`~approxlab.targets.domain.dense_points`: a seeded sample beyond 2·10^5 grid points).

    >>> from approxlab.nets import mlp
    >>> sup_error(mlp(1, [2]), target("sine"), n=11) > 0
    True
    """
    X = dense_points(f.domain, n)
    Xt = torch.as_tensor(X, dtype=net_dtype(net))
    return float(np.max(np.abs(_predict(net, Xt).reshape(-1).double().numpy() - np.asarray(f(X)))))


def fit(
    net: nn.Module,
    data,
    *,
    steps: int = 2000,
    optimizer: str = "adam",
    lr: float | None = None,
    momentum: float = 0.9,
    schedule: str = "cosine",
    loss: str = "mse",
    batch_size: int | None = None,
    n_train: int = 1000,
    n_test: int = 1000,
    seed: int = 0,
    patience: int | None = None,
    min_delta: float = 0.0,
    tol: float | None = None,
    test=None,
    grid_n: int | None = None,
    progress: Callable[[int, float], None] | None = None,
    observe: Callable[[int, nn.Module], None] | None = None,
) -> FitResult:
    """Train ``net`` in place on a target (sampled with ``seed``) or on ``(X, y)``.

    - ``data``: a target name/expression, a :class:`Target` (``n_train`` points sampled
      with ``seed``, ``n_test`` with ``seed + 1``), a :class:`Dataset`, or ``(X, y)``
      (then ``test=(X_test, y_test)`` is optional).
    - ``optimizer``: adam | sgd (with ``momentum``) | lbfgs (strong-Wolfe line search);
      ``loss``: mse | bce (logits, or probabilities if the net ends in Sigmoid) | cross_entropy.
    - ``schedule``: cosine (the step size decays from ``lr`` to 0 over ``steps``) or constant.
    - ``batch_size=None`` is full-batch; minibatches are shuffled by a generator seeded
      with ``seed``, so a run is deterministic.
    - Early stopping: after ``patience`` steps without the loss improving by
      ``min_delta``, or when the loss falls below ``tol``.
    - A NaN or infinite loss stops training with :class:`ApproxlabError`.
    - ``observe(step, net)`` is called before the first step (step 0) and after every step
      (e.g. an :class:`approxlab.watch.Watch`, which acts on its own schedule).

    >>> from approxlab.nets import mlp
    >>> r = fit(mlp(1, [8], activation="tanh"), "sine", steps=50)
    >>> r.steps, r.train_rmse < 1.0
    (50, True)
    """
    require(
        isinstance(steps, int) and steps >= 1,
        f"steps must be a positive integer, got {steps!r}: pass e.g. --steps 3000",
    )
    choose("optimizer", optimizer, OPTIMIZERS)
    choose("loss", loss, LOSSES)
    choose("schedule", schedule, SCHEDULES)
    require(batch_size is None or batch_size >= 1, f"batch size must be positive, got {batch_size}")
    lr = _DEFAULT_LR[optimizer] if lr is None else lr
    require(lr > 0 and math.isfinite(lr), f"learning rate must be positive and finite, got {lr}")
    dtype = net_dtype(net)
    f, X, y, Xte, yte = _data(data, n_train, n_test, seed, dtype, test)
    if in_features(net) != X.shape[1]:
        raise ApproxlabError(
            f"the net takes {in_features(net)} inputs but the data has {X.shape[1]} coordinates: "
            f"build the net with in_dim={X.shape[1]}"
        )
    if loss == "mse" and y.ndim == 1:
        out_dim = net(X[:1]).shape[-1]
        require(
            out_dim == 1, f"MSE on scalar targets needs out_dim=1, the net has {out_dim} outputs"
        )
    criterion = loss_function(loss, net)
    opt = make_optimizer(net, optimizer, lr, momentum)
    # Cosine decay lets a large first step size escape plateaus and still settle at the end.
    sched = (
        torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
        if schedule == "cosine" and optimizer != "lbfgs"
        else None
    )
    gen = torch.Generator().manual_seed(seed)
    n = X.shape[0]
    threads = torch.get_num_threads()
    if n * count_params(net) < SMALL_WORK:
        # Small problems gain nothing from intra-op threads and lose a lot on a busy machine.
        torch.set_num_threads(1)
    try:
        return _train(
            net,
            f,
            X,
            y,
            Xte,
            yte,
            opt,
            sched,
            criterion,
            gen,
            steps,
            batch_size,
            lr,
            tol,
            patience,
            min_delta,
            progress,
            loss,
            grid_n,
            observe,
        )
    finally:
        torch.set_num_threads(threads)


def _train(
    net,
    f,
    X,
    y,
    Xte,
    yte,
    opt,
    sched,
    criterion,
    gen,
    steps,
    batch_size,
    lr,
    tol,
    patience,
    min_delta,
    progress,
    loss,
    grid_n,
    observe=None,
) -> FitResult:
    losses: list[float] = []
    best, since_best, stopped = math.inf, 0, False
    start = time.perf_counter()
    net.train()
    report_every = max(1, steps // 200)
    if observe is not None:
        observe(0, net)
    for step in range(steps):
        value = batch_step(net, opt, criterion, X, y, batch_size, gen)
        if not math.isfinite(value):
            raise ApproxlabError(
                f"training diverged at step {step}: the loss is {value}; lower the learning rate (now {lr}) "
                "or standardise the target"
            )
        losses.append(value)
        if sched is not None:
            sched.step()
        if observe is not None:
            observe(step + 1, net)
        if progress is not None and (step % report_every == 0 or step == steps - 1):
            progress(step + 1, value)
        if tol is not None and value <= tol:
            stopped = step < steps - 1
            break
        if value < best - min_delta:
            best, since_best = value, 0
        else:
            since_best += 1
            if patience is not None and since_best >= patience:
                stopped = True
                break
    seconds = time.perf_counter() - start
    net.eval()
    regression = loss == "mse"
    return FitResult(
        net=net,
        losses=losses,
        train_rmse=_rmse(net, X, y) if regression else None,
        test_rmse=_rmse(net, Xte, yte) if regression and Xte is not None else None,
        max_error=sup_error(net, f, grid_n) if f is not None and regression else None,
        train_accuracy=None if regression else _accuracy(net, X, y, loss),
        test_accuracy=None if regression or Xte is None else _accuracy(net, Xte, yte, loss),
        steps=len(losses),
        stopped_early=stopped,
        seconds=seconds,
        params=count_params(net),
    )
