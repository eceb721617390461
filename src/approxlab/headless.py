"""Debian's Chromium under Playwright: how approxlab's tests and benchmarks open its pages.

The atlas page and the playground are checked in a real browser with the network blocked.
Playwright never downloads a browser here; it drives the Debian package (``make chromium``)
with these flags. One home, so the tests and the benchmarks measure the same browser.

>>> CHROMIUM.name
'chromium'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-unsafe-swiftshader",  # software WebGL, for Plotly's 3D scenes without a GPU
]
VIEWPORT = {"width": 1280, "height": 900}


def launch(playwright: Any, profile: Path | str, viewport: dict | None = None) -> Any:
    """A headless persistent Chromium context in the throwaway folder ``profile``
    (``playwright`` is ``sync_playwright()``'s object; the caller closes the context)."""
    return playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        args=FLAGS,
        viewport=viewport or VIEWPORT,
    )
