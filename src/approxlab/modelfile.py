"""Model files: one ``.safetensors`` file, weights plus the architecture in its metadata.

No pickle anywhere. The metadata key ``approxlab.architecture`` holds a JSON list of
layer specs, e.g. ``[{"type": "Linear", "in": 2, "out": 6}, {"type": "sigmoid"}, …]``;
``load`` rebuilds the ``torch.nn.Sequential`` from it and loads the tensors. A plain
PyTorch ``state_dict`` file is imported only through ``torch.load(weights_only=True)``
with the architecture given explicitly (:func:`import_state_dict`).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, safe_open, save_file
from torch import nn

from approxlab.errors import ApproxlabError
from approxlab.nets import ACTIVATIONS, activation_name

FORMAT = "approxlab/1"
_KEY = "approxlab.architecture"

ToSpec = Callable[[nn.Module], dict[str, Any]]
FromSpec = Callable[[dict[str, Any]], nn.Module]
_LAYERS: dict[type, tuple[str, ToSpec]] = {}
_BUILDERS: dict[str, FromSpec] = {}


def register_layer(cls: type, name: str, to_spec: ToSpec, from_spec: FromSpec) -> None:
    """Teach :func:`save`/:func:`load` a layer type: ``to_spec(module)`` gives its JSON
    hyper-parameters, ``from_spec(spec)`` rebuilds it (its tensors come from the file)."""
    _LAYERS[cls] = (name, to_spec)
    _BUILDERS[name] = from_spec


register_layer(
    nn.Linear, "Linear",
    lambda m: {"in": m.in_features, "out": m.out_features, "bias": m.bias is not None},
    lambda s: nn.Linear(s["in"], s["out"], bias=s.get("bias", True), dtype=torch.float64),
)
register_layer(
    nn.BatchNorm1d, "BatchNorm1d",
    lambda m: {"features": m.num_features, "eps": m.eps, "momentum": m.momentum, "affine": m.affine},
    lambda s: nn.BatchNorm1d(s["features"], eps=s["eps"], momentum=s["momentum"], affine=s["affine"], dtype=torch.float64),
)
register_layer(nn.Dropout, "Dropout", lambda m: {"p": m.p}, lambda s: nn.Dropout(s["p"]))
register_layer(nn.Flatten, "Flatten", lambda m: {}, lambda s: nn.Flatten())
register_layer(
    nn.Hardtanh, "Hardtanh",
    lambda m: {"min": m.min_val, "max": m.max_val},
    lambda s: nn.Hardtanh(s["min"], s["max"]),
)
register_layer(
    nn.LeakyReLU, "leaky_relu",
    lambda m: {"negative_slope": m.negative_slope},
    lambda s: nn.LeakyReLU(s.get("negative_slope", 0.01)),
)
register_layer(
    nn.Softplus, "softplus",
    lambda m: {"beta": m.beta, "threshold": m.threshold},
    lambda s: nn.Softplus(s.get("beta", 1.0), s.get("threshold", 20.0)),
)
register_layer(
    nn.Sequential, "Sequential",
    lambda m: {"layers": [layer_spec(child) for child in m]},
    lambda s: nn.Sequential(*[build_layer(c) for c in s["layers"]]),
)
for _name, _factory in ACTIVATIONS.items():
    if _factory not in _LAYERS:
        register_layer(_factory, _name, lambda m: {}, lambda s, f=_factory: f())


def layer_spec(module: nn.Module) -> dict[str, Any]:
    """The JSON spec of one layer; a clear error names any layer type it cannot save."""
    entry = _LAYERS.get(type(module))
    if entry is None:
        supported = ", ".join(sorted(_BUILDERS))
        raise ApproxlabError(f"cannot save layer {type(module).__name__}: supported layers are {supported}")
    name, to_spec = entry
    return {"type": name, **to_spec(module)}


def build_layer(spec: dict[str, Any]) -> nn.Module:
    """Rebuild one layer from its spec."""
    kind = spec.get("type")
    if kind not in _BUILDERS:
        raise ApproxlabError(f"unknown layer type {kind!r} in model file: this approxlab knows {', '.join(sorted(_BUILDERS))}")
    return _BUILDERS[kind](spec)


def architecture(net: nn.Module) -> list[dict[str, Any]]:
    """The layer specs of a ``torch.nn.Sequential`` (or a single layer) as a JSON-able list.

    >>> from approxlab.nets import mlp
    >>> [s["type"] for s in architecture(mlp(1, [3], activation="tanh"))]
    ['Linear', 'tanh', 'Linear']
    """
    if isinstance(net, nn.Sequential):
        return [layer_spec(m) for m in net]
    return [layer_spec(net)]


def from_architecture(specs: list[dict[str, Any]], dtype: torch.dtype = torch.float64) -> nn.Sequential:
    """Build an untrained ``Sequential`` from layer specs (parameters in ``dtype``)."""
    if not isinstance(specs, list) or not specs:
        raise ApproxlabError("the architecture must be a non-empty list of layer specs")
    return nn.Sequential(*[build_layer(s) for s in specs]).to(dtype)


def save(net: nn.Module, path: str | os.PathLike, extra: dict[str, Any] | None = None) -> Path:
    """Write ``net`` to one ``.safetensors`` file (weights bit-exact, architecture in metadata).

    The file appears atomically: it is written beside ``path`` and renamed into place.
    ``extra`` is stored as JSON metadata (e.g. the target and the training command).

    >>> from approxlab.nets import mlp
    >>> p = save(mlp(2, [4]), tempfile.mkdtemp() + "/m.safetensors")
    >>> load(p)[0].in_features
    2
    """
    path = Path(path)
    specs = architecture(net)
    state = {k: v.detach().contiguous().clone() for k, v in net.state_dict().items()}
    metadata = {"format": FORMAT, _KEY: json.dumps(specs)}
    if extra:
        metadata["approxlab.extra"] = json.dumps(extra)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        save_file(state, tmp, metadata=metadata)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _metadata(path: Path) -> dict[str, str]:
    with safe_open(str(path), framework="pt") as handle:
        return handle.metadata() or {}


def load(path: str | os.PathLike) -> nn.Sequential:
    """Read a model file written by :func:`save`; the net comes back in eval mode.

    A ``torch.save`` state_dict file is read by :func:`approxlab.adopt.read_torch_file`
    (ReLU assumed between its Linear layers, with a warning).

    Unreadable, corrupt or foreign files raise :class:`ApproxlabError` with the fix.
    """
    path = Path(path)
    if not path.is_file():
        raise ApproxlabError(f"model file {str(path)!r} does not exist: pass the model.safetensors that `approxlab fit` wrote")
    from approxlab.adopt import is_torch_file, read_torch_file

    if is_torch_file(path):
        return read_torch_file(path)
    try:
        meta = _metadata(path)
        state = load_file(str(path))
    except (SafetensorError, OSError, ValueError, json.JSONDecodeError) as exc:
        raise ApproxlabError(
            f"model file {str(path)!r} is corrupt or not a safetensors file ({str(exc).splitlines()[0][:80]}): "
            "re-create it with approxlab.save or `approxlab fit`"
        ) from None
    if _KEY not in meta:
        raise ApproxlabError(
            f"model file {str(path)!r} has no approxlab architecture metadata: "
            "save it with approxlab.save, or import a state_dict with approxlab.import_state_dict"
        )
    try:
        specs = json.loads(meta[_KEY])
    except json.JSONDecodeError:
        raise ApproxlabError(f"model file {str(path)!r} has corrupt architecture metadata: re-save it with approxlab.save") from None
    dtypes = {t.dtype for t in state.values() if t.is_floating_point()}
    net = from_architecture(specs, dtype=dtypes.pop() if len(dtypes) == 1 else torch.float64)
    _load_state(net, state, str(path))
    return net.eval()


def extra(path: str | os.PathLike) -> dict[str, Any]:
    """The ``extra`` metadata stored by :func:`save` (empty dict if none, as for a ``torch.save`` file)."""
    from approxlab.adopt import is_torch_file

    if is_torch_file(path):
        return {}
    meta = _metadata(Path(path))
    return json.loads(meta["approxlab.extra"]) if "approxlab.extra" in meta else {}


def _load_state(net: nn.Module, state: dict[str, torch.Tensor], origin: str) -> None:
    try:
        net.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "mismatch"
        raise ApproxlabError(
            f"weights in {origin!r} do not match the architecture ({first[:120]}): check the layer sizes"
        ) from None


def import_state_dict(path: str | os.PathLike, specs: list[dict[str, Any]] | nn.Module) -> nn.Sequential:
    """Load a plain PyTorch ``state_dict`` file (``torch.save(net.state_dict(), path)``).

    The architecture must be given explicitly, as layer specs or as an untrained net of
    the right shape. Loading uses ``torch.load(..., weights_only=True)``: no pickle
    code is ever run.
    """
    net = specs if isinstance(specs, nn.Module) else from_architecture(specs)
    try:
        state = torch.load(Path(path), map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for bad files
        raise ApproxlabError(
            f"cannot read state_dict {str(path)!r} with weights_only=True ({type(exc).__name__}): "
            "save it with torch.save(net.state_dict(), path)"
        ) from None
    if not isinstance(state, dict):
        raise ApproxlabError(f"{str(path)!r} holds a {type(state).__name__}, not a state_dict: save net.state_dict()")
    dtypes = {t.dtype for t in state.values() if isinstance(t, torch.Tensor) and t.is_floating_point()}
    if len(dtypes) == 1:
        net = net.to(dtypes.pop())
    _load_state(net, state, str(path))
    return net.eval()
