"""Shared test settings: headless matplotlib and a small thread count (the suite runs 2 workers on 2 cores)."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import torch  # noqa: E402

torch.set_num_threads(1)


import shutil  # noqa: E402
import sys  # noqa: E402

import pytest  # noqa: E402

from approxlab.headless import launch  # noqa: E402


@pytest.fixture(scope="module")
def browser(request, tmp_path_factory):
    """One headless Chromium context per test module, in a throwaway profile; the module's
    ``VIEWPORT`` (default 1280×900) sets the window. Skips where Playwright is missing."""
    sync_api = pytest.importorskip("playwright.sync_api")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as p:
        context = launch(p, profile, getattr(request.module, "VIEWPORT", None))
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
