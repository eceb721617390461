"""``approxlab anatomy``: a saved two-layer net read as knots, local/global units and spline pieces."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from approxlab.cli._domain import ModelPath
from approxlab.cli._progress import console


def anatomy(
    model: ModelPath,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for anatomy.json and the figures.")
    ] = Path("anatomy"),
    box: Annotated[
        str | None,
        typer.Option(help="Domain as low,high per axis (default: the model's, else [-1, 1]^d)."),
    ] = None,
    tol: Annotated[
        float,
        typer.Option(
            help="Zero-error tolerance: a unit is ignorable where it is within tol of its asymptote."
        ),
    ] = 1e-3,
) -> None:
    """Knots, zero-error points, local/global units, Taylor pieces and the knot reconstruction of a two-layer
    sigmoid, tanh, softplus or ReLU net (seed 000). Figures for 1D and 2D inputs; numbers in any dimension."""
    import numpy as np

    from approxlab import arguments, jsonfile
    from approxlab.cli._domain import model_domain
    from approxlab.errors import ApproxlabError
    from approxlab.figures.save import save_figure
    from approxlab.figures.smooth import anatomy_figure, anatomy_plotly
    from approxlab.finite import require_finite_output
    from approxlab.modelfile import load
    from approxlab.output import check_output, staged_output
    from approxlab.smooth import anatomy as read
    from approxlab.smooth import reconstruct
    from approxlab.units import two_layer

    check_output(out)
    arguments.positive("--tol", tol, high=1.0)
    net = load(model)
    dim = two_layer(net).dim
    domain = model_domain(model, dim, box)
    require_finite_output(net, domain)
    try:
        with np.errstate(all="ignore"):
            A = read(net, domain, tol=tol)
            summary = A.to_dict()
            summary["reconstruction_max_error"] = reconstruct(A).error
    except np.linalg.LinAlgError as exc:
        raise ApproxlabError(
            f"the anatomy's linear algebra failed ({exc}) on this net and domain: its weights or "
            "the box are too large or degenerate for float64; rescale the net or pass a smaller --box"
        ) from None
    with staged_output(out) as stage:
        jsonfile.write(stage / "anatomy.json", summary)
        if A.dim <= 2:
            save_figure(anatomy_figure(A), stage / "anatomy")
            save_figure(
                anatomy_plotly(A), stage / "anatomy_3d" if A.dim == 2 else stage / "anatomy_units"
            )
    console.print(
        f"{A.width} {A.activation} units: {summary['n_local']} local, {summary['n_global']} global; "
        f"{len(A.pieces) or len(A.linear_pieces)} {'linear' if A.linear_pieces else 'spline'} pieces; "
        f"knots alone rebuild the net to "
        f"{summary['reconstruction_max_error']:.3g}; wrote {out}"
    )
    if A.dim > 2:
        console.print(
            f"figures are drawn for 1D and 2D inputs only, this net takes {A.dim}: the numbers are in anatomy.json"
        )


def register(app: typer.Typer) -> None:
    app.command()(anatomy)
