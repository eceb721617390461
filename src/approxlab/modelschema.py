"""The schema of a model file's metadata, checked before anything is built or allocated.

A model file's metadata is untrusted text. It is read in this order, each step with a
one-line :class:`ApproxlabError` naming the problem:

1. sizes: each metadata value at most :data:`MAX_METADATA` characters, JSON nesting at
   most :data:`MAX_NESTING` levels (deeper input would blow the JSON decoder's recursion);
2. the format version ``approxlab/N``: a newer N says to upgrade approxlab;
3. the architecture: a list of layer specs, each validated by its pydantic model
   (types, ranges: ``in``/``out`` positive integers up to :data:`MAX_FEATURES`, dropout
   ``0 ≤ p ≤ 1``, Hardtanh ``min < max`` …), consecutive sizes agreeing;
4. the ``extra`` metadata: a JSON object whose ``target`` is a string and whose
   ``domain`` is a list of finite (low, high) pairs with low < high.

>>> validate_architecture([{"type": "Linear", "in": 2, "out": 3}, {"type": "relu"}],
...                       {"Linear": LinearSpec, "relu": FlatSpec})[0]["in"]
2
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from approxlab.errors import ApproxlabError

FORMAT_VERSION = 1
MAX_METADATA = 1_000_000  # characters per metadata value
MAX_NESTING = 32  # JSON brackets deep; each nested Sequential takes two
MAX_LAYERS = 10_000
MAX_FEATURES = 10_000_000

Size = Annotated[int, Field(ge=1, le=MAX_FEATURES)]
Finite = Annotated[float, Field(allow_inf_nan=False)]
StrictFinite = Annotated[float, Field(strict=True, allow_inf_nan=False)]


class LayerSpec(BaseModel):
    """A layer spec: its ``type`` and hyper-parameters, nothing else."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


class LinearSpec(LayerSpec):
    type: Literal["Linear"]
    in_: Size = Field(alias="in")
    out: Size
    bias: bool = True


class BatchNorm1dSpec(LayerSpec):
    type: Literal["BatchNorm1d"]
    features: Size
    eps: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 1e-5
    momentum: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] | None = 0.1
    affine: bool = True


class DropoutSpec(LayerSpec):
    type: Literal["Dropout"]
    p: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = 0.5


class HardtanhSpec(LayerSpec):
    type: Literal["Hardtanh"]
    min: Finite = -1.0
    max: Finite = 1.0

    @model_validator(mode="after")
    def _ordered(self) -> HardtanhSpec:
        if not self.min < self.max:
            raise ValueError(f"min {self.min} must be below max {self.max}")
        return self


class LeakyReluSpec(LayerSpec):
    type: Literal["leaky_relu"]
    negative_slope: Finite = 0.01


class SoftplusSpec(LayerSpec):
    type: Literal["softplus"]
    beta: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 1.0
    threshold: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 20.0


class FlatSpec(LayerSpec):
    """A layer without hyper-parameters (activations, Flatten): ``{"type": name}`` only."""

    type: str


SCHEMAS: dict[str, type[LayerSpec]] = {
    "Linear": LinearSpec,
    "BatchNorm1d": BatchNorm1dSpec,
    "Dropout": DropoutSpec,
    "Hardtanh": HardtanhSpec,
    "leaky_relu": LeakyReluSpec,
    "softplus": SoftplusSpec,
}


def nesting(text: str) -> int:
    """The deepest bracket nesting of JSON text, strings skipped (no recursion, no decoding).

    >>> nesting('[{"a": [1, "]]]"]}]')
    3
    """
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def decode(text: str, what: str, origin: str) -> Any:
    """JSON ``text`` of metadata entry ``what``, size and nesting checked first."""
    fix = "re-save the model with approxlab.save"
    if len(text) > MAX_METADATA:
        raise ApproxlabError(
            f"model file {origin!r}: {what} metadata is {len(text)} characters, "
            f"the limit is {MAX_METADATA}: {fix}"
        )
    depth = nesting(text)
    if depth > MAX_NESTING:
        raise ApproxlabError(
            f"model file {origin!r}: {what} metadata nests {depth} levels deep, "
            f"the limit is {MAX_NESTING}: {fix}"
        )
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ApproxlabError(
            f"model file {origin!r} has corrupt {what} metadata (not JSON: "
            f"{str(exc).splitlines()[0][:60]}): {fix}"
        ) from None


def check_format(value: str | None, origin: str) -> None:
    """Accept ``approxlab/1`` (or no format entry, as in files of the first releases)."""
    if value is None:
        return
    match = re.fullmatch(r"approxlab/([0-9]{1,6})", value[:40])
    if match is None:
        raise ApproxlabError(
            f"model file {origin!r} has format {value[:40]!r}, not approxlab/N: "
            "it was not written by approxlab.save; import a state_dict with approxlab.import_state_dict"
        )
    if int(match.group(1)) > FORMAT_VERSION:
        raise ApproxlabError(
            f"model file {origin!r} has format {value}, newer than approxlab/{FORMAT_VERSION} "
            "that this approxlab reads: upgrade approxlab (pip install -U approxlab)"
        )


def _explain(error: ValidationError) -> str:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "spec"
    return f"{field}: {first['msg']}"


def validate_architecture(
    specs: Any, schemas: dict[str, type[LayerSpec] | None], origin: str = "<memory>"
) -> list[dict[str, Any]]:
    """Check layer specs against their schemas and each other; return them as plain dicts.

    ``schemas`` maps every layer type the caller can build to its pydantic model, or to
    ``None`` for a third-party layer whose builder checks its own spec.
    """
    if not isinstance(specs, list) or not specs:
        raise ApproxlabError(
            f"model file {origin!r}: the architecture must be a non-empty list of layer specs, "
            f"got {type(specs).__name__}: re-save the model with approxlab.save"
        )
    return _validate_list(specs, schemas, origin, [0], "")


def _validate_list(
    specs: list, schemas: dict, origin: str, count: list[int], prefix: str
) -> list[dict[str, Any]]:
    out = []
    width: int | None = None
    for i, spec in enumerate(specs):
        where = f"layer {prefix}{i}"
        count[0] += 1
        if count[0] > MAX_LAYERS:
            raise ApproxlabError(
                f"model file {origin!r} has more than {MAX_LAYERS} layers: re-save a smaller model"
            )
        if not isinstance(spec, dict) or not isinstance(spec.get("type"), str):
            raise ApproxlabError(
                f"model file {origin!r}: {where} is {_short(spec)}, not a layer spec "
                '{"type": ..., ...}: re-save the model with approxlab.save'
            )
        kind = spec["type"]
        if kind not in schemas:
            raise ApproxlabError(
                f"unknown layer type {kind[:40]!r} in model file {origin!r} ({where}): "
                f"this approxlab knows {', '.join(sorted(schemas))}"
            )
        if kind == "Sequential":
            inner = spec.get("layers")
            if set(spec) != {"type", "layers"} or not isinstance(inner, list) or not inner:
                raise ApproxlabError(
                    f"model file {origin!r}: {where} (Sequential) needs a non-empty list 'layers' "
                    "and nothing else: re-save the model with approxlab.save"
                )
            out.append(
                {
                    "type": "Sequential",
                    "layers": _validate_list(inner, schemas, origin, count, f"{prefix}{i}."),
                }
            )
            width = None
            continue
        schema = schemas[kind]
        if schema is not None:
            try:
                spec = schema.model_validate(spec).model_dump(by_alias=True)
            except ValidationError as exc:
                raise ApproxlabError(
                    f"model file {origin!r}: {where} ({kind}) is invalid ({_explain(exc)}): "
                    "re-save the model with approxlab.save"
                ) from None
        if kind == "Linear":
            if width is not None and spec["in"] != width:
                raise ApproxlabError(
                    f"model file {origin!r}: {where} (Linear) takes {spec['in']} inputs but the "
                    f"layer before gives {width}: the architecture is inconsistent; re-save the model"
                )
            width = spec["out"]
        elif kind == "BatchNorm1d":
            if width is not None and spec["features"] != width:
                raise ApproxlabError(
                    f"model file {origin!r}: {where} (BatchNorm1d) normalises {spec['features']} "
                    f"features but the layer before gives {width}: re-save the model"
                )
        elif schema is None:
            width = None
        out.append(spec)
    return out


class ExtraSpec(BaseModel):
    """What approxlab reads from ``extra``; other keys are kept as they are."""

    model_config = ConfigDict(extra="allow")
    target: Annotated[str, Field(strict=True, max_length=500)] | None = None
    domain: (
        Annotated[
            list[Annotated[list[StrictFinite], Field(min_length=2, max_length=2)]],
            Field(min_length=1, max_length=64),
        ]
        | None
    ) = None

    @model_validator(mode="after")
    def _intervals(self) -> ExtraSpec:
        for lo, hi in self.domain or []:
            if not lo < hi:
                raise ValueError(f"domain interval ({lo}, {hi}) is empty")
        return self


def validate_extra(value: Any, origin: str) -> dict[str, Any]:
    """Check the ``extra`` metadata; return it as a dict with ``domain`` as (low, high) tuples."""
    if not isinstance(value, dict):
        raise ApproxlabError(
            f"model file {origin!r}: extra metadata is {type(value).__name__}, not a JSON object: "
            "re-save the model with approxlab.save(net, path, extra={...})"
        )
    try:
        spec = ExtraSpec.model_validate(value)
    except ValidationError as exc:
        raise ApproxlabError(
            f"model file {origin!r}: extra metadata is invalid ({_explain(exc)}): "
            "re-save the model with approxlab.save(net, path, extra={...})"
        ) from None
    out = dict(value)
    if spec.domain is not None:
        from approxlab.targets.domain import as_domain

        try:
            out["domain"] = as_domain(spec.domain)
        except ApproxlabError as exc:
            raise ApproxlabError(f"model file {origin!r}: stored {exc}") from None
    return out


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
