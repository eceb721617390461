"""Input features (x1², sin x1, …) and multi-class sets in the playground, without a browser."""

import base64
import json
import re

import numpy as np
import pytest
import torch
from fastapi.testclient import TestClient
from pydantic import ValidationError

from approxlab.errors import ApproxlabError
from approxlab.modelfile import load, save
from approxlab.nets import mlp
from approxlab.play.app import create_app
from approxlab.play.features import fold
from approxlab.play.schema import Settings
from approxlab.play.session import Session
from approxlab.regions import partition

WS = "ws://127.0.0.1:8765/ws"


def unpack(text):
    return np.frombuffer(base64.b64decode(text), dtype="<f4")


def until(ws, kind):
    while True:
        msg = ws.receive_json()
        if msg["type"] == kind:
            return msg


@pytest.fixture()
def client():
    with TestClient(create_app(), base_url="http://127.0.0.1:8765") as c:
        yield c


def opened(ws, **kw):
    sid = ws.receive_json()["session"]
    ws.send_text(json.dumps({"type": "settings", "settings": Settings(**kw).model_dump()}))
    return sid, until(ws, "setup"), until(ws, "frame")


@pytest.mark.parametrize(
    ("features", "message"),
    [
        ([], "choose at least one input feature (x1, x2, x1^2"),
        (
            ["x1", "x3"],
            "unknown input feature 'x3': use x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2)",
        ),
    ],
)
def test_bad_features_are_one_clear_message(client, features, message):
    with pytest.raises(ValidationError, match=r"features\n.*" + re.escape(message)):
        Settings(features=features)
    with client.websocket_connect(WS) as ws:
        ws.receive_json()
        body = {**Settings().model_dump(), "features": features}
        ws.send_text(json.dumps({"type": "settings", "settings": body}))
        fatal = until(ws, "fatal")["message"]
        assert fatal.startswith("malformed message (settings.features: Value error, ")
        assert message in fatal and "\n" not in fatal


def test_features_are_kept_in_one_order():
    assert Settings(features=["sin(x2)", "x1", "x1", "x2^2"]).features == ["x1", "x2^2", "sin(x2)"]


def test_a_1d_problem_reads_x_as_x1_and_refuses_only_x2_features():
    s = Session(Settings(target="sine", features=["x1", "x1^2", "x2", "x1*x2"]))
    assert s.features == ["x1", "x1^2"] and s.architecture()[0] == 2
    with pytest.raises(ApproxlabError, match="all read x2, but the problem is 1D: tick x1"):
        Session(Settings(target="sine", features=["x2", "sin(x2)"]))


def test_the_first_layer_reads_the_features():
    # unit j of the first layer is σ(w_j·φ(x) + b_j) with φ(x) = (x1², x2², sin x1) on the grid
    s = Session(Settings(widths=[3], activation="tanh", features=["x1^2", "x2^2", "sin(x1)"]))
    s.advance(5)
    f = s.frame()
    x = s.problem.grid(False)
    phi = np.stack([x[:, 0] ** 2, x[:, 1] ** 2, np.sin(x[:, 0])], axis=1)
    W, b = np.array(f["layers"][0]["w"]), np.array(f["layers"][0]["b"])
    by_hand = np.tanh(phi @ W.T + b).T.reshape(-1)
    assert np.allclose(unpack(f["layers"][0]["values"]), by_hand, atol=1e-6)  # float32 transport
    parts = unpack(f["seed001"]["contributions"]).reshape(3, -1)
    with torch.no_grad():
        out = s.net(s.small).reshape(-1).numpy()
    assert np.allclose(parts.sum(0) + f["seed001"]["c"], out, atol=1e-5)
    assert f["seed001"]["lines"] is None and f["seed001"]["local"] is None  # no lines in x


def test_squares_let_one_unit_draw_the_circle():
    # One tanh unit on (x1, x2) thresholds w·x + b: its class-1 set is a half-plane, and no
    # half-plane holds the disk r < ½ without most of the ring 0.7–1 (population best ≈ 0.65–0.7).
    # On (x1², x2²) the same unit thresholds a·x1² + c·x2² + b, a disk. Measured, 300 Adam steps
    # at lr 0.1 on 250 points: test accuracy 0.656 on (x1, x2), 1.000 on (x1², x2²).
    accuracy = {}
    for features in (["x1", "x2"], ["x1^2", "x2^2"]):
        s = Session(
            Settings(
                kind="classification",
                dataset="circle",
                widths=[1],
                activation="tanh",
                features=features,
            )
        )
        s.advance(300)
        accuracy[features[0]] = s.frame()["test_accuracy"]
    assert accuracy["x1"] < 0.8 and accuracy["x1^2"] > 0.97


def test_linear_features_fold_into_a_plain_mlp_on_x(client, tmp_path):
    # φ(x) = x2 only: the net on x has first-layer weights (0, w); regions and download are its own
    with client.websocket_connect(WS) as ws:
        sid, setup, _ = opened(ws, widths=[5], activation="relu", features=["x2"], seed=2)
        assert setup["architecture"] == [1, 5, 1] and setup["not_on_x"] is None
        ws.send_json({"type": "step", "n": 20})
        until(ws, "frame")
        ws.send_json({"type": "regions", "on": True})
        frame = until(ws, "frame")
        reply = client.get(f"/api/session/{sid}/model.safetensors")
        path = tmp_path / "x2.safetensors"
        path.write_bytes(reply.content)
        net = load(path)
    assert net[0].weight.shape == (5, 2) and bool((net[0].weight[:, 0] == 0).all())
    # a line arrangement of 5 parallel lines x2 = const: at most 6 regions
    assert partition(net, [(-1, 1), (-1, 1)]).count == frame["regions"]["count"] <= 6


def test_fold_computes_the_same_function():
    net = mlp(2, [4, 3], activation="relu", seed=1)
    X = torch.as_tensor(np.random.default_rng(0).uniform(-1, 1, (50, 2)))
    with torch.no_grad():
        assert torch.equal(fold(net, ["x2", "x1"][::-1], 2)(X), net(X))
        assert torch.allclose(fold(net, ["x2", "x1"], 2)(X), net(X[:, [1, 0]]))
    with pytest.raises(ApproxlabError, match="not linear in x"):
        fold(net, ["x1", "sin(x1)"], 2)


def test_non_linear_features_refuse_regions_and_download_with_the_reason(client):
    with client.websocket_connect(WS) as ws:
        sid, setup, _ = opened(ws, widths=[4], activation="relu", features=["x1", "x1^2"])
        assert "non-linear features x1^2" in setup["not_on_x"]
        ws.send_json({"type": "regions", "on": True})
        regions = until(ws, "frame")["regions"]
        assert (
            "count" not in regions and "not a piecewise-linear MLP on (x1, x2)" in regions["error"]
        )
        reply = client.get(f"/api/session/{sid}/model.safetensors")
        assert reply.status_code == 400
        assert reply.json()["error"].startswith("no model file: the net reads the non-linear")
        assert until(ws, "error")["about"] == "download"


def test_an_uploaded_net_reads_the_raw_inputs(client, tmp_path):
    good = save(mlp(2, [3], activation="relu", seed=5), tmp_path / "g.safetensors").read_bytes()
    with client.websocket_connect(WS) as ws:
        sid, _, _ = opened(ws, features=["x1^2", "x2^2", "x1*x2"])
        assert client.post(f"/api/session/{sid}/model", content=good).json() == {"ok": True}
        setup = until(ws, "setup")
        assert setup["features"] == ["x1", "x2"] and setup["settings"]["features"] == ["x1", "x2"]
        assert setup["not_on_x"] is None and setup["architecture"] == [2, 3, 1]
        assert setup["adopted"]  # the page ticks x1, x2 again only then


def test_four_blobs_are_learnt_far_above_chance():
    # Chance is 1/4; the Bayes accuracy is about 0.988 (tests/targets/test_datasets.py). Measured:
    # 4 tanh units, 200 Adam steps at lr 0.1, 250 training points: train 0.996, test 0.976.
    s = Session(Settings(kind="classification", dataset="blobs4", widths=[4], activation="tanh"))
    first = s.frame()
    s.advance(200)
    f = s.frame()
    assert f["test_accuracy"] > 0.25 + 0.65 and f["loss"] < first["loss"]
    label, confidence = unpack(f["output"]), unpack(f["confidence"])
    with torch.no_grad():
        prob = torch.softmax(s.net(s.fine), dim=1).numpy()
    assert np.array_equal(label, prob.argmax(1)) and set(np.unique(label)) == {0, 1, 2, 3}
    assert np.allclose(confidence, prob.max(1), atol=1e-6) and confidence.min() >= 0.25 - 1e-6
    with torch.no_grad():
        by_hand = (s.net(s.X_test).argmax(1) == s.problem.y_test.long()).double().mean()
    assert f["test_accuracy"] == float(by_hand)
    assert [layer["width"] for layer in f["layers"]] == [4] and f["seed001"] is None
    assert len(unpack(f["layers"][0]["values"])) == 4 * len(s.problem.grid(False))


def test_three_spiral_arms_are_learnt_above_chance(client, tmp_path):
    # Chance is 1/3. Measured: 16,16 relu, Adam lr 0.03, 500 steps on 250 points: train 0.924,
    # test 0.828. The downloaded net has 3 outputs and computes the same logits.
    with client.websocket_connect(WS) as ws:
        sid, setup, first = opened(
            ws,
            kind="classification",
            dataset="spiral3",
            widths=[16, 16],
            activation="relu",
            lr=0.03,
        )
        assert setup["classes"] == 3 and setup["architecture"] == [2, 16, 16, 3]
        ws.send_json({"type": "step", "n": 500})
        frame = until(ws, "frame")
        assert frame["test_accuracy"] > 1 / 3 + 0.4 and frame["accuracy"] > first["accuracy"]
        path = tmp_path / "spiral3.safetensors"
        path.write_bytes(client.get(f"/api/session/{sid}/model.safetensors").content)
    grid = torch.as_tensor(np.random.default_rng(1).uniform(-1, 1, (400, 2)))
    with torch.no_grad():
        labels = load(path)(grid).argmax(1).numpy()
    assert np.bincount(labels, minlength=3).min() > 0  # every class wins somewhere
