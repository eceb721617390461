"""Figures of a fitted net: unit contributions (1D, 2D), surfaces, loss curves, 3D decision surfaces.

Pure functions: they take a net and a target (or data) and return a matplotlib or
Plotly figure; :func:`approxlab.figures.save.save_figure` writes it.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots
from torch import nn

from approxlab.nets import net_dtype
from approxlab.targets import Target
from approxlab.targets.domain import Domain, as_domain, grid_axes
from approxlab.units import two_layer


def predict(net: nn.Module, X: np.ndarray) -> np.ndarray:
    """The net's first output at the rows of X, as float64 NumPy."""
    with torch.no_grad():
        out = net(torch.as_tensor(np.asarray(X), dtype=net_dtype(net)))
    return out.reshape(out.shape[0], -1)[:, 0].double().numpy()


def units_1d(
    net: nn.Module, f: Target | None, n: int = 500, domain: Domain | None = None
) -> plt.Figure:
    """Top: target, prediction and the running sum c + Σ_{i≤j} a_i σ(w_i x + b_i) as units are added.
    Bottom: each unit's contribution a_j σ(w_j x + b_j), with its knot x = −b_j/w_j marked.
    Without a target (a net trained on data) the net is drawn alone, on ``domain``."""
    t = two_layer(net)
    box = f.domain if f is not None else as_domain(domain)
    x = np.linspace(*box[0], n)
    X = x[:, None]
    parts = t.contributions(X)
    c = float(t.c[0])
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 7), sharex=True, height_ratios=[3, 2])
    colours = plt.cm.tab10(np.arange(t.width) % 10)
    running = np.full(n, c)
    for j in range(t.width):
        lower = running.copy()
        running = running + parts[:, j]
        top.fill_between(x, lower, running, color=colours[j], alpha=0.25, linewidth=0)
    if f is not None:
        top.plot(x, np.asarray(f(X)), "k-", lw=2.5, label="target f")
    top.plot(x, predict(net, X), "--", color="crimson", lw=2, label="net N = c + Σ units")
    top.axhline(c, color="grey", lw=0.8, ls=":", label=f"output bias c = {c:.3g}")
    top.set_ylabel("value")
    top.set_title(
        f"{t.width} {t.activation} units: the shaded bands stack each unit's contribution on c"
    )
    top.legend(loc="best", fontsize=8)
    for j in range(t.width):
        bottom.plot(x, parts[:, j], color=colours[j], lw=1.8, label=f"unit {j + 1}")
        w, b = t.W[j, 0], t.b[j]
        if w != 0 and box[0][0] <= -b / w <= box[0][1]:
            bottom.axvline(-b / w, color=colours[j], lw=0.8, ls=":")
    bottom.axhline(0, color="grey", lw=0.6)
    bottom.set_xlabel("x")
    bottom.set_ylabel("a_j σ(w_j x + b_j)")
    bottom.legend(loc="best", fontsize=7, ncol=min(4, t.width))
    fig.tight_layout()
    return fig


def units_2d(
    net: nn.Module, f: Target | None, n: int = 121, domain: Domain | None = None
) -> plt.Figure:
    """Per unit j: its activation σ(w_j·x + b_j) (top row) and weighted contribution
    a_j σ(w_j·x + b_j) (bottom row) over the domain — the ridges the net sums.
    Without a target the box is ``domain``."""
    t = two_layer(net)
    box = f.domain if f is not None else as_domain(domain)
    xs, ys = grid_axes(box, n)
    X1, X2 = np.meshgrid(xs, ys, indexing="xy")
    X = np.column_stack([X1.ravel(), X2.ravel()])
    act = t.activations(X)
    parts = t.contributions(X)
    m = t.width
    fig, axes = plt.subplots(2, m, figsize=(2.6 * m + 1, 5.4), squeeze=False)
    extent = [*box[0], *box[1]]
    for j in range(m):
        for row, values, cmap, label in (
            (0, act[:, j], "viridis", "σ(w·x+b)"),
            (1, parts[:, j], "RdBu_r", "a σ(w·x+b)"),
        ):
            ax = axes[row, j]
            V = values.reshape(X1.shape)
            if row == 1:
                lim = max(abs(V.min()), abs(V.max())) or 1.0
                im = ax.imshow(
                    V, origin="lower", extent=extent, cmap=cmap, vmin=-lim, vmax=lim, aspect="auto"
                )
            else:
                im = ax.imshow(V, origin="lower", extent=extent, cmap=cmap, aspect="auto")
            _knot_line(ax, t.W[j], t.b[j], box)
            ax.set_xticks([])
            ax.set_yticks([])
            fig.colorbar(im, ax=ax, fraction=0.046, pad=0.02)
            if j == 0:
                ax.set_ylabel(label)
        axes[0, j].set_title(f"unit {j + 1}: a = {t.a[0, j]:.3g}", fontsize=9)
    fig.suptitle(
        f"{m} {t.activation} units over {f.name if f is not None else 'the box'}: activation (top) and contribution (bottom); "
        f"dashed: knot line w·x + b = 0",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


def _knot_line(ax, w: np.ndarray, b: float, domain) -> None:
    (x0, x1), (y0, y1) = domain
    if abs(w[1]) > 1e-12:
        xs = np.array([x0, x1])
        ax.plot(xs, -(w[0] * xs + b) / w[1], "w--", lw=1)
    elif abs(w[0]) > 1e-12:
        ax.axvline(-b / w[0], color="w", ls="--", lw=1)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


def surfaces_2d(net: nn.Module, f: Target, n: int = 61) -> go.Figure:
    """Plotly 3D surfaces side by side: the target, the net's prediction and the residual N − f."""
    xs, ys = grid_axes(f.domain, n)
    X1, X2 = np.meshgrid(xs, ys, indexing="xy")
    X = np.column_stack([X1.ravel(), X2.ravel()])
    truth = np.asarray(f(X)).reshape(X1.shape)
    pred = predict(net, X).reshape(X1.shape)
    fig = make_subplots(
        rows=1,
        cols=3,
        specs=[[{"type": "surface"}] * 3],
        subplot_titles=(
            "target f",
            "net N",
            f"residual N − f (max |·| = {np.abs(pred - truth).max():.3g})",
        ),
    )
    for col, Z, scale in ((1, truth, "Viridis"), (2, pred, "Viridis"), (3, pred - truth, "RdBu")):
        fig.add_trace(
            go.Surface(x=xs, y=ys, z=Z, colorscale=scale, showscale=False), row=1, col=col
        )
    fig.update_layout(height=520, margin=dict(l=0, r=0, t=40, b=0))
    return fig


def prediction_1d(net: nn.Module, f: Target, n: int = 500) -> plt.Figure:
    """Target and prediction on a 1D domain, with the error below."""
    x = np.linspace(*f.domain[0], n)
    truth, pred = np.asarray(f(x[:, None])), predict(net, x[:, None])
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 5.5), sharex=True, height_ratios=[3, 1])
    top.plot(x, truth, "k-", lw=2.5, label="target f")
    top.plot(x, pred, "--", color="crimson", lw=2, label="net N")
    top.legend()
    bottom.plot(x, pred - truth, color="purple")
    bottom.axhline(0, color="grey", lw=0.6)
    bottom.set_ylabel("N − f")
    bottom.set_xlabel("x")
    fig.tight_layout()
    return fig


def loss_curve(losses: Sequence[float], title: str = "training loss") -> plt.Figure:
    """The training loss per step on a log scale."""
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.semilogy(np.arange(1, len(losses) + 1), np.maximum(np.asarray(losses), 1e-300))
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def width_errors(
    widths: Sequence[int], errors: Sequence[float], label: str = "test RMSE"
) -> plt.Figure:
    """Error against the number of hidden units."""
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    ax.semilogy(widths, errors, "o-")
    ax.set_xticks(list(widths))
    ax.set_xlabel("hidden units")
    ax.set_ylabel(label)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def decision_surface_3d(
    net: nn.Module,
    f: Target,
    X: np.ndarray,
    y: np.ndarray,
    z_range: tuple[float, float],
    n: int = 28,
) -> go.Figure:
    """Seed 001's classifier in 3D: the p = ½ level set of the net over the (x1, x2, x3) box,
    the true surface x3 = f(x1, x2) and the labelled points."""
    (a0, a1), (b0, b1) = f.domain
    g1, g2, g3 = np.meshgrid(
        np.linspace(a0, a1, n), np.linspace(b0, b1, n), np.linspace(*z_range, n), indexing="ij"
    )
    P = np.column_stack([g1.ravel(), g2.ravel(), g3.ravel()])
    prob = 1 / (1 + np.exp(-predict(net, P)))
    xs, ys = np.linspace(a0, a1, 40), np.linspace(b0, b1, 40)
    S1, S2 = np.meshgrid(xs, ys, indexing="xy")
    Z = np.asarray(f(np.column_stack([S1.ravel(), S2.ravel()]))).reshape(S1.shape)
    fig = go.Figure()
    fig.add_trace(
        go.Isosurface(
            x=P[:, 0],
            y=P[:, 1],
            z=P[:, 2],
            value=prob,
            isomin=0.5,
            isomax=0.5,
            surface_count=1,
            colorscale=[[0, "royalblue"], [1, "royalblue"]],
            opacity=0.45,
            showscale=False,
            name="net: p = ½",
            caps=dict(x_show=False, y_show=False, z_show=False),
        )
    )
    fig.add_trace(
        go.Surface(
            x=xs,
            y=ys,
            z=Z,
            colorscale="Greys",
            opacity=0.35,
            showscale=False,
            name="x3 = f(x1, x2)",
        )
    )
    for label, colour in ((1, "green"), (0, "red")):
        keep = y == label
        fig.add_trace(
            go.Scatter3d(
                x=X[keep, 0],
                y=X[keep, 1],
                z=X[keep, 2],
                mode="markers",
                marker=dict(size=2, color=colour),
                name="on the surface (1)" if label else "above/below (0)",
            )
        )
    fig.update_layout(
        height=600,
        scene=dict(xaxis_title="x1", yaxis_title="x2", zaxis_title="x3"),
        margin=dict(l=0, r=0, t=30, b=0),
        title="decision surface p = ½ (blue) around x3 = f(x1, x2)",
    )
    return fig
