"""The command line as a user runs it: real processes, real exit codes, nothing half-written."""

import json
import subprocess
import sys

import pytest

from approxlab.modelfile import load


def approxlab(*args, cwd=None):
    """A real ``python -m approxlab`` process."""
    return subprocess.run(
        [sys.executable, "-m", "approxlab", *args], capture_output=True, text=True, cwd=cwd
    )


def test_help_explains_every_subcommand(run_cli):
    top = approxlab("--help")
    assert top.returncode == 0
    for command in ("fit", "atlas", "units"):
        assert command in top.stdout
        code, out, _ = run_cli(command, "--help")
        assert code == 0 and "--out" in out


def test_fit_writes_model_metrics_figures_and_a_page(tmp_path):
    out = tmp_path / "run"
    done = approxlab(
        "fit",
        "paraboloid",
        "--width",
        "6",
        "--activation",
        "sigmoid",
        "--steps",
        "400",
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    metrics = json.loads((out / "metrics.json").read_text())
    assert {"rmse", "max_error", "params", "seconds"} <= set(metrics)
    assert metrics["params"] == 25 and 0 < metrics["rmse"] < metrics["max_error"]
    assert load(out / "model.safetensors")[0].in_features == 2
    assert (out / "units.png").stat().st_size > 10_000 and (out / "loss.png").is_file()
    page = (out / "report.html").read_text()
    # plotly.js is a file beside the page: the page loads no script from the network and works offline
    assert (
        'src="http' not in page
        and 'data-src="surfaces.js"' in page
        and (out / "plotly.min.js").is_file()
    )
    units = approxlab("units", str(out / "model.safetensors"), "--out", str(tmp_path / "u"))
    assert units.returncode == 0, units.stderr
    assert json.loads((tmp_path / "u" / "units.json").read_text())["sum_check_max_abs"] < 1e-9


BAD = [
    (["fit", "parabola"], "unknown target 'parabola'"),
    (["fit", "paraboloid", "--activation", "relux"], "unknown activation 'relux'"),
    (["fit", "__import__('os').system('id')"], "not an allowed function"),
    (["fit", "x1 +"], "malformed"),
    (["fit", "().__class__"], "Attribute is not allowed"),
    (["fit", "x3", "--box", "-1,1,-1,1"], "uses x3 but the domain is 2-dimensional"),
    (["fit", "x" * 10_000], "the limit is 500"),
    (["fit", "paraboloid", "--width", "0"], "--width must be a positive integer"),
    (["fit", "paraboloid", "--width", "-3"], "--width must be a positive integer"),
    (["fit", "paraboloid", "--steps", "0"], "--steps must be a positive integer"),
    (["fit", "paraboloid", "--box", "1,2,3"], "even number of values"),
    (["atlas", "--only", "nope"], "no atlas claim 'nope'"),
    (["atlas", "--profile", "huge"], "unknown profile 'huge'"),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[" ".join(a)[:40] for a, _ in BAD])
def test_bad_input_is_one_line_exit_2_and_no_output(tmp_path, run_cli, args, message):
    out = tmp_path / "out"
    code, _, err = run_cli(*args, "--out", out)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert not out.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("content", [b"not a model", b""])
def test_corrupt_model_file_exits_2(tmp_path, content):
    model = tmp_path / "m.safetensors"
    model.write_bytes(content)
    done = approxlab("units", str(model), "--out", str(tmp_path / "u"))
    assert (
        done.returncode == 2
        and "corrupt" in done.stderr
        and len(done.stderr.strip().splitlines()) == 1
    )
    assert not (tmp_path / "u").exists()


def test_atlas_list_shows_each_claim_s_profiles():
    done = approxlab(
        "atlas", "--list", "--only", "dynamics.grokking_transformer", "--only", "seed001.width"
    )
    assert done.returncode == 0, done.stderr
    assert "dynamics.grokking_transformer  (full)  " in done.stderr
    assert "seed001.width  (quick + full)  " in done.stderr


def test_a_full_only_claim_in_the_quick_profile_says_how_to_run_it(tmp_path):
    out = tmp_path / "atlas"
    done = approxlab("atlas", "--only", "dynamics.grokking_transformer", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "not run  dynamics.grokking_transformer" in done.stderr
    assert (
        "not run in the quick profile: dynamics.grokking_transformer (full only); run it with: "
        in (done.stderr)
    )
    assert "atlas --only dynamics.grokking_transformer --profile full --out" in done.stderr
    (entry,) = json.loads((out / "results.json").read_text())["claims"]
    assert entry["verdict"] == "not run" and entry["metrics"] == {}


def test_atlas_runs_one_claim_from_the_command_line(tmp_path):
    out = tmp_path / "atlas"
    done = approxlab("atlas", "--profile", "quick", "--only", "seed001.width", "--out", str(out))
    assert done.returncode == 0, done.stderr
    (entry,) = json.loads((out / "results.json").read_text())["claims"]
    assert entry["verdict"] == "holds"
    assert entry["metrics"]["rmse_2"] > entry["metrics"]["rmse_4"] > entry["metrics"]["rmse_6"]
    assert (out / "plotly.min.js").is_file() and 'class="plotly-figure"' in (
        out / "index.html"
    ).read_text()
