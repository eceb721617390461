"""``approxlab play`` from the shell: a busy port is one line and exit 2; another host gets a warning."""

import signal
import socket
import subprocess
import sys
from pathlib import Path

CLI = Path(sys.executable).parent / "approxlab"


def test_a_busy_port_is_one_clear_line():
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        r = subprocess.run(
            [str(CLI), "play", "--no-browser", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        f"error: cannot listen on 127.0.0.1:{port} (Address already in use): pass another --port, "
        "or stop the program that holds it"
    ]


def test_another_host_is_announced_loudly_and_ctrl_c_at_start_up_is_clean():
    with socket.socket() as s:
        s.bind(("127.0.0.2", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [str(CLI), "play", "--no-browser", "--host", "127.0.0.2", "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = proc.stderr.readline()
    finally:
        proc.send_signal(
            signal.SIGINT
        )  # while it is still starting (the running server's Ctrl-C: test_page.py)
        code = proc.wait(timeout=30)
    assert first.startswith(
        "WARNING: approxlab play is listening on 127.0.0.2, not only on this machine"
    )
    rest = proc.stderr.read()
    assert code == 130 and "Traceback" not in rest, rest
