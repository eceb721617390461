"""The server without a browser: FastAPI's TestClient over HTTP and the websocket."""

import json
from pathlib import Path

import numpy as np
import plotly
import pytest
import torch
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from approxlab.modelfile import load, save
from approxlab.nets import mlp
from approxlab.play.app import create_app
from approxlab.play.schema import MAX_MESSAGE, MAX_UPLOAD, Settings
from approxlab.regions import partition

WS = "ws://127.0.0.1:8765/ws"  # the Host a browser sends; the app refuses any other name


@pytest.fixture()
def client():
    with TestClient(create_app(), base_url="http://127.0.0.1:8765") as c:
        yield c


def settings(**kw):
    return json.dumps({"type": "settings", "settings": Settings(**kw).model_dump()})


def until(ws, kind):
    while True:
        msg = ws.receive_json()
        if msg["type"] == kind:
            return msg


def opened(ws, **kw):
    hello = ws.receive_json()
    assert hello["type"] == "hello"
    ws.send_text(settings(**kw))
    setup = until(ws, "setup")
    return hello["session"], setup, until(ws, "frame")


def test_page_and_its_files_are_local(client):
    page = client.get("/").text
    assert '<script src="/static/plotly.min.js" async></script>' in page
    assert "http://" not in page and "https://" not in page
    served = client.get("/static/plotly.min.js").content
    assert served == (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()
    js = client.get("/static/play.js").text
    assert "http://" not in js and "https://" not in js and "eval(" not in js
    assert client.get("/static/app.py").status_code == 404
    assert client.get("/static/..%2Fapp.py").status_code == 404


def test_foreign_host_and_cross_origin_websocket_are_refused(client):
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"host": "localhost:8765"}).status_code == 200
    assert (
        TestClient(create_app()).get("/").status_code == 400
    )  # "testserver" is not a loopback name
    with pytest.raises(WebSocketDisconnect):
        with client.websocket_connect(WS, headers={"origin": "http://evil.example"}) as ws:
            ws.receive_json()


def test_without_acks_the_server_sends_at_most_two_frames_ahead(client):
    with client.websocket_connect(WS) as ws:
        opened(ws)
        ws.send_json({"type": "play"})
        assert [until(ws, "frame")["step"] for _ in range(2)] == [5, 10]
        ws.send_json({"type": "pause"})
        ws.send_json({"type": "step", "n": 1})
        assert (
            until(ws, "frame")["step"] == 11
        )  # no third frame was computed while the page was silent


def test_play_streams_flow_controlled_frames_and_the_loss_falls(client):
    with client.websocket_connect(WS) as ws:
        _, setup, first = opened(ws, widths=[8, 8], activation="tanh", points=500)
        assert setup["architecture"] == [2, 8, 8, 1] and len(setup["train"]["X"]) == 250
        ws.send_json({"type": "play"})
        steps = []
        for _ in range(20):
            frame = until(ws, "frame")
            steps.append(frame["step"])
            ws.send_json({"type": "ack"})
        ws.send_json({"type": "pause"})
        assert steps == list(range(5, 105, 5))  # 5 optimizer steps per frame, one frame per ack
        assert frame["loss"] < first["loss"]


def test_malformed_messages_close_only_their_connection(client):
    bad = [
        '{"type": "bogus"}',
        "not json",
        '{"type": "step", "n": 100000}',
        '{"type": "play", "extra": 1}',
        json.dumps(
            {"type": "param", "layer": 0, "name": "weight", "row": 0, "col": 0, "value": "NaN"}
        ),
        json.dumps({"type": "check", "target": "x" * (MAX_MESSAGE + 10)}),
    ]
    for text in bad:
        with client.websocket_connect(WS) as ws:
            opened(ws)
            ws.send_text(text)
            msg = until(ws, "fatal")
            assert "reload the page" in msg["message"]
            with pytest.raises(WebSocketDisconnect):
                ws.receive_json()
    with client.websocket_connect(WS) as ws:  # the server is still there
        assert opened(ws)[2]["step"] == 0


def test_a_bad_expression_is_a_message_and_the_tab_goes_on(client):
    with client.websocket_connect(WS) as ws:
        opened(ws)
        ws.send_json({"type": "check", "target": "__import__('os').system('ls')"})
        check = until(ws, "check")
        assert not check["ok"] and "unsafe or malformed" in check["message"]
        ws.send_json({"type": "check", "target": "sin(3*x1)*x2"})
        assert until(ws, "check") == {
            "type": "check",
            "target": "sin(3*x1)*x2",
            "ok": True,
            "dim": 2,
            "message": "",
        }
        ws.send_text(settings(target="1/(x1-x1)"))
        err = until(ws, "error")
        assert err["about"] == "settings" and "not finite" in err["message"]
        ws.send_json({"type": "step", "n": 3})
        assert until(ws, "frame")["step"] == 3  # the previous problem is still loaded


def test_tabs_are_independent(client):
    with client.websocket_connect(WS) as a, client.websocket_connect(WS) as b:
        sa, _, fa = opened(a, seed=1)
        sb, _, fb = opened(b, seed=2)
        assert sa != sb and fa["loss"] != fb["loss"]
        a.send_json({"type": "step", "n": 7})
        assert until(a, "frame")["step"] == 7
        b.send_json({"type": "step", "n": 2})
        assert until(b, "frame")["step"] == 2


def test_download_is_a_model_file_the_library_reads(client, tmp_path):
    with client.websocket_connect(WS) as ws:
        sid, _, _ = opened(ws, widths=[6], activation="relu")
        ws.send_json({"type": "regions", "on": True})
        frame = until(ws, "frame")
        reply = client.get(f"/api/session/{sid}/model.safetensors")
        assert reply.status_code == 200
        path = tmp_path / "play.safetensors"
        path.write_bytes(reply.content)
        net = load(path)
        assert partition(net, [(-1, 1), (-1, 1)]).count == frame["regions"]["count"]
    assert client.get(f"/api/session/{sid}/model.safetensors").status_code == 400  # tab closed


def test_upload_adopts_a_good_file_and_explains_a_bad_one(client, tmp_path):
    with client.websocket_connect(WS) as ws:
        sid, _, _ = opened(ws)
        bad = client.post(f"/api/session/{sid}/model", content=b"\x00" * 100)
        assert bad.status_code == 400 and "corrupt or not a safetensors file" in bad.json()["error"]
        assert "the uploaded file" in bad.json()["error"]
        assert until(ws, "error")["about"] == "upload"
        big = client.post(f"/api/session/{sid}/model", content=b"\x00" * (MAX_UPLOAD + 1))
        assert big.status_code == 413
        wrong = save(mlp(3, [2]), tmp_path / "three.safetensors").read_bytes()
        assert (
            "takes 3 inputs"
            in client.post(f"/api/session/{sid}/model", content=wrong).json()["error"]
        )
        net = mlp(2, [3, 2], activation="relu", seed=5)
        with torch.no_grad():
            net[0].weight[0, 0] = float("nan")
        nan = tmp_path / "nan.safetensors"
        save(mlp(2, [3]), nan)
        data = bytearray(nan.read_bytes())
        data[-8:] = np.array([np.nan]).tobytes()  # corrupt the last weight to NaN
        assert (
            "NaN" in client.post(f"/api/session/{sid}/model", content=bytes(data)).json()["error"]
        )
        good = save(
            mlp(2, [3, 2], activation="relu", seed=5), tmp_path / "good.safetensors"
        ).read_bytes()
        assert client.post(f"/api/session/{sid}/model", content=good).json() == {"ok": True}
        assert until(ws, "setup")["architecture"] == [2, 3, 2, 1]
    assert client.post("/api/session/nope/model", content=good).status_code == 400


def test_construct_and_drag_a_unit(client):
    with client.websocket_connect(WS) as ws:
        opened(ws)
        ws.send_json({"type": "construct", "name": "interpolant", "knob": 8})
        setup = until(ws, "setup")
        cert = setup["construction"]
        assert cert["name"] == "interpolant" and cert["units"] == 8 and cert["holds"]
        frame = until(ws, "frame")
        assert frame["error"] <= cert["bound"]
        ws.send_json(
            {"type": "param", "layer": 1, "name": "weight", "row": 0, "col": 3, "value": 5.0}
        )
        assert until(ws, "frame")["error"] > cert["bound"]
        ws.send_json({"type": "construct", "name": "towers", "knob": 40})
        assert "up to" in until(ws, "error")["message"]


def test_csv_upload_then_train_on_it(client):
    with client.websocket_connect(WS) as ws:
        sid, _, _ = opened(ws)
        bad = client.post(f"/api/session/{sid}/data", content=b"x,y\n1,oops\n2,3\n")
        assert bad.status_code == 400 and "'oops' is not a number" in bad.json()["error"]
        rows = "\n".join(f"{i / 50},{(i / 50) ** 2}" for i in range(50))
        good = client.post(f"/api/session/{sid}/data", content=f"x,y\n{rows}\n".encode())
        assert good.json() == {"ok": True, "columns": ["x", "y"]}
        ws.send_text(settings(source="csv"))
        setup = until(ws, "setup")
        assert setup["dim"] == 1 and len(setup["train"]["X"]) + len(setup["test"]["X"]) == 50
