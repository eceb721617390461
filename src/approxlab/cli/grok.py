"""``approxlab grok mod|digits``: grokking on modular addition, and local complexity over training on digits."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from approxlab.cli._progress import console, progress_bar


def grok(
    study: Annotated[
        str,
        typer.Argument(
            help="mod: (a + b) mod p with Gromov's MLP; digits: LC over training on sklearn's digits."
        ),
    ],
    out: Annotated[
        Path,
        typer.Option("--out", help="Folder for the history, figures, results.json and index.html."),
    ] = Path("grok"),
    p: Annotated[int, typer.Option("--p", help="mod: the modulus.")] = 23,
    width: Annotated[
        int | None, typer.Option(help="Hidden width (default 512 for mod, 32 for digits).")
    ] = None,
    fraction: Annotated[
        float, typer.Option(help="mod: share of the p² pairs used for training.")
    ] = 0.5,
    steps: Annotated[
        int | None, typer.Option(help="Training steps (default 1500 for mod, 3000 for digits).")
    ] = None,
    lr: Annotated[
        float | None, typer.Option(help="AdamW step size (default 5e-3 mod, 3e-3 digits).")
    ] = None,
    weight_decay: Annotated[float, typer.Option(help="AdamW weight decay.")] = 1.0,
    init_scale: Annotated[
        float, typer.Option(help="digits: multiply the default init by this.")
    ] = 4.0,
    radius: Annotated[
        float, typer.Option(help="digits: LC neighbourhood radius (pixels scaled to [0, 1]).")
    ] = 0.25,
    seed: Annotated[int, typer.Option(help="Seed for the split and the initialisation.")] = 0,
    model: Annotated[
        str,
        typer.Option(
            help="mod: mlp (Gromov 2023) or transformer (Nanda et al. 2023; --width is d_model, 4 heads)."
        ),
    ] = "mlp",
    recipe: Annotated[
        str,
        typer.Option(
            help="mod transformer: paper (Nanda et al.'s code: N(0, 1/d_model) weights, AdamW betas (0.9, 0.98), "
            "10-step warmup, float64 cross-entropy) or torch (PyTorch's init and betas)."
        ),
    ] = "paper",
) -> None:
    """Watch grokking: train, record the history at log-spaced steps, write figures and one page. A killed run
    resumes when the same command is run again."""
    from approxlab import arguments
    from approxlab.errors import choose, require
    from approxlab.watch import grokking
    from approxlab.watch.report import publish, working_history
    from approxlab.watch.transformer import RECIPES

    choose("study", study, ("mod", "digits"))
    work = working_history(out)
    arguments.seed(seed)
    require(weight_decay >= 0, f"--weight-decay must be ≥ 0, got {weight_decay}")
    arguments.positive("--fraction", fraction, high=0.99)
    if lr is not None:
        arguments.positive("--lr", lr)
    choose("model", model, ("mlp", "transformer"))
    choose("recipe", recipe, RECIPES)
    if study == "mod":
        if model == "transformer":
            width, steps, lr = width or 128, steps or 5000, lr or 1e-3
        width, steps, lr = width or 512, steps or 1500, lr or 5e-3
        arguments.count("--p", p, high=200, low=2)
        arguments.count("--width", width, high=4096)
        arguments.count("--steps", steps)
        with progress_bar() as bar:
            task = bar.add_task(f"grok mod {p}", total=steps)
            r = grokking.grok_modular(
                p=p,
                width=width,
                fraction=fraction,
                steps=steps,
                lr=lr,
                weight_decay=weight_decay,
                seed=seed,
                history=work,
                progress=lambda s: bar.update(task, completed=s),
                model=model,
                recipe=recipe,
            )
        results = {**r.history.config, **r.metrics(), "curve": r.curve}
        publish(
            out,
            work,
            f"Grokking (a + b) mod {p}",
            results,
            {
                "accuracy": grokking.figure(
                    r, f"(a + b) mod {p}: {model} width {width}, {fraction:.0%} training pairs"
                )
            },
            {"accuracy": "Train and test accuracy over log-steps, weight norm (dashed)"},
        )
        console.print(
            f"train accuracy 100 % at step {r.train_step}, test ≥ 99 % at step {r.test_step}"
            + (f" (ratio {r.ratio:.1f})" if r.ratio else "")
            + f"; wrote {out}/index.html"
        )
        return
    width, steps, lr = width or 32, steps or 3000, lr or 3e-3
    arguments.count("--width", width, high=1024)
    arguments.count("--steps", steps)
    arguments.positive("--radius", radius)
    with progress_bar() as bar:
        task = bar.add_task("grok digits", total=steps)
        r = grokking.grok_digits(
            width=width,
            init_scale=init_scale,
            weight_decay=weight_decay,
            lr=lr,
            steps=steps,
            radius=radius,
            seed=seed,
            history=work,
            progress=lambda s: bar.update(task, completed=s),
        )
    results = {
        **r["config"],
        "phases": r["phases"],
        "lc": r["lc"],
        "regions": r["regions"],
        "frame_lc": r["frame_lc"],
        "seed_lc": {"init": 4.91, "interpolation": 2.96, "grokking": 0.142},
        "train_accuracy": r["train_accuracy"],
        "test_accuracy": r["test_accuracy"],
    }
    publish(
        out,
        work,
        "Local complexity over training (digits)",
        results,
        {"digits": grokking.digits_figure(r)},
        {
            "digits": "Accuracy and LC over log-steps; the slice through three training digits at init, interpolation "
            "and the end (tiles coloured by ‖A_ω‖₂, decision boundary red)"
        },
    )
    console.print(
        f"LC (exact, slice) init {r['lc']['init']}, interpolation {r['lc']['interpolation']}, "
        f"late {r['lc']['late']} (seed 003: 4.91 / 2.96 / 0.142); wrote {out}/index.html"
    )


def register(app: typer.Typer) -> None:
    app.command()(grok)
