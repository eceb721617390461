"""``approxlab construct NAME``: model file, certificate and figure, or exit 2 with nothing written."""

import json
import subprocess
import sys

import pytest
import torch
from typer.testing import CliRunner

import approxlab
from approxlab.cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    "args,units",
    [
        (["steps", "--eps", "0.1"], 63),
        (["yarotsky", "--depth", "3"], 9),
        (["towers", "--units", "4"], 26),
        (["sawtooth", "--depth", "5"], 10),
    ],
)
def test_writes_model_certificate_and_figure(tmp_path, args, units):
    out = tmp_path / "c"
    result = runner.invoke(app, ["construct", *args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    cert = json.loads((out / "certificate.json").read_text())
    assert cert["units"] == units and cert["holds"] is True
    assert (out / "figure.png").stat().st_size > 10_000
    net = approxlab.load(out / "model.safetensors")
    assert sum(m.out_features for m in net if isinstance(m, torch.nn.Linear)) - 1 == units


def test_certificate_json_records_the_eps_target_and_estimate(tmp_path):
    out = tmp_path / "c"
    assert (
        runner.invoke(
            app, ["construct", "steps", "--target", "x**3", "--eps", "0.05", "--out", str(out)]
        ).exit_code
        == 0
    )
    cert = json.loads((out / "certificate.json").read_text())
    # the midpoint construction certifies ρh/2 ≤ ε/2 (ε = 0.05)
    assert (
        cert["details"]["lipschitz_estimated"] is True
        and cert["measured"] <= cert["bound"] <= 0.025 + 1e-12
    )


@pytest.mark.parametrize(
    "args,message",
    [
        (["steps", "--eps", "0"], "ε must be positive"),
        (["steps", "--eps", "-0.1"], "ε must be positive"),
        (["steps", "--target", "paraboloid"], "2-dimensional"),
        (["steps", "--eps", "1e-7"], "needs 62831854 units"),
        (["yarotsky", "--units", "5"], "takes --depth or --eps"),
        (["sawtooth", "--target", "sine"], "takes no --target"),
        (["nosuch"], "unknown construction"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, args, message):
    out = tmp_path / "c"
    result = subprocess.run(
        [sys.executable, "-m", "approxlab", "construct", *args, "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists() and list(tmp_path.iterdir()) == []
