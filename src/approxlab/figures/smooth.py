"""Figures of a two-layer net's anatomy (seed 000): pure functions of an Anatomy."""

from __future__ import annotations

import numpy as np

from approxlab.errors import ApproxlabError
from approxlab.smooth.anatomy import Anatomy, unit_grid
from approxlab.smooth.taylor import evaluate_piece

LOCAL, GLOBAL = "#d95f02", "#1b9e77"


def anatomy_1d(A: Anatomy, title: str = ""):
    """Matplotlib: the output with knots (dashed), local units shaded between their zero-error
    points, Taylor pieces dotted over the curve; below, each unit's contribution."""
    import matplotlib.pyplot as plt

    X, parts, y = unit_grid(A, 801)
    x = X[:, 0]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 7), sharex=True, height_ratios=[3, 2])
    top.plot(x, y, color="black", lw=2, label="net N(x)")
    for k, p in enumerate(A.pieces):
        xs = np.linspace(p.lo, p.hi, 100)
        top.plot(
            xs,
            evaluate_piece(p.coefficients, p.centre, xs),
            ":",
            color="#7570b3",
            lw=2,
            label=f"Taylor pieces (deg {len(p.coefficients) - 1})" if k == 0 else None,
        )
    lo, hi = A.domain[0]
    zep = A.zero_error_points()
    for j in range(A.width):
        colour = LOCAL if A.local[j] else GLOBAL
        if np.isfinite(A.knots[j]) and lo <= A.knots[j] <= hi:
            top.axvline(A.knots[j], color=colour, ls="--", lw=1)
            top.annotate(
                f"{j}",
                (A.knots[j], 1.0),
                xycoords=("data", "axes fraction"),
                color=colour,
                ha="center",
                va="bottom",
                fontsize=8,
            )
        if A.local[j]:
            ends = np.sort(zep[j][np.isfinite(zep[j])])
            if len(ends) == 2:
                top.axvspan(max(ends[0], lo), min(ends[1], hi), color=LOCAL, alpha=0.08)
            elif len(ends) == 1:
                top.axvline(ends[0], color=LOCAL, lw=0.6, alpha=0.6)
        bottom.plot(x, parts[:, j], color=colour, lw=1.2)
    top.plot(
        [], [], "--", color=LOCAL, label="knot, local unit (shaded: inside its zero-error points)"
    )
    top.plot([], [], "--", color=GLOBAL, label="knot, global unit")
    top.legend(fontsize=8, loc="upper left", framealpha=0.9)
    top.set_ylabel("output")
    # pad: the unit numbers above the knot lines sit between the axes and the title
    top.set_title(
        title
        or f"{A.activation} net, {A.width} units: {int(A.local.sum())} local, "
        f"{int((~A.local).sum())} global (tol {A.tol:g})",
        pad=16,
    )
    bottom.set_ylabel("a_j σ(w_j x + b_j)")
    bottom.set_xlabel("x")
    bottom.set_xlim(lo, hi)
    fig.tight_layout()
    return fig


def anatomy_2d(A: Anatomy, title: str = ""):
    """Matplotlib: the output as filled contours with every knot line w_j·x + b_j = 0 drawn,
    coloured local/global, and the zero-error lines of local units thin."""
    import matplotlib.pyplot as plt

    if A.dim != 2:
        raise ApproxlabError(
            f"anatomy figures are drawn for 1D and 2D nets, this one takes {A.dim} inputs: "
            "read the numbers in anatomy.json"
        )
    n = 121
    X, _, y = unit_grid(A, n)
    (x0, x1), (y0, y1) = A.domain
    g0, g1 = X[:, 0].reshape(n, n), X[:, 1].reshape(n, n)
    fig, ax = plt.subplots(figsize=(7, 6))
    cs = ax.contourf(g0, g1, y.reshape(n, n), levels=30, cmap="Greys")
    fig.colorbar(cs, ax=ax, label="net output")
    for j in range(A.width):
        colour = LOCAL if A.local[j] else GLOBAL
        z = (A.W[j] @ X.T + A.b[j]).reshape(n, n)
        ax.contour(g0, g1, z, levels=[0.0], colors=[colour], linewidths=2)
        levels = sorted(v for v in A.zero_error_levels[j] if np.isfinite(v))
        if A.local[j] and levels:
            ax.contour(g0, g1, z, levels=levels, colors=[colour], linewidths=0.7, linestyles=":")
    ax.plot([], [], color=LOCAL, label="knot line, local unit (dotted: zero-error lines)")
    ax.plot([], [], color=GLOBAL, label="knot line, global unit")
    ax.legend(fontsize=8, loc="upper right")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_title(
        title
        or f"{A.activation} net, {A.width} units: {int(A.local.sum())} local, "
        f"{int((~A.local).sum())} global"
    )
    fig.tight_layout()
    return fig


def anatomy_figure(A: Anatomy, title: str = ""):
    """The 1D or 2D anatomy figure; other dimensions raise ApproxlabError naming what is supported."""
    if A.dim == 1:
        return anatomy_1d(A, title)
    return anatomy_2d(A, title)


def anatomy_plotly(A: Anatomy):
    """Plotly (interactive): 1D curve with per-unit contributions, or 2D surface with knot lines."""
    import plotly.graph_objects as go

    if A.dim == 1:
        X, parts, y = unit_grid(A, 801)
        fig = go.Figure(go.Scatter(x=X[:, 0], y=y, name="net", line=dict(color="black", width=3)))
        for j in range(A.width):
            fig.add_scatter(
                x=X[:, 0],
                y=parts[:, j],
                name=f"unit {j} ({'local' if A.local[j] else 'global'})",
                line=dict(color=LOCAL if A.local[j] else GLOBAL, width=1),
            )
        fig.update_layout(xaxis_title="x", yaxis_title="output / contributions")
        return fig
    if A.dim != 2:
        raise ApproxlabError(
            f"anatomy figures are drawn for 1D and 2D nets, this one takes {A.dim} inputs: "
            "read the numbers in anatomy.json"
        )
    n = 81
    X, _, y = unit_grid(A, n)
    fig = go.Figure(
        go.Surface(
            x=X[:, 0].reshape(n, n),
            y=X[:, 1].reshape(n, n),
            z=y.reshape(n, n),
            colorscale="Greys",
            opacity=0.85,
            showscale=False,
        )
    )
    for j in range(A.width):
        z = A.W[j] @ X.T + A.b[j]
        on = np.abs(z) < np.abs(A.W[j]).sum() * 1.5 / n
        if on.any():
            order = np.argsort(X[on] @ np.array([-A.W[j][1], A.W[j][0]]))
            fig.add_scatter3d(
                x=X[on][order, 0],
                y=X[on][order, 1],
                z=y[on][order],
                mode="markers",
                marker=dict(size=2, color=LOCAL if A.local[j] else GLOBAL),
                name=f"knot {j} ({'local' if A.local[j] else 'global'})",
            )
    fig.update_layout(scene=dict(xaxis_title="x1", yaxis_title="x2", zaxis_title="N"))
    return fig
