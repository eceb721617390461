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
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, safe_open
from safetensors.torch import save as to_bytes
from torch import nn

from approxlab.errors import ApproxlabError
from approxlab.limits import human, require_memory
from approxlab.modelschema import (
    FORMAT_VERSION,
    MAX_METADATA,
    BatchNorm1dSpec,
    DropoutSpec,
    FlatSpec,
    HardtanhSpec,
    LayerSpec,
    LeakyReluSpec,
    LinearSpec,
    SoftplusSpec,
    check_format,
    decode,
    validate_architecture,
    validate_extra,
)
from approxlab.nets import ACTIVATIONS
from approxlab.output import file_mode

FORMAT = f"approxlab/{FORMAT_VERSION}"
_KEY = "approxlab.architecture"
_EXTRA = "approxlab.extra"
MAX_HEADER = 4 * MAX_METADATA  # bytes of safetensors JSON header read before anything else

ToSpec = Callable[[nn.Module], dict[str, Any]]
FromSpec = Callable[[dict[str, Any]], nn.Module]
_LAYERS: dict[type, tuple[str, ToSpec]] = {}
_BUILDERS: dict[str, FromSpec] = {}
_SCHEMAS: dict[str, type[LayerSpec] | None] = {}


def register_layer(
    cls: type,
    name: str,
    to_spec: ToSpec,
    from_spec: FromSpec,
    schema: type[LayerSpec] | None = None,
) -> None:
    """Teach :func:`save`/:func:`load` a layer type: ``to_spec(module)`` gives its JSON
    hyper-parameters, ``from_spec(spec)`` rebuilds it (its tensors come from the file).

    ``schema`` (a :class:`approxlab.modelschema.LayerSpec` model) validates the spec read
    from a file before ``from_spec`` sees it; without one, ``from_spec`` must check it.
    """
    _LAYERS[cls] = (name, to_spec)
    _BUILDERS[name] = from_spec
    _SCHEMAS[name] = schema


register_layer(
    nn.Linear,
    "Linear",
    lambda m: {"in": m.in_features, "out": m.out_features, "bias": m.bias is not None},
    lambda s: nn.Linear(s["in"], s["out"], bias=s.get("bias", True), dtype=torch.float64),
    LinearSpec,
)
register_layer(
    nn.BatchNorm1d,
    "BatchNorm1d",
    lambda m: {
        "features": m.num_features,
        "eps": m.eps,
        "momentum": m.momentum,
        "affine": m.affine,
    },
    lambda s: nn.BatchNorm1d(
        s["features"], eps=s["eps"], momentum=s["momentum"], affine=s["affine"], dtype=torch.float64
    ),
    BatchNorm1dSpec,
)
register_layer(
    nn.Dropout, "Dropout", lambda m: {"p": m.p}, lambda s: nn.Dropout(s["p"]), DropoutSpec
)
register_layer(nn.Flatten, "Flatten", lambda m: {}, lambda s: nn.Flatten(), FlatSpec)
register_layer(
    nn.Hardtanh,
    "Hardtanh",
    lambda m: {"min": m.min_val, "max": m.max_val},
    lambda s: nn.Hardtanh(s["min"], s["max"]),
    HardtanhSpec,
)
register_layer(
    nn.LeakyReLU,
    "leaky_relu",
    lambda m: {"negative_slope": m.negative_slope},
    lambda s: nn.LeakyReLU(s.get("negative_slope", 0.01)),
    LeakyReluSpec,
)
register_layer(
    nn.Softplus,
    "softplus",
    lambda m: {"beta": m.beta, "threshold": m.threshold},
    lambda s: nn.Softplus(s.get("beta", 1.0), s.get("threshold", 20.0)),
    SoftplusSpec,
)
register_layer(
    nn.Sequential,
    "Sequential",
    lambda m: {"layers": [layer_spec(child) for child in m]},
    lambda s: nn.Sequential(*[build_layer(c) for c in s["layers"]]),
)
for _name, _factory in ACTIVATIONS.items():
    if _factory not in _LAYERS:
        register_layer(_factory, _name, lambda m: {}, lambda s, f=_factory: f(), FlatSpec)


def layer_spec(module: nn.Module) -> dict[str, Any]:
    """The JSON spec of one layer; a clear error names any layer type it cannot save."""
    entry = _LAYERS.get(type(module))
    if entry is None:
        supported = ", ".join(sorted(_BUILDERS))
        raise ApproxlabError(
            f"cannot save layer {type(module).__name__}: supported layers are {supported}"
        )
    name, to_spec = entry
    return {"type": name, **to_spec(module)}


def build_layer(spec: dict[str, Any]) -> nn.Module:
    """Rebuild one layer from its (validated) spec."""
    kind = spec.get("type") if isinstance(spec, dict) else None
    if kind not in _BUILDERS:
        raise ApproxlabError(
            f"unknown layer type {str(kind)[:40]!r} in model file: this approxlab knows {', '.join(sorted(_BUILDERS))}"
        )
    try:
        return _BUILDERS[kind](spec)
    except ApproxlabError:
        raise
    except Exception as exc:  # a third-party builder's own check of its spec
        raise ApproxlabError(
            f"cannot build layer {kind!r} from {str(spec)[:60]} ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0][:80] if str(exc) else ''}): re-save the model"
        ) from None


def architecture(net: nn.Module) -> list[dict[str, Any]]:
    """The layer specs of a ``torch.nn.Sequential`` (or a single layer) as a JSON-able list.

    >>> from approxlab.nets import mlp
    >>> [s["type"] for s in architecture(mlp(1, [3], activation="tanh"))]
    ['Linear', 'tanh', 'Linear']
    """
    if isinstance(net, nn.Sequential):
        return [layer_spec(m) for m in net]
    return [layer_spec(net)]


def from_architecture(
    specs: list[dict[str, Any]], dtype: torch.dtype = torch.float64
) -> nn.Sequential:
    """Build an untrained ``Sequential`` from layer specs (parameters in ``dtype``).

    The specs are validated first (:mod:`approxlab.modelschema`) and the memory the
    parameters need is checked against :func:`approxlab.limits.memory_limit` before
    anything is allocated.

    >>> from_architecture([{"type": "Linear", "in": 2, "out": 1}])[0].weight.dtype
    torch.float64
    """
    specs = validate_architecture(specs, _SCHEMAS)
    with torch.device("meta"):
        skeleton = nn.Sequential(*[build_layer(s) for s in specs])
    size = torch.empty((), dtype=dtype).element_size()
    require_memory(
        "the architecture's parameters",
        sum(t.numel() for t in skeleton.state_dict().values()) * size,
    )
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
    for name, tensor in state.items():
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            raise ApproxlabError(
                f"cannot save: tensor {name!r} holds NaN or infinite values; retrain the net "
                "(lower the learning rate) before saving"
            )
    metadata = {"format": FORMAT, _KEY: json.dumps(specs, sort_keys=True, allow_nan=False)}
    if extra:
        metadata[_EXTRA] = _extra_json(extra)
    data = _canonical(to_bytes(state, metadata=metadata))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _extra_json(extra: dict[str, Any]) -> str:
    from approxlab.jsonfile import plain

    try:
        return json.dumps(plain(extra), sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ApproxlabError(
            f"cannot save extra metadata ({exc}): give a dict of JSON values (str, numbers, lists)"
        ) from None


def _canonical(data: bytes) -> bytes:
    """The same safetensors file with its JSON header keys sorted: equal nets give equal bytes.

    safetensors writes ``__metadata__`` from a hash map in random order; the tensor
    offsets are relative to the data section, so re-serialising the header (padded
    with spaces to 8 bytes, as the format asks) leaves the tensors untouched.
    """
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + n])
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return len(text).to_bytes(8, "little") + text + data[8 + n :]


def _corrupt(origin: str, why: str) -> ApproxlabError:
    return ApproxlabError(
        f"model file {origin!r} is corrupt or not a safetensors file ({why[:80]}): "
        "re-create it with approxlab.save or `approxlab fit`"
    )


def _header(path: Path) -> tuple[dict[str, str], dict[str, tuple[str, tuple[int, ...]]]]:
    """The file's metadata and tensor (dtype, shape) entries, read without loading any tensor.

    Checks first that ``path`` is a readable regular file and that its header length is
    sane, so that a directory, ``/dev/zero`` or a file claiming a 2^60-byte header is
    refused before safetensors reads it.
    """
    origin = str(path)
    hint = "pass the model.safetensors that `approxlab fit` wrote"
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ApproxlabError(f"model file {origin!r} does not exist: {hint}") from None
    except OSError as exc:
        raise ApproxlabError(
            f"cannot read model file {origin!r} ({exc.strerror}): {hint}"
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise ApproxlabError(f"model file {origin!r} is a directory, not a file: {hint}")
    if not stat.S_ISREG(info.st_mode):
        raise ApproxlabError(
            f"model file {origin!r} is not a regular file (a device or pipe): {hint}"
        )
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise ApproxlabError(
            f"cannot read model file {origin!r} ({exc.strerror}): check its permissions"
        ) from None
    if len(head) < 8:
        raise _corrupt(origin, f"{info.st_size} bytes, shorter than a safetensors header")
    n = int.from_bytes(head, "little")
    if n > MAX_HEADER or n + 8 > info.st_size:
        raise _corrupt(origin, f"header of {n} bytes in a file of {info.st_size}")
    try:
        with safe_open(origin, framework="pt") as handle:
            meta = handle.metadata() or {}
            shapes = {
                k: (str(handle.get_slice(k).get_dtype()), tuple(handle.get_slice(k).get_shape()))
                for k in handle.keys()
            }
    except (SafetensorError, OSError, ValueError, RuntimeError, TypeError) as exc:
        raise _corrupt(
            origin, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        ) from None
    return meta, shapes


_FLOATS = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2}
_INTS = {"I64": 8}


def load(path: str | os.PathLike) -> nn.Sequential:
    """Read a model file written by :func:`save`; the net comes back in eval mode.

    Everything untrusted is checked before it is used: the header and metadata sizes,
    the format version, the architecture against its schema, the tensors' names and
    shapes against the architecture, the memory they need against
    :func:`approxlab.limits.memory_limit` (all from the header, before any allocation),
    and then every weight for NaN/inf and for magnitudes whose products overflow.
    A ``torch.save`` state_dict file is read by :func:`approxlab.adopt.read_torch_file`
    (ReLU assumed between its Linear layers, with a warning).
    Unreadable, corrupt or foreign files raise :class:`ApproxlabError` with the fix.
    """
    path = Path(path)
    origin = str(path)
    from approxlab.adopt import is_torch_file, read_torch_file

    if path.is_file() and is_torch_file(path):
        return read_torch_file(path)
    meta, shapes = _header(path)
    check_format(meta.get("format"), origin)
    if _KEY not in meta:
        raise ApproxlabError(
            f"model file {origin!r} has no approxlab architecture metadata: "
            "save it with approxlab.save, or import a state_dict with approxlab.import_state_dict"
        )
    specs = validate_architecture(decode(meta[_KEY], "architecture", origin), _SCHEMAS, origin)
    if _EXTRA in meta:
        validate_extra(decode(meta[_EXTRA], "extra", origin), origin)
    for name, (dtype, _) in shapes.items():
        if dtype not in _FLOATS and not (dtype in _INTS and name.endswith("num_batches_tracked")):
            raise ApproxlabError(
                f"model file {origin!r}: tensor {name!r} has dtype {dtype}; approxlab reads float "
                "weights (F64, F32, F16, BF16): re-save the model with approxlab.save"
            )
    with torch.device("meta"):
        skeleton = nn.Sequential(*[build_layer(s) for s in specs])
    expected = {k: tuple(v.shape) for k, v in skeleton.state_dict().items()}
    _match(expected, {k: shape for k, (_, shape) in shapes.items()}, origin)
    nbytes = sum(_numel(shape) * {**_FLOATS, **_INTS}[dtype] for dtype, shape in shapes.values())
    require_memory(f"model file {origin!r} ({len(shapes)} tensors)", 2 * nbytes)
    try:
        state = load_file(origin)
    except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
        raise _corrupt(
            origin, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        ) from None
    check_weights(state, origin)
    floats = {t.dtype for t in state.values() if t.is_floating_point()}
    dtype = floats.pop() if len(floats) == 1 else torch.float64
    state = {k: t.to(dtype) if t.is_floating_point() else t for k, t in state.items()}
    skeleton.load_state_dict(state, strict=True, assign=True)
    return skeleton.eval()


def _numel(shape: tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _match(
    expected: dict[str, tuple[int, ...]], found: dict[str, tuple[int, ...]], origin: str
) -> None:
    missing = sorted(set(expected) - set(found))
    surplus = sorted(set(found) - set(expected))
    if missing or surplus:
        parts = ([f"missing {', '.join(missing[:3])}"] if missing else []) + (
            [f"unexpected {', '.join(s[:30] for s in surplus[:3])}"] if surplus else []
        )
        raise ApproxlabError(
            f"weights in {origin!r} do not match the architecture ({'; '.join(parts)}): "
            "the file was edited or its metadata belongs to another net; re-save it with approxlab.save"
        )
    for name, shape in expected.items():
        if found[name] != shape:
            raise ApproxlabError(
                f"weights in {origin!r} do not match the architecture: tensor {name!r} has shape "
                f"{list(found[name])} but the architecture needs {list(shape)} "
                f"({human(_numel(shape) * 8)} in float64); re-save the model with approxlab.save"
            )


def check_weights(state: dict[str, torch.Tensor], origin: str) -> None:
    """Refuse NaN/inf weights (naming the tensor) and weights so large that a product of three overflows.

    The cap is ``finfo(dtype).max ** (1/3)`` (about 5.6e102 in float64, 7e12 in float32):
    a weight times an input times the next layer's weight must stay finite.

    >>> check_weights({"0.weight": torch.ones(2, 2, dtype=torch.float64)}, "m")
    """
    for name, t in state.items():
        if not t.is_floating_point():
            continue
        finite = torch.isfinite(t)
        if not bool(finite.all()):
            bad = int((~finite).sum())
            kind = "NaN" if bool(torch.isnan(t).any()) else "infinite"
            raise ApproxlabError(
                f"model file {origin!r}: tensor {name!r} holds {kind} values ({bad} of {t.numel()} "
                "entries): the model is corrupt or its training diverged; retrain and re-save it"
            )
        cap = torch.finfo(t.dtype).max ** (1 / 3)
        if t.numel() and float(t.abs().max()) > cap:
            raise ApproxlabError(
                f"model file {origin!r}: tensor {name!r} has a weight of magnitude "
                f"{float(t.abs().max()):.3g}, above {cap:.3g} where products of three overflow "
                f"{str(t.dtype).removeprefix('torch.')}: rescale the net or retrain it"
            )


def extra(path: str | os.PathLike) -> dict[str, Any]:
    """The ``extra`` metadata stored by :func:`save` (empty dict if none, as for a ``torch.save`` file),
    validated: ``target`` a string, ``domain`` a list of finite (low, high) pairs."""
    from approxlab.adopt import is_torch_file

    origin = str(path)
    if Path(path).is_file() and is_torch_file(path):
        return {}
    meta, _ = _header(Path(path))
    if _EXTRA not in meta:
        return {}
    return validate_extra(decode(meta[_EXTRA], "extra", origin), origin)


def _load_state(net: nn.Module, state: dict[str, torch.Tensor], origin: str) -> None:
    try:
        net.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "mismatch"
        raise ApproxlabError(
            f"weights in {origin!r} do not match the architecture ({first[:120]}): check the layer sizes"
        ) from None


def import_state_dict(
    path: str | os.PathLike, specs: list[dict[str, Any]] | nn.Module
) -> nn.Sequential:
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
    if not isinstance(state, dict) or not all(isinstance(t, torch.Tensor) for t in state.values()):
        raise ApproxlabError(
            f"{str(path)!r} holds a {type(state).__name__}, not a state_dict of tensors: save net.state_dict()"
        )
    check_weights(state, str(path))
    dtypes = {
        t.dtype for t in state.values() if isinstance(t, torch.Tensor) and t.is_floating_point()
    }
    if len(dtypes) == 1:
        net = net.to(dtypes.pop())
    _load_state(net, state, str(path))
    return net.eval()


# The convolutional layers approxlab.regions reads (Conv, AvgPool, BatchNorm2d, Unflatten), registered
# on import of this module so that every process can load a saved CNN.
from approxlab.regions import model_layers as _conv_layers  # noqa: E402,F401
