"""The ``approxlab`` command line (Typer + Rich).

Each module in this package defines ``register(app)`` and adds its subcommands;
modules are discovered, so a new subcommand is a new file. Bad input raises
:class:`approxlab.errors.ApproxlabError`: the CLI prints its one line and exits 2.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

from approxlab.errors import ApproxlabError

app = typer.Typer(
    name="approxlab",
    help="Build, train, dissect and measure neural-network function approximation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", help="Print the approxlab version and exit."),
) -> None:
    """Build, train, dissect and measure neural-network function approximation."""
    if version:
        from approxlab import __version__

        print(__version__)
        raise typer.Exit()


def _discover() -> None:
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name.startswith("_"):
            continue
        importlib.import_module(f"{__name__}.{module.name}").register(app)


_discover()


def main() -> None:
    """Entry point: run the app; a user error is one line on stderr and exit code 2,
    Ctrl-C one line and exit code 130 (128 + SIGINT), as shells report it."""
    try:
        app()
    except ApproxlabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("interrupted: nothing was written", file=sys.stderr)
        sys.exit(130)
    except SystemExit as exc:  # Typer turns Ctrl-C inside a command into a silent exit 130
        if exc.code == 130:
            print("interrupted: nothing was written", file=sys.stderr)
        raise
