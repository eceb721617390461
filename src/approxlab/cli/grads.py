"""``approxlab grads``: backprop and gradient flow of seed 002 on your own depth, width and activation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from approxlab.cli._choices import SCRATCH_ACTIVATIONS, SCRATCH_LOSSES, choice
from approxlab.cli._progress import console, progress_bar

grads = typer.Typer(
    help="Gradient experiments of seed 002: vanishing gradients, initialisation, gradient checks, "
    "exercise 1.",
    no_args_is_help=True,
)

Out = Annotated[Path, typer.Option("--out", help="Folder for the figures and results.json.")]
Depth = Annotated[int, typer.Option(help="Layers L (width → width each).")]
Width = Annotated[int, typer.Option(help="Units per layer.")]
Activation = Annotated[str, typer.Option(help="Hidden activation.", **choice(SCRATCH_ACTIVATIONS))]
Batch = Annotated[int, typer.Option(help="Examples x ~ N(0, I) in the batch.")]
Seed = Annotated[int, typer.Option(help="Seed for weights, inputs and targets.")]


def _names(text: str, kind: str, allowed, option: str) -> list[str]:
    from approxlab.arguments import names

    return names(text, kind, allowed, option)


def _common(out: Path, depth: int, width: int, batch: int, seed: int) -> None:
    from approxlab import arguments
    from approxlab.output import check_output

    check_output(out)
    arguments.count("--depth", depth)
    arguments.count("--width", width)
    arguments.count("--batch", batch)
    arguments.seed(seed)


@grads.command()
def vanishing(
    out: Out = Path("grads-vanishing"),
    depth: Depth = 30,
    width: Width = 64,
    activation: Activation = "sigmoid",
    variants: Annotated[
        str, typer.Option(help="Comma-separated: plain, residual, batchnorm.")
    ] = "plain,residual,batchnorm",
    init: Annotated[
        str, typer.Option(help="standard (U[±1/√n]), xavier_in, xavier or he.")
    ] = "standard",
    batch: Batch = 128,
    seed: Seed = 0,
) -> None:
    """‖δ^(l)‖ by layer at initialisation next to seed 002's bound ‖δ^(L)‖ Π‖W^(k)‖ max|σ'|."""
    from approxlab import jsonfile
    from approxlab.figures import gradflow as figs
    from approxlab.figures.save import save_figure
    from approxlab.gradflow import VARIANTS, gradient_flow, require_memory
    from approxlab.output import staged_output

    _common(out, depth, width, batch, seed)
    chosen = _names(variants, "variant", VARIANTS, "--variants")
    need = require_memory(depth, width, batch)
    runs = []
    with progress_bar() as bar:
        task = bar.add_task(f"{activation} L={depth}", total=len(chosen))
        for variant in chosen:
            runs.append(
                gradient_flow(
                    depth, width, activation, variant=variant, init=init, batch=batch, seed=seed
                )
            )
            bar.advance(task)
    with staged_output(out) as stage:
        save_figure(figs.gradient_norms(runs), stage / "delta_norms")
        jsonfile.write(
            stage / "results.json",
            {"memory_estimate_bytes": need, "runs": [r.to_dict() for r in runs]},
        )
    for r in runs:
        bound = "" if r.bound is None else f"  bound {r.bound[0] / r.stats.delta_norm[-1]:.3g}"
        console.print(
            f"{r.variant:>9}: ‖δ^(1)‖/‖δ^(L)‖ = {r.first_to_last:.3g}  ({r.decay_per_layer:.3f} per layer){bound}"
        )
    console.print(f"written: {out / 'delta_norms.png'}, {out / 'results.json'}")


@grads.command("init")
def initialisation(
    out: Out = Path("grads-init"),
    depth: Depth = 30,
    width: Width = 512,
    activation: Activation = "relu",
    schemes: Annotated[
        str, typer.Option(help="Comma-separated: standard, xavier_in, xavier, he.")
    ] = "standard,xavier_in,xavier,he",
    batch: Batch = 128,
    seed: Seed = 0,
) -> None:
    """Var(z^(l)) and Var(δ^(l)) by layer for each initialisation scheme (seed 002, practice 3)."""
    from approxlab import jsonfile
    from approxlab.figures import gradflow as figs
    from approxlab.figures.save import save_figure
    from approxlab.gradflow import gradient_flow, require_memory
    from approxlab.output import staged_output
    from approxlab.scratch import SCHEMES

    _common(out, depth, width, batch, seed)
    chosen = _names(schemes, "initialisation", SCHEMES, "--schemes")
    require_memory(depth, width, batch)
    runs = []
    with progress_bar() as bar:
        task = bar.add_task(f"{activation} L={depth} n={width}", total=len(chosen))
        for scheme in chosen:
            runs.append(
                gradient_flow(
                    depth, width, activation, init=scheme, batch=batch, seed=seed, bound=False
                )
            )
            bar.advance(task)
    with staged_output(out) as stage:
        save_figure(figs.variance_by_layer(runs), stage / "variance")
        jsonfile.write(stage / "results.json", {"runs": [r.to_dict() for r in runs]})
    for r in runs:
        z = r.stats.preactivation_variance
        console.print(
            f"{r.init:>9}: Var z^(1) = {z[0]:.3g}, Var z^({depth}) = {z[-1]:.3g}, ratio {z[-1] / z[0]:.3g}"
        )
    console.print(f"written: {out / 'variance.png'}, {out / 'results.json'}")


@grads.command()
def check(
    sizes: Annotated[str, typer.Option(help="Layer sizes n_0,…,n_L, e.g. 2,8,8,1.")] = "2,8,8,1",
    activation: Annotated[
        str, typer.Option(help="Hidden activation.", **choice(SCRATCH_ACTIVATIONS))
    ] = "tanh",
    loss: Annotated[
        str,
        typer.Option(
            help="mse (linear output), bce (sigmoid output) or softmax_ce (softmax output).",
            **choice(SCRATCH_LOSSES),
        ),
    ] = "bce",
    n: Annotated[int, typer.Option(help="Random examples.")] = 16,
    seed: Annotated[int, typer.Option(help="Seed for weights and data.")] = 0,
) -> None:
    """Gradient-check the hand-written backprop against finite differences and torch.autograd (float64)."""
    import numpy as np

    from approxlab import arguments
    from approxlab.errors import require
    from approxlab.limits import FLOAT64, require_memory, require_work
    from approxlab.scratch import (
        autograd_gradients,
        backward,
        compare,
        gradcheck,
        init_mlp,
        loss_value,
    )
    from approxlab.scratch.losses import random_targets

    layer_sizes = arguments.integers(sizes, "--sizes")
    require(
        len(layer_sizes) >= 2,
        f"--sizes needs at least an input and an output size, e.g. 2,8,1; got {sizes!r}",
    )
    for size in layer_sizes:
        arguments.count("--sizes entries", size)
    arguments.count("--n", n)
    arguments.seed(seed)
    params = sum((a + 1) * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))
    # weights, backprop, autograd and finite-difference gradients; activations of n examples
    require_memory(
        f"grads check --sizes {sizes}", FLOAT64 * (4 * params + 4 * n * sum(layer_sizes))
    )
    # finite differences: two forward passes of n examples (n·P multiply-adds) per parameter
    require_work(f"grads check --sizes {sizes} --n {n}", 2.0 * params * n * params)
    output = {"mse": "linear", "bce": "sigmoid", "softmax_ce": "softmax"}.get(loss, "linear")
    net = init_mlp(layer_sizes, activation, output, init="xavier_in", seed=seed)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, layer_sizes[0]))
    y = random_targets(loss, n, layer_sizes[-1], rng)
    bp = backward(net, X, y, loss)
    console.print("[bold]backprop vs finite differences[/bold]")
    report = gradcheck(lambda: loss_value(net, X, y, loss), net.parameters(), bp.grads)
    console.print(str(report))
    console.print("[bold]backprop vs torch.autograd[/bold]")
    console.print(str(compare(bp.grads, autograd_gradients(net, X, y, loss)[1])))
    if not report.ok:
        raise typer.Exit(1)


@grads.command()
def exercise(
    out: Out = Path("grads-exercise"),
    data: Annotated[
        str, typer.Option(help="2D data set: moons, circle, xor, spiral, gauss.")
    ] = "moons",
    width: Annotated[int, typer.Option(help="Hidden tanh units.")] = 16,
    n: Annotated[int, typer.Option(help="Training points (and as many test points).")] = 400,
    steps: Annotated[int, typer.Option(help="Full-batch gradient-descent steps.")] = 3000,
    lr: Annotated[float, typer.Option(help="Step size η.")] = 1.0,
    seed: Annotated[int, typer.Option(help="Seed for data and weights.")] = 0,
) -> None:
    """Seed 002's practice 1: a 2-layer net trained by hand-written backprop on a 2D classification set."""
    from approxlab import arguments, jsonfile
    from approxlab.figures import gradflow as figs
    from approxlab.figures.save import save_figure
    from approxlab.output import check_output, staged_output
    from approxlab.scratch import exercise1

    check_output(out)
    arguments.count("--width", width)
    arguments.count("--n", n)
    arguments.count("--steps", steps)
    arguments.positive("--lr", lr)
    arguments.seed(seed)
    with progress_bar() as bar:
        task = bar.add_task(f"exercise 1 on {data}", total=steps)
        ex = exercise1(
            data,
            width=width,
            n=n,
            steps=steps,
            lr=lr,
            seed=seed,
            progress=lambda step: bar.update(task, completed=step + 1),
        )
    metrics = {
        "data": data,
        "width": width,
        "n": n,
        "steps": steps,
        "lr": lr,
        "seed": seed,
        "train_accuracy": ex.train_accuracy,
        "test_accuracy": ex.test_accuracy,
        "final_loss": ex.losses[-1],
    }
    with staged_output(out) as stage:
        save_figure(
            figs.decision_boundary(
                *ex.probability_grid(),
                ex.X_train,
                ex.y_train,
                ex.losses,
                f"{data}: test accuracy {ex.test_accuracy:.3f}",
            ),
            stage / "boundary",
        )
        jsonfile.write(stage / "metrics.json", metrics)
    console.print(
        f"train accuracy {ex.train_accuracy:.3f}, test accuracy {ex.test_accuracy:.3f}, loss {ex.losses[-1]:.3g}"
    )
    console.print(f"written: {out / 'boundary.png'}, {out / 'metrics.json'}")


def register(app: typer.Typer) -> None:
    app.add_typer(grads, name="grads")
