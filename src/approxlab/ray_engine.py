"""The Ray engine of ``approxlab sweep``: chunks as Ray tasks, results into the one run store.

Each chunk of stacked runs (:func:`approxlab.sweep.chunks`) becomes a Ray task that trains it
(:func:`approxlab.sweep.train_chunk`) and returns its records; only this driver process writes
the store, one transaction per finished chunk, so the store's guarantees hold unchanged. A
worker killed mid-task is a system failure Ray retries (``max_retries``): the chunk is
trained again, and the store's unique key per settings means no run is ever duplicated.
Ray is an optional extra: ``pip install approxlab[ray]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from approxlab.errors import ApproxlabError
from approxlab.runstore import RunStore

MAX_RETRIES = 3


def _ray():
    try:
        import ray
    except ImportError:
        raise ApproxlabError(
            "the ray engine needs Ray: pip install 'approxlab[ray]' (or use --engine local)"
        ) from None
    return ray


def run_chunks(
    chunks: list[list[dict[str, Any]]],
    store: RunStore,
    *,
    device: str = "cpu",
    compile: bool | None = None,
    address: str | None = None,
    num_cpus: int | None = None,
    progress: Callable[[float, int], None] | None = None,
) -> int:
    """Train ``chunks`` as Ray tasks on the cluster at ``address`` (None: a local one started here);
    store each result as it arrives; return how many runs were new. A chunk that still fails after
    :data:`MAX_RETRIES` retries is reported after every other chunk has been stored."""
    ray = _ray()
    from approxlab.sweep import train_chunk

    started = not ray.is_initialized()
    if started:
        try:
            ray.init(
                address=address,
                num_cpus=num_cpus if address is None else None,
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
            )
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise ApproxlabError(
                f"cannot reach a Ray cluster at {address!r} ({str(exc).splitlines()[0][:100]}): "
                "check --address, or leave it out to start a local one"
            ) from None
    task = ray.remote(max_retries=MAX_RETRIES)(train_chunk)
    try:
        pending = {task.remote(c, device, compile): len(c) for c in chunks}
        total = sum(pending.values())
        done = trained = 0
        failures = []
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            ref = ready[0]
            size = pending.pop(ref)
            try:
                trained += store.add(ray.get(ref))
            except ray.exceptions.RayError as exc:
                failures.append(str(exc).splitlines()[0][:120])
            done += size
            if progress is not None:
                progress(done, total)
        if failures:
            raise ApproxlabError(
                f"{len(failures)} chunk(s) failed on Ray after {MAX_RETRIES} retries "
                f"({failures[0]}): rerun the sweep to train what is missing"
            )
        return trained
    finally:
        if started:
            ray.shutdown()
