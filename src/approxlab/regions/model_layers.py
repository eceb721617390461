"""The convolutional layers a model file may hold, so saved CNNs get their regions too.

Registers Conv1d, Conv2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d, Maxout, BatchNorm2d and
Unflatten with
:func:`approxlab.modelfile.register_layer`, each with a pydantic schema that bounds every
hyper-parameter before anything is built (model files are untrusted input). Imported by
:mod:`approxlab.modelfile` (its last line), so every process saves and loads CNNs.

>>> import torch
>>> from approxlab.modelfile import architecture
>>> architecture(torch.nn.Sequential(torch.nn.Unflatten(1, (1, 8, 8)), torch.nn.AvgPool2d(2)))[1]
{'type': 'AvgPool2d', 'kernel': [2, 2], 'stride': [2, 2]}
"""

from __future__ import annotations

from typing import Annotated, Literal

import torch
from pydantic import Field
from torch import nn

from approxlab.errors import ApproxlabError
from approxlab.modelfile import register_layer
from approxlab.modelschema import LayerSpec, Size
from approxlab.nets import Maxout

Small = Annotated[int, Field(ge=1, le=1024)]  # kernel, stride: far beyond any real image
Pad = Annotated[int, Field(ge=0, le=1024)]


class ConvSpec(LayerSpec):
    type: Literal["Conv1d", "Conv2d"]
    in_channels: Size
    out_channels: Size
    kernel: list[Small] = Field(min_length=1, max_length=2)
    stride: list[Small] = Field(min_length=1, max_length=2)
    padding: list[Pad] = Field(min_length=1, max_length=2)
    bias: bool = True


class PoolSpec(LayerSpec):
    type: Literal["AvgPool1d", "AvgPool2d"]
    kernel: list[Small] = Field(min_length=1, max_length=2)
    stride: list[Small] = Field(min_length=1, max_length=2)


class MaxPoolSpec(LayerSpec):
    type: Literal["MaxPool1d", "MaxPool2d"]
    kernel: list[Small] = Field(min_length=1, max_length=2)
    stride: list[Small] = Field(min_length=1, max_length=2)


class MaxoutSpec(LayerSpec):
    type: Literal["Maxout"]
    in_: Size = Field(alias="in")
    out: Size
    pieces: Small


class BatchNorm2dSpec(LayerSpec):
    type: Literal["BatchNorm2d"]
    features: Size
    eps: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 1e-5
    momentum: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] | None = 0.1
    affine: bool = True


class UnflattenSpec(LayerSpec):
    type: Literal["Unflatten"]
    sizes: list[Size] = Field(min_length=1, max_length=3)


def _pair(v, n: int = 1) -> list[int]:
    return [int(u) for u in v] if isinstance(v, (tuple, list)) else [int(v)] * n


def _unflatten_spec(m: nn.Unflatten) -> dict:
    if m.dim != 1:
        raise ApproxlabError(
            f"cannot save Unflatten(dim={m.dim}): model files hold Unflatten(1, sizes) only "
            "(flat inputs unflattened right after the batch axis)"
        )
    return {"sizes": _pair(m.unflattened_size)}


def _pool_spec(m: nn.Module, n: int) -> dict:
    dilated = any(d != 1 for d in _pair(getattr(m, "dilation", 1), n))
    if any(_pair(m.padding, n)) or m.ceil_mode or dilated or getattr(m, "return_indices", False):
        raise ApproxlabError(
            f"cannot save {type(m).__name__} with padding {m.padding}, dilation, ceil_mode or "
            "return_indices: model files hold unpadded, undilated pools"
        )
    return {"kernel": _pair(m.kernel_size, n), "stride": _pair(m.stride, n)}


def _conv_spec(m: nn.Module) -> dict:
    if (
        isinstance(m.padding, str)
        or m.padding_mode != "zeros"
        or any(d != 1 for d in m.dilation)
        or m.groups != 1
    ):
        raise ApproxlabError(
            f"cannot save {type(m).__name__} with padding {m.padding!r} ({m.padding_mode}), "
            f"dilation {m.dilation}, groups {m.groups}: model files hold zero-padded, undilated, "
            "ungrouped convolutions"
        )
    return {
        "in_channels": m.in_channels,
        "out_channels": m.out_channels,
        "kernel": _pair(m.kernel_size),
        "stride": _pair(m.stride),
        "padding": _pair(m.padding),
        "bias": m.bias is not None,
    }


for _cls, _name in ((nn.Conv1d, "Conv1d"), (nn.Conv2d, "Conv2d")):
    register_layer(
        _cls,
        _name,
        _conv_spec,
        lambda s, c=_cls: c(
            s["in_channels"],
            s["out_channels"],
            tuple(s["kernel"]),
            tuple(s["stride"]),
            tuple(s["padding"]),
            bias=s["bias"],
            dtype=torch.float64,
        ),
        ConvSpec,
    )
for _cls, _spec in (
    (nn.AvgPool1d, PoolSpec),
    (nn.AvgPool2d, PoolSpec),
    (nn.MaxPool1d, MaxPoolSpec),
    (nn.MaxPool2d, MaxPoolSpec),
):
    register_layer(
        _cls,
        _cls.__name__,
        lambda m, n=int(_cls.__name__[-2]): _pool_spec(m, n),
        lambda s, c=_cls: c(tuple(s["kernel"]), tuple(s["stride"])),
        _spec,
    )
register_layer(
    Maxout,
    "Maxout",
    lambda m: {"in": m.linear.in_features, "out": m.out_features, "pieces": m.pieces},
    lambda s: Maxout(s["in"], s["out"], s["pieces"]),
    MaxoutSpec,
)
register_layer(
    nn.BatchNorm2d,
    "BatchNorm2d",
    lambda m: {
        "features": m.num_features,
        "eps": m.eps,
        "momentum": m.momentum,
        "affine": m.affine,
    },
    lambda s: nn.BatchNorm2d(
        s["features"], eps=s["eps"], momentum=s["momentum"], affine=s["affine"], dtype=torch.float64
    ),
    BatchNorm2dSpec,
)
register_layer(
    nn.Unflatten,
    "Unflatten",
    _unflatten_spec,
    lambda s: nn.Unflatten(1, tuple(s["sizes"])),
    UnflattenSpec,
)
