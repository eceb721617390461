"""``approxlab atlas``: run the claims and write index.html and results.json."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from approxlab.cli._choices import PROFILES, choice
from approxlab.cli._progress import console, progress_bar


def atlas(
    out: Annotated[Path, typer.Option("--out", help="Folder for index.html, results.json and figures.")] = Path("atlas"),
    profile: Annotated[str, typer.Option(help="quick: seconds to a minute per claim on 2 cores; full: research grade.", **choice(PROFILES))] = "quick",
    only: Annotated[list[str] | None, typer.Option(help="Run only this claim id (or id prefix); repeatable.")] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the claim ids and exit.")] = False,
) -> None:
    """Re-verify the claims of the sources with measured numbers: the atlas."""
    from approxlab.atlas.registry import PROFILES, claims
    from approxlab.atlas.run import run_atlas
    from approxlab.errors import ApproxlabError

    if profile not in PROFILES:
        raise ApproxlabError(f"unknown profile {profile!r}: use --profile quick or --profile full")
    chosen = claims(only)
    if list_:
        for c in chosen:
            console.print(f"[bold]{c.id}[/bold]  {c.statement}")
        return
    with progress_bar() as bar:
        task = bar.add_task("atlas", total=len(chosen))

        def starting(done: int, claim_id: str) -> None:
            bar.update(task, completed=done, description=claim_id)
            if not console.is_terminal:  # piped or logged: a bar redraws only at the end, so one line per claim
                console.print(f"[{done + 1}/{len(chosen)}] {claim_id}", highlight=False, markup=False)

        results = run_atlas(chosen, profile, out, merge=bool(only), progress=starting)
        bar.update(task, completed=len(chosen), description="atlas")
    for r in results:
        colour = {"holds": "green", "fails": "red", "error": "magenta"}[r["verdict"]]
        console.print(f"[{colour}]{r['verdict']:>5}[/{colour}]  {r['id']}  ({r['seconds']:.1f} s)")
    errors = [r["id"] for r in results if r["verdict"] == "error"]
    console.print(f"atlas: {out / 'index.html'}")
    if errors:
        console.print(f"[magenta]{len(errors)} claim(s) raised an error: {', '.join(errors)}[/magenta]")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(atlas)
