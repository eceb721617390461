"""``approxlab fit``: train a net on a target and write the model, metrics and figures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from approxlab.cli._choices import ACTIVATIONS, OPTIMIZERS, choice
from approxlab.cli._progress import console, progress_bar


def fit(
    target: Annotated[
        str,
        typer.Argument(
            help="A named target (paraboloid, sine, …), a data set (xor, moons, …) or an expression such as 'x1**2 + x2**2 + 3'."
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Folder for model.safetensors, metrics.json and figures.")
    ] = Path("run"),
    width: Annotated[int, typer.Option(help="Units per hidden layer.")] = 6,
    depth: Annotated[int, typer.Option(help="Number of hidden layers.")] = 1,
    activation: Annotated[
        str, typer.Option(help="Hidden activation.", **choice(ACTIVATIONS))
    ] = "relu",
    steps: Annotated[int, typer.Option(help="Optimisation steps.")] = 3000,
    optimizer: Annotated[str, typer.Option(help="Optimizer.", **choice(OPTIMIZERS))] = "adam",
    lr: Annotated[
        float | None,
        typer.Option(help="Step size (default: 0.05 adam, 0.1 sgd, 1 lbfgs; cosine decay)."),
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option(help="Minibatch size (default: full batch).")
    ] = None,
    n_train: Annotated[int, typer.Option(help="Training points sampled from the domain.")] = 1000,
    box: Annotated[
        str | None,
        typer.Option(help="Domain as low,high per axis, e.g. -1,1,-1,1 (default: the target's)."),
    ] = None,
    seed: Annotated[
        int, typer.Option(help="Seed for initialisation, sampling and minibatches.")
    ] = 0,
) -> None:
    """Train a net on a target; write model.safetensors, metrics.json, figures (PNG) and report.html."""
    import time

    from approxlab import arguments
    from approxlab.atlas.report import write_fit_report
    from approxlab.errors import require
    from approxlab.figures import units as figs
    from approxlab.figures.save import save_figure
    from approxlab.fit import fit as train
    from approxlab.limits import panel_limit, require_training
    from approxlab.metricsfile import write_metrics
    from approxlab.modelfile import save
    from approxlab.nets import mlp
    from approxlab.output import check_output, staged_output
    from approxlab.targets import datasets, parse_box
    from approxlab.targets import target as make_target

    check_output(out)
    arguments.count("--width", width)
    arguments.count("--depth", depth)
    arguments.count("--steps", steps)
    arguments.count("--n-train", n_train)
    arguments.seed(seed)
    if batch_size is not None:
        arguments.count("--batch-size", batch_size)
    if lr is not None:
        arguments.positive("--lr", lr)
    classify = target in datasets.names()
    if classify:
        require(
            box is None, "--box applies to regression targets; data sets come with their own domain"
        )
        data = datasets.dataset(target)
        loss = "bce"
    else:
        data = make_target(target, domain=parse_box(box) if box else None)
        loss = "mse"
    require_training(
        f"fit --width {width} --depth {depth} --n-train {n_train} --steps {steps}",
        data.dim,
        [width] * depth,
        n_train,
        steps,
        batch_size,
    )
    net = mlp(data.dim, [width] * depth, activation=activation, seed=seed)
    start = time.perf_counter()
    with progress_bar() as bar:
        task = bar.add_task(f"fit {target}", total=steps)
        result = train(
            net,
            data,
            steps=steps,
            optimizer=optimizer,
            lr=lr,
            loss=loss,
            batch_size=batch_size,
            n_train=n_train,
            seed=seed,
            progress=lambda step, value: bar.update(
                task, completed=step, description=f"fit {target}  loss {value:.3g}"
            ),
        )
    metrics = result.metrics()
    metrics.update(
        target=target,
        width=width,
        depth=depth,
        activation=activation,
        optimizer=optimizer,
        seed=seed,
        seconds=round(time.perf_counter() - start, 3),
    )
    if not classify:
        metrics["domain"] = data.domain
    with staged_output(out) as stage:
        save(
            net,
            stage / "model.safetensors",
            extra={"target": target, "domain": getattr(data, "domain", None)},
        )
        write_metrics(stage / "metrics.json", metrics)
        save_figure(figs.loss_curve(result.losses), stage / "loss")
        if not classify and data.dim in (1, 2):
            two_layer = depth == 1 and width <= panel_limit()
            if depth == 1 and not two_layer:
                console.print(
                    f"{width} units are more than {panel_limit()} figure panels: drawing the prediction, "
                    "not each unit (raise APPROXLAB_MAX_PANELS to draw them)"
                )
            if data.dim == 1:
                fig = figs.units_1d(net, data) if two_layer else figs.prediction_1d(net, data)
                save_figure(fig, stage / ("units" if two_layer else "prediction"))
            else:
                if two_layer:
                    save_figure(figs.units_2d(net, data), stage / "units")
                save_figure(
                    figs.surfaces_2d(net, data),
                    stage / "surfaces",
                    plotly_js=stage / "plotly.min.js",
                )
        if classify:
            from approxlab.figures.classify import decision_regions

            save_figure(decision_regions(net, data), stage / "decision")
        write_fit_report(stage, metrics, title=target)
    console.print(
        f"[bold]{target}[/bold]: {depth}×{width} {activation} units, {metrics['params']} parameters, "
        + (
            f"test RMSE {metrics['rmse']:.4g}, max error {metrics.get('max_error', float('nan')):.4g}"
            if not classify
            else f"test accuracy {metrics['test_accuracy']:.3f}"
        )
        + f", {metrics['seconds']:.1f} s"
    )
    console.print(f"wrote {out}/model.safetensors, metrics.json, figures and report.html")


def register(app: typer.Typer) -> None:
    app.command()(fit)
