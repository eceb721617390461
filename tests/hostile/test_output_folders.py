"""Output folders never lose a file: all-or-nothing swaps, user files kept, concurrent merges land,
kill -9 and Ctrl-C leave the previous complete result, stale staging folders are cleaned."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from approxlab.errors import ApproxlabError
from approxlab.output import MANIFEST, check_output, staged_output


def _write(out, files, finish=None):
    with staged_output(out, finish=finish) as stage:
        for rel, text in files.items():
            (stage / rel).parent.mkdir(parents=True, exist_ok=True)
            (stage / rel).write_text(text)


def _tree(root):
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def _partials(parent):
    return sorted(p.name for p in parent.iterdir() if p.name.endswith(".partial"))


def test_a_rerun_replaces_its_own_files_drops_stale_ones_and_keeps_the_users(tmp_path):
    out = tmp_path / "run"
    _write(out, {"model.safetensors": "old model", "units.png": "old units", "figures/a.png": "a"})
    (out / "notes.txt").write_text("mine")
    (out / "figures" / "mine.png").write_text("my figure")
    _write(out, {"model.safetensors": "new model", "prediction.png": "new", "figures/b.png": "b"})
    tree = _tree(out)
    assert tree.pop(MANIFEST)
    assert tree == {
        "model.safetensors": "new model",
        "prediction.png": "new",
        "figures/b.png": "b",
        "notes.txt": "mine",
        "figures/mine.png": "my figure",
    }
    assert _partials(tmp_path) == []


def test_a_folder_of_an_older_release_without_a_manifest_keeps_everything_not_replaced(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "metrics.json").write_text("old")
    (out / "units.png").write_text("old units")
    _write(out, {"metrics.json": "new"})
    assert (out / "metrics.json").read_text() == "new" and (
        out / "units.png"
    ).read_text() == "old units"


def test_a_failure_while_swapping_leaves_the_previous_folder_whole(tmp_path, monkeypatch):
    from approxlab import output

    out = tmp_path / "run"
    _write(out, {"model.safetensors": "old model", "metrics.json": "old metrics"})
    before = _tree(out)

    def broken(a, b):
        raise OSError(5, "I/O error")

    monkeypatch.setattr(output, "_exchange", broken)
    with pytest.raises(OSError):
        _write(out, {"model.safetensors": "new model", "metrics.json": "new metrics"})
    assert _tree(out) == before and _partials(tmp_path) == []


def test_a_user_folder_where_an_output_goes_is_a_clear_error_and_nothing_changes(tmp_path):
    out = tmp_path / "run"
    _write(out, {"metrics.json": "old"})
    (out / "units.png").mkdir()
    (out / "units.png" / "keep.txt").write_text("user data")
    before = _tree(out)
    with pytest.raises(
        ApproxlabError, match="which approxlab did not write, sits where this run writes"
    ):
        _write(out, {"metrics.json": "new", "units.png": "png"})
    assert _tree(out) == before and _partials(tmp_path) == []


def test_bad_out_paths_are_refused_before_any_work(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ApproxlabError, match="is a file, not a folder"):
        check_output(tmp_path / "f")
    with pytest.raises(ApproxlabError, match="which is a file"):
        check_output(tmp_path / "f" / "sub" / "deeper")
    assert check_output(tmp_path / "new" / "deeper") == tmp_path / "new" / "deeper"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into read-only folders")
def test_a_read_only_out_is_refused_before_any_work(tmp_path):
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    try:
        with pytest.raises(ApproxlabError, match="is not writable"):
            check_output(out)
    finally:
        out.chmod(0o755)


def test_folders_and_files_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        _write(tmp_path / "run", {"a.txt": "a"})
    finally:
        os.umask(old)
    assert (tmp_path / "run").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "run" / "a.txt").stat().st_mode & 0o777 == 0o644


def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_staging_folders_of_dead_processes_are_cleaned_on_the_next_run(tmp_path):
    out = tmp_path / "run"
    stale = tmp_path / f".run.run.{_dead_pid()}.k1ll3d.partial"
    stale.mkdir()
    (stale / "model.safetensors").write_text("half")
    alive = tmp_path / f".run.run.{os.getppid()}.busy.partial"
    alive.mkdir()
    _write(out, {"a.txt": "a"})
    assert not stale.exists() and alive.exists()


def _script(body: str) -> str:
    return textwrap.dedent(body)


WRITER = _script("""
    import sys, time
    from approxlab.output import staged_output
    out, label, pause = sys.argv[1], sys.argv[2], float(sys.argv[3])
    def finish(stage):
        print("publishing", flush=True)
        time.sleep(pause)
    with staged_output(out, finish=finish) as stage:
        (stage / "model.safetensors").write_text(label)
        (stage / "metrics.json").write_text(label)
""")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_a_kill_at_the_moment_of_publishing_leaves_the_previous_result(tmp_path, sig):
    out = tmp_path / "run"
    _write(out, {"model.safetensors": "old", "metrics.json": "old"})
    before = _tree(out)
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(out), "new", "30"], stdout=subprocess.PIPE, text=True
    )
    assert (
        proc.stdout.readline().strip() == "publishing"
    )  # inside the lock, staging complete, swap not done
    proc.send_signal(sig)
    proc.wait(timeout=30)
    assert _tree(out) == before
    _write(out, {"model.safetensors": "next", "metrics.json": "next"})  # the next run cleans up
    assert _partials(tmp_path) == [] and (out / "metrics.json").read_text() == "next"


def test_sigkill_during_a_real_fit_leaves_the_previous_complete_result(tmp_path, run_cli):
    out = tmp_path / "run"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    assert (
        run_cli("fit", "sine", "--width", "3", "--steps", "20", "--seed", "1", "--out", out)[0] == 0
    )
    cmd = [sys.executable, "-m", "approxlab", "fit", "sine", "--width", "3", "--out", str(out)]
    before = {k: v for k, v in _tree_bytes(out).items()}
    proc = subprocess.Popen(
        [*cmd, "--steps", "300", "--seed", "2"], env=env, stderr=subprocess.DEVNULL
    )
    while (
        not _partials(tmp_path) and proc.poll() is None
    ):  # the staging folder appears after training
        time.sleep(0.005)
    proc.kill()  # while the figures and the model are being written into the staging folder
    assert proc.wait(timeout=30) == -signal.SIGKILL, (
        "the run finished before it could be killed mid-write"
    )
    assert _tree_bytes(out) == before
    assert _partials(tmp_path)  # kill -9 left its staging folder …
    assert (
        run_cli("fit", "sine", "--width", "3", "--steps", "20", "--seed", "3", "--out", out)[0] == 0
    )
    assert _partials(tmp_path) == []  # … which the next run removed


def _tree_bytes(root):
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


ATLAS = _script("""
    import sys, time
    from approxlab.atlas.registry import Claim, Evidence
    from approxlab.atlas.run import run_atlas
    out, cid, pause = sys.argv[1], sys.argv[2], float(sys.argv[3])
    def run(ctx):
        time.sleep(pause)
        return Evidence(holds=True, metrics={"id": cid})
    run_atlas([Claim(id=cid, statement="s", source="test", threshold="t", run=run)], "quick", out, merge=True)
""")


def test_two_concurrent_atlas_only_runs_on_one_folder_both_land_and_user_files_stay(tmp_path):
    out = tmp_path / "atlas"
    out.mkdir()
    (out / "figures").mkdir()
    (out / "figures" / "mine.png").write_text("user figure")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    procs = [
        subprocess.Popen([sys.executable, "-c", ATLAS, str(out), cid, "1"], env=env)
        for cid in ("t.one", "t.two")
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    claims = json.loads((out / "results.json").read_text())["claims"]
    assert sorted(c["id"] for c in claims) == ["t.one", "t.two"]
    assert (out / "figures" / "mine.png").read_text() == "user figure"
    assert _partials(tmp_path) == []
