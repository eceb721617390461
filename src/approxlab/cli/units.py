"""``approxlab units``: the unit-by-unit anatomy of a saved two-layer model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from approxlab.cli._domain import ModelPath
from approxlab.cli._progress import console


def units(
    model: ModelPath,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for units.json and the figures.")
    ] = Path("units"),
    target: Annotated[
        str | None,
        typer.Option(
            help="Target to draw beside the net (default: the one stored in the model file; none for a net trained on data)."
        ),
    ] = None,
    box: Annotated[
        str | None,
        typer.Option(
            help="Domain as low,high per axis (default: the target's, else the one stored in the model file, else [-1, 1])."
        ),
    ] = None,
) -> None:
    """Each hidden unit's contribution a_j σ(w_j·x + b_j) of a two-layer net, checked to sum to its output."""
    import numpy as np

    from approxlab import jsonfile
    from approxlab.cli._domain import model_domain
    from approxlab.errors import ApproxlabError
    from approxlab.figures import units as figs
    from approxlab.figures.save import save_figure
    from approxlab.finite import require_finite_output
    from approxlab.limits import panel_limit
    from approxlab.modelfile import extra, load
    from approxlab.output import check_output, staged_output
    from approxlab.targets import datasets, grid, parse_box
    from approxlab.targets import target as make_target
    from approxlab.targets.domain import default_grid_size
    from approxlab.units import two_layer

    check_output(out)
    net = load(model)
    t = two_layer(net)
    name = target or extra(model).get("target")
    if (
        target is None and name in datasets.names()
    ):  # trained on a classification set: no function to draw
        name = None
    if (
        name is None
    ):  # a net trained on data: its units alone, on --box, the stored domain or a guess
        f, domain = None, model_domain(model, t.dim, box)
        X = grid(domain, default_grid_size(t.dim))
    else:
        f = make_target(
            name,
            domain=parse_box(box)
            if box
            else extra(model).get("domain")
            if target is None
            else None,
        )
        if f.dim != t.dim:
            raise ApproxlabError(
                f"the net takes {t.dim} inputs but target {name!r} is {f.dim}-dimensional: pass a matching --target"
            )
        domain, X = f.domain, f.grid()[0]
    require_finite_output(net, domain)
    parts = t.contributions(X)
    output = figs.predict(net, X)
    residual = float(np.max(np.abs(parts.sum(axis=1) + t.c[0] - output)))
    summary = {
        "activation": t.activation,
        "units": t.width,
        "output_bias": float(t.c[0]),
        "target": name,
        "domain": domain,
        "sum_check_max_abs": residual,
        "max_error": float(np.max(np.abs(output - f(X)))) if f is not None else None,
        "units_detail": [
            {
                "w": t.W[j].tolist(),
                "b": float(t.b[j]),
                "a": float(t.a[0, j]),
                "contribution_range": [float(parts[:, j].min()), float(parts[:, j].max())],
            }
            for j in range(t.width)
        ],
    }
    with staged_output(out) as stage:
        jsonfile.write(stage / "units.json", summary)
        if t.width > panel_limit():
            console.print(
                f"{t.width} units are more than {panel_limit()} figure panels: the numbers are in units.json "
                "(raise APPROXLAB_MAX_PANELS to draw them)"
            )
        elif t.dim == 1:
            save_figure(figs.units_1d(net, f, domain=domain), stage / "units")
        elif t.dim == 2:
            save_figure(figs.units_2d(net, f, domain=domain), stage / "units")
            if f is not None:
                save_figure(figs.surfaces_2d(net, f), stage / "surfaces")
    error = "" if f is None else f"max |N − f| = {summary['max_error']:.4g}; "
    console.print(
        f"{t.width} {t.activation} units; Σ contributions + c matches the output to {residual:.2e}; "
        f"{error}wrote {out}"
    )


def register(app: typer.Typer) -> None:
    app.command()(units)
