"""The schema of ``results.json``: what an atlas run measured, versioned and validated on read.

``version`` changes whenever a field changes meaning or is removed; a file of another
version is refused with a message saying how to rebuild it, never merged silently.

Version 2 added the verdict ``"not run"`` (a claim registered only for another profile,
:data:`NOT_RUN`) and each claim's ``profiles``.

>>> Atlas(version=VERSION, profile="quick", command=None, versions={}, created="now", claims=[]).version
2
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from approxlab.errors import ApproxlabError

VERSION = 2
NOT_RUN = "not run"  # the verdict of a claim whose profiles do not include the running one


class FigureRecord(BaseModel):
    """A figure of a claim. ``path`` is the PNG or the standalone interactive page;
    ``data`` (Plotly only) is the script that defines the figure for the index page."""

    model_config = ConfigDict(extra="forbid")

    path: str
    caption: str
    kind: Literal["png", "html"]
    data: str | None = None


class ClaimResult(BaseModel):
    """One claim's verdict and evidence; ``key`` names the metric the summary shows.
    ``seconds`` is wall time; ``cpu_seconds`` the CPU time of the claim's process (all its
    threads), which a busy machine changes less. ``profiles`` are those the claim is
    registered for; under another its verdict is ``"not run"``, ``command`` then runs it
    in its own profile and ``seconds`` is 0."""

    model_config = ConfigDict(extra="forbid")

    id: str
    statement: str
    source: str
    threshold: str
    falsifiable_by: str = ""
    verdict: Literal["holds", "fails", "error", "not run"]
    metrics: dict[str, Any]
    key: str | None = None
    table: list[dict[str, Any]] | None = None
    notes: str = ""
    figures: list[FigureRecord] = []
    command: str
    seconds: float
    cpu_seconds: float | None = None
    profile: str
    seed: int
    profiles: list[Literal["quick", "full"]] = ["quick", "full"]


class Atlas(BaseModel):
    """The whole of ``results.json``. ``profile`` names the profiles its claims ran under
    ("quick", "full", or "quick + full" once an ``--only`` run of another profile is merged in)."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[2]
    profile: str
    command: str | None
    versions: dict[str, str]
    created: str
    claims: list[ClaimResult]


def read(path: Path) -> Atlas:
    """Read and validate an atlas's ``results.json``; a bad or old file is one clear error.

    >>> read(Path("no/such/results.json"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    approxlab.errors.ApproxlabError: ...
    """
    path = Path(path)
    try:
        return Atlas.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise ApproxlabError(f"cannot read {path}: {exc.strerror}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the file"
        raise ApproxlabError(
            f"{path} is not an atlas results file of version {VERSION} ({where}: {first['msg']}): "
            f"rebuild it by running the atlas without --only into that folder"
        ) from None
