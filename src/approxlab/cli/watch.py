"""``approxlab watch TARGET``: train a net and watch it — metrics, weights, regions, knots, MI over log-steps."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from approxlab.cli._progress import console, progress_bar

TRACKS = ("weights", "regions", "knots", "mi")


def watch(
    target: Annotated[
        str,
        typer.Argument(
            help="A named target or expression (regression) or a data set (xor, moons, …)."
        ),
    ],
    out: Annotated[
        Path,
        typer.Option("--out", help="Folder for the history, figures, results.json and index.html."),
    ] = Path("watch"),
    width: Annotated[int, typer.Option(help="Units per hidden layer.")] = 6,
    depth: Annotated[int, typer.Option(help="Number of hidden layers.")] = 1,
    activation: Annotated[
        str, typer.Option(help="Hidden activation (regions need a piecewise-linear one).")
    ] = "relu",
    steps: Annotated[int, typer.Option(help="Training steps.")] = 2000,
    optimizer: Annotated[str, typer.Option(help="adamw, adam or sgd.")] = "adam",
    lr: Annotated[float, typer.Option(help="Step size.")] = 0.01,
    weight_decay: Annotated[float, typer.Option(help="Weight decay.")] = 0.0,
    n_train: Annotated[int, typer.Option(help="Training points.")] = 500,
    every: Annotated[
        str, typer.Option(help="'log' (40 log-spaced steps) or a step count.")
    ] = "log",
    track: Annotated[
        str, typer.Option(help="Comma-separated: weights, regions, knots, mi.")
    ] = "weights",
    bins: Annotated[
        int | None, typer.Option(help="mi: bin count of the binning estimator (required for mi).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for sampling and init.")] = 0,
) -> None:
    """Train with observers on a schedule; write history/ (one snapshot per step), figures and index.html.
    A killed run resumes when the same command is run again."""
    import numpy as np
    import torch

    from approxlab import arguments
    from approxlab.errors import require
    from approxlab.nets import mlp
    from approxlab.targets import datasets, sample
    from approxlab.targets import target as make_target
    from approxlab.watch import (
        History,
        Knots,
        Metrics,
        Regions,
        Watch,
        WeightNorms,
        require_piecewise_linear,
        trajectory,
    )
    from approxlab.watch import figures as wfig
    from approxlab.watch.report import publish, working_history
    from approxlab.watch.schedule import schedule as plan
    from approxlab.watch.trainer import train

    work = working_history(out)
    arguments.count("--width", width, high=4096)
    arguments.count("--depth", depth, high=64)
    arguments.count("--steps", steps)
    arguments.count("--n-train", n_train, low=3)
    arguments.positive("--lr", lr)
    arguments.seed(seed)
    require(weight_decay >= 0, f"--weight-decay must be ≥ 0, got {weight_decay}")
    tracks = arguments.names(track, "track", TRACKS, "--track")
    steps_at = plan(steps, every)
    classify = target in datasets.names()
    if classify:
        data = datasets.dataset(target)
        X, y = data.sample(n_train, seed)
        Xte, yte = data.sample(max(n_train // 4, 2), seed + 1)
        loss, out_dim = "cross_entropy", 2
        y, yte = torch.as_tensor(y).long(), torch.as_tensor(yte).long()
    else:
        data = make_target(target)
        X, Xte = (
            sample(data.domain, n_train, seed),
            sample(data.domain, max(n_train // 4, 2), seed + 1),
        )
        y, yte = torch.as_tensor(np.asarray(data(X))), torch.as_tensor(np.asarray(data(Xte)))
        loss, out_dim = "mse", 1
    X, Xte = (
        torch.as_tensor(np.asarray(X, dtype=np.float64)),
        torch.as_tensor(np.asarray(Xte, dtype=np.float64)),
    )
    net = mlp(X.shape[1], [width] * depth, out_dim=out_dim, activation=activation, seed=seed)
    observers = [Metrics(X, y, Xte, yte, loss=loss), WeightNorms()]
    if "regions" in tracks:
        require_piecewise_linear(net)
        require(
            X.shape[1] >= 2,
            "regions are tracked on the plane through three training points: the target needs "
            "at least 2 inputs (use knots for 1-input nets)",
        )
        spread = float((X.max(0).values - X.min(0).values).mean())
        observers.append(Regions(X[:3].numpy(), radius=0.1 * spread))
    if "knots" in tracks:
        require(
            depth == 1,
            f"knots are tracked for two-layer nets (--depth 1), got --depth {depth}: drop knots from --track",
        )
        observers.append(Knots())
    if "mi" in tracks:
        require(
            classify, "mi needs class labels: watch a data set (xor, circle, spiral, moons, gauss)"
        )
        from approxlab.watch.infoplane import InformationPlane, binned

        binned(np.zeros(1), bins)  # refuses a missing bin count in one line before any work
        observers.append(InformationPlane(X.numpy(), y.numpy(), bins=(bins,)))
    config = {
        "study": "watch",
        "target": target,
        "width": width,
        "depth": depth,
        "activation": activation,
        "steps": steps,
        "optimizer": optimizer,
        "lr": lr,
        "weight_decay": weight_decay,
        "n_train": n_train,
        "every": every,
        "track": sorted(tracks),
        "bins": bins,
        "seed": seed,
    }
    h = History.resume_or_create(work, config)
    with progress_bar() as bar:
        task = bar.add_task(f"watch {target}", total=steps)
        if not h.finished:
            train(
                net,
                X,
                y,
                steps=steps,
                watch=Watch(h, observers, steps_at),
                loss=loss,
                optimizer=optimizer,
                lr=lr,
                weight_decay=weight_decay,
                seed=seed,
                progress=lambda s: bar.update(task, completed=s),
            )
    figures = {
        "loss": wfig.curves(h, ["train_loss", "test_loss"], "Loss over training", "loss"),
        "norms": wfig.curves(
            h, [k for k in h.records[0] if k.startswith("norm.")], "Weight norms per tensor", "‖θ‖₂"
        ),
    }
    results = {
        **config,
        "recorded_steps": h.steps,
        "final": {k: v for k, v in h.records[-1].items() if isinstance(v, (int, float))},
    }
    if "weights" in tracks and len(h.steps) >= 2:
        pca = trajectory.pca_trajectory(h, 2)
        figures["pca"] = wfig.pca_path(pca)
        results["pca_explained"] = pca["explained"]
        results["returns"] = trajectory.returns(pca["coords"])
    if "regions" in tracks:
        figures["regions"] = wfig.curves(
            h, ["regions"], "Linear regions on the slice through 3 training points"
        )
        figures["local_complexity"] = wfig.curves(
            h, ["lc", "lc_regions"], "Local complexity at the 3 points"
        )
    if "knots" in tracks and X.shape[1] <= 2:
        box = [(float(X[:, i].min()), float(X[:, i].max())) for i in range(X.shape[1])]
        figures["knots"] = trajectory.knot_animation(
            h, box if X.shape[1] == 2 else (box[0], (-0.5, 0.5))
        )
    if "mi" in tracks:
        figures["mi"] = wfig.curves(
            h, [k for k in h.records[0] if k.startswith("ixt.")], "I(X;T) per layer (bits)"
        )
    publish(out, work, f"approxlab watch {target}", results, figures)
    console.print(f"{len(h.steps)} snapshots; wrote {out}/index.html and {out}/history/")


def register(app: typer.Typer) -> None:
    app.command()(watch)
