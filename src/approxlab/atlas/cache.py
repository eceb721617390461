"""A content-addressed cache of what claims train, kept between atlas runs.

An entry's address is the SHA-256 of (code version, claim id, profile, seed, key), so a
change to any source file of approxlab, to torch's version, to the profile or to the
seed misses the cache and trains afresh. Nets are stored as model files (safetensors,
no pickle) and come back in eval mode with their dtype; anything else must be JSON-able.
Entries are written atomically, so parallel claims never see half a file (an entry damaged
outside approxlab is computed again and replaced), and an entry is
computed under a lock on ``ADDRESS.lock`` (``flock``, dropped by the kernel if the process
dies), so claims that share it and run at once compute it once: the later one waits and reads.

Default folder: ``$APPROXLAB_CACHE``, else ``$XDG_CACHE_HOME/approxlab``, else
``~/.cache/approxlab``.

>>> import tempfile
>>> store = Cache(Path(tempfile.mkdtemp()))
>>> store.get_or_compute(("demo", "quick", 0, "squares"), lambda: [k * k for k in range(4)])
[0, 1, 4, 9]
>>> store.get_or_compute(("demo", "quick", 0, "squares"), lambda: "not called")
[0, 1, 4, 9]
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def default_folder() -> Path:
    """Where the cache lives unless told otherwise (see the module docstring)."""
    if os.environ.get("APPROXLAB_CACHE"):
        return Path(os.environ["APPROXLAB_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "approxlab"


@functools.cache
def code_version() -> str:
    """SHA-256 over every ``.py`` file of the installed approxlab (path and bytes) and torch's version."""
    import torch

    import approxlab

    root = Path(approxlab.__file__).parent
    digest = hashlib.sha256(torch.__version__.encode())
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class Cache:
    """Entries under ``folder``, addressed by a JSON-able key tuple plus :func:`code_version`."""

    folder: Path

    def address(self, key: tuple) -> str:
        return hashlib.sha256(json.dumps([code_version(), *key]).encode()).hexdigest()[:40]

    def get_or_compute(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """The stored value for ``key``, or ``compute()`` stored and returned as the cache
        will return it next time (a net reloaded in eval mode, JSON round-tripped), so a
        claim behaves the same on a hit and on a miss."""
        from approxlab.errors import ApproxlabError
        from approxlab.modelfile import load

        stem = self.folder / self.address(key)
        net_file, json_file = stem.with_suffix(".safetensors"), stem.with_suffix(".json")

        def stored() -> tuple[bool, Any]:
            # An entry damaged outside approxlab (a truncated copy, a hand edit) is a miss: it is
            # computed again and replaced, never a traceback in the claim that reads it.
            try:
                if net_file.is_file():
                    return True, load(net_file)
                if json_file.is_file():
                    return True, json.loads(json_file.read_text())
            except (ApproxlabError, ValueError, OSError):
                pass
            return False, None

        hit, value = stored()
        if hit:
            return value
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(stem.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            hit, value = stored()
            return value if hit else self._store(key, compute(), net_file, json_file)

    def _store(self, key: tuple, value: Any, net_file: Path, json_file: Path) -> Any:
        from torch import nn

        from approxlab.modelfile import load, save

        if isinstance(value, nn.Module):
            save(value, net_file, extra={"key": list(key)})
            return load(net_file)
        text = json.dumps(value)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{json_file.name}.", suffix=".tmp")
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.replace(tmp, json_file)
        return json.loads(text)
