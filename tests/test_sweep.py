"""Sweeps: grids checked and expanded, shapes stacked, every run stored once, resumable."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from approxlab.errors import ApproxlabError
from approxlab.fit import fit
from approxlab.nets import mlp
from approxlab.runstore import RunStore
from approxlab.sweep import check_grid, chunks, expand, grid_from_toml, run_sweep

APPROXLAB = [sys.executable, "-m", "approxlab"]


def test_grid_expands_to_the_product_and_stacks_by_shape():
    runs = expand(
        check_grid({"width": [2, 4], "activation": ["relu", "tanh"], "lr": [0.01, 0.1], "seeds": 3})
    )
    assert len(runs) == 2 * 2 * 2 * 3
    parts = chunks(runs, max_k=4)
    # 4 shapes of 6 runs (2 rates × 3 seeds stack together), cut at 4 nets
    assert sorted(len(p) for p in parts) == [2, 2, 2, 2, 4, 4, 4, 4]
    assert all(len({(r["width"], r["activation"]) for r in p}) == 1 for p in parts)


def test_toml_unknown_keys_and_bad_values_are_named(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text('width = [2, 4]\nactivation = ["relu"]\nseeds = 2\n')
    assert grid_from_toml(p)["width"] == [2, 4]
    p.write_text("widths = [2]\n")
    with pytest.raises(ApproxlabError, match="unknown key 'widths'.*width"):
        grid_from_toml(p)
    p.write_text('activation = "relux"\n')
    with pytest.raises(ApproxlabError, match="unknown activation 'relux'"):
        grid_from_toml(p)
    p.write_text("width = [0]\n")
    with pytest.raises(ApproxlabError, match="width must be a positive integer"):
        grid_from_toml(p)
    p.write_text("width = [\n")
    with pytest.raises(ApproxlabError, match="not valid TOML"):
        grid_from_toml(p)


def test_a_swept_run_equals_fit_with_its_settings(tmp_path):
    store = RunStore(tmp_path / "r.db")
    grid = check_grid(
        {
            "target": "sine",
            "width": 3,
            "activation": "tanh",
            "seeds": 3,
            "steps": 40,
            "n_train": 60,
            "lr": [0.01, 0.05],
        }
    )
    summary = run_sweep(expand(grid), store, device="cpu", max_k=4)
    assert summary["trained"] == 6 and store.count() == 6
    row = store.runs({"seed": "2", "lr": "0.01"})[0]
    alone = fit(
        mlp(1, [3], activation="tanh", seed=2), "sine", steps=40, n_train=60, lr=0.01, seed=2
    )
    assert abs(row["test_rmse"] - alone.test_rmse) < 1e-10
    net = store.net(row["id"])
    assert (
        max(
            float((a - b).abs().max())
            for a, b in zip(net.state_dict().values(), alone.net.state_dict().values())
        )
        < 1e-10
    )
    assert run_sweep(expand(grid), store)["trained"] == 0


SWEEP = [
    "sweep",
    "sine",
    "--width",
    "2,3",
    "--activation",
    "tanh",
    "--seeds",
    "6",
    "--steps",
    "200",
    "--n-train",
    "100",
    "--max-k",
    "2",
    "--device",
    "cpu",
    "--no-compile",
]


def _env():
    return {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "PYTHONPATH": str(Path(__file__).parents[1] / "src"),
    }


def test_sigkill_mid_sweep_then_resume_stores_every_run_exactly_once(tmp_path):
    db = tmp_path / "r.db"
    proc = subprocess.Popen(
        [*APPROXLAB, *SWEEP, "--store", str(db)],
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                stored = RunStore(db).count()
            except ApproxlabError:
                stored = 0  # created but not yet initialised
            if stored >= 2:
                break
        time.sleep(0.05)
    assert proc.poll() is None, "the sweep finished before it could be killed: make it longer"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    store = RunStore(db)
    killed_at = store.count()
    assert 2 <= killed_at < 12 and store.integrity() == "ok"
    done = subprocess.run(
        [*APPROXLAB, *SWEEP, "--store", str(db)], env=_env(), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    rows = store.runs()
    assert len(rows) == 12
    assert len({(r["width"], r["seed"]) for r in rows}) == 12
    assert f"{killed_at} already in" in done.stderr.replace("\n", " ")


def test_two_concurrent_sweeps_share_a_store_without_duplicates(tmp_path):
    db = tmp_path / "r.db"
    a = [*SWEEP, "--store", str(db)]
    b = [*SWEEP[:2], "--width", "3,4", *SWEEP[4:], "--store", str(db)]  # overlaps a on width 3
    procs = [
        subprocess.Popen(
            [*APPROXLAB, *args],
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in (a, b)
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    store = RunStore(db)
    rows = store.runs()
    assert store.integrity() == "ok"
    assert sorted((r["width"], r["seed"]) for r in rows) == [
        (w, s) for w in (2, 3, 4) for s in range(6)
    ]


def test_out_of_memory_splits_the_chunk_and_gives_the_same_runs(monkeypatch, capsys):
    import torch

    import approxlab.ensemble as ens_module
    from approxlab.sweep import train_chunk

    runs = expand(
        check_grid({"target": "sine", "width": 3, "seeds": 4, "steps": 20, "n_train": 40})
    )
    whole = train_chunk(runs)
    real_train = ens_module.train

    def small_memory(ens, *args, **kwargs):  # a device that holds at most 2 nets
        if ens.K > 2:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return real_train(ens, *args, **kwargs)

    monkeypatch.setattr(ens_module, "train", small_memory)
    split = train_chunk(runs)
    assert "out of memory on cpu with 4 nets" in capsys.readouterr().err
    assert [r["settings"] for r in split] == [r["settings"] for r in whole]
    assert [r["metrics"]["test_rmse"] for r in split] == pytest.approx(
        [r["metrics"]["test_rmse"] for r in whole], abs=1e-12
    )
