"""The saved model a command reads (the MODEL argument) and its input box: --box, else the one stored in
the file, else a guess."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated

import typer

ModelPath = Annotated[
    Path,
    typer.Argument(
        help="A model.safetensors (approxlab fit, approxlab import, approxlab.save) or a PyTorch "
        "state_dict .pt (ReLU assumed)."
    ),
]


def model_domain(model: Path, dim: int, box: str | None) -> list[tuple[float, float]]:
    """``--box`` if given, else the domain stored in the model file (``approxlab fit``, ``approxlab import
    --box``), else [-1, 1]^dim with an :class:`~approxlab.errors.ApproxlabWarning` saying how to state it."""
    from approxlab.errors import ApproxlabError, ApproxlabWarning
    from approxlab.modelfile import extra
    from approxlab.targets import as_domain, parse_box

    if box is not None:
        domain = parse_box(box)
    elif extra(model).get("domain"):
        domain = as_domain(extra(model)["domain"])
    else:
        warnings.warn(
            f"{model} stores no input domain: assuming [-1, 1] per input; pass --box low,high,… "
            "(or store it with approxlab import --box)",
            ApproxlabWarning,
            stacklevel=2,
        )
        domain = [(-1.0, 1.0)] * dim
    if len(domain) != dim:
        raise ApproxlabError(
            f"the box has {len(domain)} axes but the net takes {dim} inputs: give low,high per input"
        )
    return domain
