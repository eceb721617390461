"""``approxlab decompose``: seed 003's θ1/θ2/θ3 error decomposition as a table, JSON and a figure."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from approxlab.cli._progress import console

SHOWN = ("width", "n_train", "theta1", "theta2", "theta3", "estimation", "optimisation")


def decompose(
    target: Annotated[
        str,
        typer.Argument(help="A 1-D or 2-D target: a name (sine, paraboloid, …) or an expression."),
    ] = "sine",
    width: Annotated[str, typer.Option(help="Widths (hidden units), e.g. 1,2,3.")] = "1,2",
    n_train: Annotated[str, typer.Option(help="Training sample sizes, e.g. 8,64.")] = "8,64",
    activation: Annotated[str, typer.Option(help="sigmoid, tanh or relu.")] = "tanh",
    samples: Annotated[int, typer.Option(help="Training samples per cell (θ2's spread).")] = 3,
    inits: Annotated[int, typer.Option(help="Initialisations per sample and rate.")] = 2,
    steps: Annotated[int, typer.Option(help="Adam steps (θ3's budget; θ2's first phase).")] = 400,
    lbfgs_steps: Annotated[
        int, typer.Option("--lbfgs-steps", help="L-BFGS iterations finishing θ2.")
    ] = 60,
    seed: Annotated[int, typer.Option(help="First seed (samples seed…, inits seed…).")] = 0,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Folder for decomposition.json and the figure theta_decomposition.png."
        ),
    ] = None,
) -> None:
    """θ1 (class's best), θ2 (empirical risk minimiser) and θ3 (plain Adam) for every width × n_train."""
    from rich.table import Table

    from approxlab import arguments
    from approxlab.decomposition import decompose as run

    widths = arguments.integers(width, "--width")
    sizes = arguments.integers(n_train, "--n-train")
    arguments.count("--steps", steps, high=1_000_000)
    arguments.count("--lbfgs-steps", lbfgs_steps, low=0, high=100_000)
    if out is not None:
        from approxlab.output import check_output

        check_output(out)
    d = run(
        target,
        widths,
        sizes,
        activation=activation,
        samples=samples,
        inits=inits,
        steps=steps,
        lbfgs_steps=lbfgs_steps,
        theta1_lbfgs_steps=max(lbfgs_steps, 200),
        seed=seed,
    )
    rows = d.rows(seed=seed)
    table = Table(title=f"{d.target}, {d.activation}: population risk ‖net − f‖² (medians)")
    for c in SHOWN:
        table.add_column(c, justify="right")
    for r in rows:
        table.add_row(*[f"{r[c]:.3g}" if isinstance(r[c], float) else str(r[c]) for c in SHOWN])
    console.print(table)
    if out is not None:
        from approxlab.figures.decomposition import theta_decomposition
        from approxlab.figures.save import save_figure
        from approxlab.jsonfile import dumps
        from approxlab.output import staged_output

        with staged_output(out) as stage:
            (stage / "decomposition.json").write_text(
                dumps(
                    {
                        "target": d.target,
                        "activation": d.activation,
                        "theta1_candidates": d.theta1_candidates,
                        "rows": rows,
                    }
                )
            )
            save_figure(
                theta_decomposition(rows, f"{d.target}, {d.activation}"),
                stage / "theta_decomposition",
            )
        console.print(f"wrote {out}/decomposition.json and {out}/theta_decomposition.png")


def register(app: typer.Typer) -> None:
    app.command()(decompose)
