"""``approxlab play``: the live playground in the browser (local server, offline page)."""

from __future__ import annotations

from typing import Annotated

import typer


def play(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
    host: Annotated[
        str,
        typer.Option(
            help="Address to bind; anything but 127.0.0.1/localhost is reachable "
            "from other machines (a warning says so)."
        ),
    ] = "127.0.0.1",
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Do not open a browser tab.")
    ] = False,
) -> None:
    """Train nets live in the browser: targets or typed expressions, every unit, exact regions, constructions."""
    from approxlab.play.server import serve

    serve(host=host, port=port, open_browser=not no_browser)


def register(app: typer.Typer) -> None:
    app.command()(play)
