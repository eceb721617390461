"""``approxlab qsa``: one command, a page, a figure, JSON; bad input is one line and exit 2."""

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from approxlab.cli import app
from approxlab.errors import ApproxlabError

runner = CliRunner()


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "approxlab",
            "qsa",
            "--N",
            "4",
            "--q",
            "4",
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "sparsity" in r.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "args,word",
    [
        (["--d-prime", "0"], "d'"),
        (["--eps", "1"], "(0, 1)"),
        (["--arch", "lstm"], "architecture"),
        (["--N", "8,x"], "--N"),
        (["--max-size", "4096", "--N", "64", "--budget", "1e6"], "budget"),
    ],
)
def test_bad_input_names_the_problem_and_writes_nothing(tmp_path, args, word):
    r = runner.invoke(app, ["qsa", *args, "--out", str(tmp_path / "o")])
    assert isinstance(r.exception, ApproxlabError) and word in str(r.exception)
    assert "\n" not in str(r.exception)
    assert not (tmp_path / "o").exists()


def test_writes_page_figure_and_json(tmp_path):
    r = runner.invoke(
        app,
        ["qsa", "--N", "4", "--arch", "attention", "--max-size", "1", "--out", str(tmp_path / "o")],
    )
    assert r.exit_code == 0, r.output
    result = json.loads((tmp_path / "o" / "results.json").read_text())
    assert result["construction"][0]["holds"] is True and len(result["rows"]) == 1
    assert (tmp_path / "o" / "separation.png").stat().st_size > 1000
    assert "constructed attention" in (tmp_path / "o" / "report.md").read_text()


def test_a_search_run_again_reads_each_size_from_the_cache(tmp_path, monkeypatch):
    """A search of hours can be killed and run again: each size's result is kept (``--cache``, the default),
    so the second run trains nothing (best_of would raise) and writes the same rows."""
    import approxlab.qsa.separation as separation

    monkeypatch.setenv("APPROXLAB_CACHE", str(tmp_path / "cache"))
    args = ["qsa", "--N", "4", "--arch", "attention,binary_rnn", "--max-size", "2"]
    assert runner.invoke(app, [*args, "--out", str(tmp_path / "a")]).exit_code == 0

    def no_training(*a, **k):
        raise AssertionError("trained again")

    monkeypatch.setattr(separation, "best_of", no_training)
    r = runner.invoke(app, [*args, "--out", str(tmp_path / "b")])
    assert r.exit_code == 0, r.output
    rows = [json.loads((tmp_path / o / "results.json").read_text())["rows"] for o in "ab"]
    assert rows[0] == rows[1]
    r = runner.invoke(app, [*args, "--no-cache", "--out", str(tmp_path / "c")])
    assert isinstance(r.exception, AssertionError)
