"""Observers: functions of a net at one moment of training, each returning a dict of numbers.

An observer is any callable ``observer(net) -> dict`` (JSON-able values). The ones here:

- :class:`Metrics`: loss and accuracy on the training and the test set;
- :class:`WeightNorms`: ‖θ‖₂ over all parameters and per layer (the grokking clock:
  weight decay shrinks ‖θ‖ while the test accuracy jumps; Liu et al. 2023);
- :class:`Regions`: the exact number of linear regions on a 2D slice and the exact local
  complexity at the slice's anchor points (:mod:`approxlab.regions`; seed 003, Figure 9);
- :class:`Knots`: the knots of every unit of a two-layer net, −b_j/w_j in 1D and the lines
  w_j·x + b_j = 0 in 2D (:mod:`approxlab.smooth`; seed 000);

and :class:`Watch`, which calls them on a schedule and appends the result to a
:class:`~approxlab.watch.history.History`. ``Watch`` is what ``fit(..., observe=watch)``
calls after every step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from approxlab.errors import ApproxlabError, require
from approxlab.watch.history import History

Observer = Callable[[nn.Module], dict[str, Any]]


def _predict(net: nn.Module, X: torch.Tensor) -> torch.Tensor:
    was = net.training
    net.eval()
    with torch.no_grad():
        out = net(X)
    net.train(was)
    return out


class Metrics:
    """Loss and accuracy on train (and test) data: ``train_loss``, ``train_accuracy``, ``test_loss``, ``test_accuracy``.

    ``loss`` is ``"cross_entropy"`` (integer labels, accuracy = argmax hits) or ``"mse"`` (accuracy only for
    one-hot targets y of shape (n, k): argmax hits).

    >>> import approxlab
    >>> X, y = torch.zeros(4, 2, dtype=torch.float64), torch.tensor([0, 1, 0, 1])
    >>> Metrics(X, y, loss="cross_entropy")(approxlab.mlp(2, [3], out_dim=2))["train_accuracy"]
    0.5
    """

    def __init__(self, X, y, X_test=None, y_test=None, loss: str = "cross_entropy"):
        require(
            loss in ("cross_entropy", "mse"), f"unknown loss {loss!r}: use cross_entropy or mse"
        )
        self.sets = [("train", X, y)] + ([("test", X_test, y_test)] if X_test is not None else [])
        self.loss = loss

    def __call__(self, net: nn.Module) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, X, y in self.sets:
            pred = _predict(net, X)
            if self.loss == "cross_entropy":
                out[f"{name}_loss"] = float(nn.functional.cross_entropy(pred, y.long()))
                out[f"{name}_accuracy"] = float((pred.argmax(dim=1) == y.long()).double().mean())
            else:
                out[f"{name}_loss"] = float(torch.mean((pred.reshape(y.shape) - y) ** 2))
                if (
                    y.ndim == 2 and y.shape[1] > 1
                ):  # one-hot targets (Gromov 2023): accuracy = argmax hits
                    out[f"{name}_accuracy"] = float(
                        (pred.argmax(dim=1) == y.argmax(dim=1)).double().mean()
                    )
        return out


class WeightNorms:
    """‖θ‖₂ = sqrt(Σ θ_i²) over all parameters (``weight_norm``) and per parameter tensor (``norm.NAME``).

    >>> import approxlab
    >>> round(WeightNorms()(approxlab.mlp(1, [1]))["weight_norm"], 3) >= 0
    True
    """

    def __call__(self, net: nn.Module) -> dict[str, Any]:
        norms = {
            f"norm.{k}": float(torch.linalg.vector_norm(v.detach().double()))
            for k, v in net.state_dict().items()
        }
        return {"weight_norm": float(np.sqrt(sum(v * v for v in norms.values()))), **norms}


_PIECEWISE_LINEAR = (
    nn.Linear,
    nn.ReLU,
    nn.LeakyReLU,
    nn.Hardtanh,
    nn.Identity,
    nn.Dropout,
    nn.Flatten,
    nn.BatchNorm1d,
)


def require_piecewise_linear(net: nn.Module) -> None:
    """Refuse, naming the first layer that is not piecewise linear, a net whose regions cannot be computed.

    >>> import approxlab
    >>> require_piecewise_linear(approxlab.mlp(2, [3], activation="relu"))
    """
    from approxlab.nets import Abs

    for name, m in net.named_modules():
        if len(list(m.children())) == 0 and not isinstance(m, (*_PIECEWISE_LINEAR, Abs)):
            raise ApproxlabError(
                f"linear regions need a piecewise-linear net, but layer {name!r} ({type(m).__name__}) is not: "
                "train with relu, leaky_relu, abs or hardtanh, or drop 'regions' from --track"
            )


class Regions:
    """Exact regions on a 2D slice through three anchor points (SplineCam's view, seed 003 Figure 9):
    ``regions`` (count on the triangle they span), ``lc`` (mean over the anchors of the number of distinct
    neurons whose bend meets the disk of radius r around the anchor, the exact form of Humayun et al. 2024's
    local complexity restricted to the slice; a unit duplicating another's bend line is not counted again)
    and ``lc_regions`` (mean number of regions meeting that disk).
    float64 geometry, no sampling.

    >>> import approxlab
    >>> Regions(np.array([[0, 0], [1, 0], [0, 1]]), 0.1)(approxlab.mlp(2, [4]))["regions"] >= 1
    True
    """

    def __init__(self, anchors: np.ndarray, radius: float, max_regions: int = 200_000):
        from approxlab.regions.slices import through_points

        self.slice = through_points(anchors)
        require(radius > 0, f"the local-complexity radius must be positive, got {radius}")
        self.anchors_t = (
            np.asarray(anchors, dtype=np.float64) - self.slice.origin
        ) @ self.slice.basis
        self.radius = float(radius)
        self.max_regions = max_regions

    def __call__(self, net: nn.Module) -> dict[str, Any]:
        from approxlab.nets import in_features
        from approxlab.regions import partition
        from approxlab.regions.layers import restrict, stages
        from approxlab.regions.local_complexity import local_regions

        require_piecewise_linear(net)
        d = len(self.slice.origin)
        require(
            in_features(net) == d,
            f"the slice's points have {d} coordinates but the net takes "
            f"{in_features(net)} inputs: give anchor points from the net's input space",
        )
        layers = stages(net)
        p = partition(layers, self.slice, max_regions=self.max_regions)
        local = local_regions(
            restrict(layers, self.slice.origin, self.slice.basis), self.anchors_t, self.radius
        )
        return {
            "regions": p.count,
            "lc": float(local["neurons"].mean()),
            "lc_regions": float(local["regions"].mean()),
        }


class Knots:
    """The knots of a two-layer net's units: ``knots`` = −b_j/w_j (1D inputs), or ``knot_w``, ``knot_b``
    (the lines w_j·x + b_j = 0, any input dimension). float64.

    >>> import approxlab
    >>> len(Knots()(approxlab.mlp(1, [5]))["knots"])
    5
    """

    def __call__(self, net: nn.Module) -> dict[str, Any]:
        from approxlab.smooth.knots import knot_positions
        from approxlab.units import two_layer

        t = two_layer(net)
        if t.dim == 1:
            return {"knots": knot_positions(t).tolist()}
        return {"knot_w": t.W.tolist(), "knot_b": t.b.tolist()}


class Watch:
    """Call ``observers`` at the steps of ``steps`` and append their values (and the weights) to ``history``.

    ``watch(step, net)`` does nothing off the schedule; ``state`` (a callable giving tensors) is saved with
    each record so that a killed run can resume (:func:`approxlab.watch.trainer.train` supplies it).

    >>> import tempfile, approxlab
    >>> w = Watch(History.create(tempfile.mkdtemp() + "/h", {}), [WeightNorms()], steps=[0, 2])
    >>> net = approxlab.mlp(1, [2])
    >>> for s in range(3): w(s, net)
    >>> w.history.steps
    [0, 2]
    """

    def __init__(
        self,
        history: History,
        observers: Sequence[Observer],
        steps: Sequence[int],
        progress: Callable[[int, dict[str, Any]], None] | None = None,
    ):
        self.history = history
        self.observers = list(observers)
        self.steps = sorted(set(int(s) for s in steps))
        self._due = set(self.steps)
        self.progress = progress

    def __call__(
        self, step: int, net: nn.Module, state: Callable[[], dict[str, torch.Tensor]] | None = None
    ) -> None:
        if step not in self._due or (
            self.history.records and step <= self.history.records[-1]["step"]
        ):
            return
        values: dict[str, Any] = {}
        for observe in self.observers:
            values.update(observe(net))
        self.history.append(step, net, values, state() if state is not None else None)
        if self.progress is not None:
            self.progress(step, values)
