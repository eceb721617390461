"""The names a CLI option accepts, known without importing PyTorch, shown in ``--help`` and completed by the shell.

Each tuple mirrors a registry (``tests/cli/test_choices.py`` checks they agree); the
command body still validates with :func:`approxlab.errors.choose`, so a wrong name is
one line and exit code 2 like every other bad input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

ACTIVATIONS = (
    "relu",
    "leaky_relu",
    "sigmoid",
    "tanh",
    "step",
    "linear",
    "sin",
    "softplus",
    "gelu",
    "abs",
    "cos",
    "exp",
)
OPTIMIZERS = ("adam", "sgd", "lbfgs")
PROFILES = ("quick", "full")
CONSTRUCTIONS = (
    "steps",
    "sigmoid-steps",
    "bumps",
    "towers",
    "ridge-tower",
    "interpolant",
    "triangulation",
    "sawtooth",
    "yarotsky",
    "product",
    "barron",
    "taylor",
    "fourier",
    "exponential",
)
SCRATCH_ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")
SCRATCH_LOSSES = ("mse", "bce", "softmax_ce")


def choice(names: Sequence[str]) -> dict[str, Any]:
    """``typer.Option``/``Argument`` keywords: the names as the metavar, and shell completion of them."""

    def complete(incomplete: str) -> list[str]:
        return [n for n in names if n.startswith(incomplete)]

    completion: Callable[[str], list[str]] = complete
    return {"metavar": "[" + "|".join(names) + "]", "autocompletion": completion}
