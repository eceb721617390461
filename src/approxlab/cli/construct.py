"""``approxlab construct NAME``: build a network from a proof, with its certificate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from approxlab.cli._choices import CONSTRUCTIONS, choice

# Peak memory of `approxlab construct NAME --KNOB k` as a function of k, fitted to peak RSS
# measured on the development machine (GNU time, 2 cores): interpolant 1.8 GB at 5000 units
# and over 12.7 GB at 20000; towers 2.0 GB at 50, 7.0 GB at 100; ridge-tower 3.6 GB at 2500,
# 7.0 GB at 5000; bumps 2.8 GB at 20000; barron 1.5 GB at 20000; fourier 0.33 GB at 500
# (taken as quadratic to be safe); yarotsky 0.8 GB at depth 22, over 17 GB at 30; sawtooth
# 5.6 GB at depth 25 (its grid has 2^n points per piece count). Used to refuse before allocating.
_MEMORY = {
    "interpolant": ("units", lambda k: 74.0 * k**2),
    "towers": ("units", lambda k: 7.9e5 * k**2),
    "triangulation": ("units", lambda k: 7.9e5 * k**2),
    "ridge-tower": ("units", lambda k: 1.45e6 * k),
    "bumps": ("units", lambda k: 1.4e5 * k),
    "barron": ("units", lambda k: 7.7e4 * k),
    "fourier": ("units", lambda k: 1.3e3 * k**2),
    "exponential": ("units", lambda k: 1.3e3 * k**2),
    "yarotsky": ("depth", lambda k: 0.8e9 * 2.0 ** min(k - 22, 1000)),
    "product": ("depth", lambda k: 0.8e9 * 2.0 ** min(k - 22, 1000)),
    "sawtooth": ("depth", lambda k: 5.6e9 * 2.0 ** min(k - 25, 1000)),
    "taylor": ("depth", lambda k: 1e6 * k),
}


def construct(
    name: Annotated[
        str,
        typer.Argument(
            help="Construction (docs/construct.md lists each one's theorem).",
            **choice(CONSTRUCTIONS),
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Folder for model.safetensors, certificate.json and figure.png."
        ),
    ],
    target: Annotated[
        str | None, typer.Option(help="Target name or expression, e.g. 'sin(2*pi*x)'.")
    ] = None,
    eps: Annotated[
        float | None, typer.Option(help="Tolerance ε (steps, sigmoid-steps, yarotsky).")
    ] = None,
    units: Annotated[
        int | None, typer.Option(help="Number of units, bumps, directions or grid cells per axis.")
    ] = None,
    depth: Annotated[
        int | None,
        typer.Option(help="Compositions n (sawtooth), m (yarotsky, product) or power k (taylor)."),
    ] = None,
) -> None:
    """Build the network a theorem's proof gives and write it with its certificate and a figure."""
    from approxlab import arguments
    from approxlab.cli._progress import console
    from approxlab.construct.catalogue import build
    from approxlab.construct.target import resolve
    from approxlab.figures.construct import construction_figure
    from approxlab.figures.save import save_figure
    from approxlab.limits import require_memory
    from approxlab.modelfile import save
    from approxlab.nets import in_features
    from approxlab.output import check_output, staged_output

    check_output(out)
    if units is not None:
        arguments.count("--units", units)
    if depth is not None:
        arguments.count("--depth", depth)
    knob, need = _MEMORY.get(name, (None, None))
    value = {"units": units, "depth": depth}.get(knob)
    if value is not None:
        require_memory(f"construct {name} --{knob} {value}", need(value))
    net, cert = build(name, target, eps=eps, units=units, depth=depth)
    dim = in_features(net)
    goal = cert.details.get("target")
    box = [tuple(a) for a in cert.details.get("domain", [(0.0, 1.0)] * dim)]
    f = resolve(goal, dim, box) if goal and dim <= 2 else None
    domain = f.domain if f is not None else (box if dim == 1 else [(-1.0, 1.0)] * 2)
    title = f"{name}: {cert.units} units, depth {cert.depth}"
    with staged_output(out) as stage:
        save(net, stage / "model.safetensors")
        cert.write(stage / "certificate.json")
        if dim <= 2:
            figure = construction_figure(net, f, domain, title)
        else:
            from approxlab.construct.barron import gaussian
            from approxlab.figures.construct import ray_figure

            figure = ray_figure(net, gaussian, dim, title + " (along the ray t·e₁)")
        save_figure(figure, stage / "figure")
    verdict = {
        True: "[green]bound holds[/green]",
        False: "[red]bound fails[/red]",
        None: "no bound (qualitative theorem)",
    }[cert.holds]
    bound = "—" if cert.bound is None else f"{cert.bound:.3g}"
    console.print(
        f"{name}: {cert.units} units, depth {cert.depth}, {cert.params} parameters; "
        f"{cert.norm} error {cert.measured:.3g} ≤ {bound}: {verdict} → {out}",
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    app.command()(construct)
