"""The data of a playground run: a regression target or a classification set, sampled with the seed.

Regression: the target (a name from :data:`approxlab.targets.NAMED` or a safe expression)
is sampled uniformly on its domain, ``train_fraction`` of ``points`` with ``seed`` for
training and the rest with ``seed + 1`` for testing (as :func:`approxlab.fit.fit` does),
labels y = f(x) + noise · N(0, 1). Classification: a named 2D set
(:func:`approxlab.targets.dataset`) drawn the same way: labels in {0, 1} with BCE on one
logit, or in {0, …, k − 1} for a k-class set with cross-entropy on k logits (softmax).
All arrays float64.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from approxlab.errors import ApproxlabError, require
from approxlab.play.schema import Settings
from approxlab.targets import Target, dataset, grid, sample, target
from approxlab.targets.domain import Domain, grid_axes

OUTPUT_GRID = {1: 201, 2: 41}  # points per axis of the output curve / heatmap
UNIT_GRID = {1: 81, 2: 21}  # points per axis of each unit's small picture


@dataclass(frozen=True)
class Problem:
    """Training and test data (torch float64), the loss, and the display grids."""

    kind: str
    loss: str
    domain: Domain
    X: torch.Tensor
    y: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor
    target: Target | None
    classes: int = 0  # 0: regression; 2: one logit (BCE); k > 2: k logits (cross-entropy)

    @property
    def dim(self) -> int:
        return len(self.domain)

    @property
    def outputs(self) -> int:
        """Units of the net's last layer: k logits for k > 2 classes, else one."""
        return self.classes if self.classes > 2 else 1

    def axes(self, fine: bool = True) -> list[np.ndarray]:
        """The display grid's axes: the output's (``fine``) or the units' pictures'."""
        return grid_axes(self.domain, (OUTPUT_GRID if fine else UNIT_GRID)[self.dim])

    def grid(self, fine: bool = True) -> np.ndarray:
        """Points of the display grid, (n^d, d), the last axis varying fastest."""
        return grid(self.domain, (OUTPUT_GRID if fine else UNIT_GRID)[self.dim])


def problem(
    s: Settings, f: Target | None = None, table: tuple[list[str], np.ndarray] | None = None
) -> Problem:
    """Build the data ``s`` asks for (regression on ``f`` instead of ``s.target`` when given; the
    uploaded ``table`` when ``s.source`` is csv); bad targets raise :class:`approxlab.errors.ApproxlabError`.

    >>> p = problem(Settings(target="sin(2*pi*x)", points=100))
    >>> p.X.shape, p.X_test.shape
    (torch.Size([50, 1]), torch.Size([50, 1]))
    """
    n_train = max(2, int(round(s.points * s.train_fraction)))
    n_test = max(2, s.points - n_train)
    rng = np.random.default_rng(
        s.seed + 2
    )  # label noise: its own stream, so the points match fit's
    as_t = lambda a: torch.as_tensor(np.asarray(a, dtype=np.float64))  # noqa: E731
    if s.source == "csv" and f is None:
        require(
            table is not None,
            "this tab has no CSV data (a link does not carry the file): upload it again",
        )
        return _from_table(s, *table)
    if s.kind == "classification":
        ds = dataset(s.dataset)
        X, y = ds.sample(n_train, s.seed, noise=ds.noise + s.noise)
        Xt, yt = ds.sample(n_test, s.seed + 1, noise=ds.noise + s.noise)
        loss = "cross_entropy" if ds.classes > 2 else "bce"
        data = (as_t(X), as_t(y), as_t(Xt), as_t(yt))
        return Problem("classification", loss, ds.domain, *data, None, ds.classes)
    f = f or target(s.target)
    require(
        f.dim <= 2,
        f"target {f.name!r} is {f.dim}-dimensional: the playground draws 1D and 2D targets "
        "(use x or x1, x2)",
    )
    X, Xt = sample(f.domain, n_train, s.seed), sample(f.domain, n_test, s.seed + 1)
    y = np.asarray(f(X)) + s.noise * rng.normal(size=n_train)
    yt = np.asarray(f(Xt)) + s.noise * rng.normal(size=n_test)
    return Problem("regression", "mse", f.domain, as_t(X), as_t(y), as_t(Xt), as_t(yt), f)


def _from_table(s: Settings, names: list[str], values: np.ndarray) -> Problem:
    """The CSV table's chosen columns, split into train and test rows by a permutation drawn with the seed;
    the domain is the inputs' bounding box widened by 5% on each side."""
    k = values.shape[1]
    cols = list(s.columns) or list(range(k))
    require(
        len(cols) in (2, 3),
        f"choose 1 or 2 input columns and a label column, got {len(cols)} of the file's {k}",
    )
    require(
        max(cols) < k,
        f"column {max(cols)} does not exist: the file has columns 0–{k - 1} ({', '.join(names)})",
    )
    X, y = values[:, cols[:-1]], values[:, cols[-1]]
    if s.kind == "classification":
        require(
            bool(np.isin(y, (0.0, 1.0)).all()),
            f"classification needs labels 0 or 1 in column {names[cols[-1]]!r}: "
            "recode them, or choose regression",
        )
    lo, hi = X.min(axis=0), X.max(axis=0)
    for j in np.flatnonzero(hi <= lo):
        raise ApproxlabError(
            f"column {names[cols[j]]!r} is constant: choose an input column that varies"
        )
    pad = 0.05 * (hi - lo)
    domain = [(float(a), float(b)) for a, b in zip(lo - pad, hi + pad)]
    order = np.random.default_rng(s.seed).permutation(len(y))
    n_train = min(len(y) - 1, max(1, int(round(len(y) * s.train_fraction))))
    tr, te = order[:n_train], order[n_train:]
    as_t = lambda a: torch.as_tensor(np.ascontiguousarray(a, dtype=np.float64))  # noqa: E731
    loss, classes = ("bce", 2) if s.kind == "classification" else ("mse", 0)
    data = (as_t(X[tr]), as_t(y[tr]), as_t(X[te]), as_t(y[te]))
    return Problem(s.kind, loss, domain, *data, None, classes)
