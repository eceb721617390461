"""The ``approxlab`` command line (Typer + Rich).

Each module in this package defines ``register(app)`` and adds its subcommands;
modules are discovered, so a new subcommand is a new file. Bad input raises
:class:`approxlab.errors.ApproxlabError`: the CLI prints its one line and exits 2.
A guess the library had to make (:class:`approxlab.errors.ApproxlabWarning`) is one
``warning: …`` line on stderr after the command succeeds. Modules import PyTorch inside their commands, so
``approxlab --help`` and shell completion stay fast.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import warnings
from typing import NoReturn

import typer

from approxlab.errors import ApproxlabError, ApproxlabWarning

app = typer.Typer(
    name="approxlab",
    help="Build, train, dissect and measure neural-network function approximation.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _print_version(value: bool) -> None:
    if value:
        from approxlab import __version__

        print(f"approxlab {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        help="Print the approxlab version and exit.",
        is_eager=True,
        callback=_print_version,
    ),
) -> None:
    """Build, train, dissect and measure neural-network function approximation."""


def _discover() -> None:
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name.startswith("_"):
            continue
        importlib.import_module(f"{__name__}.{module.name}").register(app)


_discover()


def main() -> None:
    """Entry point: run the app; a user error is one line on stderr and exit code 2,
    Ctrl-C one line and exit code 130 (128 + SIGINT), as shells report it.

    Guesses (:class:`~approxlab.errors.ApproxlabWarning`) are printed as ``warning: …`` lines
    once the command has succeeded; when it fails, its one error line is all that is printed.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ApproxlabWarning)
        try:
            app()
        except ApproxlabError as exc:
            print(f"error: {exc}", file=sys.stderr)
            sys.exit(2)
        except KeyboardInterrupt:
            interrupted()
        except SystemExit as done:
            if done.code in (0, None):
                _report(caught)
            elif done.code == 130:  # Typer turns Ctrl-C inside a command into a silent exit 130
                interrupted()
            raise


def interrupted() -> NoReturn:
    """Ctrl-C: one line on stderr and exit code 130, through ``os._exit`` once the streams are
    flushed. A caught KeyboardInterrupt that crossed a nested ``PyRun_*`` call (an extension
    running Python code while importing) leaves CPython's unhandled-interrupt flag set, and at
    exit CPython then kills itself with SIGINT whatever ``sys.exit`` said (status −2 to a parent:
    measured 1 in 18 interrupts during start-up; bpo-1054041, bpo-41602). Nothing is left to
    finalize: outputs are written whole or not at all."""
    print("interrupted: nothing was written", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(130)


def _report(caught: list[warnings.WarningMessage]) -> None:
    """Print the recorded warnings. Not through ``warnings.showwarning``: inside
    ``catch_warnings(record=True)`` it appends to the very list being printed, so one foreign
    warning (e.g. torch's) made the loop run until memory ran out (measured: 22 GB, OOM-killed)."""
    for w in list(caught):
        if issubclass(w.category, ApproxlabWarning):
            print(f"warning: {w.message}", file=sys.stderr)
        else:
            print(
                warnings.formatwarning(w.message, w.category, w.filename, w.lineno),
                end="",
                file=sys.stderr,
            )
