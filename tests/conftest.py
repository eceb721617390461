"""Shared test settings: headless matplotlib and a small thread count (the suite runs 2 workers on 2 cores)."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import torch  # noqa: E402

torch.set_num_threads(1)
