"""Seed 003's error decomposition: approximation, estimation and optimisation error (θ1, θ2, θ3).

Seed 003 ("In practice"): θ* is the true parameter, θ1 the best the architecture's class
reaches, θ2 the best obtainable from the training data and loss, θ3 what the optimiser
returns. With a known, noiseless target f and the population risk
R(θ) = ‖net_θ − f‖²_{L²(μ)} (μ uniform on f's box, so R(θ*) = 0):

    R(θ3) = R(θ1)               approximation  (the class's best, width m)
          + [R(θ2) − R(θ1)]     estimation     (n_train points instead of μ)
          + [R(θ3) − R(θ2)]     optimisation   (a fixed Adam budget instead of the minimiser)

R is the mean of (net − f)² over a tensor grid of ``eval_n`` points per axis, the same
measure for every θ, so the three terms add exactly. Each θ is measured on one-hidden-layer
nets of width m (:func:`approxlab.mlp`), the many-seed parts trained as one stack
(:mod:`approxlab.ensemble`):

- θ1(m): the minimum over (a) Adam from ``inits`` × ``lrs`` on the population grid
  (``fit_n`` points per axis), the ``finish`` best finished by ``theta1_lbfgs_steps`` of L-BFGS
  (:func:`approxlab.baseline.lbfgs_finish`); (b) least squares for the output layer on
  ``features`` random hidden layers (mlp's initialisation); (c) for ReLU in 1-D, the
  interpolant at m + 1 equispaced knots (:func:`approxlab.construct.relu_interpolant`);
  (d) θ1 of every narrower width (the classes are nested: a unit with output weight 0);
  (e) every net trained for θ2 and θ3 at this width (each is a member of the class, so its
  population risk bounds the class's best from above: a search on the population grid can
  fall short of a net fitted to a sample, and θ1 must not sit above a member it has seen).
- θ2(m, n, j): on sample j (n points drawn with seed ``seed + j``), Adam from every init × rate,
  the ``finish`` nets with the smallest training loss finished by L-BFGS (the fair protocol,
  :mod:`approxlab.baseline`); the empirical risk minimiser is the finished net with the
  smallest *training* loss, and θ2_j is its population risk.
- θ3(m, n, j): the population risk of plain Adam at fit's default rate after ``steps`` steps,
  one value per init (the typical value is the median).

Every θ2/θ3 net is in the class, so with (e) the estimation gap θ2_j − θ1 ≥ 0 by construction;
θ3 ≥ θ2 holds in expectation but not per run (an early-stopped Adam can generalise better
than the minimiser). The gaps are medians over samples with seeded bootstrap intervals.
θ1 stays an upper bound on the class's infimum: ``theta1_candidates`` says which candidate
reached it, so a width whose θ1 came only from the sample-trained nets shows the search fell short.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from approxlab.arguments import count
from approxlab.baseline import lbfgs_finish
from approxlab.ensemble import Ensemble, ensemble, train
from approxlab.errors import choose, require
from approxlab.fit import _DEFAULT_LR
from approxlab.nets import mlp
from approxlab.targets import Target, sample, target
from approxlab.targets.domain import grid

ACTIVATIONS = ("sigmoid", "tanh", "relu")
MAX_CELLS = 400  # widths × sample sizes: each cell is one stacked training run


def population_risk(nets: Sequence[torch.nn.Module], X: np.ndarray, fx: np.ndarray) -> np.ndarray:
    """R(net_k) = mean over the points X of (net_k(x) − f(x))², for each net (stacked, float64).

    >>> X = np.linspace(0, 1, 5)[:, None]
    >>> population_risk([mlp(1, [2], seed=0)], X, np.zeros(5)).shape
    (1,)
    """
    with torch.no_grad():
        out = Ensemble.from_nets(list(nets))(torch.as_tensor(X))[..., 0].numpy()
    return np.mean((out - fx) ** 2, axis=1)


def median_interval(
    values: Sequence[float], level: float = 0.9, boot: int = 1000, seed: int = 0
) -> tuple[float, float, float]:
    """(median, low, high): the median and its seeded percentile-bootstrap ``level`` interval.

    >>> median_interval([1.0, 2.0, 3.0], boot=50)[0]
    2.0
    """
    v = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    meds = np.median(v[rng.integers(0, v.size, (boot, v.size))], axis=1)
    q = [(1 - level) / 2 * 100, (1 + level) / 2 * 100]
    low, high = np.percentile(meds, q)
    return float(np.median(v)), float(low), float(high)


@dataclass
class Cell:
    """One (width, n_train): θ1, θ2 per sample, θ3 per sample × init."""

    width: int
    n_train: int
    theta1: float
    theta2: list[float]
    theta3: list[list[float]]

    def row(self, level: float = 0.9, boot: int = 1000, seed: int = 0) -> dict[str, float]:
        """The decomposition at this cell: medians over samples with bootstrap intervals.

        approximation = θ1; estimation = median_j (θ2_j − θ1); optimisation = median_j (θ3_j − θ2_j),
        θ3_j the median over inits on sample j; θ3's spread is over every Adam run.
        """
        t2 = np.asarray(self.theta2)
        t3 = np.asarray(self.theta3)
        t3j = np.median(t3, axis=1)
        est = median_interval(t2 - self.theta1, level, boot, seed)
        opt = median_interval(t3j - t2, level, boot, seed)
        return {
            "width": self.width,
            "n_train": self.n_train,
            "theta1": self.theta1,
            "theta2": float(np.median(t2)),
            "theta2_min": float(t2.min()),
            "theta2_max": float(t2.max()),
            "theta3": float(np.median(t3)),
            "theta3_q10": float(np.quantile(t3, 0.1)),
            "theta3_q90": float(np.quantile(t3, 0.9)),
            "approximation": self.theta1,
            "estimation": est[0],
            "estimation_low": est[1],
            "estimation_high": est[2],
            "optimisation": opt[0],
            "optimisation_low": opt[1],
            "optimisation_high": opt[2],
        }


@dataclass
class Decomposition:
    """θ1 per width (with each candidate's value) and one :class:`Cell` per (width, n_train)."""

    target: str
    activation: str
    steps: int
    theta1_candidates: dict[int, dict[str, float]]
    cells: list[Cell] = field(repr=False)

    def rows(self, level: float = 0.9, boot: int = 1000, seed: int = 0) -> list[dict[str, float]]:
        """:meth:`Cell.row` for every cell, widths then sample sizes ascending."""
        return [c.row(level, boot, seed) for c in self.cells]


def _fit_and_finish(
    m: int,
    activation: str,
    X: np.ndarray,
    y: np.ndarray,
    seeds: list[int],
    lrs: Sequence[float],
    steps: int,
    finish: int,
    lbfgs_steps: int,
):
    """Adam on ``(X, y)`` (shared by all nets) from every seed × rate, in one stack; the ``finish``
    nets of smallest final training loss finished by L-BFGS. Returns (all Adam nets, the finished
    nets, their training losses)."""
    K = len(seeds)
    ens = ensemble(X.shape[1], [m], activation=activation, seeds=[s for _ in lrs for s in seeds])
    r = train(ens, (X, y), steps=steps, lr=[lr for lr in lrs for _ in range(K)], compile=False)
    loss = np.where(np.isfinite(r.losses[-1]), r.losses[-1], np.inf)
    adam = ens.unstack()
    finished = []
    for k in np.argsort(loss)[:finish]:
        net = copy.deepcopy(adam[k])
        lbfgs_finish(net, (X, y), lbfgs_steps)
        finished.append(net)
    return adam, finished, population_risk(finished, X, y)


def _random_features(
    m: int, activation: str, X: np.ndarray, fx: np.ndarray, draws: int, seed: int
) -> float:
    """min over ``draws`` hidden layers (mlp's init, seeds seed…) of the least-squares output layer's R."""
    best = np.inf
    for s in range(seed, seed + draws):
        net = mlp(X.shape[1], [m], activation=activation, seed=s)
        with torch.no_grad():
            H = net[1](net[0](torch.as_tensor(X))).numpy()
        design = np.hstack([H, np.ones((X.shape[0], 1))])
        coef = np.linalg.lstsq(design, fx, rcond=None)[0]
        best = min(best, float(np.mean((design @ coef - fx) ** 2)))
    return best


def theta1(
    f: Target,
    m: int,
    activation: str,
    X_eval: np.ndarray,
    f_eval: np.ndarray,
    *,
    inits: int,
    lrs: Sequence[float],
    steps: int,
    finish: int,
    lbfgs_steps: int,
    features: int,
    fit_n: int,
    seed: int,
) -> dict[str, float]:
    """θ1(m)'s candidates (trained on the population grid, random features, construction), see the module.

    >>> f = target("sine")
    >>> Xe = grid(f.domain, 65); c = theta1(f, 2, "tanh", Xe, f(Xe), inits=2, lrs=(0.05,), steps=50,
    ...     finish=1, lbfgs_steps=5, features=2, fit_n=33, seed=0)
    >>> sorted(c)
    ['random_features', 'trained']
    """
    G = grid(f.domain, fit_n)
    _, finished, _ = _fit_and_finish(
        m,
        activation,
        G,
        np.asarray(f(G)),
        list(range(seed, seed + inits)),
        lrs,
        steps,
        finish,
        lbfgs_steps,
    )
    out = {
        "trained": float(population_risk(finished, X_eval, f_eval).min()),
        "random_features": _random_features(m, activation, X_eval, f_eval, features, seed),
    }
    if activation == "relu" and X_eval.shape[1] == 1:
        from approxlab.construct import relu_interpolant

        lo, hi = f.domain[0]
        knots = np.linspace(lo, hi, m + 1)  # k knots: k − 1 units
        net = relu_interpolant(knots, np.asarray(f(knots[:, None])))
        out["construction"] = float(population_risk([net], X_eval, f_eval)[0])
    return out


def decompose(
    name: str | Target = "sine",
    widths: Sequence[int] = (1, 2, 3),
    n_trains: Sequence[int] = (8, 32, 128),
    *,
    activation: str = "tanh",
    samples: int = 3,
    inits: int = 4,
    lrs: Sequence[float] = (0.01, 0.05),
    steps: int = 1000,
    finish: int = 2,
    lbfgs_steps: int = 200,
    theta1_inits: int = 8,
    theta1_steps: int = 2000,
    theta1_lbfgs_steps: int = 1000,
    features: int = 32,
    fit_n: int | None = None,
    eval_n: int | None = None,
    seed: int = 0,
) -> Decomposition:
    """θ1, θ2, θ3 of one-hidden-layer ``activation`` nets on ``name`` for every width × n_train.

    θ3 is Adam at fit's default rate (``lrs`` must contain it) for ``steps`` steps; θ2 starts
    from the same Adam runs (every rate in ``lrs``) and finishes by L-BFGS. ``fit_n``/``eval_n``:
    grid points per axis for θ1's training and for R (default 257/2049 in 1-D, 33/129 in 2-D).
    Formulas and protocol: the module docstring; reference: seed 003, the θ*/θ1/θ2/θ3 slide.

    >>> d = decompose("sine", widths=(1, 2), n_trains=(8,), samples=2, inits=2, steps=50,
    ...               lbfgs_steps=5, theta1_inits=2, theta1_steps=50, features=2)
    >>> [c.width for c in d.cells], len(d.cells[0].theta2)
    ([1, 2], 2)
    """
    f = target(name) if isinstance(name, str) else name
    choose("activation", activation, ACTIVATIONS)
    d = len(f.domain)
    require(
        d <= 2,
        f"the decomposition integrates on a grid: give a 1-D or 2-D target, {f.name} has {d} inputs",
    )
    widths = [count("width", w, high=256) for w in widths]
    n_trains = [count("n_train", n, high=100_000) for n in n_trains]
    require(widths and n_trains, "give at least one width and one n_train")
    require(
        len(widths) * len(n_trains) <= MAX_CELLS,
        f"{len(widths)} widths × {len(n_trains)} sample sizes exceed {MAX_CELLS} cells: give fewer",
    )
    for option, value in (("samples", samples), ("inits", inits), ("finish", finish)):
        count(option, value, high=10_000)
    default = _DEFAULT_LR["adam"]
    require(
        default in lrs,
        f"lrs {tuple(lrs)} must contain fit's default Adam rate {default} (θ3 is Adam at that rate)",
    )
    require(
        finish <= inits * len(lrs),
        f"finish={finish} exceeds the {inits * len(lrs)} Adam runs per sample",
    )
    fit_n = fit_n or (257 if d == 1 else 33)
    eval_n = eval_n or (2049 if d == 1 else 129)
    X_eval = grid(f.domain, eval_n)
    f_eval = np.asarray(f(X_eval))
    init_seeds = list(range(seed, seed + inits))
    candidates: dict[int, dict[str, float]] = {}
    cells = []
    best_so_far = np.inf
    for m in sorted(set(widths)):
        c = theta1(
            f,
            m,
            activation,
            X_eval,
            f_eval,
            inits=theta1_inits,
            lrs=lrs,
            steps=theta1_steps,
            finish=finish,
            lbfgs_steps=theta1_lbfgs_steps,
            features=features,
            fit_n=fit_n,
            seed=seed,
        )
        if np.isfinite(best_so_far):
            c["narrower width"] = best_so_far
        measured = []
        members = np.inf
        for n in sorted(set(n_trains)):
            theta2, theta3 = [], []
            for j in range(samples):
                X = sample(f.domain, n, seed + j)
                adam, finished, train_loss = _fit_and_finish(
                    m, activation, X, np.asarray(f(X)), init_seeds, lrs, steps, finish, lbfgs_steps
                )
                risks = population_risk(finished, X_eval, f_eval)
                theta2.append(float(risks[int(np.argmin(train_loss))]))
                at_default = adam[lrs.index(default) * inits : (lrs.index(default) + 1) * inits]
                theta3.append(population_risk(at_default, X_eval, f_eval).tolist())
                members = min(members, float(risks.min()), float(np.min(theta3[-1])))
            measured.append((n, theta2, theta3))
        c["sample-trained nets"] = members
        best_so_far = min(c.values())
        candidates[m] = c
        cells += [Cell(m, n, best_so_far, t2, t3) for n, t2, t3 in measured]
    return Decomposition(f.name, activation, steps, candidates, cells)
