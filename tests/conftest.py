"""Shared test settings: headless matplotlib and a small thread count (the suite runs 2 workers on 2 cores)."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import torch  # noqa: E402

torch.set_num_threads(1)


import sys  # noqa: E402

import pytest  # noqa: E402


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
