"""A piecewise-linear net read as affine maps and breakpoint activations.

Any ``torch.nn`` MLP built from Linear, ReLU, LeakyReLU, Abs, Hardtanh, Identity,
Dropout (identity at evaluation), Flatten and BatchNorm1d (eval mode, folded into the
preceding affine map) is written as stages

    z^(l) = W^(l) h^(l−1) + b^(l),    h^(l) = σ_l(z^(l))   (σ_l piecewise linear, coordinatewise)

with h^(0) = x (seed 002, "Feedforward Network"). Each σ_l is given by its kinks
k_1 < … < k_m and one (slope, intercept) per piece; the neuron j of layer l bends
where z_j^(l) = k_i. Consecutive affine maps are composed, so the last stage may have
no activation (the affine read-out). Everything is float64 NumPy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from approxlab.errors import ApproxlabError
from approxlab.nets import Abs

SUPPORTED = "Linear, ReLU, LeakyReLU, Abs, Hardtanh, Identity, Dropout, Flatten, BatchNorm1d (eval), Sequential"


@dataclass(frozen=True)
class Activation:
    """A continuous piecewise-linear σ: kinks k (m,), and per piece i slope[i], intercept[i] (m+1,)."""

    name: str
    kinks: np.ndarray
    slope: np.ndarray
    intercept: np.ndarray

    def __call__(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """σ(z) coordinatewise; at a kink both neighbouring pieces agree (continuity).
        ``out`` may be ``z`` itself for ReLU (in place, to spare memory on large partitions)."""
        if self.name == "relu":
            return np.maximum(z, 0.0, out=out)
        if self.kinks.size == 1:
            k = self.kinks[0]
            return np.where(z > k, self.slope[1] * z + self.intercept[1], self.slope[0] * z + self.intercept[0])
        piece = np.searchsorted(self.kinks, z, side="right")
        return self.slope[piece] * z + self.intercept[piece]

    def piece(self, z: np.ndarray) -> np.ndarray:
        """Index of the linear piece of σ that holds z (0 … m), as int8: the activation pattern."""
        return np.searchsorted(self.kinks, z, side="right").astype(np.int8)


@dataclass(frozen=True)
class Stage:
    """One affine map z = W h + b (float64, W of shape (out, in)) and its activation (or ``None``)."""

    weight: np.ndarray
    bias: np.ndarray
    activation: Activation | None

    @property
    def width(self) -> int:
        return self.weight.shape[0]


def _activation(module: nn.Module) -> Activation | None:
    def act(name, kinks, slope, intercept):
        return Activation(name, np.array(kinks, float), np.array(slope, float), np.array(intercept, float))

    if type(module) is nn.ReLU:
        return act("relu", [0.0], [0.0, 1.0], [0.0, 0.0])
    if type(module) is nn.LeakyReLU:
        return act("leaky_relu", [0.0], [module.negative_slope, 1.0], [0.0, 0.0])
    if type(module) is Abs:
        return act("abs", [0.0], [-1.0, 1.0], [0.0, 0.0])
    if type(module) is nn.Hardtanh:
        lo, hi = float(module.min_val), float(module.max_val)
        return act("hardtanh", [lo, hi], [0.0, 1.0, 0.0], [lo, 0.0, hi])
    return None


def _finite(name: str, tensor: torch.Tensor) -> np.ndarray:
    values = tensor.detach().to(torch.float64).cpu().numpy()
    if not np.all(np.isfinite(values)):
        raise ApproxlabError(f"the tensor {name} has NaN or infinite entries: fix or retrain the model "
                             "(regions need finite weights)")
    return values


def _affine(name: str, module: nn.Module, width: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(W, b) of an affine layer in float64, or None if ``module`` is not affine."""
    prefix = f"{name}." if name else ""
    if isinstance(module, nn.Linear):
        w = _finite(prefix + "weight", module.weight)
        b = _finite(prefix + "bias", module.bias) if module.bias is not None else np.zeros(module.out_features)
        return w, b
    if isinstance(module, nn.BatchNorm1d):
        if module.training:
            raise ApproxlabError("BatchNorm1d is in training mode: call net.eval() so its statistics are fixed")
        mean = _finite(prefix + "running_mean", module.running_mean)
        var = _finite(prefix + "running_var", module.running_var)
        scale = 1.0 / np.sqrt(var + module.eps)
        shift = -mean * scale
        if module.affine:
            gamma = _finite(prefix + "weight", module.weight)
            beta = _finite(prefix + "bias", module.bias)
            scale, shift = scale * gamma, shift * gamma + beta
        return np.diag(scale), shift
    if isinstance(module, (nn.Identity, nn.Dropout, nn.Flatten)):
        return np.eye(width), np.zeros(width)
    return None


_FUNCTIONS = {F.relu: nn.ReLU, torch.relu: nn.ReLU, F.leaky_relu: nn.LeakyReLU, F.hardtanh: nn.Hardtanh,
              torch.abs: Abs, torch.flatten: nn.Flatten, F.dropout: nn.Dropout}
_METHODS = {"relu": nn.ReLU, "abs": Abs, "flatten": nn.Flatten}


def _overrides_forward(net: nn.Module) -> bool:
    return isinstance(net, nn.Sequential) and type(net).forward is not nn.Sequential.forward


def _traced(net: nn.Module) -> list[tuple[str, nn.Module]]:
    """The layers of a module's forward read with torch.fx, when it is one chain x → f1 → f2 → …;
    one-line errors for branches (e.g. a residual x + f(x)) and operations that are not layers."""
    from torch import fx

    kind = type(net).__name__
    try:
        graph = fx.symbolic_trace(net).graph
    except Exception as exc:  # torch.fx raises many kinds for untraceable forwards
        raise ApproxlabError(f"cannot read the forward of {kind} with torch.fx ({str(exc)[:80]}): "
                             "write the model as nn.Sequential of its layers") from None
    modules = dict(net.named_modules())
    out: list[tuple[str, nn.Module]] = []
    previous = None
    for node in graph.nodes:
        if node.op == "placeholder":
            if previous is not None:
                raise ApproxlabError(f"the forward of {kind} takes several inputs: regions need a model of one input")
            previous = node
            continue
        if node.op == "output":
            if node.args[0] is not previous:
                raise ApproxlabError(f"the forward of {kind} does not return its last layer's output: "
                                     "write it as nn.Sequential of its layers")
            break
        inputs = [a for a in node.all_input_nodes]
        if inputs != [previous]:
            raise ApproxlabError(
                f"the forward of {kind} combines branches at '{node.name}' (e.g. a residual x + f(x)): "
                "approxlab.regions reads a chain of layers only; write the model as nn.Sequential"
            )
        if node.op == "call_module":
            out.append((str(node.target), modules[node.target]))
        elif node.op == "call_function" and node.target in _FUNCTIONS:
            extra = {"negative_slope": node.kwargs.get("negative_slope", node.args[1] if len(node.args) > 1 else 0.01)} \
                if node.target is F.leaky_relu else {}
            out.append((node.name, _FUNCTIONS[node.target](**extra)))
        elif node.op == "call_method" and node.target in _METHODS:
            out.append((node.name, _METHODS[node.target]()))
        else:
            raise ApproxlabError(f"the operation '{node.name}' ({node.target}) in the forward of {kind} is not "
                                 f"supported by approxlab.regions: use only {SUPPORTED}")
        previous = node
    return out


def _leaves(net: nn.Module, name: str = "") -> list[tuple[str, nn.Module]]:
    """(qualified name, module) of the layers in order: nn.Sequential children as they are; any
    other container, or a Sequential subclass with its own forward, read from its forward (torch.fx)."""
    if isinstance(net, nn.Sequential) and not _overrides_forward(net):
        return [leaf for key, child in net.named_children() for leaf in _leaves(child, f"{name}.{key}" if name else key)]
    if len(list(net.children())) == 0:
        return [(name, net)]
    return [(f"{name}.{key}" if name else key, m) for key, m in _traced(net)]


def stages(net: nn.Module) -> list[Stage]:
    """The net as a list of :class:`Stage` (affine map + piecewise-linear activation), float64.

    Adjacent affine layers (Linear, BatchNorm1d in eval mode, Identity, Dropout) are
    composed into one map, W = W2 W1, b = W2 b1 + b2. A model that is not a plain
    nn.Sequential (a class with layers as attributes, or a Sequential subclass with its own
    forward) is read from its forward with torch.fx; branches such as a residual x + f(x)
    and non-finite weights are refused in one line.

    >>> from approxlab import mlp
    >>> [s.width for s in stages(mlp(2, [4, 3]))]
    [4, 3, 1]
    """
    leaves = _leaves(net)
    width = next((m.in_features for _, m in leaves if isinstance(m, nn.Linear)), None)
    if width is None:
        raise ApproxlabError("the net has no Linear layer: regions need an MLP built from torch.nn.Linear")
    out: list[Stage] = []
    w, b = np.eye(width), np.zeros(width)
    for name, m in leaves:
        act = _activation(m)
        if act is not None:
            out.append(Stage(w, b, act))
            width = w.shape[0]
            w, b = np.eye(width), np.zeros(width)
            continue
        affine = _affine(name, m, w.shape[0])
        if affine is None:
            raise ApproxlabError(
                f"layer {type(m).__name__} is not supported by approxlab.regions: use only {SUPPORTED}"
            )
        aw, ab = affine
        if aw.shape[1] != w.shape[0]:
            raise ApproxlabError(
                f"layer {type(m).__name__} expects {aw.shape[1]} inputs but gets {w.shape[0]}: fix the layer sizes"
            )
        w, b = aw @ w, aw @ b + ab
    if not out or not np.array_equal(w, np.eye(w.shape[0])) or np.any(b):
        out.append(Stage(w, b, None))
    return out


def input_dim(layers: list[Stage]) -> int:
    """Input dimension of the net given as stages."""
    return layers[0].weight.shape[1]


def forward(layers: list[Stage], x: np.ndarray) -> list[np.ndarray]:
    """Pre-activations z^(l) of every stage at points ``x`` (n, d), float64; the last is the output
    when the last stage has no activation.

    >>> from approxlab import mlp
    >>> [z.shape for z in forward(stages(mlp(2, [4])), np.zeros((5, 2)))]
    [(5, 4), (5, 1)]
    """
    h = np.asarray(x, dtype=np.float64)
    out = []
    for s in layers:
        z = h @ s.weight.T + s.bias
        out.append(z)
        h = s.activation(z) if s.activation is not None else z
    return out


def output(layers: list[Stage], x: np.ndarray) -> np.ndarray:
    """The net's output at ``x`` (n, d) computed from the stages, float64."""
    h = np.asarray(x, dtype=np.float64)
    for s in layers:
        z = h @ s.weight.T + s.bias
        h = s.activation(z) if s.activation is not None else z
    return h


def restrict(layers: list[Stage], origin: np.ndarray, basis: np.ndarray) -> list[Stage]:
    """The net composed with the affine embedding x = origin + basis · t (basis of shape (d, k)).

    Folding the embedding into the first affine map turns a slice of a d-dimensional
    input space into a k-dimensional net with the same regions along the slice.
    """
    first = layers[0]
    w = first.weight @ basis
    b = first.weight @ origin + first.bias
    return [Stage(w, b, first.activation), *layers[1:]]
