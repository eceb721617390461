"""Shared test settings: headless matplotlib and a small thread count (the suite runs 2 workers on 2 cores)."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import torch  # noqa: E402

torch.set_num_threads(1)


import shutil  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

CHROMIUM = Path(
    "/usr/bin/chromium"
)  # Debian's package (make chromium); Playwright never downloads one
CHROMIUM_FLAGS = [
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


@pytest.fixture(scope="module")
def browser(request, tmp_path_factory):
    """One headless Chromium context per test module, in a throwaway profile; the module's
    ``VIEWPORT`` (default 1280×900) sets the window. Skips where Playwright is missing."""
    sync_api = pytest.importorskip("playwright.sync_api")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport=getattr(request.module, "VIEWPORT", {"width": 1280, "height": 900}),
        )
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def run_cli(monkeypatch, capsys):
    """Run the ``approxlab`` entry point (approxlab.cli.main) in this process: (exit code, stdout, stderr)."""

    def run(*args):
        from approxlab.cli import main

        monkeypatch.setattr(sys, "argv", ["approxlab", *map(str, args)])
        code = 0
        try:
            main()
        except SystemExit as exit_:
            code = exit_.code
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
