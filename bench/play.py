"""Benchmark: updates per second of ``approxlab play`` (issue 16's goal: ≥ 20 for 2→8→8→1 on 500 points),
also with all seven input features and with a 3-class softmax output.

Starts ``approxlab play`` on a free port and measures, for each case, over ``--seconds``:

- server: frames per second a websocket client receives when it acknowledges each frame at
  once (the server's own rate: optimizer steps + reading the net + JSON);
- session: frames per second of the tab's own work in this process (advance + frame + JSON),
  best of 5 rounds of 10 frames, the cases interleaved so that a change of load hits them
  alike (what the input features or a softmax output cost, apart from the machine's load);
- page: frames per second Debian's Chromium (headless, driven by Playwright, software
  rendering) draws and acknowledges — what a student sees.

Each frame is ``steps_per_frame`` (5) optimizer steps on 500 training points, the output on a
41² grid, every hidden unit on a 21² grid and, with regions on, the exact linear regions.
The load average (``uptime``) is recorded with the numbers: on a shared machine they vary.
TensorFlow Playground, the peer, runs in the page itself (one step per animation frame, at
most the display's 60 Hz); it is not timed here (building it needs its npm tool chain).

    python bench/play.py                 # writes bench/results/play.json and play.md
    python bench/play.py --seconds 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from approxlab.headless import CHROMIUM, launch

RESULTS = Path(__file__).parent / "results"
CASES = [
    (
        "2→8→8→1 tanh, 500 points",
        {"widths": [8, 8], "activation": "tanh", "points": 1000, "train_fraction": 0.5},
        False,
    ),
    (
        "2→8→8→1 relu + exact regions",
        {"widths": [8, 8], "activation": "relu", "points": 1000, "train_fraction": 0.5},
        True,
    ),
    (
        "7→8→8→1 tanh, all 7 input features, 500 points",
        {
            "widths": [8, 8],
            "activation": "tanh",
            "points": 1000,
            "train_fraction": 0.5,
            "features": ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"],
        },
        False,
    ),
    (
        "2→8→8→3 tanh, spiral3 (3 classes, softmax), 500 points",
        {
            "widths": [8, 8],
            "activation": "tanh",
            "points": 1000,
            "train_fraction": 0.5,
            "kind": "classification",
            "dataset": "spiral3",
        },
        False,
    ),
    (
        "2→6→1 sigmoid (seed 001), 500 points",
        {"widths": [6], "activation": "sigmoid", "points": 1000, "train_fraction": 0.5},
        False,
    ),
]


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_rate(port: int, settings: dict, regions: bool, seconds: float) -> dict:
    from websockets.sync.client import connect

    with connect(f"ws://127.0.0.1:{port}/ws", max_size=2**24) as ws:
        hello = json.loads(ws.recv())
        ws.send(json.dumps({"type": "settings", "settings": {**hello["defaults"], **settings}}))
        if regions:
            ws.send(json.dumps({"type": "regions", "on": True}))
        ws.send(json.dumps({"type": "play"}))
        frames, steps, start, last = 0, None, time.perf_counter(), None
        # until `seconds` after the first training frame (a loaded machine may take seconds to set up)
        while steps is None or last is None or time.perf_counter() - start < seconds:
            msg = json.loads(ws.recv())
            if msg["type"] == "frame":
                ws.send('{"type": "ack"}')
                if steps is None:  # the clock starts at the first frame of training
                    if msg["step"] > 0:
                        steps, start = msg["step"], time.perf_counter()
                    continue
                frames, last = frames + 1, msg
        wall = time.perf_counter() - start
        return {
            "frames_per_s": frames / wall,
            "steps_per_s": (last["step"] - (steps or 0)) / wall,
            "regions": (last.get("regions") or {}).get("count"),
        }


def session_rates(rounds: int = 5, frames: int = 10) -> list[float]:
    import torch

    from approxlab.jsonfile import dumps
    from approxlab.play.schema import Settings
    from approxlab.play.session import Session

    torch.set_num_threads(1)
    sessions = []
    for _, settings, regions in CASES:
        s = Session(Settings(**settings))
        s.regions_on = regions
        sessions.append(s)
    best = [float("inf")] * len(sessions)
    for _ in range(rounds):
        for i, s in enumerate(sessions):
            start = time.perf_counter()
            for _ in range(frames):
                s.advance(s.settings.steps_per_frame)
                dumps(s.frame(), indent=None)
            best[i] = min(best[i], (time.perf_counter() - start) / frames)
    return [1 / b for b in best]


def page_rate(port: int, settings: dict, regions: bool, seconds: float) -> dict | None:
    if not CHROMIUM.exists():
        return None
    from urllib.parse import urlencode

    from playwright.sync_api import sync_playwright

    query = {k: ",".join(map(str, v)) if isinstance(v, list) else v for k, v in settings.items()}
    if regions:
        query["regions"] = "1"
    with sync_playwright() as p:
        browser = launch(p, tempfile.mkdtemp(), {"width": 1400, "height": 1000})
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/?{urlencode(query)}")
        page.wait_for_function(
            "window.play.frames > 0 && window.Plotly !== undefined", timeout=60_000
        )
        page.click("#play")
        page.wait_for_function("window.play.last.step > 0")
        f0, t0 = page.evaluate("[window.play.frames, performance.now()]")
        time.sleep(seconds)
        f1, t1 = page.evaluate("[window.play.frames, performance.now()]")
        browser.close()
    return {"frames_per_s": (f1 - f0) / ((t1 - t0) / 1000)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    port = free_port()
    cli = Path(sys.executable).parent / "approxlab"
    server = subprocess.Popen(
        [str(cli), "play", "--no-browser", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        rows = []
        session_load = load()
        session = session_rates()
        session_load += " → " + load()
        for (name, settings, regions), own in zip(CASES, session):
            before = load()
            srv = server_rate(port, settings, regions, args.seconds)
            page = page_rate(port, settings, regions, args.seconds)
            rows.append(
                {
                    "case": name,
                    "session_frames_per_s": round(own, 1),
                    "server_frames_per_s": round(srv["frames_per_s"], 1),
                    "server_steps_per_s": round(srv["steps_per_s"], 1),
                    "regions": srv["regions"],
                    "page_frames_per_s": None if page is None else round(page["frames_per_s"], 1),
                    "load_before": before,
                    "load_after": load(),
                }
            )
    finally:
        server.terminate()
        server.wait(timeout=15)
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "python": platform.python_version(),
        "cores": os.cpu_count(),
        "seconds_per_case": args.seconds,
        "session_load": session_load,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "play.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")
    lines = [
        "| case | session frames/s | server frames/s | server steps/s | page frames/s (Chromium, headless) | regions | load avg before → after |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        page = "n/a (no chromium)" if r["page_frames_per_s"] is None else r["page_frames_per_s"]
        lines.append(
            f"| {r['case']} | {r['session_frames_per_s']} | {r['server_frames_per_s']} | {r['server_steps_per_s']} | {page} | "
            f"{r['regions'] if r['regions'] is not None else '–'} | {r['load_before']} → {r['load_after']} |"
        )
    table = "\n".join(lines)
    note = (
        f"\n\n{meta['date']}, Python {meta['python']}, {meta['cores']} cores, {args.seconds:g} s per case; "
        "5 optimizer steps per frame; goal ≥ 20 frames/s; load during the session column: "
        f"{meta['session_load']}.\n"
    )
    (RESULTS / "play.md").write_text(table + note)
    print(table + note)


if __name__ == "__main__":
    main()
