"""One browser tab's run: the net, its optimizer and data, stepped a batch at a time, and its frames.

The net reads the chosen input features φ(x) (:mod:`approxlab.play.features`, computed once per
configuration for the data and the display grids). Training is :func:`approxlab.fit.batch_step` (the step :func:`approxlab.fit.fit` takes) with
:func:`approxlab.fit.make_optimizer` at a constant learning rate and the L1/L2
:func:`approxlab.fit.weight_penalty`; a frame reads the net with :mod:`approxlab.units`,
:mod:`approxlab.smooth.knots`, :mod:`approxlab.smooth.zero_error` and, when asked,
:func:`approxlab.regions.partition`. Everything is float64 and deterministic: the same
settings give the same frames (minibatches come from a generator seeded with ``seed``).
"""

from __future__ import annotations

import base64
import copy
import math
from typing import Any

import numpy as np
import torch
from torch import nn

from approxlab.errors import ApproxlabError
from approxlab.fit import _accuracy, batch_step, loss_function, make_optimizer, weight_penalty
from approxlab.nets import activation_name, count_params, in_features, mlp
from approxlab.play.features import active, features, fold, is_linear, raw
from approxlab.play.problem import Problem, problem
from approxlab.play.schema import Settings

MAX_PLAY_REGIONS = (
    20_000  # an overlay with more regions than pixels tells nothing; refuse beyond it
)


def pack(a: np.ndarray | torch.Tensor) -> str:
    """An array as base64 little-endian float32 (the page reads it into a Float32Array)."""
    if isinstance(a, torch.Tensor):
        a = a.detach().numpy()
    with np.errstate(over="ignore"):  # beyond float32's range is ±inf on the page, as it should be
        return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode("ascii")


def hidden_outputs(net: nn.Sequential, X: torch.Tensor) -> list[torch.Tensor]:
    """The output of every activation module of ``net`` at X (one (n, width) tensor per hidden layer)."""
    outs = []
    h = X
    with torch.no_grad():
        for m in net:
            h = m(h)
            if not isinstance(m, nn.Linear) and activation_name(m) is not None and m is not net[-1]:
                outs.append(h)
    return outs


class Session:
    """The state of one tab: settings, data, net, optimizer, step count and divergence note.

    >>> s = Session(Settings(target="sin(2*pi*x)", widths=[4], points=40))
    >>> s.advance(3); s.step
    3
    """

    def __init__(self, settings: Settings):
        self.regions_on = False
        self.table: tuple[list[str], np.ndarray] | None = (
            None  # the user's CSV (approxlab.play.table)
        )
        self.construction: dict[str, Any] | None = None
        self.configure(settings)

    def configure(self, settings: Settings, data: Problem | None = None) -> None:
        """New settings: new data and a fresh net drawn with the seed (raises ApproxlabError on bad ones)."""
        self.problem = data or problem(settings, table=self.table)
        self.settings = settings
        self._read(settings.features)
        self.origin = mlp(
            len(self.features),
            list(settings.widths),
            self.problem.outputs,
            activation=settings.activation,
            seed=settings.seed,
        )
        self.construction = None
        self.adopted = False
        self.reset()

    def _read(self, names: list[str]) -> None:
        """The features φ the net reads, at the training and test points and on both display grids."""
        p = self.problem
        self.features = active(names, p.dim)
        self.X, self.X_test = features(self.features, p.X), features(self.features, p.X_test)
        self.fine = features(self.features, torch.as_tensor(p.grid(True)))
        self.small = features(self.features, torch.as_tensor(p.grid(False)))

    def net_on_x(self) -> nn.Sequential | None:
        """The net as a plain MLP on the raw inputs x (first layer W P for linear features φ = P x),
        or None when a feature is non-linear (then no plain MLP on x computes it)."""
        if self.features == raw(self.problem.dim):
            return self.net
        return fold(self.net, self.features, self.problem.dim) if is_linear(self.features) else None

    def not_on_x(self) -> str | None:
        """Why regions, knots and the model file are not offered (non-linear features), or None."""
        if is_linear(self.features):
            return None
        curved = ", ".join(f for f in self.features if f not in raw(2))
        return (
            f"the net reads the non-linear features {curved}: it is not a piecewise-linear MLP on "
            "(x1, x2), so it has no exact regions or knot lines in x and no model file that "
            "approxlab regions/anatomy/units read; untick them to get those"
        )

    def adopt(self, net: nn.Module, construction: dict[str, Any] | None = None) -> None:
        """Train ``net`` (an uploaded or constructed one, a net on the raw inputs x) from now on;
        reset returns to it."""
        d = in_features(net)
        if d != self.problem.dim:
            raise ApproxlabError(
                f"the net takes {d} inputs but the problem is {self.problem.dim}-dimensional: "
                f"pick a {d}D target or upload a net with {self.problem.dim} inputs"
            )
        with torch.no_grad():
            out = net(self.problem.X[:1].to(next(net.parameters()).dtype))
        k = self.problem.outputs
        if out.shape[-1] != k:
            raise ApproxlabError(
                f"the net has {out.shape[-1]} outputs but this problem needs {k}"
                + (f" (one logit per class of {self.problem.classes})" if k > 1 else "")
                + ": pick a problem that fits the net"
            )
        self.settings = self.settings.model_copy(update={"features": raw(d)})
        self._read(self.settings.features)
        self.origin = net.to(torch.float64)
        self.construction = construction
        self.adopted = True
        self.reset()

    def reset(self) -> None:
        """Back to the initial net (step 0), with a fresh optimizer and minibatch generator."""
        s = self.settings
        self.net = copy.deepcopy(self.origin).train()
        self.optimizer = make_optimizer(self.net, s.optimizer, s.lr)
        self.criterion = loss_function(self.problem.loss, self.net)
        self.generator = torch.Generator().manual_seed(s.seed)
        self.penalty = (lambda net: weight_penalty(net, s.l1, s.l2)) if (s.l1 or s.l2) else None
        self.step = 0
        self.diverged: str | None = None

    def advance(self, n: int) -> None:
        """Take up to ``n`` optimizer steps; a non-finite loss stops with a note in ``diverged``."""
        if self.diverged:
            return
        p, s = self.problem, self.settings
        for _ in range(n):
            value = batch_step(
                self.net,
                self.optimizer,
                self.criterion,
                self.X,
                p.y,
                s.batch or None,
                self.generator,
                self.penalty,
            )
            if not math.isfinite(value):
                self.diverged = (
                    f"training diverged at step {self.step}: the loss is {value}; lower the learning "
                    f"rate (now {s.lr:g}) and reset"
                )
                return
            self.step += 1

    def set_parameter(self, layer: int, name: str, row: int, col: int, value: float) -> None:
        """Set one weight or bias of the ``layer``-th Linear layer (construct mode's sliders)."""
        linears = [m for m in self.net if isinstance(m, nn.Linear)]
        if layer >= len(linears):
            raise ApproxlabError(
                f"the net has {len(linears)} Linear layers, there is no layer {layer}"
            )
        t = getattr(linears[layer], name)
        index = (row, col) if name == "weight" else (row,)
        if any(i >= n for i, n in zip(index, t.shape)):
            raise ApproxlabError(
                f"layer {layer}'s {name} has shape {tuple(t.shape)}: index {index} is outside it"
            )
        with torch.no_grad():
            t[index] = value
        self.diverged = None

    def steepen(self, k: float) -> None:
        """First layer := k × the initial net's (weights and biases): unit j computes σ(k(w_j·x + b_j))
        with the knots −b_j/w_j kept and the transition widths 1/(k‖w_j‖) (seed 001, Nielsen's steps)."""
        first = next(m for m in self.origin if isinstance(m, nn.Linear))
        mine = next(m for m in self.net if isinstance(m, nn.Linear))
        with torch.no_grad():
            mine.weight.copy_(k * first.weight)
            if mine.bias is not None:
                mine.bias.copy_(k * first.bias)
        self.diverged = None

    # ---- what the page draws -------------------------------------------------------------

    def setup(self) -> dict[str, Any]:
        """What stays fixed until the next reset: data, domain, grids, the target on the grid."""
        p = self.problem
        fine = p.grid(True)
        return {
            "type": "setup",
            "settings": self.settings.model_dump(),
            "kind": p.kind,
            "dim": p.dim,
            "domain": [list(d) for d in p.domain],
            "axes": [a.tolist() for a in p.axes(True)],
            "unit_axes": [a.tolist() for a in p.axes(False)],
            "train": {"X": p.X.tolist(), "y": p.y.tolist()},
            "test": {"X": p.X_test.tolist(), "y": p.y_test.tolist()},
            "target": pack(np.asarray(p.target(fine))) if p.target is not None else None,
            "architecture": self.architecture(),
            "params": count_params(self.net),
            "construction": self.construction,
            "features": self.features,
            "classes": p.classes,
            "not_on_x": self.not_on_x(),
            "adopted": self.adopted,  # the net came from a file or a construction: it reads x
        }

    def architecture(self) -> list[int]:
        """Widths [k, n_1, …, n_L, outputs] of the net's Linear layers (k input features)."""
        linears = [m for m in self.net if isinstance(m, nn.Linear)]
        return [linears[0].in_features, *(m.out_features for m in linears)]

    def frame(self) -> dict[str, Any]:
        """The net now: losses (and accuracies), output on the grid (P(class 1); for k classes the
        argmax class and its softmax probability), every hidden unit, the seed-001 view, regions."""
        p = self.problem
        self.net.eval()
        with torch.no_grad():
            loss = float(self.criterion(self.net(self.X), p.y))
            test_loss = float(self.criterion(self.net(self.X_test), p.y_test))
            out = self.net(self.fine)
        confidence = None
        if p.outputs > 1:
            confidence, label = torch.softmax(out, dim=1).max(dim=1)
            out = label.to(torch.float64)
        elif p.kind == "classification":
            out = torch.sigmoid(out.reshape(-1))
        else:
            out = out.reshape(-1)
        layers = []
        linears = [m for m in self.net if isinstance(m, nn.Linear)]
        for i, h in enumerate(hidden_outputs(self.net, self.small)):
            lin, nxt = linears[i], linears[i + 1] if i + 1 < len(linears) else None
            layers.append(
                {
                    "width": h.shape[1],
                    "values": pack(h.T),
                    "w": lin.weight.detach().tolist(),
                    "b": lin.bias.detach().tolist() if lin.bias is not None else None,
                    "a": nxt.weight.detach().T.tolist() if nxt is not None else None,
                }
            )
        frame: dict[str, Any] = {
            "type": "frame",
            "step": self.step,
            "loss": loss,
            "test_loss": test_loss,
            "diverged": self.diverged,
            "output": pack(out),
            "confidence": None if confidence is None else pack(confidence),
            "accuracy": _accuracy(self.net, self.X, p.y, p.loss) if p.classes else None,
            "test_accuracy": _accuracy(self.net, self.X_test, p.y_test, p.loss)
            if p.classes
            else None,
            "layers": layers,
            "seed001": self._seed001(),
            "regions": self._regions() if self.regions_on else None,
        }
        if self.construction is not None and p.target is not None:
            frame["error"] = float(np.max(np.abs(out.numpy() - np.asarray(p.target(p.grid(True))))))
        self.net.train()
        return frame

    def _seed001(self) -> dict[str, Any] | None:
        """One hidden layer, one output: contributions a_j σ(w_j·φ(x) + b_j), output bias c; for a net
        on x (linear features) also knots −b/w (1D), transition widths 1/‖w‖ and local/global units
        (seed 000/001; :mod:`approxlab.smooth`), which are statements about lines in x."""
        from approxlab.smooth.knots import knot_positions, transition_widths
        from approxlab.smooth.zero_error import SUPPORTED, classify
        from approxlab.units import two_layer

        if self.problem.outputs > 1:
            return None
        try:
            t = two_layer(self.net)
        except ApproxlabError:
            return None
        parts = t.contributions(self.small.numpy())
        on_x = self.net_on_x()
        if on_x is None:
            return {"contributions": pack(parts.T), "c": float(t.c[0])} | dict.fromkeys(
                ("knots", "lines", "widths", "local")
            )
        t = two_layer(on_x)
        local = (
            classify(t, self.problem.domain, 1e-3).tolist() if t.activation in SUPPORTED else None
        )
        clean = lambda a: [float(v) if np.isfinite(v) else None for v in a]  # noqa: E731
        widths = transition_widths(t)
        # 2D knot lines {x : n·x = offset}, n = w/‖w‖, offset = −b/‖w‖ (as approxlab.smooth's anatomy writes them)
        lines = (
            [clean([*(t.W[j] * widths[j]), -t.b[j] * widths[j]]) for j in range(t.width)]
            if t.dim == 2
            else None
        )
        return {
            "contributions": pack(parts.T),
            "c": float(t.c[0]),
            "knots": clean(knot_positions(t)) if t.dim == 1 else None,
            "lines": lines,
            "widths": clean(widths),
            "local": local,
        }

    def _regions(self) -> dict[str, Any]:
        """Exact linear regions of a piecewise-linear net on the domain, their count and the bound."""
        from approxlab.regions import bound, partition, stages
        from approxlab.regions.partition1d import Partition1D

        on_x = self.net_on_x()
        if on_x is None:
            return {"error": self.not_on_x()}
        try:
            layers = stages(on_x)
            limit = bound(layers, self.problem.dim)
            part = partition(layers, self.problem.domain, max_regions=MAX_PLAY_REGIONS)
        except ApproxlabError as exc:
            return {"error": str(exc)}
        if isinstance(part, Partition1D):
            cuts = part.points[1:-1]
            return {"count": part.count, "bound": str(limit), "breakpoints": pack(cuts)}
        pairs, labels, _ = part.edges()
        inner = pairs[labels >= 0]
        segments = part.vertices[inner].reshape(-1, 4)
        return {"count": part.count, "bound": str(limit), "segments": pack(segments)}
