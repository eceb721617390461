"""Run the playground: uvicorn serving :func:`approxlab.play.app.create_app` on one host and port.

Bound to 127.0.0.1 unless told otherwise; any other host gets a loud warning, because the
page can train nets on the machine. Ctrl-C stops uvicorn gracefully: open tabs are told
the server went away, nothing is left running.
"""

from __future__ import annotations

import socket
import sys
import threading
import webbrowser

from approxlab.errors import ApproxlabError, require

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def check_port(host: str, port: int) -> None:
    """Refuse early, with the fix, when ``host:port`` cannot be bound (in use, or not this machine's)."""
    require(
        isinstance(port, int) and 1 <= port <= 65535,
        f"port must be 1–65535, got {port!r}: pass e.g. --port 8765",
    )
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ApproxlabError(
                f"cannot listen on {host}:{port} ({exc.strerror}): pass another --port, "
                "or stop the program that holds it"
            ) from None


def url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"


def serve(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = True) -> None:
    """Serve the playground until Ctrl-C (blocking)."""
    check_port(host, port)  # before the heavy imports: a busy port is refused at once
    if host not in LOOPBACK:
        print(
            f"WARNING: approxlab play is listening on {host}, not only on this machine: anyone who can reach "
            f"{host}:{port} can train nets here. Use the default --host 127.0.0.1 unless you mean it.",
            file=sys.stderr,
            flush=True,
        )
    import torch
    import uvicorn

    from approxlab.play.app import create_app
    from approxlab.play.schema import MAX_MESSAGE

    torch.set_num_threads(
        1
    )  # one thread per tab: several tabs train side by side on a small machine
    config = uvicorn.Config(
        create_app(hosts=[host] if host in LOOPBACK else ["*"]),
        host=host,
        port=port,
        ws_max_size=MAX_MESSAGE,
        log_level="warning",
        limit_concurrency=100,
        timeout_graceful_shutdown=3,
    )
    server = uvicorn.Server(config)
    address = url(host, port)
    print(f"approxlab play: {address}  (Ctrl-C stops it)", file=sys.stderr)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, [address]).start()
    server.run()
