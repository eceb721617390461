"""``metrics.json``: what ``approxlab fit`` measured, with a version and a schema checked on read.

Version 1 fields: the training numbers of :meth:`approxlab.fit.FitResult.metrics` (RMSE
on train and test sets, sup error on the dense grid, accuracies for data sets, final
loss, steps, parameters, seconds) and the run's settings (target, width, depth,
activation, optimizer, seed, domain). Numbers are written at full float64 precision;
:func:`approxlab.atlas.report.number` is for display.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from approxlab.errors import ApproxlabError

VERSION = 1


class Metrics(BaseModel):
    """Schema of ``metrics.json`` (version 1); unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(VERSION, description="schema version of this file")
    target: str
    width: int = Field(ge=1)
    depth: int = Field(ge=1)
    activation: str
    optimizer: str
    seed: int
    params: int = Field(ge=0, description="trainable scalars Σ_l (n_l n_{l−1} + n_l)")
    steps: int = Field(ge=0)
    seconds: float = Field(ge=0)
    stopped_early: bool = False
    rmse: float | None = Field(None, description="test RMSE (train RMSE when there is no test set)")
    train_rmse: float | None = None
    test_rmse: float | None = None
    max_error: float | None = Field(None, description="max |N − f| on the dense grid")
    train_accuracy: float | None = None
    test_accuracy: float | None = None
    final_loss: float | None = None
    domain: list[tuple[float, float]] | None = None


def write_metrics(path: str | os.PathLike, metrics: dict[str, Any]) -> Path:
    """Validate ``metrics`` against :class:`Metrics` and write it as JSON with ``version``.

    >>> import tempfile
    >>> p = write_metrics(tempfile.mkdtemp() + "/metrics.json", {"target": "sine", "width": 6, "depth": 1,
    ...     "activation": "relu", "optimizer": "adam", "seed": 0, "params": 19, "steps": 10, "seconds": 0.1})
    >>> read_metrics(p).version
    1
    """
    record = Metrics.model_validate({"version": VERSION, **metrics})
    path = Path(path)
    path.write_text(record.model_dump_json(indent=2, exclude_none=True) + "\n", encoding="utf-8")
    return path


def read_metrics(path: str | os.PathLike) -> Metrics:
    """Read and validate a ``metrics.json``; a wrong version or field is one line naming it."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApproxlabError(
            f"cannot read {str(path)!r} as JSON ({str(exc)[:80]}): re-run approxlab fit"
        ) from None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        found = data.get("version") if isinstance(data, dict) else type(data).__name__
        raise ApproxlabError(
            f"{str(path)!r} has metrics version {found!r}, this approxlab reads version {VERSION}: "
            "re-run approxlab fit"
        )
    try:
        return Metrics.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"]))
        raise ApproxlabError(
            f"{str(path)!r} does not match the metrics schema ({where}: {first['msg']}): "
            "re-run approxlab fit"
        ) from None
