"""A piecewise-linear net read as affine maps and breakpoint activations.

Any ``torch.nn`` model built from affine layers (Linear, Conv1d/Conv2d, BatchNorm1d/2d in
eval mode, AvgPool, Flatten/Unflatten, Identity, Dropout, sums, differences, scalings,
concatenations, reshapes and slices of tensors) and coordinatewise piecewise-linear
activations (ReLU, ReLU6, LeakyReLU, PReLU with one parameter, Abs, Hardtanh) is written as stages

    z^(l) = W^(l) h^(l−1) + b^(l),    h^(l) = σ_l(z^(l))   (σ_l piecewise linear, coordinatewise)

with h^(0) = x, the flat input (seed 002, "Feedforward Network"). Each σ_l is given by its kinks
k_1 < … < k_m and one (slope, intercept) per piece; neuron j of stage l bends where
z_j^(l) = k_i. Values a later layer still needs past an activation (the x of a residual
x + f(x)) are carried through that stage as *pass-through* neurons, where σ is the identity.
A max over a window (MaxPool, AdaptiveMaxPool, :class:`approxlab.nets.Maxout`) is read as a
knockout tournament of pairwise maxima max(a, b) = b + relu(a − b), one stage per round
(⌈log₂ k⌉ for windows of k entries, b carried through): each ReLU neuron is a *game*. Two points
where the same entries win have the same affine map whatever the games their winners did not
play, so a region's pattern ignores those games (:func:`canonical`): its regions are the cells
of each window's argmax (Goodfellow et al. 2013; Montufar et al. 2014).
The model is read from its forward with torch.fx (a plain nn.Sequential as the chain of its
layers), every tensor kept as its affine map of the current h; affine layers are composed
exactly as they come. Everything is float64. Models take flat inputs: a CNN starts with
``nn.Unflatten(1, (C, H, W))``.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F
from torch import fx, nn

from approxlab.errors import ApproxlabError
from approxlab.nets import Abs, Maxout
from approxlab.regions.certified import two_sum

SUPPORTED = (
    "Linear, ReLU, ReLU6, LeakyReLU, PReLU (one parameter), Abs, Hardtanh, Identity, Dropout, "
    "Flatten, Unflatten, Conv1d, Conv2d, BatchNorm1d/2d (eval), AvgPool1d/2d, MaxPool1d/2d, "
    "AdaptiveMaxPool1d/2d, Maxout, Sequential, "
    "and in a forward: +, −, scalar ×, cat, reshape/view/flatten, slicing, max_pool1d/2d"
)


@dataclass(frozen=True)
class Activation:
    """A continuous piecewise-linear σ: kinks k (m,), and per piece i slope[i], intercept[i] (m+1,).

    ``passes`` (bool per neuron, or None): neurons where σ is the identity (carried values);
    they never bend, and their piece index is m+1, whose slope is 1 and intercept 0.
    ``games`` (int64 (width, 3), or None): for a ReLU neuron that is a game of a max tournament,
    the stage and neuron of the game its winner plays next ((−1, −1) after the final) and the side
    it enters there (1: as a, 0: as b in b + relu(a − b)); rows of other neurons are (−2, −2, 0).
    """

    name: str
    kinks: np.ndarray
    slope: np.ndarray
    intercept: np.ndarray
    passes: np.ndarray | None = None
    games: np.ndarray | None = None

    def __call__(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """σ(z) coordinatewise; at a kink both neighbouring pieces agree (continuity).
        ``out`` may be ``z`` itself for ReLU (in place, to spare memory on large partitions)."""
        carried = z[..., self.passes].copy() if self.passes is not None else None
        if self.name == "relu":
            h = np.maximum(z, 0.0, out=out)
        elif self.kinks.size == 1:
            k = self.kinks[0]
            h = np.where(
                z > k, self.slope[1] * z + self.intercept[1], self.slope[0] * z + self.intercept[0]
            )
        else:
            piece = np.searchsorted(self.kinks, z, side="right")
            h = self.slope[piece] * z + self.intercept[piece]
        if carried is not None:
            h[..., self.passes] = carried
        return h

    def piece(self, z: np.ndarray) -> np.ndarray:
        """Index of the linear piece of σ that holds z (0 … m; m+1 on pass-through neurons), as int8."""
        p = np.searchsorted(self.kinks, z, side="right").astype(np.int8)
        if self.passes is not None:
            p[..., self.passes] = len(self.kinks) + 1
        return p

    def bending(self, width: int) -> np.ndarray:
        """Bool per neuron: does σ bend there (not a pass-through neuron)?"""
        return ~self.passes if self.passes is not None else np.ones(width, bool)

    def carrying(self, passes: np.ndarray) -> Activation:
        """The same σ with the neurons in ``passes`` made pass-through (identity)."""
        if not passes.any():
            return self
        return Activation(
            self.name,
            self.kinks,
            np.append(self.slope, 1.0),
            np.append(self.intercept, 0.0),
            passes,
            self.games,
        )


@dataclass(frozen=True)
class Stage:
    """One affine map z = W h + b (float64, W of shape (out, in)) and its activation (or ``None``)."""

    weight: np.ndarray
    bias: np.ndarray
    activation: Activation | None

    @property
    def width(self) -> int:
        return self.weight.shape[0]

    @property
    def bends(self) -> int:
        """Neurons that bend (all but the pass-through ones)."""
        if self.activation is None:
            return 0
        if self.activation.passes is None:
            return self.width
        return int(self.activation.bending(self.width).sum())


def _act(name, kinks, slope, intercept) -> Activation:
    return Activation(
        name, np.array(kinks, float), np.array(slope, float), np.array(intercept, float)
    )


RELU = _act("relu", [0.0], [0.0, 1.0], [0.0, 0.0])


def _activation(module: nn.Module) -> Activation | None:
    if type(module) is nn.ReLU:
        return RELU
    if type(module) is nn.LeakyReLU:
        return _act("leaky_relu", [0.0], [module.negative_slope, 1.0], [0.0, 0.0])
    if type(module) is nn.PReLU and module.num_parameters == 1:
        return _act(
            "leaky_relu", [0.0], [float(_finite("PReLU.weight", module.weight)[0]), 1.0], [0.0, 0.0]
        )
    if type(module) is Abs:
        return _act("abs", [0.0], [-1.0, 1.0], [0.0, 0.0])
    if isinstance(module, nn.Hardtanh):  # ReLU6 too
        lo, hi = float(module.min_val), float(module.max_val)
        return _act("hardtanh", [lo, hi], [0.0, 1.0, 0.0], [lo, 0.0, hi])
    return None


def all_finite(a: np.ndarray) -> bool:
    """Is every entry of ``a`` finite? Σ a² is finite exactly when they are (an infinity or NaN
    stays one in it), unless finite entries above 1e154 overflow it, and then each is looked at.
    On a small tensor one BLAS call, a fifth of the time of ``np.isfinite(a).all()`` (0.7 against
    3.6 µs on 32 × 32), and it runs on every tensor of every partition; on a large one (256 × 256:
    50 against 38 µs, and BLAS may wait for a busy core's thread) each entry is looked at.

    >>> all_finite(np.array([1e200, -3.0])), all_finite(np.array([1.0, np.nan]))
    (True, False)
    """
    if a.size <= 4096 and math.isfinite(np.vdot(a, a)):
        return True
    return bool(np.logical_and.reduce(np.isfinite(a), axis=None))


def _finite(name: str, tensor: torch.Tensor) -> np.ndarray:
    try:  # NumPy's own conversion: half the cost of torch's on a small layer
        values = tensor.detach().numpy().astype(np.float64)
    except TypeError:  # a GPU or bfloat16 tensor
        values = tensor.detach().to(torch.float64).cpu().numpy()
    if not all_finite(values):
        raise ApproxlabError(
            f"the tensor {name} has NaN or infinite entries: fix or retrain the model "
            "(regions need finite weights)"
        )
    return values


def _tensor(name: str, tensor: torch.Tensor) -> torch.Tensor:
    return torch.from_numpy(_finite(name, tensor))


# A tensor of the forward is kept as T (w+1, *shape), float64: rows 0 … w−1 are the images of the
# basis vectors of the current h (its linear part), row w its value at h = 0. Linear operations act on
# T row by row; an affine layer adds its bias to the last row only.


def _affine_module(name: str, m: nn.Module, t: torch.Tensor) -> torch.Tensor | None:
    """T of module ``m`` applied to the tensor with rows T, or None if ``m`` is not an affine layer."""
    prefix = f"{name}." if name else ""
    if isinstance(m, nn.Linear):
        if t.dim() < 2 or t.shape[-1] != m.in_features:
            raise ApproxlabError(
                f"layer {name} ({type(m).__name__}) expects {m.in_features} inputs but gets "
                f"{tuple(t.shape[1:])}: fix the layer sizes"
            )
        out = F.linear(t, _tensor(prefix + "weight", m.weight))
        if m.bias is not None:
            out[-1] += _tensor(prefix + "bias", m.bias)
        return out
    if isinstance(m, (nn.Conv1d, nn.Conv2d)):
        want = 2 if isinstance(m, nn.Conv1d) else 3
        if t.dim() != want + 1 or t.shape[1] != m.in_channels:
            raise ApproxlabError(
                f"layer {name} ({type(m).__name__}) needs inputs of shape (C={m.in_channels}, …) with {want} axes "
                f"but gets {tuple(t.shape[1:])}: start the model with nn.Unflatten(1, (C, H, W)) so it takes "
                "flat inputs"
            )
        out = m._conv_forward(t, _tensor(prefix + "weight", m.weight), None)
        if m.bias is not None:
            out[-1] += _tensor(prefix + "bias", m.bias).reshape(-1, *[1] * (want - 1))
        return out
    if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
        if m.training:
            raise ApproxlabError(
                f"{type(m).__name__} is in training mode: call net.eval() so its statistics are fixed"
            )
        mean = _finite(prefix + "running_mean", m.running_mean)
        var = _finite(prefix + "running_var", m.running_var)
        scale = 1.0 / np.sqrt(var + m.eps)
        shift = -mean * scale
        if m.affine:
            gamma = _finite(prefix + "weight", m.weight)
            beta = _finite(prefix + "bias", m.bias)
            scale, shift = scale * gamma, shift * gamma + beta
        if t.dim() < 2 or t.shape[1] != len(scale):
            raise ApproxlabError(
                f"layer {name} ({type(m).__name__}) expects {len(scale)} channels but gets "
                f"{tuple(t.shape[1:])}: fix the layer sizes"
            )
        axes = [1] * (t.dim() - 2)
        out = t * torch.from_numpy(scale).reshape(-1, *axes)
        out[-1] += torch.from_numpy(shift).reshape(-1, *axes)
        return out
    if isinstance(m, (nn.Dropout, nn.Identity)):
        return t
    if isinstance(
        m,
        (
            nn.Flatten,
            nn.Unflatten,
            nn.AvgPool1d,
            nn.AvgPool2d,
            nn.AdaptiveAvgPool1d,
            nn.AdaptiveAvgPool2d,
        ),
    ):
        return m(t)  # linear, and acting on each row (batch item) alike
    return None


def _activation_function(node: fx.Node) -> Activation | None:
    """The activation of a call_function / call_method node, or None."""
    target, args, kw = node.target, node.args, node.kwargs
    if target in (F.relu, torch.relu, "relu", "relu_") or (target is F.relu6):
        return _activation(nn.ReLU()) if target is not F.relu6 else _activation(nn.ReLU6())
    if target is F.leaky_relu:
        return _activation(
            nn.LeakyReLU(kw.get("negative_slope", args[1] if len(args) > 1 else 0.01))
        )
    if target is F.hardtanh:
        return _activation(
            nn.Hardtanh(
                kw.get("min_val", args[1] if len(args) > 1 else -1.0),
                kw.get("max_val", args[2] if len(args) > 2 else 1.0),
            )
        )
    if target in (torch.abs, "abs"):
        return _activation(Abs())
    return None


_SUMS = {operator.add, operator.iadd, torch.add, "add"}
_DIFFERENCES = {operator.sub, operator.isub, torch.sub, "sub"}
_SCALINGS = {operator.mul, operator.imul, torch.mul, "mul", operator.truediv, torch.div, "div"}
# Operations linear in their one tensor argument and acting on each batch item alike.
_RESHAPES = {
    torch.flatten,
    torch.reshape,
    torch.squeeze,
    torch.unsqueeze,
    torch.permute,
    torch.transpose,
    operator.getitem,
    F.avg_pool1d,
    F.avg_pool2d,
    F.adaptive_avg_pool1d,
    F.adaptive_avg_pool2d,
    F.dropout,
    "flatten",
    "view",
    "reshape",
    "squeeze",
    "unsqueeze",
    "permute",
    "transpose",
    "contiguous",
}
_MAXIMA = (nn.MaxPool1d, nn.MaxPool2d, nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d)
# Functional max pools, read as their module: their positional arguments after the input are the
# module's (kernel, stride, padding, dilation), then ceil_mode / return_indices by keyword.
_MAX_POOLS = {
    F.max_pool1d: nn.MaxPool1d,
    F.max_pool2d: nn.MaxPool2d,
    F.adaptive_max_pool1d: nn.AdaptiveMaxPool1d,
    F.adaptive_max_pool2d: nn.AdaptiveMaxPool2d,
}
NOT_A_GAME = -2


def _refuse(node: fx.Node, what: str, kind: str) -> ApproxlabError:
    where = f"module '{node.target}'" if node.op == "call_module" else f"node '{node.name}'"
    return ApproxlabError(
        f"{kind} {what} ({where}) is not supported by approxlab.regions: use only {SUPPORTED}"
    )


def _windows(name: str, m: nn.Module, shape: tuple[int, ...]) -> np.ndarray:
    """The entries (flat indices into a tensor of ``shape`` (C, …)) each output of the max pool
    ``m`` takes its max over: (outputs, k), −1 where a window is shorter (padding, adaptive pools)."""
    if getattr(m, "return_indices", False) or getattr(m, "ceil_mode", False):
        raise ApproxlabError(
            f"layer {name} ({type(m).__name__}) has return_indices or ceil_mode set: regions read "
            "max pools returning values, with floor mode"
        )
    two = isinstance(m, (nn.MaxPool2d, nn.AdaptiveMaxPool2d))
    if len(shape) != (3 if two else 2):
        raise ApproxlabError(
            f"layer {name} ({type(m).__name__}) needs inputs (C, {'H, W' if two else 'L'}) but gets "
            f"{shape}: fix the layer order or add nn.Unflatten"
        )
    c, rest = shape[0], shape[1:] if two else (1, shape[1])
    index = torch.arange(1, math.prod(shape) + 1, dtype=torch.float64).reshape(1, c, *rest)
    if isinstance(m, (nn.MaxPool1d, nn.MaxPool2d)):

        def axes(v, lead: int = 1) -> tuple[int, int]:
            if two:
                return tuple(v) if isinstance(v, (tuple, list)) else (v, v)
            return (lead, v[0] if isinstance(v, (tuple, list)) else v)

        # Padding cells read index 0, which no window takes as an entry.
        cols = F.unfold(
            index, axes(m.kernel_size), axes(m.dilation), axes(m.padding, 0), axes(m.stride)
        )[0]
        k = cols.shape[0] // c
        cols = cols.reshape(c, k, -1).transpose(1, 2).reshape(-1, k).numpy().astype(np.int64) - 1
        return np.sort(cols, axis=1)[:, ::-1].copy()  # entries first, −1 (padding) last
    size = (
        m.output_size if isinstance(m.output_size, (tuple, list)) else (m.output_size,) * (1 + two)
    )
    size = (1, *size) if not two else size
    # AdaptiveMaxPool: output i of an axis of n takes entries ⌊i n / o⌋ … ⌈(i + 1) n / o⌉ − 1.
    spans = [
        [(i * n // o, -(-(i + 1) * n // o)) for i in range(o)]
        for n, o in zip(rest, (n if o is None else o for n, o in zip(rest, size)))
    ]
    grid = np.arange(math.prod(shape)).reshape(c, *rest)
    cells = [
        grid[ch, a0:b0, a1:b1].ravel()
        for ch in range(c)
        for a0, b0 in spans[0]
        for a1, b1 in spans[1]
    ]
    k = max(len(cell) for cell in cells)
    return np.array([np.pad(cell, (0, k - len(cell)), constant_values=-1) for cell in cells])


class _Reader:
    """Evaluates the graph on T-tensors, emitting a :class:`Stage` at each activation."""

    def __init__(self, net: nn.Module, nodes: list, kind: str):
        self.modules = dict(net.named_modules())
        self.nodes, self.kind = nodes, kind
        self.order = {n: i for i, n in enumerate(nodes)}
        # The last node reading each value: values are dropped after it, so only live ones are kept.
        self.last = {n: max((self.order[u] for u in n.users), default=-1) for n in nodes}
        self.env: dict = {}
        self.stages: list[Stage] = []

    def _value(self, a):
        if isinstance(a, (fx.Node, _Link)):
            return self.env[a]
        if isinstance(a, tuple):
            return tuple(self._value(v) for v in a)
        if isinstance(a, list):
            return [self._value(v) for v in a]
        if isinstance(a, dict):
            return {k: self._value(v) for k, v in a.items()}
        return a

    def _live(self, at) -> list:
        """Tensors computed before ``at`` that a node after it still reads."""
        i = self.order[at]
        return [n for n, v in self.env.items() if isinstance(v, torch.Tensor) and self.last[n] > i]

    def _emit(
        self,
        node: fx.Node,
        act: Activation,
        t: torch.Tensor,
        keep: torch.Tensor | None = None,
        games: np.ndarray | None = None,
    ):
        """Append the stage σ(t) (t's entries bend; ``keep`` and the live values pass through) and
        return t's (and ``keep``'s) T-tensors in the new h."""
        live = self._live(node)
        own = [t] if keep is None else [t, keep]
        blocks = own + [self.env[n] for n in live]
        w = t.shape[0] - 1
        flat = [b.reshape(w + 1, -1) for b in blocks]
        rows = torch.cat(flat, dim=1).numpy() if len(flat) > 1 else flat[0].numpy()
        sizes = [f.shape[1] for f in flat]
        passes = np.repeat([False] + [True] * (len(blocks) - 1), sizes)
        act = act.carrying(passes)
        if games is not None:
            every = np.full((len(passes), 3), NOT_A_GAME, np.int64)
            every[: len(games)] = games
            every[len(games) :, 2] = 0
            act = replace(act, games=every)
        self.stages.append(Stage(rows[:w].T.copy(), rows[w].copy(), act))
        width = int(sum(sizes))
        basis = torch.eye(
            width + 1, width, dtype=torch.float64
        )  # [I; 0]: the new h and its zero constant
        starts = np.concatenate([[0], np.cumsum(sizes)])
        for n, b, lo, hi in zip(
            live, blocks[len(own) :], starts[len(own) : -1], starts[len(own) + 1 :]
        ):
            self.env[n] = basis[:, lo:hi].reshape(width + 1, *b.shape[1:])
        out = [
            basis[:, lo:hi].reshape(width + 1, *b.shape[1:])
            for b, lo, hi in zip(own, starts, starts[1:])
        ]
        return out[0] if keep is None else out

    def _pool(self, node: fx.Node, name: str, m: nn.Module, t: torch.Tensor) -> torch.Tensor:
        """T of the max pool ``m`` applied to the tensor with rows T."""
        windows = _windows(name, m, tuple(t.shape[1:]))
        shape = m(torch.zeros(1, *t.shape[1:], dtype=torch.float64)).shape[1:]
        return self._maximum(node, t, windows).reshape(-1, *shape)

    def _maximum(self, node: fx.Node, t: torch.Tensor, windows: np.ndarray) -> torch.Tensor:
        """T of the max of t's flat entries over each window (rows of ``windows``, −1 = none), as a
        knockout tournament: per round, entries paired in order play max(a, b) = b + relu(a − b)
        (one stage; an odd one out waits), until one is left per window."""
        w = t.shape[0] - 1
        vals = t.reshape(w + 1, -1)
        made = np.full(
            (vals.shape[1], 2), -1, np.int64
        )  # the game (stage, neuron) that made a value
        win = windows
        pairs = win[:, : win.shape[1] // 2 * 2].reshape(-1, 2)
        pairs = pairs[(pairs >= 0).all(axis=1)]
        _, error = two_sum(vals[:, pairs[:, 0]].numpy(), -vals[:, pairs[:, 1]].numpy())
        if error.any():
            # a − b rounds in float64, and the rounded lines of three entries would miss their common
            # point: first carry the entries through a stage of pass-through neurons, so every game
            # is a difference of two coordinates (weights ±1, exact).
            vals = self._emit(node, RELU, vals[:, :0], vals)[1]
        while win.shape[1] > 1:
            if win.shape[1] % 2:
                win = np.concatenate([win, np.full((len(win), 1), -1, np.int64)], axis=1)
            a, b = win[:, 0::2], win[:, 1::2]
            game, bye = (a >= 0) & (b >= 0), (a >= 0) & (b < 0)
            ga, gb, by = a[game], b[game], a[bye]
            n, s = len(ga), len(self.stages)
            played = np.full((n, 3), -1, np.int64)
            played[:, 2] = 0
            for side, operand in ((1, ga), (0, gb)):
                before = made[operand]
                mine = before[:, 0] >= 0
                for st in np.unique(before[mine, 0]):
                    at = mine & (before[:, 0] == st)
                    self.stages[st].activation.games[before[at, 1]] = np.stack(
                        [np.full(at.sum(), s), np.flatnonzero(at), np.full(at.sum(), side)], axis=1
                    )
            diff, keep = self._emit(
                node,
                RELU,
                vals[:, ga] - vals[:, gb],
                torch.cat([vals[:, gb], vals[:, by]], dim=1),
                played,
            )
            vals = torch.cat([diff + keep[:, :n], keep[:, n:]], dim=1)
            made = np.concatenate([np.stack([np.full(n, s), np.arange(n)], axis=1), made[by]])
            nxt = np.full(a.shape, -1, np.int64)
            nxt[game] = np.arange(n)
            nxt[bye] = n + np.arange(len(by))
            win = nxt
        return vals[:, win[:, 0]]

    def _call(self, node: fx.Node) -> object:
        args, kwargs = self._value(node.args), self._value(node.kwargs)
        target = node.target
        if node.op == "call_module":
            m = self.modules[target]
            act = _activation(m)
            if act is not None:
                return self._emit(node, act, args[0])
            if isinstance(m, Maxout):
                z = _affine_module(f"{target}.linear", m.linear, args[0])
                groups = np.arange(m.out_features * m.pieces).reshape(m.out_features, m.pieces)
                return self._maximum(node, z, groups).reshape(-1, *z.shape[1:-1], m.out_features)
            if isinstance(m, _MAXIMA):
                return self._pool(node, str(target), m, args[0])
            out = _affine_module(str(target), m, args[0])
            if out is None:
                raise _refuse(node, type(m).__name__, "layer")
            return out
        act = _activation_function(node)
        if act is not None:
            return self._emit(node, act, args[0])
        if target in _MAX_POOLS and isinstance(args[0], torch.Tensor):
            return self._pool(node, node.name, _MAX_POOLS[target](*args[1:], **kwargs), args[0])
        tensors = [a for a in args if isinstance(a, torch.Tensor)]
        if target == "size":
            dim = args[1] if len(args) > 1 else kwargs.get("dim")
            shape = (-1, *args[0].shape[1:])  # −1: the batch, whatever its size
            return shape if dim is None else shape[dim]
        if target is getattr and args[1] == "shape":
            return (-1, *args[0].shape[1:])
        if target is operator.getitem and not isinstance(args[0], torch.Tensor):
            return args[0][args[1]]
        if target in _SUMS or target in _DIFFERENCES:
            sign = -1.0 if target in _DIFFERENCES else 1.0
            a, b = args[0], args[1]
            if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
                return a + sign * b
            if isinstance(a, torch.Tensor):
                out = a.clone()
                out[-1] += sign * b
            else:
                out = sign * b
                out[-1] += a
            return out
        if (
            target in _SCALINGS
            and len(args) == 2
            and len(tensors) == 1
            and isinstance(args[int(args[0] is tensors[0])], (int, float))
        ):
            t, number = tensors[0], args[int(args[0] is tensors[0])]
            if target in (operator.truediv, torch.div, "div"):
                if t is not args[0]:
                    raise _refuse(node, "division by a tensor", "the operation")
                return t / number
            return t * number
        if target in (operator.neg, torch.neg, "neg"):
            return -args[0]
        if (
            target in (torch.sum, torch.mean, "sum", "mean")
            and len(tensors) == 1
            and isinstance(args[0], torch.Tensor)
        ):
            dim = args[1] if len(args) > 1 else kwargs.get("dim")
            dims = dim if isinstance(dim, (tuple, list)) else (dim,)
            if dim is None or 0 in dims:
                raise ApproxlabError(
                    f"the {target if isinstance(target, str) else target.__name__} at node "
                    f"'{node.name}' runs over the batch axis: give dim= (1 or more)"
                )
            return (
                getattr(args[0], target)(*args[1:], **kwargs)
                if isinstance(target, str)
                else target(*args, **kwargs)
            )
        if target in (torch.cat, torch.concat):
            return torch.cat(*args, **kwargs)
        if target in _RESHAPES and len(tensors) == 1 and isinstance(args[0], torch.Tensor):
            t = args[0]
            if target in ("view", "reshape", torch.reshape):
                shape = tuple(args[1]) if isinstance(args[1], (tuple, list)) else tuple(args[1:])
                if shape[0] != -1:
                    raise ApproxlabError(
                        f"the reshape at node '{node.name}' does not keep the batch axis first "
                        "(as x.view(x.size(0), -1) does): regions read one input at a time"
                    )
                return t.reshape(t.shape[0], *shape[1:])
            if target is F.dropout or target == "contiguous":
                return t
            return (
                getattr(t, target)(*args[1:], **kwargs)
                if isinstance(target, str)
                else target(*args, **kwargs)
            )
        what = target if isinstance(target, str) else getattr(target, "__name__", str(target))
        raise _refuse(node, str(what), "the operation")

    def read(self, dim: int) -> list[Stage]:
        for i, node in enumerate(self.nodes):
            for n in [n for n in self.env if self.last[n] < i]:
                del self.env[n]
            if node.op == "placeholder":
                if self.env:
                    raise ApproxlabError(
                        f"the forward of {self.kind} takes several inputs: regions need a model "
                        "of one input"
                    )
                self.env[node] = torch.eye(dim + 1, dim, dtype=torch.float64)
            elif node.op == "output":
                t = self._value(node.args[0])
                if not isinstance(t, torch.Tensor):
                    raise ApproxlabError(
                        f"the forward of {self.kind} returns {type(t).__name__}, not one tensor: "
                        "regions need a model with one output tensor"
                    )
                w = t.shape[0] - 1
                flat = t.reshape(w + 1, -1)
                a, c = flat[:w].T.numpy().copy(), flat[w].numpy().copy()
                if (
                    not self.stages
                    or a.shape[0] != w
                    or not np.array_equal(a, np.eye(w))
                    or np.any(c)
                ):
                    self.stages.append(Stage(a, c, None))
                return self.stages
            elif node.op == "get_attr":
                raise ApproxlabError(
                    f"the forward of {self.kind} reads the tensor '{node.target}' directly: "
                    "use layers (nn.Linear, …) for every weight"
                )
            else:
                try:
                    self.env[node] = self._call(node)
                except (RuntimeError, TypeError, IndexError) as exc:
                    raise ApproxlabError(
                        f"cannot read node '{node.name}' of the forward of {self.kind} "
                        f"({str(exc)[:100]}): check the layer sizes"
                    ) from None
        raise ApproxlabError(f"the forward of {self.kind} has no output")


@dataclass(eq=False)
class _Link:
    """One layer of a plain chain, shaped like the torch.fx node the reader reads (building an fx
    graph costs more than reading a small MLP)."""

    op: str
    target: str
    args: tuple
    name: str
    users: dict
    kwargs: dict


class _Tracer(fx.Tracer):
    """torch.fx's tracer, keeping whole (read as the layer it is) approxlab's Maxout and Abs and
    every module whose forward is torch.nn's (its layers, and subclasses that keep their forward);
    a module with a forward of its own is traced through it."""

    def is_leaf_module(self, m: nn.Module, qualname: str) -> bool:
        own = getattr(type(m).forward, "__module__", "") or ""
        return (
            isinstance(m, (Maxout, Abs))
            or (own.startswith(("torch.nn", "torch.ao.nn")) and not isinstance(m, nn.Sequential))
            or super().is_leaf_module(m, qualname)
        )


_WHOLE = _Tracer()  # for its leaf rule: making a tracer costs 50 µs, more than reading a small MLP


def _traced(net: nn.Module) -> list:
    """The nodes of the model's forward: a plain Sequential as the chain of its layers (no tracing);
    any other module read with torch.fx (branches such as a residual x + f(x) included)."""
    chain = _leaves(net)
    if chain is not None:
        x = _Link("placeholder", "x", (), "x", {}, {})
        nodes = [x]
        for name, _ in chain:
            nodes.append(_Link("call_module", name, (nodes[-1],), name, {}, {}))
            nodes[-2].users[nodes[-1]] = None
        nodes.append(_Link("output", "output", (nodes[-1],), "output", {}, {}))
        nodes[-2].users[nodes[-1]] = None
        return nodes
    try:
        return list(fx.GraphModule(net, _Tracer().trace(net)).graph.nodes)
    except Exception as exc:  # torch.fx raises many kinds for untraceable forwards
        raise ApproxlabError(
            f"cannot read the forward of {type(net).__name__} with torch.fx ({str(exc)[:80]}): "
            "write the model as nn.Sequential of its layers"
        ) from None


def _leaves(net: nn.Module, name: str = "") -> list[tuple[str, nn.Module]] | None:
    """(name, module) of each layer of a plain chain — a layer :class:`_Tracer` keeps whole, or an
    nn.Sequential without its own forward of plain chains — in the order its forward calls them;
    None for any other model (read with torch.fx instead, which reads a user's module, such as
    ``class Abs(nn.Module)`` returning ``x.abs()``, from its forward)."""
    if isinstance(net, nn.Sequential):
        if type(net).forward is not nn.Sequential.forward:
            return None
        out: list[tuple[str, nn.Module]] = []
        for key, child in net._modules.items():  # in call order, a module used twice twice
            inner = _leaves(child, f"{name}.{key}" if name else key)
            if inner is None:
                return None
            out += inner
        return out
    if _WHOLE.is_leaf_module(net, name):
        return [(name, net)]
    return None


def _mlp_stages(net: nn.Module) -> list[Stage] | None:
    """The stages of a plain nn.Sequential chain Linear, activation, …, Linear read straight from
    its weights (the reader's result for it, exactly: no products to form), or None for any other
    model (the reader handles it, and words its errors)."""
    chain = _leaves(net) if isinstance(net, nn.Sequential) else None
    if not chain:
        return None
    out: list[Stage] = []
    pending = None
    width = None
    for name, m in chain:
        if type(m) is nn.Linear:
            if pending is not None or (width is not None and m.in_features != width):
                return None
            bias = (
                _finite(f"{name}.bias", m.bias) if m.bias is not None else np.zeros(m.out_features)
            )
            pending, width = (_finite(f"{name}.weight", m.weight), bias), m.out_features
        elif type(m) in (nn.Dropout, nn.Identity):
            continue
        else:
            act = _activation(m)
            if act is None or pending is None:
                return None
            out.append(Stage(*pending, act))
            pending = None
    if pending is not None:
        w, b = pending
        if not out or w.shape[0] != w.shape[1] or not np.array_equal(w, np.eye(len(w))) or b.any():
            out.append(Stage(w, b, None))
    return out or None


def _input_dim(net: nn.Module) -> int:
    """The flat input size: the first Linear's inputs or the first Unflatten's sizes."""
    for m in net.modules():
        if isinstance(m, nn.Linear):
            return m.in_features
        if isinstance(m, nn.Unflatten):
            return math.prod(m.unflattened_size)
        if isinstance(m, (nn.Conv1d, nn.Conv2d)):
            raise ApproxlabError(
                f"{type(m).__name__} needs to know its input's shape: start the model with "
                "nn.Unflatten(1, (C, H, W)) so it takes flat inputs"
            )
    raise ApproxlabError(
        "the net has no Linear layer: regions need an MLP built from torch.nn.Linear "
        "(or a CNN starting with nn.Unflatten)"
    )


def stages(net: nn.Module) -> list[Stage]:
    """The net as a list of :class:`Stage` (affine map + piecewise-linear activation), float64.

    Affine layers between activations are composed into one map (W = W2 W1, b = W2 b1 + b2);
    a convolution is the linear map it is on the flattened tensor (its Toeplitz matrix),
    BatchNorm in eval mode the diagonal map (x − μ)γ/√(σ² + ε) + β, AvgPool the averaging
    matrix. A model that is not a plain nn.Sequential is read from its forward with torch.fx:
    residual sums x + f(x) carry x through the activations between as pass-through neurons.
    An operation that is not piecewise linear, max pooling, and non-finite weights are
    refused in one line naming the node or tensor.

    >>> from approxlab import mlp
    >>> [s.width for s in stages(mlp(2, [4, 3]))]
    [4, 3, 1]
    """
    return _mlp_stages(net) or _Reader(net, _traced(net), type(net).__name__).read(_input_dim(net))


def finite(layers: list[Stage]) -> list[Stage]:
    """``layers`` (given as stages rather than read from a model) after checking that every weight
    and bias is finite, as :func:`stages` checks a model's tensors.

    >>> finite(stages(nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))))[0].width
    3
    """
    for i, s in enumerate(layers):
        if not (all_finite(s.weight) and all_finite(s.bias)):
            raise ApproxlabError(
                f"stage {i} has NaN or infinite weights or biases: fix them (regions need finite weights)"
            )
    return layers


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


def term_size(layers: list[Stage], x: np.ndarray) -> np.ndarray:
    """A bound on the size of the terms summed in the net's output at ``x`` (n, d), float64: the
    forward pass of |W| and |b| on |x|, s = |W| a + |b|, a = max|slope| s + max|intercept| after σ.
    Round-off of the output is a few ε times this (Higham, *Accuracy and Stability of Numerical
    Algorithms*, §3.5), however much of it cancels.

    >>> from approxlab import mlp
    >>> bool(np.all(term_size(stages(mlp(2, [4])), np.ones((3, 2))) > 0))
    True
    """
    a = np.abs(np.asarray(x, dtype=np.float64))
    for s in layers:
        a = a @ np.abs(s.weight).T + np.abs(s.bias)
        if s.activation is not None:
            act = s.activation
            a = float(np.abs(act.slope).max()) * a + float(np.abs(act.intercept).max())
    return a


def roundoff(layers: list[Stage], x: np.ndarray, eps: float = float(np.finfo(np.float64).eps)):
    """A bound on the round-off of the output at ``x`` (n, d) however it is evaluated, (n, out):
    γ_N · :func:`term_size` with γ_N = N u / (1 − N u), u = ε/2 and N = Σ_l (n_l + 2), the dot
    products' lengths along the chain (Higham, *Accuracy and Stability of Numerical Algorithms*,
    §3.5). ``eps`` the machine epsilon of the evaluation (float32's for a float32 net).

    >>> from approxlab import mlp
    >>> bool(np.all(roundoff(stages(mlp(2, [4])), np.ones((3, 2))) < 1e-13))
    True
    """
    n = sum(s.weight.shape[1] + 2 for s in layers) * eps / 2
    return n / (1 - n) * term_size(layers, x)


def restrict(layers: list[Stage], origin: np.ndarray, basis: np.ndarray) -> list[Stage]:
    """The net composed with the affine embedding x = origin + basis · t (basis of shape (d, k)).

    Folding the embedding into the first affine map turns a slice of a d-dimensional
    input space into a k-dimensional net with the same regions along the slice.
    """
    first = layers[0]
    w = first.weight @ basis
    b = first.weight @ origin + first.bias
    return [Stage(w, b, first.activation), *layers[1:]]


def canonical(layers: list[Stage], acts: list[int], pieces: list[np.ndarray]) -> list[np.ndarray]:
    """The piece indices ``pieces`` (one (n, width) array per activation stage ``acts``) with every
    game off its window's winner path set to 0.

    A game is on the path when it is a window's final, or its winner enters a game on the path on the
    side that game's result picks (piece 1: a, 0: b). Off the path its result cancels:
    b + relu(a − b) is a when a wins, b when b wins, whatever the other operand was. So two points
    have equal canonical patterns exactly when every window has the same argmax and every other
    neuron the same piece, and their affine maps from these patterns agree.

    max(x, −x, 2x − 1, 0.5) at x = 3: the games (x, −x) and (2x − 1, 0.5) go to x and 2x − 1 (piece 1),
    the final to 2x − 1 (piece 0: b wins), so the game of x is off the path:

    >>> from approxlab.nets import Maxout
    >>> net = Maxout(1, 1, pieces=4)
    >>> with torch.no_grad():
    ...     _ = net.linear.weight.copy_(torch.tensor([[1.0], [-1.0], [2.0], [0.0]]))
    ...     _ = net.linear.bias.copy_(torch.tensor([0.0, 0.0, -1.0, 0.5]))
    >>> layers = stages(net)
    >>> acts = [s for s, st in enumerate(layers) if st.activation is not None]
    >>> z = forward(layers, np.array([[3.0]]))
    >>> pieces = canonical(layers, acts, [layers[s].activation.piece(z[s]) for s in acts])
    >>> [p[0, : st.bends].tolist() for p, st in zip(pieces, [layers[s] for s in acts])]
    [[0, 1], [0]]
    """
    if all(layers[s].activation.games is None for s in acts):
        return pieces
    at = {s: i for i, s in enumerate(acts)}
    out = [p.copy() for p in pieces]
    path: dict[int, np.ndarray] = {}
    for s in reversed(acts):
        games = layers[s].activation.games
        if games is None:
            continue
        p = out[at[s]]
        on = games[:, 0] == -1
        on = np.broadcast_to(on, p.shape).copy()
        for parent in np.unique(games[games[:, 0] >= 0, 0]):
            cols = np.flatnonzero(games[:, 0] == parent)
            rows = games[cols, 1]
            on[:, cols] = path[int(parent)][:, rows] & (
                out[at[int(parent)]][:, rows] == games[cols, 2]
            )
        path[s] = on
        p[~on & (games[:, 0] != NOT_A_GAME)] = 0
    return out
