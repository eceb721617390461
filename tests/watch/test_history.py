"""The history folder: versioned index, one snapshot per scheduled step, resume after a kill."""

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest
import torch

import approxlab
from approxlab.errors import ApproxlabError
from approxlab.watch import History, Metrics, Watch, WeightNorms, train


def _data():
    g = torch.Generator().manual_seed(3)
    X = torch.randn(64, 2, generator=g, dtype=torch.float64)
    y = (X[:, 0] * X[:, 1] > 0).long()
    return X, y


def _run(path, steps=40, stop_at=None, batch_size=16, **settings):
    """Train a small net with AdamW on minibatches, watched every 5 steps; optionally raise at ``stop_at``."""
    X, y = _data()
    net = approxlab.mlp(2, [8], out_dim=2, seed=1)
    h = History.resume_or_create(path, {"steps": steps, "seed": 1})

    class Stop(Exception):
        pass

    def halt(step):
        if step == stop_at:
            raise Stop

    try:
        train(
            net,
            X,
            y,
            steps=steps,
            watch=Watch(h, [Metrics(X, y), WeightNorms()], range(0, steps + 1, 5)),
            optimizer="adamw",
            lr=0.05,
            weight_decay=0.1,
            batch_size=batch_size,
            seed=1,
            progress=halt,
            **settings,
        )
    except Stop:
        pass
    return History.open(path), net


def test_index_is_versioned_and_lists_every_snapshot(tmp_path):
    h, _ = _run(tmp_path / "h")
    index = json.loads((tmp_path / "h" / "index.json").read_text())
    assert (
        index["format"] == "approxlab-watch-history" and index["version"] == 1 and index["finished"]
    )
    assert h.steps == list(range(0, 41, 5))
    assert all(h.snapshot_path(s).is_file() for s in h.steps)
    assert (
        len(list((tmp_path / "h" / "resume").iterdir())) == 1
    )  # only the latest optimiser state is kept


def test_snapshot_reloads_the_weights_of_that_step(tmp_path):
    h, net = _run(tmp_path / "h")
    again = h.load_into(approxlab.mlp(2, [8], out_dim=2, seed=99), 40)
    assert all(
        torch.equal(a, b) for a, b in zip(again.state_dict().values(), net.state_dict().values())
    )
    assert h.series("weight_norm")[-1] == pytest.approx(WeightNorms()(net)["weight_norm"])


def test_interrupted_run_resumes_to_the_same_history(tmp_path):
    whole, net_whole = _run(tmp_path / "whole")
    cut, _ = _run(tmp_path / "cut", stop_at=23)  # stopped between scheduled steps 20 and 25
    assert cut.steps == list(range(0, 21, 5)) and not cut.finished
    resumed, net_resumed = _run(tmp_path / "cut")
    assert resumed.records == whole.records
    assert all(
        torch.equal(a, b)
        for a, b in zip(net_whole.state_dict().values(), net_resumed.state_dict().values())
    )


def test_a_run_cut_during_its_warmup_resumes_to_the_same_history(tmp_path):
    """The warmup's rate lr · min(t / 30, 1) is a function of the step, so a run stopped at step 23 and resumed
    from step 20 continues the ramp where it was; Nanda et al.'s betas and the float64 loss go along."""
    nanda = {"warmup": 30, "betas": (0.9, 0.98), "loss_dtype": torch.float64}
    whole, _ = _run(tmp_path / "whole", **nanda)
    _run(tmp_path / "cut", stop_at=23, **nanda)
    resumed, _ = _run(tmp_path / "cut", **nanda)
    assert resumed.records == whole.records
    plain, _ = _run(tmp_path / "plain")
    assert plain.records[1:] != whole.records[1:]  # the warmup and betas did change the run


@pytest.mark.parametrize(
    "setting,match",
    [({"betas": (0.9, 1.0)}, "betas"), ({"warmup": -1}, "warmup"), ({"warmup": 2.5}, "warmup")],
)
def test_bad_optimiser_settings_are_one_clear_error(tmp_path, setting, match):
    with pytest.raises(ApproxlabError, match=match):
        _run(tmp_path / "h", **setting)


def test_kill_9_keeps_snapshots_and_resumes_to_the_same_history(tmp_path):
    """A real SIGKILL in the middle of step 23 (after the step-20 snapshot was written)."""
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {os.path.dirname(__file__)!r})
        import test_history as t
        from approxlab.watch import trainer
        original = trainer.train
        def killing(*a, progress=None, **k):
            def p(step):
                if step == 23:
                    os.kill(os.getpid(), signal.SIGKILL)
            return original(*a, progress=p, **k)
        t.train = killing
        t._run({str(tmp_path / "killed")!r})
    """)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-500:]
    killed = History.open(tmp_path / "killed")
    assert killed.steps == [0, 5, 10, 15, 20] and not killed.finished
    resumed, _ = _run(tmp_path / "killed")
    whole, _ = _run(tmp_path / "whole")
    assert resumed.records == whole.records


def test_history_of_another_version_is_one_clear_error(tmp_path):
    _run(tmp_path / "h", steps=5)
    index = tmp_path / "h" / "index.json"
    data = json.loads(index.read_text())
    data["version"] = 99
    index.write_text(json.dumps(data))
    with pytest.raises(
        ApproxlabError, match="format version 99 but this approxlab reads version 1"
    ):
        History.open(tmp_path / "h")


def test_resuming_with_other_settings_names_the_setting(tmp_path):
    History.create(tmp_path / "h", {"steps": 10, "lr": 0.1})
    with pytest.raises(ApproxlabError, match="lr=0.1, not 0.2"):
        History.resume_or_create(tmp_path / "h", {"steps": 10, "lr": 0.2})


def test_a_folder_that_is_not_a_history_is_refused(tmp_path):
    with pytest.raises(ApproxlabError, match="not a watch history"):
        History.open(tmp_path)


def test_a_history_without_optimiser_state_is_not_resumed_silently(tmp_path):
    X, y = _data()
    net = approxlab.mlp(2, [8], out_dim=2, seed=1)
    h = History.create(tmp_path / "h", {})
    h.append(0, net, {})  # as fit(observe=Watch(...)) writes it: weights, no optimiser state
    with pytest.raises(ApproxlabError, match="no optimiser state to resume from"):
        train(net, X, y, steps=5, watch=Watch(h, [WeightNorms()], [0, 5]))
