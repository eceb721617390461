"""``approxlab sweep``: train a grid of nets (stacked where shapes agree) into a run store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from approxlab.cli._progress import console


def sweep(
    target: Annotated[
        str | None,
        typer.Argument(
            help="Target(s), comma-separated: a name (paraboloid, sine, …) or an expression."
        ),
    ] = None,
    width: Annotated[str | None, typer.Option(help="Widths, e.g. 2,4,6.")] = None,
    depth: Annotated[str | None, typer.Option(help="Depths (hidden layers), e.g. 1,2.")] = None,
    activation: Annotated[
        str | None, typer.Option(help="Activations, e.g. sigmoid,relu,tanh.")
    ] = None,
    seeds: Annotated[
        int | None, typer.Option(help="Seeds 0 … N−1 per setting (init and data sample).")
    ] = None,
    lr: Annotated[str | None, typer.Option(help="Learning rates, e.g. 0.01,0.05.")] = None,
    n_train: Annotated[
        str | None, typer.Option(help="Training sample sizes, e.g. 100,1000.")
    ] = None,
    steps: Annotated[
        int | None, typer.Option(help="Adam/SGD steps per net (default 1000, cosine decay).")
    ] = None,
    optimizer: Annotated[str | None, typer.Option(help="adam or sgd.")] = None,
    dtype: Annotated[str | None, typer.Option(help="float64 (default) or float32.")] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="A TOML file with the grid; options given here override it."),
    ] = None,
    store: Annotated[
        Path, typer.Option("--store", help="The run store (SQLite) to write; created when absent.")
    ] = Path("runs.db"),
    device: Annotated[str, typer.Option(help="cpu, cuda or auto (CUDA when present).")] = "auto",
    max_k: Annotated[
        int, typer.Option("--max-k", help="Most nets trained together in one stack.")
    ] = 1024,
    compile: Annotated[
        bool | None,
        typer.Option(
            "--compile/--no-compile", help="torch.compile the fused kernel (default: when it pays)."
        ),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            help="local (this process) or ray (a Ray cluster; pip install 'approxlab[ray]')."
        ),
    ] = "local",
    address: Annotated[
        str | None, typer.Option(help="Ray cluster address (default: start a local one).")
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Run a grid bigger than the limit without asking.")
    ] = False,
) -> None:
    """Train every run of a grid, stacking runs of one shape, into a run store; rerun to resume."""
    from approxlab import arguments
    from approxlab.cli._progress import progress_bar
    from approxlab.errors import ApproxlabError
    from approxlab.runstore import RunStore
    from approxlab.sweep import MAX_RUNS, check_grid, expand, grid_from_toml, run_sweep

    grid = grid_from_toml(config) if config is not None else {}
    given = {
        "target": _names(target),
        "width": _ints(width, "--width"),
        "depth": _ints(depth, "--depth"),
        "activation": _names(activation),
        "seeds": seeds,
        "lr": _floats(lr, "--lr"),
        "n_train": _ints(n_train, "--n-train"),
        "steps": steps,
        "optimizer": optimizer,
        "dtype": dtype,
    }
    grid.update({k: v for k, v in given.items() if v is not None})
    grid = check_grid(grid, "the sweep" if config is None else f"{config.name} and the options")
    runs = expand(grid)
    if len(runs) > MAX_RUNS and not yes:
        raise ApproxlabError(
            f"the grid has {len(runs)} runs, more than {MAX_RUNS}: check it, then add --yes to run it"
        )
    arguments.count("--max-k", max_k)
    from approxlab.ensemble import resolve_device

    if engine == "local":
        device = str(resolve_device(device))
    db = RunStore(store)
    with progress_bar() as bar:
        task = bar.add_task("sweep", total=max(1, len(runs)))
        import time

        start = time.perf_counter()

        def show(done: float, total: int) -> None:
            rate = done / max(time.perf_counter() - start, 1e-9)
            bar.update(
                task, total=max(1, total), completed=done, description=f"sweep  {rate:,.1f} nets/s"
            )

        summary = run_sweep(
            runs,
            db,
            device=device,
            max_k=max_k,
            compile=compile,
            engine=engine,
            address=address,
            progress=show,
        )
    console.print(
        f"{summary['trained']} runs trained, {summary['skipped']} already in {store} "
        f"({summary['runs']} in the grid), {summary['seconds']:.1f} s on {summary['device']}; "
        f"the store holds {db.count()} runs"
    )


def _names(text: str | None) -> list[str] | None:
    return None if text is None else [t.strip() for t in text.split(",") if t.strip()]


def _ints(text: str | None, option: str) -> list[int] | None:
    from approxlab.arguments import integers

    return None if text is None else integers(text, option)


def _floats(text: str | None, option: str) -> list[float] | None:
    from approxlab.errors import ApproxlabError

    if text is None:
        return None
    try:
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise ApproxlabError(
            f"{option} must be comma-separated numbers such as 0.01,0.05, got {text!r}"
        ) from None


def register(app: typer.Typer) -> None:
    app.command()(sweep)
