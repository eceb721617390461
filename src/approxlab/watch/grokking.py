"""Grokking on modular addition: memorise first, generalise long after (Power et al. 2022; Gromov 2023).

The task: all pairs (a, b) ∈ Z_p², label (a + b) mod p; a fraction of the p² pairs is the
training set, the rest the test set. Gromov's net reads the one-hot codes of a and b
concatenated (2p inputs), has one hidden layer with the quadratic activation σ(z) = z²
(or ReLU) and p outputs trained with MSE on one-hot labels, by AdamW with weight decay,
full batch. Train accuracy reaches 100 % early; test accuracy stays low for long, then
jumps while weight decay shrinks ‖θ‖ (the transition from lazy to rich dynamics,
Kumar et al. 2024; seed 003 "Grokking"). float32 (the phenomenon needs no float64 and
float32 is twice as fast).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from approxlab.errors import require
from approxlab.watch.history import History
from approxlab.watch.observers import Metrics, Watch, WeightNorms
from approxlab.watch.schedule import log_steps
from approxlab.watch.trainer import train

TEST_TARGET = 0.99  # "generalised": test accuracy at least 99 %


class Square(nn.Module):
    """σ(z) = z², Gromov 2023's activation (the net is then a quadratic form of its inputs)."""

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return z * z


def modular_addition(p: int, fraction: float, seed: int = 0) -> dict[str, torch.Tensor]:
    """One-hot inputs X (p², 2p) and one-hot labels Y (p², p) of (a + b) mod p, float32, and a seeded split
    into ``train`` and ``test`` index tensors (``fraction`` of the pairs for training).

    >>> d = modular_addition(5, 0.4); d["X"].shape, len(d["train"]), int(d["Y"][7].argmax())
    (torch.Size([25, 10]), 10, 3)
    """
    require(isinstance(p, int) and p >= 2, f"p must be an integer ≥ 2, got {p!r}")
    require(0 < fraction < 1, f"the training fraction must lie in (0, 1), got {fraction}")
    a, b = (t.ravel() for t in torch.meshgrid(torch.arange(p), torch.arange(p), indexing="ij"))
    X = torch.cat([nn.functional.one_hot(a, p), nn.functional.one_hot(b, p)], dim=1).float()
    Y = nn.functional.one_hot((a + b) % p, p).float()
    perm = torch.randperm(p * p, generator=torch.Generator().manual_seed(seed))
    n = max(1, int(round(fraction * p * p)))
    return {"X": X, "Y": Y, "train": perm[:n], "test": perm[n:]}


def gromov_mlp(p: int, width: int, activation: str = "quadratic", seed: int = 0) -> nn.Sequential:
    """Linear(2p, width) → z² (or ReLU) → Linear(width, p), PyTorch's default init under ``seed``, float32."""
    require(activation in ("quadratic", "relu"), f"unknown activation {activation!r}: use quadratic or relu")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.Sequential(nn.Linear(2 * p, width), Square() if activation == "quadratic" else nn.ReLU(),
                             nn.Linear(width, p))


@dataclass
class GrokResult:
    """Steps at which train accuracy first reached 100 % and test accuracy first reached 99 %, and the curves."""

    train_step: int | None
    test_step: int | None
    curve: list[dict[str, float]] = field(repr=False)
    history: History = field(repr=False)

    @property
    def ratio(self) -> float | None:
        """test_step / train_step: how much longer generalising took than memorising."""
        return None if self.train_step is None or self.test_step is None else self.test_step / self.train_step

    def metrics(self) -> dict[str, Any]:
        norms = {c["step"]: c["weight_norm"] for c in self.curve}
        return {"train_step": self.train_step, "test_step": self.test_step, "ratio": self.ratio,
                "weight_norm_init": self.curve[0]["weight_norm"], "weight_norm_at_train_step": norms.get(self.train_step),
                "weight_norm_at_test_step": norms.get(self.test_step), "weight_norm_final": self.curve[-1]["weight_norm"],
                "final_train_accuracy": self.curve[-1]["train_accuracy"],
                "final_test_accuracy": self.curve[-1]["test_accuracy"]}


def grok_modular(
    p: int = 23,
    width: int = 256,
    fraction: float = 0.5,
    steps: int = 2000,
    lr: float = 5e-3,
    weight_decay: float = 1.0,
    activation: str = "quadratic",
    seed: int = 0,
    check_every: int = 10,
    history: str | Path | None = None,
    progress=None,
) -> GrokResult:
    """Train Gromov's MLP on (a + b) mod p with AdamW; accuracies and ‖θ‖ every ``check_every`` steps (the
    step counts are exact to that resolution), weights and metrics at log-spaced steps in ``history``
    (a resumable folder; a temporary one when None).

    >>> r = grok_modular(p=5, width=16, steps=20, check_every=10)
    >>> [c["step"] for c in r.curve]
    [0, 10, 20]
    """
    require(isinstance(check_every, int) and check_every >= 1, f"check_every must be a positive integer, got {check_every!r}")
    data = modular_addition(p, fraction, seed)
    X, Y, tr, te = data["X"], data["Y"], data["train"], data["test"]
    net = gromov_mlp(p, width, activation, seed)
    config = {"study": "grok-mod", "p": p, "width": width, "fraction": fraction, "steps": steps, "lr": lr,
              "weight_decay": weight_decay, "activation": activation, "seed": seed}
    h = History.resume_or_create(history if history is not None else Path(tempfile.mkdtemp()) / "history", config)
    metrics = Metrics(X[tr], Y[tr], X[te], Y[te], loss="mse")
    norms = WeightNorms()
    curve: list[dict[str, float]] = []

    def check(step: int) -> None:
        if step % check_every == 0 or step == steps:
            values = metrics(net)
            curve.append({"step": step, "train_accuracy": values["train_accuracy"],
                          "test_accuracy": values["test_accuracy"], "weight_norm": norms(net)["weight_norm"]})
        if progress is not None:
            progress(step)

    watch = Watch(h, [metrics, norms], log_steps(steps, 40))
    start = train(net, X[tr], Y[tr], steps=steps, watch=watch, loss="mse", optimizer="adamw", lr=lr,
                  weight_decay=weight_decay, seed=seed, progress=check) if not h.finished else steps
    if start:  # resumed: the fine curve before the resume point comes from the history's records
        curve = [{"step": r["step"], "train_accuracy": r["train_accuracy"], "test_accuracy": r["test_accuracy"],
                  "weight_norm": r["weight_norm"]} for r in h.records if r["step"] <= start] + curve
    elif h.finished and not curve:
        curve = [{k: r[k] for k in ("step", "train_accuracy", "test_accuracy", "weight_norm")} for r in h.records]
    if not curve or curve[0]["step"] != 0:
        h.load_into(net, 0)
        values = metrics(net)
        curve.insert(0, {"step": 0, "train_accuracy": values["train_accuracy"], "test_accuracy": values["test_accuracy"],
                         "weight_norm": norms(net)["weight_norm"]})
    train_step = next((c["step"] for c in curve if c["train_accuracy"] >= 1.0), None)
    test_step = next((c["step"] for c in curve if c["test_accuracy"] >= TEST_TARGET), None)
    return GrokResult(train_step, test_step, curve, h)


def figure(result: GrokResult, title: str = ""):
    """Train and test accuracy over log-steps, ‖θ‖ on the right axis, the two step counts marked (matplotlib)."""
    import matplotlib.pyplot as plt

    steps = np.array([max(c["step"], 1) for c in result.curve])
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    ax.semilogx(steps, [c["train_accuracy"] for c in result.curve], label="train accuracy", color="tab:blue")
    ax.semilogx(steps, [c["test_accuracy"] for c in result.curve], label="test accuracy", color="tab:red")
    for s, name, colour in ((result.train_step, "train 100 %", "tab:blue"), (result.test_step, "test 99 %", "tab:red")):
        if s is not None:
            ax.axvline(s, ls=":", color=colour)
            ax.text(s, 0.5, f" {name}\n step {s}", color=colour, fontsize=8)
    ax.set_xlabel("step (log scale; step 0 drawn at 1)")
    ax.set_ylabel("accuracy")
    right = ax.twinx()
    right.semilogx(steps, [c["weight_norm"] for c in result.curve], color="grey", ls="--", label="‖θ‖₂")
    right.set_ylabel("weight norm ‖θ‖₂", color="grey")
    ax.legend(loc="center left")
    ax.set_title(title or "Grokking: memorise, then generalise")
    fig.tight_layout()
    return fig
