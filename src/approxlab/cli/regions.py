"""``approxlab regions``: the exact linear regions of a saved piecewise-linear model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from approxlab.cli._domain import ModelPath
from approxlab.cli._progress import console

DETAIL_LIMIT = 20_000  # regions listed one by one in regions.json up to this count


def _domain(net, model: Path, box: str | None, anchors: Path | None):
    """The partition's domain: --anchors (2 or 3 points of input space), --box, the model's stored
    domain, or [-1, 1]^d; an ApproxlabError names the problem otherwise."""
    import numpy as np

    from approxlab.errors import ApproxlabError
    from approxlab.modelfile import extra
    from approxlab.regions import segment, through_points
    from approxlab.regions.layers import input_dim, stages
    from approxlab.targets import parse_box

    d = input_dim(stages(net))
    if box is not None and anchors is not None:
        raise ApproxlabError("give either --box or --anchors, not both")
    if anchors is not None:
        try:
            points = np.load(anchors, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise ApproxlabError(
                f"cannot read anchors {str(anchors)!r} ({str(exc)[:80]}): save a (3, d) or (2, d) "
                "float array with numpy.save"
            ) from None
        if points.dtype.kind not in "fiu" or not np.isfinite(points).all():
            raise ApproxlabError(
                f"anchors {str(anchors)!r} hold {points.dtype} values, not finite numbers: "
                "save a (3, d) or (2, d) float array with numpy.save"
            )
        if points.ndim != 2 or points.shape[0] not in (2, 3) or points.shape[1] != d:
            raise ApproxlabError(
                f"anchors have shape {points.shape}: give 3 points (plane) or 2 points (segment) "
                f"of the net's {d}-dimensional input space, shape (3, {d}) or (2, {d})"
            )
        return through_points(points) if len(points) == 3 else segment(points[0], points[1])
    if box is not None:
        domain = parse_box(box)
    else:
        domain = extra(model).get("domain") or [(-1.0, 1.0)] * d
    if len(domain) != d:
        raise ApproxlabError(
            f"the box has {len(domain)} axes but the net takes {d} inputs: "
            + ("give --box with low,high per input" if d <= 2 else "use --anchors for a slice")
        )
    if d > 2:
        raise ApproxlabError(
            f"the net takes {d} inputs: pass --anchors a.npy with 3 points (a plane) or 2 (a segment)"
        )
    return domain[0] if d == 1 else domain


def _detail(p) -> list[dict]:
    import numpy as np

    from approxlab.regions.partition2d import Partition2D

    a, c = p.affine_maps()
    patterns = p.patterns()
    areas = p.areas()
    shapes = (
        [p.polygon_of(f).tolist() for f in range(p.count)]
        if isinstance(p, Partition2D)
        else p.intervals().tolist()
    )
    return [
        {
            "region": f,
            "area": float(areas[f]),
            "polygon" if isinstance(p, Partition2D) else "interval": shapes[f],
            "pattern": [np.asarray(q[f]).tolist() for q in patterns],
            "A": a[f].tolist(),
            "c": c[f].tolist(),
        }
        for f in range(p.count)
    ]


def regions(
    model: ModelPath,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for regions.json and the figures.")
    ] = Path("regions"),
    box: Annotated[
        str | None,
        typer.Option(help="Domain as low,high per axis, e.g. -1,1,-1,1 (1- or 2-input nets)."),
    ] = None,
    anchors: Annotated[
        Path | None,
        typer.Option(help="A .npy of 3 points (plane slice) or 2 points (segment) of input space."),
    ] = None,
    json_: Annotated[
        bool, typer.Option("--json", help="Print {regions, bound, seconds, ...} as JSON on stdout.")
    ] = False,
    max_regions: Annotated[
        int, typer.Option(help="Stop once the partition has more regions than this.")
    ] = 1_000_000,
    level: Annotated[
        float, typer.Option(help="Output level drawn in red (the decision boundary of a logit).")
    ] = 0.0,
) -> None:
    """The exact linear regions of a ReLU-type net on a segment, box or plane slice (float64, no sampling)."""
    from approxlab.errors import ApproxlabError
    from approxlab.figures import regions as figs
    from approxlab.figures.save import save_figure
    from approxlab.modelfile import load
    from approxlab.output import staged_output
    from approxlab.regions import bound, partition
    from approxlab.regions.checks import check
    from approxlab.regions.partition2d import Partition2D

    if max_regions < 1:
        raise ApproxlabError(f"--max-regions must be positive, got {max_regions}")
    net = load(model)
    p = partition(net, _domain(net, model, box, anchors), max_regions=max_regions)
    report = check(p, net)
    summary = {
        "regions": p.count,
        "bound": bound(p.layers, p.basis.shape[1]),
        "seconds": p.seconds,
        "input_dim": int(p.origin.shape[0]),
        "slice_dim": int(p.basis.shape[1]),
        "origin": p.origin.tolist(),
        "basis": p.basis.tolist(),
        "checks": report,
    }
    if isinstance(p, Partition2D):
        summary["domain"] = p.polygon.tolist()
        layers = p.edge_layers()
        summary["edges_per_layer"] = {
            str(int(li) + 1): int((layers == li).sum()) for li in sorted(set(layers) - {-1})
        }
    else:
        summary["domain"] = [float(p.points[0]), float(p.points[-1])]
        summary["breakpoints"] = p.points[1:-1].tolist()
    if p.count <= DETAIL_LIMIT:
        summary["region_detail"] = _detail(p)
    with staged_output(out) as stage:
        (stage / "regions.json").write_text(json.dumps(summary, indent=1))
        if isinstance(p, Partition2D):
            save_figure(figs.region_map(p, level=level), stage / "region_map")
            save_figure(figs.region_map_html(p, level=level), stage / "region_map")
            save_figure(figs.surface_3d(p), stage / "surface")
            if (
                p.values.shape[1] > 1
            ):  # a classifier: SplineCam's slope-coloured tiles and decision boundary
                save_figure(
                    figs.slope_map(p, p.polygon if anchors is not None else None),
                    stage / "slope_map",
                )
        else:
            save_figure(figs.breakpoints_1d(p), stage / "breakpoints")
    if json_:
        print(
            json.dumps(
                {k: summary[k] for k in ("regions", "bound", "seconds", "input_dim", "checks")}
            )
        )
    else:
        verdict = "passed" if report["ok"] else "[red]FAILED[/red]"
        console.print(
            f"{p.count} linear regions (upper bound {summary['bound']:.3g}) in {p.seconds:.3g} s; "
            f"self-checks {verdict}; wrote {out}"
        )


def register(app: typer.Typer) -> None:
    app.command()(regions)
