"""The websocket messages of ``approxlab play``, validated with pydantic.

Every message from the page is one JSON object whose ``type`` picks its model; unknown
fields, out-of-range numbers and over-long strings are refused. A message that fails
validation closes that connection with a one-line reason (never the server);
a well-formed request whose content the library refuses (an unsafe expression, say)
gets an ``error`` message and the connection stays open.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from approxlab.construct.catalogue import CATALOGUE
from approxlab.fit import OPTIMIZERS
from approxlab.nets import ACTIVATIONS
from approxlab.play.features import FEATURES
from approxlab.targets.datasets import DATASETS, MULTICLASS
from approxlab.targets.expression import MAX_LENGTH

MAX_MESSAGE = 64 * 1024  # bytes of one websocket message from the page
MAX_UPLOAD = 4 * 1024 * 1024  # bytes of an uploaded model file (a 6×16 net is ~15 kB)
MAX_DEPTH = 6
MAX_WIDTH = 16
MAX_POINTS = 5000
MAX_STEPS = 1000  # optimizer steps per frame or per "step" press


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Settings(_Strict):
    """Everything that defines a run: the problem, the net and the optimizer (the page's URL).

    >>> Settings(widths=[8, 8]).widths
    [8, 8]
    """

    kind: Literal["regression", "classification"] = "regression"
    source: Literal["named", "csv"] = "named"  # csv: the tab's uploaded table (not in the URL)
    # csv: input columns then the label column (0-based); empty: all but the last are inputs
    columns: list[Annotated[int, Field(ge=0, le=31)]] = Field(default_factory=list, max_length=3)
    target: str = Field("paraboloid", min_length=1, max_length=MAX_LENGTH)
    dataset: Literal[tuple(DATASETS) + tuple(MULTICLASS)] = "circle"  # type: ignore[valid-type]
    noise: float = Field(0.0, ge=0.0, le=1.0)
    points: int = Field(500, ge=10, le=MAX_POINTS)
    train_fraction: float = Field(0.5, ge=0.1, le=0.9)
    widths: list[Annotated[int, Field(ge=1, le=MAX_WIDTH)]] = Field(
        default_factory=lambda: [6], min_length=1, max_length=MAX_DEPTH
    )
    # the net's inputs φ(x) (approxlab.play.features); a 1D problem uses those of x1 only
    features: list[str] = Field(default_factory=lambda: ["x1", "x2"], max_length=len(FEATURES))
    activation: Literal[tuple(ACTIVATIONS)] = "sigmoid"  # type: ignore[valid-type]
    optimizer: Literal[tuple(OPTIMIZERS)] = "adam"  # type: ignore[valid-type]
    lr: float = Field(0.1, gt=0.0, le=10.0)
    batch: int = Field(0, ge=0, le=MAX_POINTS)  # 0: full batch
    l1: float = Field(0.0, ge=0.0, le=1.0)
    l2: float = Field(0.0, ge=0.0, le=1.0)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    steps_per_frame: int = Field(5, ge=1, le=MAX_STEPS)

    @field_validator("target")
    @classmethod
    def _printable(cls, v: str) -> str:
        if not v.isprintable():
            raise ValueError("the target must be printable text")
        return v

    @field_validator("features")
    @classmethod
    def _features(cls, v: list[str]) -> list[str]:
        unknown = [f for f in v if f not in FEATURES]
        if unknown:
            raise ValueError(
                f"unknown input feature {unknown[0][:20]!r}: use {', '.join(FEATURES)}"
            )
        if not v:
            raise ValueError(f"choose at least one input feature ({', '.join(FEATURES)})")
        return [f for f in FEATURES if f in v]  # one order: the same set is the same net


class Configure(_Strict):
    type: Literal["settings"]
    settings: Settings


class Play(_Strict):
    type: Literal["play"]


class Pause(_Strict):
    type: Literal["pause"]


class Step(_Strict):
    type: Literal["step"]
    n: int = Field(1, ge=1, le=MAX_STEPS)


class Reset(_Strict):
    type: Literal["reset"]


class Ack(_Strict):
    """The page drew the last frame: the server may send the next (flow control)."""

    type: Literal["ack"]


class Regions(_Strict):
    type: Literal["regions"]
    on: bool


class Check(_Strict):
    """Parse a target expression as the user types (answered with ``check``)."""

    type: Literal["check"]
    target: str = Field(max_length=MAX_LENGTH)


class Construct(_Strict):
    type: Literal["construct"]
    name: Literal[tuple(CATALOGUE)]  # type: ignore[valid-type]
    knob: float | None = Field(None, gt=0.0, le=64.0)


class Param(_Strict):
    """Set one parameter: layer ``layer`` (0-based Linear), ``weight[row, col]`` or ``bias[row]``."""

    type: Literal["param"]
    layer: int = Field(ge=0, le=64)
    name: Literal["weight", "bias"]
    row: int = Field(ge=0, le=100_000)
    col: int = Field(0, ge=0, le=100_000)
    value: float = Field(allow_inf_nan=False, ge=-1e6, le=1e6)


class Steepness(_Strict):
    """Scale every first-layer weight and bias of the constructed net by ``k`` (Nielsen's steepness:
    σ(k(w·x + b)) tends to the step 1[w·x + b ≥ 0] as k grows)."""

    type: Literal["steepness"]
    k: float = Field(gt=0.0, le=1e4, allow_inf_nan=False)


Message = Annotated[
    Configure | Play | Pause | Step | Reset | Ack | Regions | Check | Construct | Param | Steepness,
    Field(discriminator="type"),
]
MESSAGE = TypeAdapter(Message)
