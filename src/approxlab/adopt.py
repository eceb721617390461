"""Bring a model trained in plain PyTorch into approxlab as an ``nn.Sequential``.

Two sources, no pickle code ever run:

- a ``state_dict`` file (``torch.save(model.state_dict(), path)``), read with
  ``torch.load(path, weights_only=True)``. Its Linear layers are the (``*.weight`` of
  shape (out, in), ``*.bias`` of shape (out,)) pairs in the file's key order; they are
  matched *by order and shape* to the Linear layers of an architecture, so key names
  (``fc1``, ``hidden.0``, ``out`` …) do not matter;
- a module whose ``forward`` is a chain x → layer → activation → … (``self.fc1(x)``,
  ``torch.relu``, ``F.tanh``, ``x.sigmoid()``, ``nn.Sequential`` children), read with
  ``torch.fx.symbolic_trace``.

An architecture (``arch``) is an activation name, ``"tanh"`` (layer sizes read from the
weights, the activation between every two Linear layers), or a comma-separated list of
sizes and activations, ``"2,16,tanh,16,tanh,1"`` (a Linear layer between two sizes),
or an untrained module of the right shape. The result is float64 (widening float32 is
exact), in eval mode, ready for :func:`approxlab.save`, ``regions``, ``units`` and
``anatomy``.
"""

from __future__ import annotations

import copy
import os
import warnings
from pathlib import Path
from typing import Any

import torch
from torch import nn

from approxlab.errors import ApproxlabError, ApproxlabWarning
from approxlab.modelfile import layer_spec
from approxlab.nets import ACTIVATIONS, activation

_TORCH_MAGIC = (b"PK\x03\x04", b"\x80")  # torch.save: zip archive (≥ 1.6) or legacy pickle
_CHECKPOINT_KEYS = ("state_dict", "model_state_dict", "model", "net", "weights")

Arch = str | nn.Module | None


def is_torch_file(path: str | os.PathLike) -> bool:
    """Whether ``path`` starts like a ``torch.save`` file (zip or pickle), not a safetensors file."""
    with open(path, "rb") as handle:
        head = handle.read(4)
    return any(head.startswith(magic) for magic in _TORCH_MAGIC)


def read_torch_file(path: str | os.PathLike, arch: Arch = None) -> nn.Sequential:
    """Read a ``torch.save`` file holding a state_dict (or a checkpoint dict with one) as a Sequential.

    ``torch.load(weights_only=True)`` refuses pickled modules and anything else that
    would run code; such files get a one-line error asking for ``model.state_dict()``.
    Without ``arch`` the activation is assumed to be ReLU, with an
    :class:`ApproxlabWarning` (a state_dict does not record activations).

    >>> import tempfile
    >>> path = tempfile.mkdtemp() + "/m.pt"
    >>> torch.save(torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1)).state_dict(), path)
    >>> read_torch_file(path, "tanh")
    Sequential(
      (0): Linear(in_features=2, out_features=4, bias=True)
      (1): Tanh()
      (2): Linear(in_features=4, out_features=1, bias=True)
    )
    """
    path = Path(path)
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for files it refuses
        what = (
            "holds pickled Python objects (e.g. torch.save(model))"
            if "Weights only load failed" in str(exc)
            else f"is not a torch.save file ({type(exc).__name__})"
        )
        raise ApproxlabError(
            f"{str(path)!r} {what}, which torch.load(weights_only=True) refuses and approxlab never unpickles: "
            "save the weights with torch.save(model.state_dict(), path)"
        ) from None
    return from_state_dict(_state_of(obj, path), arch)


def _state_of(obj: Any, path: Path) -> dict[str, torch.Tensor]:
    """The tensor dict in a loaded file: the object itself or one checkpoint entry holding it."""
    if isinstance(obj, dict) and obj and all(isinstance(v, torch.Tensor) for v in obj.values()):
        return obj
    if isinstance(obj, dict):
        for key in _CHECKPOINT_KEYS:
            inner = obj.get(key)
            if (
                isinstance(inner, dict)
                and inner
                and all(isinstance(v, torch.Tensor) for v in inner.values())
            ):
                return inner
        raise ApproxlabError(
            f"{str(path)!r} holds a dict with keys {', '.join(map(str, list(obj)[:8]))} but no state_dict of tensors: "
            f"save model.state_dict(), or a checkpoint with it under one of {', '.join(_CHECKPOINT_KEYS)}"
        )
    raise ApproxlabError(
        f"{str(path)!r} holds a {type(obj).__name__}, not a state_dict: save model.state_dict()"
    )


def linear_layers(
    state: dict[str, torch.Tensor],
) -> list[tuple[str, torch.Tensor, torch.Tensor | None]]:
    """The Linear layers of a state_dict in key order: (prefix, weight (out, in), bias (out,) or None).

    Keys are grouped by their prefix (``fc1.weight`` → ``fc1``); a group that is not a
    Linear layer's weight and optional bias raises an error listing every key and shape.

    >>> sd = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 1)).state_dict()
    >>> [(p, tuple(w.shape)) for p, w, b in linear_layers(sd)]
    [('0', (5, 3)), ('2', (1, 5))]
    """
    groups: dict[str, dict[str, torch.Tensor]] = {}
    for key, tensor in state.items():
        prefix, _, leaf = key.rpartition(".")
        groups.setdefault(prefix, {})[leaf] = tensor
    layers = []
    for prefix, leaves in groups.items():
        weight, bias = leaves.get("weight"), leaves.get("bias")
        ok = (
            set(leaves) <= {"weight", "bias"}
            and weight is not None
            and weight.ndim == 2
            and (bias is None or (bias.ndim == 1 and bias.shape[0] == weight.shape[0]))
        )
        if not ok:
            raise ApproxlabError(
                f"the keys under {prefix or '(top level)'!r} ({', '.join(sorted(leaves))}) are not a Linear layer: "
                f"approxlab imports chains of Linear layers and activations; the file has {describe(state)}"
            )
        layers.append((prefix, weight, bias))
    if not layers:
        raise ApproxlabError("the state_dict is empty: save model.state_dict() of a trained model")
    return layers


def describe(state: dict[str, torch.Tensor]) -> str:
    """Every key with its shape, e.g. ``fc1.weight (16, 2), fc1.bias (16,)``."""
    return ", ".join(f"{k} {tuple(v.shape)}" for k, v in state.items())


def parse_arch(text: str) -> list[int | str]:
    """``"2,16,tanh,1"`` → ``[2, 16, 'tanh', 1]``; activation names are checked.

    >>> parse_arch("2, 16, relu, 1")
    [2, 16, 'relu', 1]
    """
    items: list[int | str] = []
    for token in (t.strip() for t in text.split(",")):
        if token.isdigit() and int(token) > 0:
            items.append(int(token))
        elif token in ACTIVATIONS:
            items.append(token)
        else:
            raise ApproxlabError(
                f"cannot read {token!r} in --arch {text!r}: give positive layer sizes and activations "
                f"({', '.join(ACTIVATIONS)}), e.g. 2,16,tanh,1, or one activation name, e.g. tanh"
            )
    return items


def _skeleton(
    arch: Arch, layers: list[tuple[str, torch.Tensor, torch.Tensor | None]]
) -> nn.Sequential:
    """An untrained Sequential for ``arch`` (Linear layers in the order the weights will fill them)."""
    if isinstance(arch, nn.Module):
        return from_module(arch)
    if arch is None:
        warnings.warn(
            "a state_dict does not record activations: assuming ReLU between the Linear layers; "
            "pass the real one (approxlab import MODEL.pt --arch tanh …)",
            ApproxlabWarning,
            stacklevel=3,
        )
        arch = "relu"
    items = parse_arch(arch)
    if all(isinstance(i, str) for i in items):
        if len(items) != 1:
            raise ApproxlabError(
                f"--arch {arch!r} names activations but no sizes: give one activation, or sizes too"
            )
        modules: list[nn.Module] = []
        for i, (_, weight, bias) in enumerate(layers):
            if i:
                modules.append(activation(items[0]))
            modules.append(nn.Linear(weight.shape[1], weight.shape[0], bias=bias is not None))
        return nn.Sequential(*modules)
    sizes = [i for i in items if isinstance(i, int)]
    modules, previous = [], None
    for item in items:
        if isinstance(item, int):
            if previous is not None:
                modules.append(nn.Linear(previous, item, bias=True))
            previous = item
        else:
            modules.append(activation(item))
    if len(sizes) < 2:
        raise ApproxlabError(
            f"--arch {arch!r} needs at least an input and an output size, e.g. 2,16,relu,1"
        )
    return nn.Sequential(*modules)


def from_state_dict(
    state: dict[str, torch.Tensor], arch: Arch = None, dtype: torch.dtype = torch.float64
) -> nn.Sequential:
    """A Sequential holding the weights of ``state``, Linear layers matched by order and shape.

    ``arch``: an activation name, a size/activation list ``"2,16,tanh,1"`` or an untrained
    module of the right shape (module docstring). A state_dict whose Linear layers do not
    match gets one line listing its keys and the shapes expected.

    >>> sd = {"fc1.weight": torch.ones(4, 2), "fc1.bias": torch.zeros(4),
    ...       "out.weight": torch.ones(1, 4), "out.bias": torch.zeros(1)}
    >>> net = from_state_dict(sd, "sigmoid")
    >>> float(net(torch.zeros(1, 2, dtype=torch.float64)).detach())
    2.0
    """
    from approxlab.modelfile import check_weights

    check_weights(state, "the state_dict")
    layers = linear_layers(state)
    net = _skeleton(arch, layers)
    targets = [m for m in net if isinstance(m, nn.Linear)]
    expected = [((m.out_features, m.in_features), m.bias is not None) for m in targets]
    found = [(tuple(w.shape), b is not None) for _, w, b in layers]
    if expected != found:
        want = ", ".join(f"{o}×{i}{'' if b else ' (no bias)'}" for (o, i), b in expected)
        raise ApproxlabError(
            f"the state_dict's Linear layers do not match the architecture (expected weights {want}): "
            f"the file has {describe(state)}; give --arch with the sizes in this order"
        )
    with torch.no_grad():
        for module, (_, weight, bias) in zip(targets, layers, strict=True):
            module.weight.copy_(weight)
            if bias is not None:
                module.bias.copy_(bias)
    return net.to(dtype).eval()


_FUNCTIONS = {
    torch.relu: "relu",
    torch.nn.functional.relu: "relu",
    torch.sigmoid: "sigmoid",
    torch.nn.functional.sigmoid: "sigmoid",
    torch.tanh: "tanh",
    torch.nn.functional.tanh: "tanh",
    torch.nn.functional.gelu: "gelu",
    torch.nn.functional.softplus: "softplus",
    torch.sin: "sin",
    torch.cos: "cos",
    torch.exp: "exp",
    torch.abs: "abs",
    torch.nn.functional.leaky_relu: "leaky_relu",
}
_METHODS = {"relu", "sigmoid", "tanh", "sin", "cos", "exp", "abs"}


def from_module(module: nn.Module, dtype: torch.dtype = torch.float64) -> nn.Sequential:
    """The chain of layers in ``module.forward``, read with ``torch.fx``, as a Sequential (weights copied).

    Every step must take the previous step's output as its only tensor input: Linear,
    Dropout, Flatten, BatchNorm1d and activation modules, activation functions
    (``torch.relu``, ``F.tanh`` …) and methods (``x.sigmoid()``). Anything else — skip
    connections, reshapes, control flow on values — is one line naming the operation.

    >>> class Net(torch.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc1, self.out = torch.nn.Linear(2, 8), torch.nn.Linear(8, 1)
    ...     def forward(self, x):
    ...         return self.out(torch.tanh(self.fc1(x)))
    >>> [type(m).__name__ for m in from_module(Net())]
    ['Linear', 'Tanh', 'Linear']
    """
    import torch.fx

    name = type(module).__name__
    try:
        graph = torch.fx.symbolic_trace(module).graph
    except Exception as exc:  # fx raises TraceError, TypeError, … on dynamic forwards
        raise ApproxlabError(
            f"cannot trace {name}.forward with torch.fx ({str(exc).splitlines()[0][:100] if str(exc) else type(exc).__name__}): "
            "save its state_dict and import it with --arch sizes,activations"
        ) from None
    layers: list[nn.Module] = []
    previous = None
    for node in graph.nodes:
        if node.op == "placeholder":
            if previous is not None:
                raise ApproxlabError(
                    f"{name}.forward takes more than one input: approxlab imports nets of one input x"
                )
            previous = node
            continue
        if node.op == "output":
            if node.args[0] is not previous:
                raise ApproxlabError(
                    f"{name}.forward does not return the end of its chain of layers"
                )
            break
        tensors = [a for a in (*node.args, *node.kwargs.values()) if isinstance(a, torch.fx.Node)]
        if tensors != [previous]:
            raise ApproxlabError(
                f"{name}.forward step {node.format_node()[:80]!r} does not just continue the chain "
                "x → layer → activation → …: approxlab imports plain MLPs (no skips or reshapes)"
            )
        layers.append(_layer(module, node, name))
        previous = node
    if not any(isinstance(m, nn.Linear) for m in layers):
        raise ApproxlabError(
            f"{name}.forward calls no Linear layer: approxlab imports MLPs built from torch.nn.Linear"
        )
    return nn.Sequential(*layers).to(dtype).eval()


def _layer(root: nn.Module, node: Any, name: str) -> nn.Module:
    """One chain step as a fresh module approxlab can save."""
    if node.op == "call_module":
        sub = copy.deepcopy(root.get_submodule(node.target))
        layer_spec(sub)  # one line naming the layer type if approxlab cannot save it
        return sub
    if node.op == "call_function" and node.target in _FUNCTIONS:
        kind = _FUNCTIONS[node.target]
        if kind == "leaky_relu":
            slope = node.kwargs.get("negative_slope", node.args[1] if len(node.args) > 1 else 0.01)
            return nn.LeakyReLU(slope)
        return activation(kind)
    if node.op == "call_method" and node.target in _METHODS:
        return activation(node.target)
    raise ApproxlabError(
        f"{name}.forward uses {node.target!r} ({node.op}), which approxlab cannot read as a layer: "
        f"use Linear layers and activations ({', '.join(ACTIVATIONS)})"
    )


def adopt(
    source: nn.Module | dict[str, torch.Tensor] | str | os.PathLike, arch: Arch = None
) -> nn.Sequential:
    """Any of a module, a state_dict or a ``torch.save``/safetensors path, as an approxlab Sequential.

    >>> import approxlab
    >>> net = adopt(approxlab.mlp(2, [3]))
    >>> type(net).__name__, next(net.parameters()).dtype
    ('Sequential', torch.float64)
    """
    if isinstance(source, nn.Module):
        return from_module(source)
    if isinstance(source, dict):
        return from_state_dict(source, arch)
    path = Path(source)
    if not path.is_file():
        raise ApproxlabError(
            f"model file {str(path)!r} does not exist: pass a .pt state_dict or a .safetensors model"
        )
    if is_torch_file(path):
        return read_torch_file(path, arch)
    from approxlab.modelfile import load

    return load(path)
