"""A run's path through weight space, and the knots of a two-layer net moving over training.

- :func:`weight_matrix`: the snapshots θ_0 … θ_K of a history as rows (K+1, P), float64.
- :func:`pca_trajectory`: the rows projected on their top principal components, with the share
  of the variance each explains, λ_i / Σ λ (the weight-space pictures of seed 003, "Weight space of CNN").
- :func:`returns`: pairs of snapshots (i, j) where the path comes back near an earlier point after having
  gone away — the signature of a cycle ("Emergence of cycles during the training process", seed 003).
- :func:`knot_trajectory`: the knots −b_j/w_j (1D) or knot lines w_j·x + b_j = 0 (2D) of every
  unit at every snapshot (seed 000's knots, :mod:`approxlab.smooth.knots`), and an animated
  Plotly figure of them (:func:`knot_animation`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from approxlab.errors import ApproxlabError, require
from approxlab.watch.history import History


def weight_matrix(history: History) -> tuple[np.ndarray, np.ndarray]:
    """(steps (K+1,), θ (K+1, P)): every snapshot's parameters flattened in state-dict order, float64.

    >>> import tempfile, approxlab
    >>> h = History.create(tempfile.mkdtemp() + "/h", {}); h.append(0, approxlab.mlp(1, [2]), {})
    >>> weight_matrix(h)[1].shape
    (1, 7)
    """
    require(
        len(history.records) >= 1,
        f"history {str(history.path)!r} has no snapshots yet: train first",
    )
    rows = []
    for s in history.steps:
        w = history.weights(s)
        rows.append(np.concatenate([w[k].detach().double().numpy().ravel() for k in sorted(w)]))
    return np.array(history.steps), np.stack(rows)


def layer_norms(history: History) -> dict[str, np.ndarray]:
    """‖θ_name‖₂ of every parameter tensor at every snapshot, float64."""
    out: dict[str, list[float]] = {}
    for s in history.steps:
        for k, v in history.weights(s).items():
            out.setdefault(k, []).append(float(np.linalg.norm(v.double().numpy())))
    return {k: np.array(v) for k, v in out.items()}


def pca_trajectory(history: History, components: int = 2) -> dict[str, Any]:
    """Principal components of the snapshots: ``coords`` (K+1, c) = (θ_k − θ̄) V_c, ``explained`` (c,) the variance
    ratios λ_i / Σ λ (SVD of the centred rows), ``steps``. float64.

    >>> import tempfile, approxlab, torch
    >>> h = History.create(tempfile.mkdtemp() + "/h", {}); net = approxlab.mlp(1, [2])
    >>> for s in range(3):
    ...     with torch.no_grad(): _ = net[0].bias.add_(1.0)
    ...     h.append(s, net, {})
    >>> round(float(pca_trajectory(h, 1)["explained"][0]), 6)
    1.0
    """
    steps, theta = weight_matrix(history)
    require(len(steps) >= 2, "PCA of a trajectory needs at least two snapshots")
    centred = theta - theta.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    c = min(components, len(s))
    total = float(np.sum(s**2))
    explained = (s[:c] ** 2) / total if total > 0 else np.zeros(c)
    return {"steps": steps, "coords": centred @ vt[:c].T, "explained": explained}


def returns(points: np.ndarray, near: float = 0.05, away: float = 0.5) -> list[tuple[int, int]]:
    """Pairs (i, j), i < j, where the path x_0 … x_K returns within ``near``·D of x_i after having been farther than
    ``away``·D from it in between (D: the path's diameter). A straight or converging path has none; a loop has some.

    >>> t = np.linspace(0, 2 * np.pi, 17)
    >>> returns(np.stack([np.cos(t), np.sin(t)], 1))[:1]
    [(0, 16)]
    """
    x = np.asarray(points, dtype=np.float64)
    d = np.linalg.norm(x[:, None] - x[None, :], axis=2)
    diameter = float(d.max())
    if diameter == 0:
        return []
    out = []
    for i in range(len(x)):
        far = np.maximum.accumulate(d[i, i:]) > away * diameter
        for j in range(i + 1, len(x)):
            if d[i, j] <= near * diameter and far[j - i]:
                out.append((i, j))
                break
    return out


def cycle_period(points: np.ndarray, near: float = 0.05, away: float = 0.5) -> int | None:
    """The most common return time j − i over :func:`returns` of the centred path (None when it never returns):
    2 for the period-doubling of gradient descent at the edge of stability, the loop length for a limit cycle.

    >>> cycle_period(np.array([[0.0], [1.0]] * 5))
    2
    """
    found = returns(np.asarray(points, dtype=np.float64), near, away)
    if not found:
        return None
    gaps, counts = np.unique([j - i for i, j in found], return_counts=True)
    return int(gaps[np.argmax(counts)])


def knot_trajectory(history: History) -> dict[str, Any]:
    """The knots of a two-layer net Sequential(Linear, σ, Linear) at every snapshot, read from the weights:
    1D inputs → ``knots`` (K+1, m) = −b_j/w_j (±inf where w_j = 0); any input → ``w`` (K+1, m, d), ``b`` (K+1, m).
    float64.

    >>> import tempfile, approxlab
    >>> h = History.create(tempfile.mkdtemp() + "/h", {}); h.append(0, approxlab.mlp(1, [3]), {})
    >>> knot_trajectory(h)["knots"].shape
    (1, 3)
    """
    ws, bs = [], []
    for s in history.steps:
        state = history.weights(s)
        if not {"0.weight", "0.bias", "2.weight"} <= set(state) or len(state) != 4:
            raise ApproxlabError(
                f"knots are defined for two-layer nets Sequential(Linear, activation, Linear); "
                f"the snapshots hold {sorted(state)}: track knots only for one hidden layer"
            )
        ws.append(state["0.weight"].double().numpy())
        bs.append(state["0.bias"].double().numpy())
    w, b = np.stack(ws), np.stack(bs)
    out: dict[str, Any] = {"steps": np.array(history.steps), "w": w, "b": b}
    if w.shape[2] == 1:
        with np.errstate(divide="ignore", invalid="ignore"):
            out["knots"] = np.where(
                w[:, :, 0] != 0, -b / np.where(w[:, :, 0] != 0, w[:, :, 0], 1.0), np.inf
            )
    return out


def _line(w: np.ndarray, b: float, reach: float) -> tuple[list[float], list[float]]:
    n2 = float(w @ w)
    if n2 == 0:
        return [], []
    p0 = -b * w / n2
    d = np.array([-w[1], w[0]]) / np.sqrt(n2)
    a, c = p0 - reach * d, p0 + reach * d
    return [a[0], c[0], None], [a[1], c[1], None]


def knot_animation(
    history: History, box=((-1.0, 1.0), (-1.0, 1.0)), title: str = "Knots over training"
):
    """Animated Plotly figure (one frame per snapshot): the knot lines w_j·x + b_j = 0 of a 2-input two-layer net
    on ``box`` (or the knots −b_j/w_j on a line for 1-input nets), with a slider over the steps."""
    import plotly.graph_objects as go

    k = knot_trajectory(history)
    steps = k["steps"]
    dim = k["w"].shape[2]
    require(dim in (1, 2), f"knots are drawn for 1- or 2-input nets, this one has {dim} inputs")
    (x0, x1), (y0, y1) = box if dim == 2 else (box[0], (-0.5, 0.5))
    reach = 4.0 * max(x1 - x0, y1 - y0)

    def traces(i: int) -> list:
        if dim == 1:
            kn = k["knots"][i]
            kn = kn[np.isfinite(kn)]
            return [
                go.Scatter(
                    x=kn,
                    y=np.zeros_like(kn),
                    mode="markers",
                    marker={"size": 10, "symbol": "line-ns-open"},
                    name="knots −b/w",
                )
            ]
        xs: list = []
        ys: list = []
        for j in range(k["w"].shape[1]):
            lx, ly = _line(k["w"][i, j], float(k["b"][i, j]), reach)
            xs += lx
            ys += ly
        return [
            go.Scatter(x=xs, y=ys, mode="lines", line={"width": 2}, name="knot lines w·x + b = 0")
        ]

    frames = [go.Frame(data=traces(i), name=str(int(s))) for i, s in enumerate(steps)]
    slider = {
        "steps": [
            {
                "args": [
                    [str(int(s))],
                    {"frame": {"duration": 0, "redraw": True}, "mode": "immediate"},
                ],
                "label": str(int(s)),
                "method": "animate",
            }
            for s in steps
        ],
        "currentvalue": {"prefix": "step "},
    }
    play = {
        "type": "buttons",
        "buttons": [
            {
                "label": "play",
                "method": "animate",
                "args": [None, {"frame": {"duration": 300, "redraw": True}, "fromcurrent": True}],
            }
        ],
    }
    fig = go.Figure(data=traces(0), frames=frames)
    fig.update_layout(
        title=title,
        xaxis={"range": [x0, x1], "title": "x1"},
        yaxis={"range": [y0, y1], "title": "x2" if dim == 2 else ""},
        sliders=[slider],
        updatemenus=[play],
        width=700,
        height=650,
    )
    return fig
