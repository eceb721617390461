"""`approxlab anatomy MODEL --out DIR`."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import approxlab as al
from approxlab.cli import app


@pytest.fixture()
def runner():
    return CliRunner()


def test_anatomy_writes_json_and_figures_for_a_relu_net(tmp_path, runner):
    net = al.mlp(1, [5], activation="relu", seed=0)
    al.save(net, tmp_path / "m.safetensors")
    out = tmp_path / "out"
    result = runner.invoke(app, ["anatomy", str(tmp_path / "m.safetensors"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "anatomy.json").read_text())
    w = net[0].weight.detach().double().numpy()[:, 0]
    b = net[0].bias.detach().double().numpy()
    knots = [u["knot"] for u in data["units"]]
    assert np.allclose(knots, -b / w, rtol=0, atol=0)
    assert data["reconstruction_max_error"] < 1e-9
    assert (out / "anatomy.png").exists() and (out / "anatomy_units.html").exists()


def test_anatomy_in_3d_writes_numbers_without_figures(tmp_path, runner):
    al.save(al.mlp(3, [4], activation="sigmoid", seed=0), tmp_path / "m.safetensors")
    out = tmp_path / "out"
    result = runner.invoke(app, ["anatomy", str(tmp_path / "m.safetensors"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "1D and 2D" in result.output
    assert json.loads((out / "anatomy.json").read_text())["n_local"] + 0 >= 0
    assert not (out / "anatomy.png").exists()


@pytest.mark.parametrize(
    ("net", "message"),
    [
        (al.mlp(2, [3, 3], activation="sigmoid"), "two-layer net"),
        (al.mlp(2, [3], activation="gelu"), "anatomy reads sigmoid, tanh"),
    ],
)
def test_unsupported_nets_are_one_line_exit_2_and_leave_nothing(tmp_path, run_cli, net, message):
    al.save(net, tmp_path / "m.safetensors")
    out = tmp_path / "out"
    code, _, err = run_cli("anatomy", tmp_path / "m.safetensors", "--out", out)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and message in err
    assert not out.exists()
