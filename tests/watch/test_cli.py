"""The watch, grok and infoplane commands: output folders, resume, and one-line errors."""

import json

import pytest


def test_watch_writes_history_figures_and_page(tmp_path, run_cli):
    out = tmp_path / "w"
    code, _, err = run_cli(
        "watch",
        "paraboloid",
        "--width",
        "4",
        "--steps",
        "40",
        "--every",
        "10",
        "--track",
        "weights,regions,knots",
        "--out",
        out,
    )
    assert code == 0, err
    index = json.loads((out / "history" / "index.json").read_text())
    assert [r["step"] for r in index["records"]] == [0, 10, 20, 30, 40]
    assert all("regions" in r and "knot_w" in r for r in index["records"])
    for name in ("index.html", "loss.png", "pca.png", "regions.png", "knots.html", "results.json"):
        assert (out / name).is_file(), name
    assert not (tmp_path / ".w.history-in-progress").exists()


def test_infoplane_relu_publishes_the_run_it_plots(tmp_path, run_cli):
    # seed 0's ReLU net has a layer silent on every input at init (skipped untrained); seed 1 is the run drawn
    # (measured: train accuracy 0.69 after 200 steps, past the 0.6 that counts as alive; 0.52 after 100)
    out = tmp_path / "p"
    code, _, err = run_cli(
        "infoplane", "relu", "--steps", "200", "--points", "3", "--bins", "30", "--out", out
    )
    assert code == 0, err
    results = json.loads((out / "results.json").read_text())
    assert results["seed_used"] == 1 and results["dead_seeds"] == [0]
    index = json.loads((out / "history" / "index.json").read_text())
    assert index["config"]["seed"] == 1
    assert [r["step"] for r in index["records"]] == results["recorded_steps"]
    assert [p.name for p in tmp_path.iterdir()] == ["p"], "no working history left behind"


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["watch", "paraboloid", "--activation", "tanh", "--track", "regions"],
            "layer '1' (Tanh) is not",
        ),
        (["watch", "moons", "--track", "mi"], "give a bin count"),
        (["watch", "paraboloid", "--track", "mi", "--bins", "30"], "mi needs class labels"),
        (["watch", "paraboloid", "--track", "knots", "--depth", "2"], "two-layer nets"),
        (["watch", "paraboloid", "--track", "colours"], "unknown track"),
        (["grok", "mod", "--model", "rnn"], "unknown model"),
        (["watch", "sine", "--track", "regions"], "at least 2 inputs"),
        (["watch", "paraboloid", "--every", "often"], "--every"),
        (["grok", "bits"], "unknown study"),
        (["infoplane", "sigmoid"], "unknown activation"),
        (["infoplane", "tanh", "--bins", "1"], "--bins must be integers from 2"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, run_cli, args, message):
    code, _, err = run_cli(*args, "--out", tmp_path / "o")
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_watch_refuses_to_resume_a_run_started_with_other_settings(tmp_path, run_cli):
    from approxlab.watch import History

    out = tmp_path / "w"
    work = tmp_path / ".w.history-in-progress"
    # a working history left by a run with --lr 0.01 (the default), stopped after step 20
    code, _, err = run_cli(
        "watch", "xor", "--width", "4", "--steps", "40", "--every", "10", "--out", tmp_path / "ref"
    )
    assert code == 0, err
    ref = History.open(tmp_path / "ref" / "history")
    h = History.create(work, ref.config)
    import approxlab

    net = approxlab.mlp(2, [4], out_dim=2)
    for r in ref.records[:3]:
        ref.load_into(net, r["step"])
        h.append(r["step"], net, {k: v for k, v in r.items() if k != "step"})
    code, _, err = run_cli(
        "watch",
        "xor",
        "--width",
        "4",
        "--steps",
        "40",
        "--every",
        "10",
        "--lr",
        "0.5",
        "--out",
        out,
    )
    assert code == 2 and "lr=0.01, not 0.5" in err
