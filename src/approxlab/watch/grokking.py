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

from approxlab.errors import choose, require
from approxlab.watch.history import History
from approxlab.watch.observers import Metrics, Watch, WeightNorms
from approxlab.watch.schedule import log_steps
from approxlab.watch.trainer import train
from approxlab.watch.transformer import RECIPES, OneLayerTransformer, modular_tokens

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
    require(
        activation in ("quadratic", "relu"),
        f"unknown activation {activation!r}: use quadratic or relu",
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.Sequential(
            nn.Linear(2 * p, width),
            Square() if activation == "quadratic" else nn.ReLU(),
            nn.Linear(width, p),
        )


@dataclass
class GrokResult:
    """Steps at which train accuracy first reached 100 % and test accuracy first reached 99 %, and the curves."""

    train_step: int | None
    test_step: int | None
    curve: list[dict[str, float]] = field(repr=False)
    history: History | None = field(repr=False)  # None for a curve given by hand

    @classmethod
    def from_curve(cls, curve: list[dict[str, float]], history: History | None) -> GrokResult:
        """The first steps of the curve with train accuracy 100 % and test accuracy ≥ TEST_TARGET.

        >>> c = [{"step": s, "train_accuracy": a, "test_accuracy": b, "weight_norm": 1.0}
        ...      for s, a, b in ((0, 0.1, 0.0), (10, 1.0, 0.3), (90, 1.0, 0.995))]
        >>> r = GrokResult.from_curve(c, None); r.train_step, r.test_step, r.ratio
        (10, 90, 9.0)
        """
        train_step = next((c["step"] for c in curve if c["train_accuracy"] >= 1.0), None)
        test_step = next((c["step"] for c in curve if c["test_accuracy"] >= TEST_TARGET), None)
        return cls(train_step, test_step, curve, history)

    @property
    def ratio(self) -> float | None:
        """test_step / train_step: how much longer generalising took than memorising."""
        return (
            None
            if self.train_step is None or self.test_step is None
            else self.test_step / self.train_step
        )

    def metrics(self) -> dict[str, Any]:
        norms = {c["step"]: c["weight_norm"] for c in self.curve}
        return {
            "train_step": self.train_step,
            "test_step": self.test_step,
            "ratio": self.ratio,
            "weight_norm_init": self.curve[0]["weight_norm"],
            "weight_norm_at_train_step": norms.get(self.train_step),
            "weight_norm_at_test_step": norms.get(self.test_step),
            "weight_norm_final": self.curve[-1]["weight_norm"],
            "final_train_accuracy": self.curve[-1]["train_accuracy"],
            "final_test_accuracy": self.curve[-1]["test_accuracy"],
        }


def grok_modular(
    p: int = 23,
    width: int = 256,
    fraction: float = 0.5,
    steps: int = 2000,
    lr: float = 5e-3,
    weight_decay: float = 1.0,
    activation: str | None = None,
    seed: int = 0,
    check_every: int = 10,
    history: str | Path | None = None,
    progress=None,
    model: str = "mlp",
    recipe: str = "paper",
) -> GrokResult:
    """Train Gromov's MLP (``model="mlp"``, one-hot inputs, MSE) or Nanda et al. 2023's one-layer transformer
    (``model="transformer"``: tokens (a, b, =), d_model = ``width``, 4 heads, cross-entropy;
    :class:`~approxlab.watch.transformer.OneLayerTransformer`) on (a + b) mod p with AdamW. The transformer's
    ``recipe``: "paper" is Nanda et al.'s code (weights N(0, 1/d_model), AdamW β = (0.9, 0.98) after a 10-step
    linear warmup, the cross-entropy in float64); "torch" is PyTorch's default init and betas (0.9, 0.999), no
    warmup, float32 (the setting of the small-p test, measured before the paper's). Accuracies and ‖θ‖
    every ``check_every`` steps (the step counts are exact to that resolution), weights and metrics at
    log-spaced steps in ``history`` (a resumable folder; a temporary one when None). Both models see the same
    seeded split. ``activation``: the MLP's, quadratic (default) or relu; the transformer's MLP block is ReLU.

    >>> r = grok_modular(p=5, width=16, steps=20, check_every=10)
    >>> [c["step"] for c in r.curve]
    [0, 10, 20]
    """
    require(
        isinstance(check_every, int) and check_every >= 1,
        f"check_every must be a positive integer, got {check_every!r}",
    )
    require(model in ("mlp", "transformer"), f"unknown model {model!r}: use mlp or transformer")
    if model == "transformer":
        require(
            activation in (None, "relu"),
            f"the transformer's MLP block is ReLU, got activation={activation!r}: leave it out",
        )
        activation = "relu"
    activation = activation or "quadratic"
    data = modular_addition(p, fraction, seed)
    X, Y, tr, te = data["X"], data["Y"], data["train"], data["test"]
    loss = "mse"
    if model == "mlp":
        net: nn.Module = gromov_mlp(p, width, activation, seed)
        optimiser = RECIPES["torch"]
    else:
        X, Y = modular_tokens(p)
        optimiser = RECIPES[choose("recipe", recipe, RECIPES)]
        net = OneLayerTransformer(p, d_model=width, heads=4, seed=seed, init=recipe)
        loss = "cross_entropy"
    config = {
        "study": "grok-mod",
        "model": model,
        "p": p,
        "width": width,
        "fraction": fraction,
        "steps": steps,
        "lr": lr,
        "weight_decay": weight_decay,
        "activation": activation,
        "recipe": recipe if model == "transformer" else None,
        "betas": list(optimiser["betas"]),
        "warmup": optimiser["warmup"],
        "seed": seed,
    }
    h = History.resume_or_create(
        history if history is not None else Path(tempfile.mkdtemp()) / "history", config
    )
    metrics = Metrics(X[tr], Y[tr], X[te], Y[te], loss=loss)
    norms = WeightNorms()
    curve: list[dict[str, float]] = []

    def check(step: int) -> None:
        if step % check_every == 0 or step == steps:
            values = metrics(net)
            curve.append(
                {
                    "step": step,
                    "train_accuracy": values["train_accuracy"],
                    "test_accuracy": values["test_accuracy"],
                    "weight_norm": norms(net)["weight_norm"],
                }
            )
        if progress is not None:
            progress(step)

    watch = Watch(h, [metrics, norms], log_steps(steps, 40))
    start = (
        train(
            net,
            X[tr],
            Y[tr],
            steps=steps,
            watch=watch,
            loss=loss,
            optimizer="adamw",
            lr=lr,
            weight_decay=weight_decay,
            **optimiser,
            seed=seed,
            progress=check,
        )
        if not h.finished
        else steps
    )
    if start:  # resumed: the fine curve before the resume point comes from the history's records
        curve = [
            {
                "step": r["step"],
                "train_accuracy": r["train_accuracy"],
                "test_accuracy": r["test_accuracy"],
                "weight_norm": r["weight_norm"],
            }
            for r in h.records
            if r["step"] <= start
        ] + curve
    elif h.finished and not curve:
        curve = [
            {k: r[k] for k in ("step", "train_accuracy", "test_accuracy", "weight_norm")}
            for r in h.records
        ]
    if not curve or curve[0]["step"] != 0:
        h.load_into(net, 0)
        values = metrics(net)
        curve.insert(
            0,
            {
                "step": 0,
                "train_accuracy": values["train_accuracy"],
                "test_accuracy": values["test_accuracy"],
                "weight_norm": norms(net)["weight_norm"],
            },
        )
    return GrokResult.from_curve(curve, h)


def figure(result: GrokResult, title: str = ""):
    """Train and test accuracy over log-steps, ‖θ‖ on the right axis, the two step counts marked (matplotlib)."""
    import matplotlib.pyplot as plt

    steps = np.array([max(c["step"], 1) for c in result.curve])
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    ax.semilogx(
        steps, [c["train_accuracy"] for c in result.curve], label="train accuracy", color="tab:blue"
    )
    ax.semilogx(
        steps, [c["test_accuracy"] for c in result.curve], label="test accuracy", color="tab:red"
    )
    for s, name, colour in (
        (result.train_step, "train 100 %", "tab:blue"),
        (result.test_step, "test 99 %", "tab:red"),
    ):
        if s is not None:
            ax.axvline(s, ls=":", color=colour)
            ax.text(s, 0.5, f" {name}\n step {s}", color=colour, fontsize=8)
    ax.set_xlabel("step (log scale; step 0 drawn at 1)")
    ax.set_ylabel("accuracy")
    right = ax.twinx()
    right.semilogx(
        steps, [c["weight_norm"] for c in result.curve], color="grey", ls="--", label="‖θ‖₂"
    )
    right.set_ylabel("weight norm ‖θ‖₂", color="grey")
    ax.legend(loc="center left")
    ax.set_title(title or "Grokking: memorise, then generalise")
    fig.tight_layout()
    return fig


# -- Humayun, Balestriero & Baraniuk 2024: local complexity over training on digits -------------------------
def digits_data(n_train: int = 1000, seed: int = 0) -> dict[str, torch.Tensor]:
    """sklearn's bundled 8×8 digits (1797 images, nothing downloaded), pixels scaled to [0, 1], float32; a seeded
    split into ``n_train`` training images and the rest for testing. Labels int64.

    >>> d = digits_data(); d["X"].shape, len(d["train"])
    (torch.Size([1797, 64]), 1000)
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    require(
        1 <= n_train < len(digits.target),
        f"n_train must lie in 1 … {len(digits.target) - 1}, got {n_train}",
    )
    perm = torch.randperm(len(digits.target), generator=torch.Generator().manual_seed(seed))
    return {
        "X": torch.tensor(digits.data / 16.0, dtype=torch.float32),
        "y": torch.tensor(digits.target),
        "train": perm[:n_train],
        "test": perm[n_train:],
    }


# Liu et al. 2023 (Omnigrok), mnist/grokking notebook: 1000 training images, MSE on one-hot labels, AdamW lr 1e-3,
# weight decay 0.01, every weight and bias ×8, batch 200, 10⁵ steps, width 200; Humayun et al. 2024 train their
# "four-layer MLP of width 200" (seed 003 Figure 9) with that recipe, and their train_mlp_mnist.py counts the linear
# maps as the depth: four maps are three hidden layers here.
LIU_MNIST: dict[str, Any] = {
    "width": 200,
    "depth": 3,
    "init_scale": 8.0,
    "weight_decay": 0.01,
    "lr": 1e-3,
    "batch_size": 200,
    "steps": 100_000,
}


def digits_mlp(
    width: int = 200, depth: int = 4, init_scale: float = 4.0, seed: int = 0
) -> nn.Sequential:
    """64 → width^depth (ReLU) → 10: ``depth`` hidden layers, ``depth + 1`` linear maps, PyTorch's default init
    with every weight and bias multiplied by ``init_scale`` α. Liu et al. 2023 (Omnigrok, MNIST) and Humayun et al.
    2024 count the linear maps: their "four-layer MLP of width 200" is ``depth=3`` here, and α = 8 is the large init
    that makes MNIST MLPs grok (the output grows like α^(depth+1)). float32.

    >>> [m.out_features for m in digits_mlp(width=16, depth=3) if isinstance(m, nn.Linear)]
    [16, 16, 16, 10]
    """
    from approxlab.nets import mlp

    net = mlp(64, [width] * depth, out_dim=10, seed=seed, dtype=torch.float32)
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(init_scale)
    return net


def slice_anchors(data: dict[str, torch.Tensor]) -> np.ndarray:
    """Three training images of three different classes (the first in training order): the slice's corners."""
    picked, seen = [], set()
    for i in data["train"].tolist():
        label = int(data["y"][i])
        if label not in seen:
            picked.append(i)
            seen.add(label)
        if len(picked) == 3:
            break
    return data["X"][picked].double().numpy()


class FrameComplexity:
    """Observer: Humayun et al.'s frame estimator of local complexity (``frame_lc``: neurons changing sign over
    the 2P vertices x ± r v_p of a random orthonormal frame in the full input space), averaged over ``points``."""

    def __init__(self, points: np.ndarray, radius: float, seed: int = 0):
        self.points, self.radius, self.seed = (
            np.asarray(points, dtype=np.float64),
            float(radius),
            seed,
        )

    def __call__(self, net: nn.Module) -> dict[str, Any]:
        from approxlab.regions.local_complexity import frame_local_complexity

        return {
            "frame_lc": float(
                frame_local_complexity(net, self.points, self.radius, seed=self.seed).mean()
            )
        }


def grok_digits(
    width: int = 200,
    depth: int = 4,
    init_scale: float = 4.0,
    weight_decay: float = 0.1,
    lr: float = 1e-3,
    steps: int = 10_000,
    n_train: int = 1000,
    batch_size: int | None = None,
    radius: float = 0.25,
    points: int = 25,
    seed: int = 0,
    history: str | Path | None = None,
    progress=None,
) -> dict[str, Any]:
    """Train :func:`digits_mlp` with AdamW on the MSE (1/(10B)) Σ ‖net(x) − onehot(y)‖² over minibatches of
    ``batch_size`` (None: full batch) and record, at ``points`` log-spaced steps: accuracies, ‖θ‖, the exact regions of
    the slice through three training digits (:func:`slice_anchors`) and the exact LC at those digits within
    ``radius`` (:class:`~approxlab.watch.observers.Regions`), and the frame LC at 100 training digits. The three
    phases are step 0 (initialisation), the first recorded step with 100 % training accuracy (interpolation; None if
    never reached) and the last step. :data:`LIU_MNIST` holds the papers' recipe (``grok_digits(**LIU_MNIST)``).

    >>> r = grok_digits(width=8, steps=4, points=2); r["phases"]["late"], sorted(r["lc"])
    (4, ['init', 'interpolation', 'late'])
    """
    from approxlab.watch.observers import Regions

    data = digits_data(n_train, seed)
    X, y, tr, te = data["X"], data["y"], data["train"], data["test"]
    Y = nn.functional.one_hot(y, 10).float()
    anchors = slice_anchors(data)
    net = digits_mlp(width, depth, init_scale, seed)
    config = {
        "study": "grok-digits",
        "width": width,
        "depth": depth,
        "init_scale": init_scale,
        "weight_decay": weight_decay,
        "lr": lr,
        "steps": steps,
        "n_train": n_train,
        "batch_size": batch_size,
        "radius": radius,
        "points": points,
        "seed": seed,
    }
    h = History.resume_or_create(
        history if history is not None else Path(tempfile.mkdtemp()) / "history", config
    )
    observers = [
        Metrics(X[tr], Y[tr], X[te], Y[te], loss="mse"),
        WeightNorms(),
        Regions(anchors, radius),
        FrameComplexity(X[tr[:100]].double().numpy(), radius, seed),
    ]
    if not h.finished:
        train(
            net,
            X[tr],
            Y[tr],
            steps=steps,
            watch=Watch(h, observers, log_steps(steps, points)),
            loss="mse",
            optimizer="adamw",
            lr=lr,
            weight_decay=weight_decay,
            batch_size=batch_size,
            seed=seed,
            progress=progress,
        )
    interp = next((r["step"] for r in h.records if r["train_accuracy"] >= 1.0), None)
    by_step = {r["step"]: r for r in h.records}
    phases = {"init": 0, "interpolation": interp, "late": h.steps[-1]}
    return {
        "history": h,
        "anchors": anchors,
        "phases": phases,
        "config": config,
        "lc": {k: (None if s is None else by_step[s]["lc"]) for k, s in phases.items()},
        "regions": {k: (None if s is None else by_step[s]["regions"]) for k, s in phases.items()},
        "frame_lc": {k: (None if s is None else by_step[s]["frame_lc"]) for k, s in phases.items()},
        "accuracy": {
            k: (None if s is None else (by_step[s]["train_accuracy"], by_step[s]["test_accuracy"]))
            for k, s in phases.items()
        },
        "train_accuracy": h.records[-1]["train_accuracy"],
        "test_accuracy": h.records[-1]["test_accuracy"],
    }


def slice_figure(net: nn.Module, anchors: np.ndarray, title: str = "", ax=None, grid: int = 160):
    """Seed 003's Figure 9: the exact tiles of the slice through three points coloured by ‖A_ω‖₂ (the spectral norm
    of the net's affine map on the tile, in slice coordinates; viridis), and the decision boundary in red (where the
    arg-max class changes, traced on a ``grid``² raster of the triangle). matplotlib."""
    import matplotlib.pyplot as plt
    from matplotlib.collections import PolyCollection
    from matplotlib.path import Path as MplPath

    from approxlab.regions import partition, through_points

    piece = through_points(anchors)
    p = partition(net, piece)
    A, _ = p.affine_maps()
    norms = np.linalg.norm(A, ord=2, axis=(1, 2))
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 4.2))
    tiles = PolyCollection(
        [p.polygon_of(f) for f in range(p.count)],
        array=norms,
        cmap="viridis",
        edgecolors="k",
        linewidths=0.15,
    )
    ax.add_collection(tiles)
    lo, hi = p.polygon.min(axis=0), p.polygon.max(axis=0)
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], grid), np.linspace(lo[1], hi[1], grid))
    t = np.stack([gx.ravel(), gy.ravel()], axis=1)
    with torch.no_grad():
        out = net(torch.as_tensor(p.inputs(t), dtype=next(net.parameters()).dtype)).numpy()
    cls = out.argmax(axis=1).astype(float)
    cls[~MplPath(p.polygon).contains_points(t)] = np.nan
    ax.contour(
        gx,
        gy,
        cls.reshape(gx.shape),
        levels=np.arange(0.5, out.shape[1] - 0.5),
        colors="red",
        linewidths=0.9,
    )
    corners = (anchors - piece.origin) @ piece.basis
    ax.plot(corners[:, 0], corners[:, 1], "w^", ms=6, mec="k")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title or f"{p.count} tiles", fontsize=9)
    plt.colorbar(tiles, ax=ax, fraction=0.046, label="‖A_ω‖₂")
    return ax.figure


def digits_figure(result: dict[str, Any]):
    """One figure: accuracies and LC over log-steps, then the three slices (init, interpolation, late) side by side."""
    import matplotlib.pyplot as plt

    h = result["history"]
    steps = np.maximum(np.array(h.steps), 1)
    fig = plt.figure(figsize=(15, 8.2))
    top = fig.add_subplot(2, 2, 1)
    top.semilogx(steps, h.series("train_accuracy"), label="train accuracy")
    top.semilogx(steps, h.series("test_accuracy"), label="test accuracy")
    top.set_ylabel("accuracy")
    top.set_xlabel("step (log; 0 at 1)")
    top.legend()
    lc = fig.add_subplot(2, 2, 2)
    lc.semilogx(
        steps, h.series("lc"), "o-", label="exact LC on the slice (bends within r of the 3 digits)"
    )
    lc.semilogx(
        steps, h.series("frame_lc"), "s--", label="frame LC (Humayun et al.), 100 training digits"
    )
    for name, s in result["phases"].items():
        if s is not None:
            lc.axvline(max(s, 1), ls=":", color="grey")
            lc.text(max(s, 1), lc.get_ylim()[1] * 0.9, f" {name}", fontsize=8)
    lc.set_xlabel("step (log; 0 at 1)")
    lc.set_ylabel("local complexity")
    lc.legend(fontsize=8)
    net = digits_mlp(
        result["config"]["width"], result["config"]["depth"], 1.0, result["config"]["seed"]
    )
    for i, (name, s) in enumerate(result["phases"].items()):
        ax = fig.add_subplot(2, 3, 4 + i)
        if s is None:
            ax.set_axis_off()
            ax.set_title(f"{name}: not reached")
            continue
        h.load_into(net, s)
        slice_figure(
            net, result["anchors"], f"{name} (step {s}): LC {result['lc'][name]:.3g}", ax=ax
        )
    fig.subplots_adjust(hspace=0.3, wspace=0.3)
    return fig
