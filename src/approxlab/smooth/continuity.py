"""The smooth-continuity experiment (seed 000, principle 4).

Restriction: a smooth two-layer net that fits the target on the boundary ∂R of a region
R is, through smoothness, largely determined inside R. Measured as follows: train one net
on ``n`` seeded samples of ∂R only and one on ``n`` samples of R, same width, steps and
seed; report each one's RMSE over a grid of the interior (the box shrunk by ``inner``)
and the ratio boundary/interior. A small ratio means the boundary determined the inside.
float32 training (approxlab.fit), float64 evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from approxlab.errors import require
from approxlab.fit import fit
from approxlab.nets import mlp, net_dtype
from approxlab.targets import Target, grid, sample


def boundary_samples(domain, n: int, seed: int = 0) -> np.ndarray:
    """``n`` points uniform on the boundary of a 2D box (each edge in proportion to its length).

    >>> boundary_samples([(-1, 1), (-1, 1)], 4, seed=0).shape
    (4, 2)
    """
    require(
        len(domain) == 2,
        f"boundary samples are drawn for 2D boxes, got {len(domain)}D: pass a 2D domain",
    )
    (x0, x1), (y0, y1) = domain
    rng = np.random.default_rng(seed)
    perimeter = 2 * ((x1 - x0) + (y1 - y0))
    s = rng.uniform(0, perimeter, n)
    w, h = x1 - x0, y1 - y0
    pts = np.empty((n, 2))
    for i, t in enumerate(s):
        if t < w:
            pts[i] = (x0 + t, y0)
        elif t < w + h:
            pts[i] = (x1, y0 + t - w)
        elif t < 2 * w + h:
            pts[i] = (x1 - (t - w - h), y1)
        else:
            pts[i] = (x0, y1 - (t - 2 * w - h))
    return pts


@dataclass(frozen=True)
class ContinuityRow:
    activation: str
    boundary_rmse: float
    interior_rmse: float

    @property
    def ratio(self) -> float:
        return self.boundary_rmse / max(self.interior_rmse, 1e-12)


def continuity(
    f: Target,
    activation: str,
    width: int = 8,
    n: int = 400,
    steps: int = 1500,
    lr: float = 0.01,
    seed: int = 0,
    inner: float = 0.8,
) -> ContinuityRow:
    """Interior RMSE of a net trained on ∂R only vs one trained on R (see module docstring).

    >>> from approxlab.targets import target
    >>> row = continuity(target("paraboloid"), "sigmoid", width=3, n=50, steps=20)
    >>> row.boundary_rmse > 0
    True
    """
    require(
        f.dim == 2,
        f"the smooth-continuity experiment is 2D, got a {f.dim}D target: pick a 2D target",
    )
    centre = np.array([(lo + hi) / 2 for lo, hi in f.domain])
    half = np.array([(hi - lo) / 2 for lo, hi in f.domain]) * inner
    Xin = grid([(c - h, c + h) for c, h in zip(centre, half)], 41)
    yin = np.asarray(f(Xin), dtype=np.float64).reshape(-1)
    rmses = []
    for X in (boundary_samples(f.domain, n, seed), sample(f.domain, n, seed)):
        net = mlp(2, [width], activation=activation, seed=seed)
        fit(
            net,
            (X, np.asarray(f(X)).reshape(-1, 1)),
            steps=steps,
            optimizer="adam",
            lr=lr,
            seed=seed,
        )
        with torch.no_grad():
            pred = net(torch.as_tensor(Xin, dtype=net_dtype(net))).double().numpy()[:, 0]
        rmses.append(float(np.sqrt(np.mean((pred - yin) ** 2))))
    return ContinuityRow(activation, rmses[0], rmses[1])
