"""``approxlab atlas``: run the claims and write index.html and results.json."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from approxlab.cli._choices import PROFILES, choice
from approxlab.cli._progress import console


def atlas(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for index.html, results.json and figures.")
    ] = Path("atlas"),
    profile: Annotated[
        str,
        typer.Option(
            help="quick: seconds to a minute per claim on 2 cores; full: research grade.",
            **choice(PROFILES),
        ),
    ] = "quick",
    only: Annotated[
        list[str] | None, typer.Option(help="Run only this claim id (or id prefix); repeatable.")
    ] = None,
    list_: Annotated[
        bool, typer.Option("--list", help="List the claim ids with their profiles and exit.")
    ] = False,
    jobs: Annotated[
        int,
        typer.Option(
            help="Claims run at once, one process each (default: the cores this process may use)."
        ),
    ] = 0,
    cache: Annotated[
        bool,
        typer.Option(
            help="Keep trained nets between runs (in $APPROXLAB_CACHE or ~/.cache/approxlab)."
        ),
    ] = True,
) -> None:
    """Re-verify the claims of the sources with measured numbers: the atlas."""
    from approxlab.atlas.cache import Cache, default_folder
    from approxlab.atlas.registry import PROFILES, claims
    from approxlab.atlas.run import run_atlas
    from approxlab.errors import ApproxlabError

    if profile not in PROFILES:
        raise ApproxlabError(f"unknown profile {profile!r}: use --profile quick or --profile full")
    chosen = claims(only)
    if list_:
        for c in chosen:
            console.print(
                f"[bold]{c.id}[/bold]  ({' + '.join(c.profiles)})  {escape(c.statement)}",
                soft_wrap=True,
            )
        return
    from approxlab.output import check_output

    check_output(out)
    jobs = jobs or len(os.sched_getaffinity(0))
    console.print(
        f"atlas: {len(chosen)} claim(s), profile {profile}, {min(jobs, len(chosen))} at a time"
    )

    def finished(done: int, r: dict) -> None:
        # One plain line per finished claim, so that piped output shows progress too.
        colour = {"holds": "green", "fails": "red", "error": "magenta", "not run": "dim"}[
            r["verdict"]
        ]
        console.print(
            f"\\[{done}/{len(chosen)}] [{colour}]{r['verdict']:>5}[/{colour}]  {r['id']}  ({r['seconds']:.1f} s)",
            soft_wrap=True,
        )

    results = run_atlas(
        chosen,
        profile,
        out,
        merge=bool(only),
        progress=finished,
        jobs=jobs,
        cache=Cache(default_folder()) if cache else None,
    )
    errors = [r["id"] for r in results if r["verdict"] == "error"]
    skipped = [r for r in results if r["verdict"] == "not run"]
    console.print(f"atlas: {(out / 'index.html').absolute()}", soft_wrap=True)
    for r in skipped:
        console.print(
            f"not run in the {profile} profile: {r['id']} ({' + '.join(r['profiles'])} only); "
            f"run it with: {r['command']}",
            soft_wrap=True,
            markup=False,
        )
    if errors:
        console.print(
            f"[magenta]{len(errors)} claim(s) raised an error: {', '.join(errors)}[/magenta]"
        )
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(atlas)
