"""A model trained in plain PyTorch, brought in and read in two commands."""

import json

import pytest
import torch
from torch import nn

import approxlab
from approxlab.modelfile import extra


class Tutorial(nn.Module):
    """The shape a PyTorch tutorial trains: named layers, a functional activation."""

    def __init__(self, m=8):
        super().__init__()
        self.fc1, self.out = nn.Linear(1, m), nn.Linear(m, 1)

    def forward(self, x):
        return self.out(torch.tanh(self.fc1(x)))


@pytest.fixture
def state_dict_file(tmp_path):
    torch.manual_seed(0)
    model = Tutorial()
    torch.save(model.state_dict(), tmp_path / "model.pt")
    return model, tmp_path / "model.pt"


def test_import_then_units_and_anatomy_use_the_stored_domain(run_cli, state_dict_file, tmp_path):
    model, pt = state_dict_file
    code, _, err = run_cli(
        "import", pt, "--arch", "tanh", "--box", "-3,3", "--out", tmp_path / "m.safetensors"
    )
    assert code == 0, err
    assert extra(tmp_path / "m.safetensors")["domain"] == [(-3.0, 3.0)]
    net = approxlab.load(tmp_path / "m.safetensors")
    x = torch.linspace(-3, 3, 50, dtype=torch.float64)[:, None]
    with torch.no_grad():
        assert float((net(x) - model.double()(x)).abs().max()) < 1e-14
    code, _, err = run_cli("units", tmp_path / "m.safetensors", "--out", tmp_path / "u")
    assert code == 0 and "warning" not in err, err
    summary = json.loads((tmp_path / "u" / "units.json").read_text())
    assert (
        summary["target"] is None
        and summary["max_error"] is None
        and summary["domain"] == [[-3.0, 3.0]]
    )
    assert summary["sum_check_max_abs"] < 1e-12 and summary["units"] == 8
    code, _, err = run_cli("anatomy", tmp_path / "m.safetensors", "--out", tmp_path / "a")
    assert code == 0 and "warning" not in err, err
    assert json.loads((tmp_path / "a" / "anatomy.json").read_text())["domain"] == [[-3.0, 3.0]]


def test_a_state_dict_file_works_directly_with_one_warning_per_guess(
    run_cli, state_dict_file, tmp_path
):
    _, pt = state_dict_file
    code, _, err = run_cli("units", pt, "--out", tmp_path / "u")
    assert code == 0, err
    warnings = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert (
        len(warnings) == 2 and "assuming ReLU" in warnings[0] and "assuming [-1, 1]" in warnings[1]
    )
    assert json.loads((tmp_path / "u" / "units.json").read_text())["activation"] == "relu"


def test_a_wrong_arch_is_one_line_exit_2_and_no_file(run_cli, state_dict_file, tmp_path):
    _, pt = state_dict_file
    code, _, err = run_cli(
        "import", pt, "--arch", "2,8,tanh,1", "--out", tmp_path / "m.safetensors"
    )
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "fc1.weight (8, 1)" in err and not (tmp_path / "m.safetensors").exists()
    code, _, err = run_cli(
        "import", pt, "--arch", "tanh", "--box", "-1,1,-1,1", "--out", tmp_path / "m.safetensors"
    )
    assert (
        code == 2
        and "2 axes but the net takes 1" in err
        and not (tmp_path / "m.safetensors").exists()
    )


def test_a_net_fitted_on_a_data_set_reads_as_units_without_a_target(run_cli, tmp_path):
    code, _, err = run_cli("fit", "xor", "--steps", "20", "--out", tmp_path / "run")
    assert code == 0, err
    code, _, err = run_cli("units", tmp_path / "run" / "model.safetensors", "--out", tmp_path / "u")
    assert code == 0 and "warning" not in err, err
    summary = json.loads((tmp_path / "u" / "units.json").read_text())
    assert summary["target"] is None and summary["domain"] == [[-1.0, 1.0], [-1.0, 1.0]]
    assert summary["sum_check_max_abs"] < 1e-12


def test_out_must_name_a_file_not_a_folder(run_cli, state_dict_file, tmp_path):
    _, pt = state_dict_file
    code, _, err = run_cli("import", pt, "--arch", "tanh", "--out", tmp_path)
    assert code == 2 and "is a folder" in err and len(err.strip().splitlines()) == 1
