"""A run's history: a folder that grows while the run trains and survives a kill.

Layout (format ``approxlab-watch-history``, version :data:`VERSION`)::

    index.json                      {"format", "version", "config", "records": [...], "finished"}
    snapshots/step-00000120.safetensors   the weights at each scheduled step (the net's dtype)
    resume/step-00000120.safetensors      optimiser (and minibatch generator) state at the latest step

Every file is written to a temporary name in the same folder, flushed, and renamed over
its place (``os.replace``), the index last: a ``kill -9`` at any moment leaves an index
that lists only complete snapshots, and :meth:`History.resume` continues from the last
one. Only the latest resume state is kept (older ones are deleted after the index names
the newer step), so the folder holds one weight file per scheduled step plus one state.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from approxlab import jsonfile
from approxlab.errors import ApproxlabError, require
from approxlab.output import check_output, file_mode

FORMAT = "approxlab-watch-history"
VERSION = 1
INDEX = "index.json"


def _replace(path: Path, write) -> None:
    """Write a file atomically: ``write(tmp)`` into a temporary file beside ``path``, fsync, rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _tensors(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k: v.detach().cpu().clone().contiguous() for k, v in state.items()}


class History:
    """The folder of one watched run. ``records[i]`` is a dict with ``"step"`` and the observers' values.

    >>> import tempfile, approxlab
    >>> h = History.create(tempfile.mkdtemp() + "/h", {"steps": 10})
    >>> h.append(0, approxlab.mlp(1, [2]), {"loss": 1.0}); h.steps
    [0]
    """

    def __init__(
        self, path: Path, config: dict[str, Any], records: list[dict[str, Any]], finished: bool
    ):
        self.path = path
        self.config = config
        self.records = records
        self.finished = finished

    # -- opening ---------------------------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike, config: dict[str, Any]) -> History:
        """A new, empty history at ``path`` (a folder that does not exist or is empty)."""
        path = check_output(path, option="history folder")
        require(
            not path.exists() or not any(path.iterdir()),
            f"history folder {str(path)!r} is not empty: choose a new folder, or open it with History.open",
        )
        (path / "snapshots").mkdir(parents=True, exist_ok=True)
        (path / "resume").mkdir(exist_ok=True)
        h = cls(path, jsonfile.plain(config), [], False)
        h._write_index()
        return h

    @classmethod
    def open(cls, path: str | os.PathLike) -> History:
        """Read the history at ``path``; a folder of another format or version is refused in one line."""
        path = Path(path)
        index = path / INDEX
        require(
            index.is_file(),
            f"{str(path)!r} is not a watch history (no {INDEX}): give the folder a watched run wrote",
        )
        import json

        try:
            data = json.loads(index.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ApproxlabError(
                f"{str(index)!r} is not readable JSON ({exc}): the history is damaged; rerun the training "
                "into a new folder"
            ) from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ApproxlabError(
                f"{str(path)!r} is not a watch history (format {data.get('format') if isinstance(data, dict) else None!r}): "
                "give the folder a watched run wrote"
            )
        if data.get("version") != VERSION:
            raise ApproxlabError(
                f"history {str(path)!r} has format version {data.get('version')!r} but this approxlab reads "
                f"version {VERSION}: rerun the training with this version, or read it with the approxlab that wrote it"
            )
        records = data.get("records")
        require(
            isinstance(records, list)
            and all(isinstance(r, dict) and isinstance(r.get("step"), int) for r in records),
            f"{str(index)!r} has malformed records: the history is damaged; rerun the training into a new folder",
        )
        return cls(path, data.get("config", {}), records, bool(data.get("finished", False)))

    @classmethod
    def resume_or_create(cls, path: str | os.PathLike, config: dict[str, Any]) -> History:
        """Open the history at ``path`` if it was started with the same ``config`` (to resume it), else create it.
        A history started with other settings is refused, naming the first setting that differs."""
        path = Path(path)
        if not (path / INDEX).exists():
            return cls.create(path, config)
        h = cls.open(path)
        wanted = jsonfile.plain(config)
        for key in sorted(set(wanted) | set(h.config)):
            if wanted.get(key) != h.config.get(key):
                raise ApproxlabError(
                    f"history {str(path)!r} was started with {key}={h.config.get(key)!r}, not {wanted.get(key)!r}: "
                    "rerun with its settings to resume it, or choose another folder"
                )
        return h

    # -- writing ---------------------------------------------------------------------------------------------
    def _write_index(self) -> None:
        body = {
            "format": FORMAT,
            "version": VERSION,
            "config": self.config,
            "records": self.records,
            "finished": self.finished,
        }
        _replace(self.path / INDEX, lambda tmp: jsonfile.write(tmp, body))

    def snapshot_path(self, step: int) -> Path:
        return self.path / "snapshots" / f"step-{step:08d}.safetensors"

    def _resume_path(self, step: int) -> Path:
        return self.path / "resume" / f"step-{step:08d}.safetensors"

    def append(
        self,
        step: int,
        net: nn.Module,
        values: dict[str, Any],
        state: dict[str, torch.Tensor] | None = None,
    ) -> None:
        """Record step ``step``: the weights of ``net``, the observers' ``values`` and (for resuming) the trainer's
        ``state``; the index is rewritten last, so it never names a file that is not complete."""
        require(
            not self.records or step > self.records[-1]["step"],
            f"step {step} is not after the last recorded step {self.records[-1]['step'] if self.records else None}",
        )
        weights = _tensors(net.state_dict())
        _replace(self.snapshot_path(step), lambda tmp: save_file(weights, str(tmp)))
        if state is not None:
            resume = _tensors(state)
            _replace(self._resume_path(step), lambda tmp: save_file(resume, str(tmp)))
        self.records.append({"step": int(step), **jsonfile.plain(values)})
        self._write_index()
        for old in (self.path / "resume").glob("step-*.safetensors"):
            if old.name != self._resume_path(step).name:
                old.unlink(missing_ok=True)

    def finish(self) -> None:
        """Mark the run complete."""
        self.finished = True
        self._write_index()

    # -- reading ---------------------------------------------------------------------------------------------
    @property
    def steps(self) -> list[int]:
        return [r["step"] for r in self.records]

    def series(self, key: str) -> np.ndarray:
        """The value ``key`` at every recorded step (float64; NaN where a record lacks it)."""
        return np.array(
            [np.nan if r.get(key) is None else r[key] for r in self.records], dtype=np.float64
        )

    def weights(self, step: int) -> dict[str, torch.Tensor]:
        """The state dict saved at ``step``."""
        path = self.snapshot_path(step)
        require(
            step in self.steps and path.is_file(),
            f"no snapshot at step {step} in {str(self.path)!r}: recorded steps are {self.steps[:5]}…",
        )
        try:
            return load_file(str(path))
        except (SafetensorError, OSError) as exc:
            raise ApproxlabError(
                f"snapshot {str(path)!r} is damaged ({exc}): rerun the training into a new folder"
            ) from None

    def load_into(self, net: nn.Module, step: int) -> nn.Module:
        """Load the weights recorded at ``step`` into ``net`` (same architecture) and return it."""
        net.load_state_dict(self.weights(step))
        return net

    def resume_state(self) -> tuple[int, dict[str, torch.Tensor]] | None:
        """(last recorded step, trainer state saved with it), or None when nothing can be resumed."""
        if not self.records:
            return None
        step = self.records[-1]["step"]
        path = self._resume_path(step)
        if not path.is_file():
            return None
        return step, load_file(str(path))
