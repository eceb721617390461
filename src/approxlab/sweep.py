"""Sweeps: a grid of training settings → chunks of nets that stack → trained → the run store.

A grid names lists of values (``width = [2, 4, 6]``, ``activation = ["sigmoid", "relu"]``,
``seeds = 200`` …); its runs are the Cartesian product. Runs that differ only in seed or
learning rate have one shape and train together as one :mod:`approxlab.ensemble` (per-net
seed, data sample and learning rate), at most ``max_k`` nets at a time. Each finished chunk
is one transaction in the :class:`~approxlab.runstore.RunStore`, keyed by its settings, so a
rerun skips every stored run (resume after Ctrl-C or ``kill -9``) and two sweeps writing one
store never duplicate a run. Net k of a chunk is what ``approxlab.fit`` gives with its seed.
"""

from __future__ import annotations

import itertools
import math
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from approxlab import arguments
from approxlab.errors import ApproxlabError, choose, require
from approxlab.runstore import RunStore, model_bytes, run_key

DTYPES = {"float64": torch.float64, "float32": torch.float32}
LIST_KEYS = ("target", "width", "depth", "activation", "n_train", "lr")
SCALAR_KEYS = ("seeds", "steps", "optimizer", "schedule", "dtype", "n_test")
DEFAULTS: dict[str, Any] = {
    "target": ["paraboloid"],
    "width": [6],
    "depth": [1],
    "activation": ["sigmoid"],
    "n_train": [1000],
    "lr": [0.05],
    "seeds": 10,
    "steps": 1000,
    "optimizer": "adam",
    "schedule": "cosine",
    "dtype": "float64",
    "n_test": 1000,
}
MAX_RUNS = 5000  # a bigger grid needs --yes
ENGINES = ("local", "ray")


def grid_from_toml(path: str | Path) -> dict[str, Any]:
    """Read a sweep grid from a TOML file (keys as in :data:`DEFAULTS`; unknown keys refused).

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "s.toml")
    >>> _ = open(p, "w").write('width = [2, 4]\\nseeds = 3\\n')
    >>> grid_from_toml(p)["width"]
    [2, 4]
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ApproxlabError(f"cannot read sweep file {str(path)!r}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ApproxlabError(
            f"sweep file {str(path)!r} is not valid TOML ({exc}): fix the line it names"
        ) from None
    return check_grid(data, where=f"sweep file {path.name!r}")


def check_grid(grid: dict[str, Any], where: str = "the sweep") -> dict[str, Any]:
    """The grid with defaults filled in and every value checked; one line names a bad key or value."""
    from approxlab.fit import SCHEDULES
    from approxlab.nets import ACTIVATIONS
    from approxlab.targets import target

    allowed = (*LIST_KEYS, *SCALAR_KEYS)
    for key in grid:
        if key not in allowed:
            raise ApproxlabError(f"unknown key {key!r} in {where}: use {', '.join(allowed)}")
    out = dict(DEFAULTS)
    for key, value in grid.items():
        if key in LIST_KEYS:
            value = value if isinstance(value, list) else [value]
            require(len(value) >= 1, f"{key} in {where} is an empty list: give at least one value")
        out[key] = value
    for w in out["width"]:
        arguments.count("width", w)
    for d in out["depth"]:
        arguments.count("depth", d)
    for n in out["n_train"]:
        arguments.count("n_train", n)
    for a in out["activation"]:
        choose("activation", a, ACTIVATIONS)
    for lr in out["lr"]:
        arguments.positive("lr", lr)
    for t in out["target"]:
        require(
            isinstance(t, str), f"target in {where} must be a name or expression string, got {t!r}"
        )
        target(t)
    seeds = out["seeds"]
    if isinstance(seeds, list):
        out["seeds"] = [arguments.seed(s, "seeds") for s in seeds]
    else:
        arguments.count("seeds", seeds)
    arguments.count("steps", out["steps"])
    arguments.count("n_test", out["n_test"])
    choose("optimizer", out["optimizer"], ("adam", "sgd"))
    choose("schedule", out["schedule"], SCHEDULES)
    choose("dtype", out["dtype"], DTYPES)
    return out


def expand(grid: dict[str, Any]) -> list[dict[str, Any]]:
    """Every run of a checked grid as a settings dict (the run store's key is computed from it).

    >>> len(expand(check_grid({"width": [2, 4], "activation": ["relu", "tanh"], "seeds": 3})))
    12
    """
    seeds = grid["seeds"] if isinstance(grid["seeds"], list) else list(range(grid["seeds"]))
    fixed = {k: grid[k] for k in ("steps", "optimizer", "schedule", "dtype", "n_test")}
    runs = []
    for t, d, w, a, n, lr, s in itertools.product(
        grid["target"],
        grid["depth"],
        grid["width"],
        grid["activation"],
        grid["n_train"],
        grid["lr"],
        seeds,
    ):
        runs.append(
            {
                "target": t,
                "depth": d,
                "width": w,
                "activation": a,
                "n_train": n,
                "lr": float(lr),
                "seed": s,
                **fixed,
                "loss": "mse",
            }
        )
    return runs


def shape_of(run: dict[str, Any]) -> tuple:
    """What must agree for runs to stack: everything but the seed and the learning rate."""
    return tuple(sorted((k, v) for k, v in run.items() if k not in ("seed", "lr")))


def chunks(runs: list[dict[str, Any]], max_k: int) -> list[list[dict[str, Any]]]:
    """Runs grouped by shape (order kept), each group cut into pieces of at most ``max_k`` nets."""
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for run in runs:
        groups.setdefault(shape_of(run), []).append(run)
    return [g[i : i + max_k] for g in groups.values() for i in range(0, len(g), max_k)]


def train_chunk(
    chunk: list[dict[str, Any]],
    device: str = "cpu",
    compile: bool | None = None,
    progress: Callable[[int, float], None] | None = None,
) -> list[dict[str, Any]]:
    """Train one chunk as an ensemble; return the run-store records (settings, metrics, weights …).

    Out of memory (on a GPU), the chunk is split in halves and each half trained, saying so on stderr;
    the nets are independent, so the results are the same.
    """
    from approxlab.ensemble import ensemble, train
    from approxlab.targets import target

    first = chunk[0]
    f = target(first["target"])
    try:
        ens = ensemble(
            f.dim,
            [first["width"]] * first["depth"],
            activation=first["activation"],
            seeds=[r["seed"] for r in chunk],
            dtype=DTYPES[first["dtype"]],
            device=device,
        )
        result = train(
            ens,
            f,
            steps=first["steps"],
            optimizer=first["optimizer"],
            lr=[r["lr"] for r in chunk],
            schedule=first["schedule"],
            n_train=first["n_train"],
            n_test=first["n_test"],
            compile=compile,
            progress=progress,
        )
    except torch.OutOfMemoryError:
        if len(chunk) == 1:
            raise ApproxlabError(
                f"one net of width {first['width']} and {first['n_train']} samples does not fit in "
                f"the memory of {device}: use fewer samples or --device cpu"
            ) from None
        import sys

        half = len(chunk) // 2
        print(
            f"out of memory on {device} with {len(chunk)} nets: training {half} and {len(chunk) - half} "
            "separately",
            file=sys.stderr,
        )
        if device.startswith("cuda"):
            torch.cuda.empty_cache()
        return train_chunk(chunk[:half], device, compile) + train_chunk(
            chunk[half:], device, compile
        )
    records = []
    for run, row, net in zip(chunk, result.table, result.nets()):
        metrics = {k: v for k, v in row.items() if k not in ("seed", "lr")}
        metrics["chunk_nets"] = len(chunk)
        records.append(
            {
                "settings": run,
                "metrics": metrics,
                "seconds": result.seconds / len(chunk),
                "device": result.device,
                "weights": model_bytes(net),
            }
        )
    return records


def run_sweep(
    runs: list[dict[str, Any]],
    store: RunStore,
    *,
    device: str = "auto",
    max_k: int = 1024,
    compile: bool | None = None,
    engine: str = "local",
    address: str | None = None,
    progress: Callable[[float, int], None] | None = None,
) -> dict[str, Any]:
    """Train every run of ``runs`` not yet in ``store``, chunk by chunk; return counts and seconds.

    ``progress(nets_done, nets_total)`` is called during training (fractions of a chunk
    included). Before each chunk the store is asked again, so a run another sweep
    finished meanwhile is not trained twice. ``engine="ray"`` sends the chunks to a Ray cluster
    (``address``; a local one when None) through :mod:`approxlab.ray_engine`.

    >>> import tempfile
    >>> store = RunStore(tempfile.mkdtemp() + "/runs.db")
    >>> grid = check_grid({"target": "sine", "width": 3, "seeds": 2, "steps": 20, "n_train": 50})
    >>> run_sweep(expand(grid), store, device="cpu")["trained"], run_sweep(expand(grid), store)["trained"]
    (2, 0)
    """
    from approxlab.ensemble import resolve_device

    choose("engine", engine, ENGINES)
    dev = str(resolve_device(device)) if engine == "local" else device
    arguments.count("max_k", max_k)
    keys = {run_key(r): r for r in runs}
    stored = store.done(list(keys))
    todo = [r for k, r in keys.items() if k not in stored]
    skipped = len(runs) - len(todo)
    total, done, trained, start = len(todo), 0, 0, time.perf_counter()
    if engine == "ray":
        from approxlab.ray_engine import run_chunks

        trained = run_chunks(
            chunks(todo, max_k),
            store,
            device=dev,
            compile=compile,
            address=address,
            progress=progress,
        )
    for chunk in chunks(todo, max_k) if engine == "local" else []:
        fresh = store.done([run_key(r) for r in chunk])
        chunk = [r for r in chunk if run_key(r) not in fresh]
        if not chunk:
            continue
        steps = chunk[0]["steps"]

        def report(step: int, _loss: float, base=done, k=len(chunk), steps=steps) -> None:
            if progress is not None:
                progress(base + k * step / steps, total)

        records = train_chunk(chunk, dev, compile, report)
        trained += store.add(records)
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    seconds = time.perf_counter() - start
    return {
        "runs": len(runs),
        "trained": trained,
        "skipped": skipped,
        "seconds": seconds,
        "device": dev,
        "nets_per_s": trained / seconds if seconds > 0 and trained else math.nan,
    }
