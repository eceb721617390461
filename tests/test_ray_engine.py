"""The Ray engine: a local cluster, one worker killed mid-chunk, every run stored exactly once."""

import os
import signal
import threading
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

from approxlab.runstore import RunStore  # noqa: E402
from approxlab.sweep import check_grid, expand, run_sweep  # noqa: E402

pytestmark = pytest.mark.ray


def _chunk_workers() -> list[int]:
    """PIDs of Ray workers executing a chunk (Ray titles them ray::train_chunk)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if b"ray::train_chunk" in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def test_a_killed_worker_is_retried_and_no_run_is_lost_or_duplicated(tmp_path):
    store = RunStore(tmp_path / "r.db")
    grid = check_grid(
        {
            "target": "sine",
            "width": [2, 3],
            "activation": "tanh",
            "seeds": 4,
            "steps": 1500,
            "n_train": 200,
        }
    )
    killed = []

    def kill_one():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            pids = _chunk_workers()
            if pids:
                time.sleep(0.5)  # mid-chunk, not at its start
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])
            time.sleep(0.05)

    killer = threading.Thread(target=kill_one, daemon=True)
    killer.start()
    summary = run_sweep(expand(grid), store, device="cpu", max_k=2, engine="ray", compile=False)
    killer.join(timeout=1)
    assert killed, "no chunk worker was seen: the test did not kill anything"
    rows = store.runs()
    assert summary["trained"] == 8 and len(rows) == 8
    assert sorted((r["width"], r["seed"]) for r in rows) == [
        (w, s) for w in (2, 3) for s in range(4)
    ]
    assert store.integrity() == "ok"
