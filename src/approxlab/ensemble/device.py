"""Where stacked training runs: ``"cpu"``, ``"cuda"`` (or ``"cuda:N"``) or ``"auto"``.

``"auto"`` is CUDA when PyTorch sees a GPU and the CPU otherwise; asking for CUDA where
there is none is a one-line :class:`~approxlab.errors.ApproxlabError`, never a PyTorch
traceback.
"""

from __future__ import annotations

import torch

from approxlab.errors import ApproxlabError


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """The :class:`torch.device` for ``device`` (``"auto"`` → ``cuda`` if available, else ``cpu``).

    >>> resolve_device("cpu")
    device(type='cpu')
    """
    if isinstance(device, torch.device):
        device = str(device)
    if not isinstance(device, str):
        raise ApproxlabError(f"device must be cpu, cuda, cuda:N or auto, got {device!r}")
    name = device.strip().lower()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name == "cuda" or (name.startswith("cuda:") and name[5:].isdigit()):
        if not torch.cuda.is_available():
            raise ApproxlabError(
                f"device {device!r} asked for, but PyTorch {torch.__version__} sees no CUDA GPU: "
                "use --device cpu (or auto, which picks the GPU when there is one)"
            )
        index = int(name[5:]) if ":" in name else 0
        if index >= torch.cuda.device_count():
            raise ApproxlabError(
                f"device {device!r} asked for, but only {torch.cuda.device_count()} CUDA GPU(s) are "
                "visible: use cuda:0 … or auto"
            )
        return torch.device(name)
    raise ApproxlabError(f"unknown device {device!r}: use cpu, cuda, cuda:N or auto")
