"""``approxlab runs``: list, filter and export a run store; draw error against width."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from approxlab.cli._progress import console

PLOTS = ("rmse-vs-width", "max_error-vs-width")
SHOWN = ("id", "depth", "width", "activation", "seed", "lr", "rmse", "max_error")


def runs(
    store: Annotated[
        Path, typer.Option("--store", help="The run store written by `approxlab sweep`.")
    ] = Path("runs.db"),
    where: Annotated[
        list[str] | None,
        typer.Option(
            "--where", help="Keep runs with FIELD=VALUE (repeatable), e.g. activation=relu."
        ),
    ] = None,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Write the (filtered) runs to this CSV file.")
    ] = None,
    parquet: Annotated[
        Path | None,
        typer.Option("--parquet", help="Write the (filtered) runs to this Parquet file (typed)."),
    ] = None,
    plot: Annotated[
        str | None,
        typer.Option("--plot", help="rmse-vs-width or max_error-vs-width (needs --out)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for the figure of --plot.")
    ] = None,
    limit: Annotated[int, typer.Option(help="Rows printed (all go to --csv / --parquet).")] = 20,
) -> None:
    """List the runs of a store (filtered), export them as CSV or Parquet, or plot error against width with spreads."""
    from rich.table import Table

    from approxlab import arguments
    from approxlab.errors import ApproxlabError, choose, require
    from approxlab.runstore import RunStore

    arguments.count("--limit", limit, low=0)
    conditions = {}
    for item in where or []:
        require("=" in item, f"--where {item!r} must be FIELD=VALUE, e.g. --where activation=relu")
        key, value = item.split("=", 1)
        conditions[key.strip()] = value.strip()
    if plot is not None:
        choose("plot", plot, PLOTS)
        require(out is not None, "--plot needs --out DIR for the figure")
    if out is not None:
        from approxlab.output import check_output

        check_output(out)
    for option, path in (("--csv", csv), ("--parquet", parquet)):
        if path is not None and not path.parent.is_dir():
            raise ApproxlabError(
                f"cannot write {option} {str(path)!r}: folder {str(path.parent)!r} does not exist"
            )
    db = RunStore(store, create=False)
    rows = db.runs(conditions)
    table = Table(title=f"{len(rows)} of {db.count()} runs in {store}")
    columns = [c for c in SHOWN if any(c in r for r in rows)]
    for c in columns:
        table.add_column(c, justify="right")
    for r in rows[:limit]:
        table.add_row(*[_cell(r.get(c)) for c in columns])
    console.print(table)
    if csv is not None:
        db.export_csv(rows, csv)
        console.print(f"wrote {len(rows)} runs to {csv}")
    if parquet is not None:
        db.export_parquet(rows, parquet)
        console.print(f"wrote {len(rows)} runs to {parquet}")
    if plot is not None:
        from approxlab.figures.save import save_figure
        from approxlab.figures.sweep import error_vs_width
        from approxlab.output import staged_output

        metric = plot.split("-vs-")[0]
        require(any(r.get(metric) is not None for r in rows), f"no run has {metric}: widen --where")
        with staged_output(out) as stage:
            save_figure(error_vs_width(rows, metric), stage / plot)
        console.print(f"wrote {out}/{plot}.png")


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)


def register(app: typer.Typer) -> None:
    app.command()(runs)
