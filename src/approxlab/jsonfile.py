"""The one JSON writer: standard JSON (RFC 8259) only, never ``NaN`` or ``Infinity``.

Python's :func:`json.dumps` writes ``NaN``/``Infinity`` by default, which strict
parsers (browsers, ``jq``) reject. Here NumPy/torch scalars and arrays become plain
lists and numbers, and a non-finite float becomes ``null``; the encoder then runs with
``allow_nan=False`` so nothing non-standard can slip through.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any


def plain(value: Any) -> Any:
    """``value`` with arrays, tensors and NumPy scalars as JSON types and NaN/±inf as ``None``.

    >>> plain({"a": float("nan"), "b": (1, float("inf"))})
    {'a': None, 'b': [1, None]}
    """
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return plain(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


def dumps(value: Any, indent: int | None = 2, sort_keys: bool = False) -> str:
    """Standard JSON text for ``value`` (see :func:`plain`).

    >>> dumps([1.5, float("-inf")], indent=None)
    '[1.5, null]'
    """
    return json.dumps(plain(value), indent=indent, sort_keys=sort_keys, allow_nan=False)


def write(path: str | Path, value: Any, indent: int | None = 2) -> Path:
    """Write ``dumps(value)`` and a newline to ``path`` (UTF-8)."""
    path = Path(path)
    path.write_text(dumps(value, indent=indent) + "\n", encoding="utf-8")
    return path
