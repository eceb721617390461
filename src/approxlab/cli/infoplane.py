"""``approxlab infoplane tanh|relu``: the information plane of Shwartz-Ziv & Tishby's 12-10-7-5-4-3-2 net."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from approxlab.cli._progress import console


def infoplane(
    activation: Annotated[
        str, typer.Argument(help="tanh (Shwartz-Ziv & Tishby 2017) or relu (Saxe et al. 2018).")
    ],
    out: Annotated[
        Path,
        typer.Option("--out", help="Folder for the history, figures, results.json and index.html."),
    ] = Path("infoplane"),
    steps: Annotated[int, typer.Option(help="Full-batch Adam steps.")] = 2000,
    lr: Annotated[float, typer.Option(help="Adam step size.")] = 3e-3,
    bins: Annotated[
        str,
        typer.Option(
            help="Bin counts for the binning estimator, comma-separated (Saxe: the estimate depends on it)."
        ),
    ] = "30,100",
    points: Annotated[
        int, typer.Option(help="Log-spaced steps at which the plane is measured.")
    ] = 30,
    seed: Annotated[
        int, typer.Option(help="Seed for the labels' sphere points, the split and the init.")
    ] = 0,
) -> None:
    """Train the 12-10-7-5-4-3-2 net on 4096 12-bit inputs and draw I(X;T) against I(T;Y) for every layer over
    training, by binning (one plane per bin count). A killed run resumes when the same command is run again."""
    from approxlab import arguments
    from approxlab.errors import choose, require
    from approxlab.watch import infoplane as ip
    from approxlab.watch.report import publish, working_history

    choose("activation", activation, ("tanh", "relu"))
    work = working_history(out)
    arguments.count("--steps", steps)
    arguments.positive("--lr", lr)
    arguments.count("--points", points, high=200, low=2)
    arguments.seed(seed)
    counts = tuple(arguments.integers(bins, "--bins"))
    require(
        all(2 <= b <= 10_000 for b in counts),
        f"--bins must be integers from 2 to 10000, got {bins!r}",
    )
    with console.status(f"training the {activation} net and measuring the plane"):
        r = ip.information_plane(
            activation, steps=steps, lr=lr, bins=counts, seed=seed, points=points, history=work
        )
    results = {
        "activation": activation,
        "steps": steps,
        "lr": lr,
        "bins": list(counts),
        "seed_used": r["seed"],
        "dead_seeds": r["dead_seeds"],
        "train_accuracy": r["train_accuracy"],
        "test_accuracy": r["test_accuracy"],
        "compression": {str(b): v for b, v in r["compression"].items()},
        "kde_compression": r["kde_compression"],
        "kde_ixt": r["kde_ixt"],
        "ixt": {str(b): v for b, v in r["ixt"].items()},
        "ity": {str(b): v for b, v in r["ity"].items()},
        "recorded_steps": r["steps"],
    }
    figures = {f"plane_{b}bins": ip.plane_figure(r, b) for b in counts}
    publish(
        out,
        r["history"].path,
        f"Information plane ({activation})",
        results,
        figures,
        {
            f"plane_{b}bins": f"I(X;T) against I(T;Y) per layer, binning with {b} bins, colour = step"
            for b in counts
        },
    )
    for s in r[
        "dead_seeds"
    ]:  # the plotted run is the live seed's; the dead ones' working folders go
        shutil.rmtree(ip.seed_folder(work, seed, s), ignore_errors=True)
    last = {b: round(r["compression"][b][-2], 3) for b in counts}
    console.print(
        f"{activation}: last hidden layer's I(X;T) fell by {last} of its peak (per bin count); "
        f"train accuracy {r['train_accuracy']:.3f}; wrote {out}/index.html"
    )


def register(app: typer.Typer) -> None:
    app.command()(infoplane)
