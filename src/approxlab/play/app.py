"""The playground's FastAPI app: the page, its static files, one websocket per tab, model files.

- ``GET /``: the page; ``GET /static/{play.js, play.css, plotly.min.js}`` (plotly.js from the
  installed plotly package: the page works offline).
- ``WS /ws``: one :class:`~approxlab.play.session.Session` per connection. Messages are
  validated against :mod:`approxlab.play.schema`; a malformed one (bad JSON, unknown type or
  field, out-of-range value, over :data:`~approxlab.play.schema.MAX_MESSAGE` bytes) gets a
  ``fatal`` message and closes that connection only. Frames are flow-controlled: at most :data:`WINDOW` frames are
  unacknowledged, so a slow page never queues frames.
- ``GET /api/session/{id}/model.safetensors``: the tab's net as approxlab's model file;
  ``POST /api/session/{id}/data``: the tab's own CSV data (:mod:`approxlab.play.table`);
  ``POST /api/session/{id}/model``: upload one (at most :data:`~approxlab.play.schema.MAX_UPLOAD`
  bytes; read by :func:`approxlab.modelfile.load`, which refuses corrupt files with a message).
- Requests whose ``Host`` (or a websocket's ``Origin``) is not the server's own are refused,
  so no other web page can drive the server (DNS rebinding).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import tempfile
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError
from starlette.middleware.trustedhost import TrustedHostMiddleware

from approxlab.errors import ApproxlabError
from approxlab.jsonfile import dumps
from approxlab.play.schema import MAX_MESSAGE, MAX_UPLOAD, MESSAGE, Settings
from approxlab.play.session import Session

log = logging.getLogger("approxlab.play")
WINDOW = 2  # frames sent ahead of the page's acknowledgements: the server computes one while the page draws one
STATIC = files("approxlab.play") / "static"
LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]", "::1"]


def plotly_js() -> Path:
    """The plotly.min.js bundled with the installed plotly package."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@dataclass
class Tab:
    """A connection's mailbox: page messages and the HTTP handlers' requests, handled in order."""

    inbox: asyncio.Queue = field(default_factory=asyncio.Queue)


def _first_error(exc: ValidationError) -> str:
    e = exc.errors()[0]
    loc = e.get("loc", ())
    loc = loc[1:] if len(loc) > 1 else loc  # the first is the union's tag (the message type)
    where = ".".join(str(p) for p in loc if p != "type") or "message"
    return f"{where}: {e.get('msg', 'invalid')}"[:200]


def create_app(hosts: list[str] | None = None) -> FastAPI:
    """The app; ``hosts`` are the names a browser may use to reach it (default: loopback names).

    >>> create_app().title
    'approxlab play'
    """
    app = FastAPI(title="approxlab play", docs_url=None, redoc_url=None, openapi_url=None)
    allowed = list(dict.fromkeys([*(hosts or []), *LOCAL_HOSTS]))
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed)
    tabs: dict[str, Tab] = {}
    static = {"play.js": "text/javascript", "play.css": "text/css"}

    @app.get("/")
    def index() -> HTMLResponse:
        return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"))

    @app.get("/static/{name}")
    def asset(name: str) -> Response:
        if name == "plotly.min.js":
            return Response(
                plotly_js().read_bytes(),
                media_type="text/javascript",
                headers={"Cache-Control": "max-age=86400"},
            )
        if name not in static:
            return JSONResponse({"error": f"no static file {name!r}"}, status_code=404)
        return Response((STATIC / name).read_bytes(), media_type=static[name])

    async def ask(sid: str, kind: str, payload: Any = None) -> Any:
        tab = tabs.get(sid)
        if tab is None:
            raise ApproxlabError(
                "no such playground tab (it was closed or the server restarted): reload the page"
            )
        done: asyncio.Future = asyncio.get_running_loop().create_future()
        await tab.inbox.put((kind, payload, done))
        return await done

    @app.get("/api/session/{sid}/model.safetensors")
    async def download(sid: str) -> Response:
        try:
            data = await ask(sid, "download")
        except ApproxlabError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return Response(
            data,
            media_type="application/octet-stream",
            headers={"Content-Disposition": 'attachment; filename="play.safetensors"'},
        )

    @app.post("/api/session/{sid}/model")
    async def upload(sid: str, request: Request) -> JSONResponse:
        body = await _capped(request)
        if body is None:
            too_big = f"the model file is over {MAX_UPLOAD // 1024} kB: upload a net saved by approxlab (a few kB)"
            return JSONResponse({"error": too_big}, status_code=413)
        try:
            await ask(sid, "upload", body)
        except ApproxlabError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"ok": True})

    @app.post("/api/session/{sid}/data")
    async def data(sid: str, request: Request) -> JSONResponse:
        body = await _capped(request)
        if body is None:
            return JSONResponse(
                {
                    "error": f"the file is over {MAX_UPLOAD // 1024} kB: upload at most "
                    f"{MAX_UPLOAD // 1024} kB of CSV"
                },
                status_code=413,
            )
        try:
            names = await ask(sid, "data", body)
        except ApproxlabError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"ok": True, "columns": names})

    @app.websocket("/ws")
    async def stream(ws: WebSocket) -> None:
        origin = ws.headers.get("origin")
        if origin is not None and urlsplit(origin).netloc != ws.headers.get("host"):
            await ws.close(code=1008, reason="cross-origin connection refused")
            return
        await ws.accept()
        sid = secrets.token_urlsafe(16)
        tab = tabs[sid] = Tab()
        reader = asyncio.create_task(_read(ws, tab))
        try:
            await _serve(ws, sid, tab)
        except WebSocketDisconnect:
            pass  # the tab went away mid-send: nothing to tell it
        finally:
            reader.cancel()
            tabs.pop(sid, None)
            while not tab.inbox.empty():
                item = tab.inbox.get_nowait()
                if isinstance(item, tuple) and len(item) == 3 and not item[2].done():
                    item[2].set_exception(ApproxlabError("the tab closed: reload the page"))

    return app


async def _capped(request: Request) -> bytes | None:
    """The request body, or None once it passes :data:`~approxlab.play.schema.MAX_UPLOAD` bytes
    (refused from the declared length before reading when it says so)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_UPLOAD):
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_UPLOAD:
            return None
    return bytes(body)


async def _read(ws: WebSocket, tab: Tab) -> None:
    """Validate the page's messages into the tab's inbox; the first malformed one ends the tab."""
    while True:
        msg = await ws.receive()
        if msg["type"] == "websocket.disconnect":
            await tab.inbox.put(("closed", None))
            return
        text = msg.get("text")
        if text is None:
            await tab.inbox.put(("fatal", "binary message: the playground speaks JSON text"))
            return
        if len(text.encode()) > MAX_MESSAGE:
            await tab.inbox.put(("fatal", f"message over {MAX_MESSAGE} bytes"))
            return
        try:
            await tab.inbox.put(MESSAGE.validate_json(text))
        except ValidationError as exc:
            await tab.inbox.put(("fatal", f"malformed message ({_first_error(exc)})"))
            return


async def _send(ws: WebSocket, message: dict[str, Any]) -> None:
    await ws.send_text(dumps(message, indent=None))


@dataclass
class Run:
    """What one tab's loop knows: its session (after the first settings), whether it plays, and
    how many frames the page has not acknowledged yet."""

    session: Session | None = None
    playing: bool = False
    inflight: int = 0


async def _serve(ws: WebSocket, sid: str, tab: Tab) -> None:
    """Handle one tab: its messages in order, and while playing a frame whenever fewer than
    :data:`WINDOW` are unacknowledged."""
    await _send(ws, {"type": "hello", "session": sid, "defaults": Settings().model_dump()})
    run = Run()
    while True:
        s = run.session
        if (
            run.playing
            and run.inflight < WINDOW
            and s is not None
            and not s.diverged
            and tab.inbox.empty()
        ):
            await asyncio.to_thread(s.advance, s.settings.steps_per_frame)
            await _send(ws, await asyncio.to_thread(s.frame))
            run.inflight += 1
            if s.diverged:
                run.playing = False
                await _send(ws, {"type": "state", "playing": False})
            continue
        item = await tab.inbox.get()
        was = run.playing
        try:
            if isinstance(item, tuple):
                kind, payload, *done = item
                if kind == "closed":
                    return
                if kind == "fatal":
                    await _send(
                        ws,
                        {
                            "type": "fatal",
                            "message": payload + "; this connection is closed: reload the page",
                        },
                    )
                    await ws.close(code=1008, reason=payload[:120])
                    return
                await _request(ws, run.session, kind, payload, done[0])
                run.playing = run.playing and kind != "upload"
            else:
                await _handle(ws, run, item)
        except ApproxlabError as exc:
            await _send(
                ws,
                {"type": "error", "about": getattr(item, "type", "request"), "message": str(exc)},
            )
        except Exception as exc:  # a bug: end this tab with a message, never the server
            log.exception("playground tab failed")
            await _send(
                ws,
                {
                    "type": "fatal",
                    "message": f"internal error ({type(exc).__name__}): reload the page",
                },
            )
            await ws.close(code=1011)
            return
        if run.playing != was or getattr(item, "type", None) in ("play", "pause"):
            await _send(ws, {"type": "state", "playing": run.playing})


async def _handle(ws: WebSocket, run: Run, msg) -> None:
    """One validated message from the page (see :mod:`approxlab.play.schema`)."""
    thread = asyncio.to_thread
    kind = msg.type
    if kind == "ack":
        run.inflight = max(0, run.inflight - 1)
        return
    if kind == "check":
        await _send(ws, await thread(_check, msg.target))
        return
    if kind == "settings":
        if run.session is None:
            run.session = await thread(Session, msg.settings)
        else:
            await thread(run.session.configure, msg.settings)
    session = run.session
    if session is None:
        raise ApproxlabError("send the settings first")
    if kind in ("play", "pause"):
        run.playing, run.inflight = kind == "play" and not session.diverged, 0
        if session.diverged:
            await _send(ws, {"type": "error", "about": "play", "message": session.diverged})
        return
    run.playing = False if kind in ("settings", "reset", "step", "construct") else run.playing
    if kind in ("settings", "reset"):
        run.inflight = 0
    if kind == "step":
        await thread(session.advance, msg.n)
    elif kind == "reset":
        await thread(session.reset)
    elif kind == "regions":
        session.regions_on = msg.on
    elif kind == "param":
        await thread(session.set_parameter, msg.layer, msg.name, msg.row, msg.col, msg.value)
    elif kind == "steepness":
        await thread(session.steepen, msg.k)
    elif kind == "construct":
        from approxlab.play.construct import construct

        await thread(construct, session, msg.name, msg.knob)
    if kind in ("settings", "reset", "construct"):
        await _send(ws, session.setup())
    await _send(ws, await thread(session.frame))


def _check(source: str) -> dict[str, Any]:
    from approxlab.targets import target

    try:
        t = target(source)
    except ApproxlabError as exc:
        return {"type": "check", "target": source, "ok": False, "message": str(exc)}
    ok = t.dim <= 2
    return {
        "type": "check",
        "target": source,
        "ok": ok,
        "dim": t.dim,
        "message": ""
        if ok
        else f"{t.dim}-dimensional: the playground draws 1D and 2D targets (x or x1, x2)",
    }


async def _request(
    ws: WebSocket, session: Session | None, kind: str, payload: Any, done: asyncio.Future
) -> None:
    """An HTTP handler's request on this tab: download the net, or adopt an uploaded one."""
    try:
        if session is None:
            raise ApproxlabError("the tab has no net yet: wait for the page to load")
        if kind == "download":
            done.set_result(await asyncio.to_thread(_model_bytes, session))
        elif kind == "data":
            from approxlab.play.table import read_csv

            session.table = await asyncio.to_thread(read_csv, payload)
            done.set_result(session.table[0])
        else:
            await asyncio.to_thread(_adopt_bytes, session, payload)
            done.set_result(True)
            await _send(ws, session.setup())
            await _send(ws, await asyncio.to_thread(session.frame))
    except ApproxlabError as exc:
        done.set_exception(exc)
        await _send(ws, {"type": "error", "about": kind, "message": str(exc)})


def _model_bytes(session: Session) -> bytes:
    from approxlab.modelfile import save

    net = session.net_on_x()
    if net is None:
        raise ApproxlabError(f"no model file: {session.not_on_x()}")
    with tempfile.TemporaryDirectory() as tmp:
        path = save(
            net,
            Path(tmp) / "play.safetensors",
            extra={
                "source": "approxlab play",
                "step": session.step,
                "settings": session.settings.model_dump(),
            },
        )
        return path.read_bytes()


def _adopt_bytes(session: Session, data: bytes) -> None:
    from approxlab.modelfile import load

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload.safetensors"
        path.write_bytes(data)
        try:
            net = load(path)
        except ApproxlabError as exc:
            raise ApproxlabError(str(exc).replace(str(path), "the uploaded file")) from None
    session.adopt(net)
