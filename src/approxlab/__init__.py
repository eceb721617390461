"""approxlab: the theory of neural-network function approximation, executable.

>>> import approxlab
>>> net = approxlab.mlp(2, [6], activation="sigmoid")
>>> f = approxlab.target("paraboloid")

The public names are imported on first use, so ``import approxlab`` (and the command
line's start) does not wait for torch; Ctrl-C during that wait is then the CLI's
one-line exit 130 rather than a traceback from inside an import.
"""

from importlib import import_module

from approxlab.errors import ApproxlabError

__version__ = "0.1.0"

_HOMES = {
    "count_params": "approxlab.nets", "mlp": "approxlab.nets",
    "import_state_dict": "approxlab.modelfile", "load": "approxlab.modelfile", "save": "approxlab.modelfile",
    "dataset": "approxlab.targets", "grid": "approxlab.targets", "sample": "approxlab.targets",
    "surface_classification": "approxlab.targets", "target": "approxlab.targets",
}

__all__ = ["ApproxlabError", *sorted(_HOMES)]


def __getattr__(name: str):
    if name in _HOMES:
        value = getattr(import_module(_HOMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'approxlab' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
