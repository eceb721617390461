"""`approxlab regions` as a user runs it: exit codes, regions.json, figures, nothing half-written."""

import json
import subprocess
import sys

import numpy as np
import torch
from torch import nn

import approxlab
from approxlab.construct.sawtooth import sawtooth_net


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "approxlab", "regions", *args], capture_output=True, text=True
    )


def _regions_through(model, anchors: np.ndarray, tmp_path):
    """`approxlab regions MODEL --anchors three.npy --json`, which must succeed."""
    np.save(tmp_path / "three.npy", anchors)
    r = run(
        str(model),
        "--anchors",
        str(tmp_path / "three.npy"),
        "--json",
        "--out",
        str(tmp_path / "out"),
    )
    assert r.returncode == 0, r.stderr
    return r


def test_a_plain_pytorch_model_with_batchnorm_gets_its_regions_figures_and_json(tmp_path):
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Linear(2, 12, dtype=torch.float64),
        nn.BatchNorm1d(12, dtype=torch.float64),
        nn.ReLU(),
        nn.Linear(12, 12, dtype=torch.float64),
        nn.ReLU(),
        nn.Linear(12, 1, dtype=torch.float64),
    )
    net(torch.randn(32, 2, dtype=torch.float64))
    model = approxlab.save(net.eval(), tmp_path / "m.safetensors")
    r = run(str(model), "--box", "-1,1,-1,1", "--json", "--out", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    printed = json.loads(r.stdout)
    saved = json.loads((tmp_path / "out" / "regions.json").read_text())
    assert printed["regions"] == saved["regions"] == len(saved["region_detail"]) > 1
    assert (
        printed["bound"] >= printed["regions"]
        and printed["seconds"] >= 0
        and printed["checks"]["ok"]
    )
    area = sum(r["area"] for r in saved["region_detail"])
    assert abs(area - 4.0) < 1e-9
    for name in ("region_map.png", "region_map.html", "surface.html"):
        assert (tmp_path / "out" / name).stat().st_size > 1000


def test_a_one_input_model_lists_its_breakpoints(tmp_path):
    model = approxlab.save(sawtooth_net(5), tmp_path / "saw.safetensors")
    r = run(str(model), "--box", "0,1", "--json", "--out", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    saved = json.loads((tmp_path / "o" / "regions.json").read_text())
    assert saved["regions"] == 32 and saved["breakpoints"] == [k / 32 for k in range(1, 32)]
    assert (tmp_path / "o" / "breakpoints.png").exists()


def test_anchors_give_a_plane_slice_of_a_high_dimensional_model(tmp_path):
    model = approxlab.save(approxlab.mlp(8, [16, 16], seed=1), tmp_path / "m8.safetensors")
    np.save(tmp_path / "a.npy", np.random.default_rng(0).normal(size=(3, 8)))
    r = run(
        str(model), "--anchors", str(tmp_path / "a.npy"), "--json", "--out", str(tmp_path / "o")
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["input_dim"] == 8 and json.loads(r.stdout)["checks"]["ok"]


def test_bad_input_is_one_line_exit_2_and_no_output(tmp_path):
    m5 = approxlab.save(approxlab.mlp(5, [8], seed=0), tmp_path / "m5.safetensors")
    m2 = approxlab.save(approxlab.mlp(2, [64, 64], seed=0), tmp_path / "m2.safetensors")
    np.save(tmp_path / "line.npy", np.outer(np.arange(3.0), np.ones(5)))
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object))
    sig = approxlab.save(approxlab.mlp(2, [4], activation="sigmoid"), tmp_path / "sig.safetensors")
    cases = [
        ((str(m5), "--anchors", str(tmp_path / "line.npy")), "collinear"),
        ((str(m5), "--anchors", str(tmp_path / "obj.npy")), "cannot read anchors"),
        ((str(m5),), "--anchors"),
        ((str(m2), "--box", "0,1,2,2"), "is empty"),
        ((str(m2), "--max-regions", "100"), "upper bound for this net: 4.33e+06"),
        ((str(sig),), "layer Sigmoid (module '1') is not supported"),
    ]
    for args, message in cases:
        r = run(*args, "--out", str(tmp_path / "never"))
        assert r.returncode == 2, (args, r.stderr)
        assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1
        assert not (tmp_path / "never").exists()


def test_non_finite_weights_and_unaffordable_max_regions_exit_2_before_any_work(tmp_path):
    net = approxlab.mlp(2, [16, 16], seed=0)
    with torch.no_grad():
        net[2].weight[3, 5] = float("nan")
    try:
        bad = approxlab.save(net, tmp_path / "nan.safetensors")
    except approxlab.ApproxlabError:
        bad = None  # the model file itself refuses NaN: nothing reaches `regions`
    wide = approxlab.save(approxlab.mlp(2, [1000] * 3, seed=0), tmp_path / "wide.safetensors")
    cases = [((str(wide), "--max-regions", str(10**9)), "may need about")]
    if bad is not None:
        cases.append(((str(bad),), "tensor 2.weight has NaN or infinite entries"))
    for args, message in cases:
        r = run(*args, "--out", str(tmp_path / "never"))
        assert r.returncode == 2, (args, r.stderr)
        assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1
        assert not (tmp_path / "never").exists()


def test_a_saved_cnn_gets_its_exact_slice_and_the_slope_map(tmp_path):
    from approxlab.regions import partition, through_points
    from approxlab.regions.digits import digits_architecture

    torch.manual_seed(0)
    net = nn.Sequential(
        *digits_architecture((2, 3))[:-1], nn.BatchNorm1d(12), nn.Linear(12, 3)
    ).double()
    net(torch.rand(16, 64, dtype=torch.float64))  # running statistics
    model = approxlab.save(net.eval(), tmp_path / "cnn.safetensors")
    anchors = np.random.default_rng(0).uniform(0, 1, size=(3, 64))
    r = _regions_through(model, anchors, tmp_path)
    assert json.loads(r.stdout)["regions"] == partition(net, through_points(anchors)).count
    assert (
        tmp_path / "out" / "slope_map.png"
    ).stat().st_size > 0  # three outputs: a classifier's picture


def test_a_model_file_with_an_impossible_convolution_is_refused_in_one_line(tmp_path):
    from safetensors.torch import load_file, save_file

    net = nn.Sequential(
        nn.Unflatten(1, (1, 4, 4)), nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8, 1)
    )
    model = approxlab.save(net.double(), tmp_path / "cnn.safetensors")
    from safetensors import safe_open

    with safe_open(str(model), "pt") as f:
        meta = f.metadata()
    meta["approxlab.architecture"] = meta["approxlab.architecture"].replace(
        '"kernel": [3, 3]', '"kernel": [0, 3]'
    )
    save_file(load_file(str(model)), str(tmp_path / "bad.safetensors"), metadata=meta)
    r = run(str(tmp_path / "bad.safetensors"), "--out", str(tmp_path / "never"))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "kernel" in r.stderr and not (tmp_path / "never").exists()


def test_a_saved_net_with_max_pooling_and_maxout_gets_its_exact_slice(tmp_path):
    from approxlab.nets import Maxout
    from approxlab.regions import partition, through_points

    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Unflatten(1, (1, 4, 4)),
        nn.Conv2d(1, 2, 3, padding=1),
        nn.MaxPool2d(2),
        nn.Flatten(),
        Maxout(8, 2, pieces=3),
        nn.Linear(2, 1),
    ).double()
    model = approxlab.save(net, tmp_path / "pooled.safetensors")
    anchors = np.random.default_rng(1).uniform(0, 1, size=(3, 16))
    r = _regions_through(model, anchors, tmp_path)
    assert json.loads(r.stdout)["regions"] == partition(net, through_points(anchors)).count
