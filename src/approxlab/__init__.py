"""approxlab: the theory of neural-network function approximation, executable.

>>> import approxlab
>>> net = approxlab.mlp(2, [6], activation="sigmoid")
>>> f = approxlab.target("paraboloid")

The names below are imported on first use, so that ``import approxlab`` (and
``approxlab --help``) does not load PyTorch before it is needed; Ctrl-C during that
wait is then the CLI's one-line exit 130 rather than a traceback from inside an import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from approxlab.errors import ApproxlabError

__version__ = "0.1.0"

_HOMES = {
    "count_params": "approxlab.nets",
    "dataset": "approxlab.targets",
    "grid": "approxlab.targets",
    "import_state_dict": "approxlab.modelfile",
    "load": "approxlab.modelfile",
    "mlp": "approxlab.nets",
    "sample": "approxlab.targets",
    "save": "approxlab.modelfile",
    "surface_classification": "approxlab.targets",
    "target": "approxlab.targets",
}

__all__ = [
    "ApproxlabError",
    "count_params",
    "dataset",
    "grid",
    "import_state_dict",
    "load",
    "mlp",
    "sample",
    "save",
    "surface_classification",
    "target",
]

if TYPE_CHECKING:
    from approxlab.modelfile import import_state_dict, load, save
    from approxlab.nets import count_params, mlp
    from approxlab.targets import dataset, grid, sample, surface_classification, target


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'approxlab' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
