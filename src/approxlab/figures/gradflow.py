"""Figures for backprop and gradient flow (seed 002): pure functions from results to matplotlib.

Each takes plain numbers (or :class:`approxlab.gradflow.GradFlow` runs) and returns a
``matplotlib.figure.Figure``; :func:`approxlab.figures.save.save_figure` writes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ACT_ORDER = ("sigmoid", "tanh", "relu")
VARIANT_STYLE = {
    "plain": ("#1f77b4", "-"),
    "residual": ("#2ca02c", "-"),
    "batchnorm": ("#d62728", "-"),
}
SCHEME_COLOUR = {
    "standard": "#7f7f7f",
    "xavier_in": "#1f77b4",
    "xavier": "#17becf",
    "he": "#d62728",
}


def gradient_norms(runs: Sequence[Any]) -> matplotlib.figure.Figure:
    """‖δ^(l)‖/‖δ^(L)‖ by layer: top row plain nets of every depth with seed 002's bound
    (dotted); bottom row plain, residual and batch-norm nets at the largest depth."""
    acts = [a for a in ACT_ORDER if any(r.activation == a for r in runs)]
    fig, axes = plt.subplots(
        2, len(acts), figsize=(4.6 * len(acts), 7.6), squeeze=False, sharey="row"
    )
    depths = sorted({r.depth for r in runs if r.variant == "plain"})
    cmap = plt.get_cmap("viridis")
    for j, act in enumerate(acts):
        top, bottom = axes[0, j], axes[1, j]
        for i, depth in enumerate(depths):
            run = next(
                (
                    r
                    for r in runs
                    if r.activation == act and r.variant == "plain" and r.depth == depth
                ),
                None,
            )
            if run is None:
                continue
            colour = cmap(i / max(len(depths) - 1, 1))
            layers = np.arange(1, depth + 1)
            top.semilogy(
                layers,
                run.stats.delta_norm / run.stats.delta_norm[-1],
                color=colour,
                lw=2,
                label=f"L = {depth}",
            )
            if run.bound is not None:
                top.semilogy(
                    layers, run.bound / run.stats.delta_norm[-1], color=colour, lw=1, ls=":"
                )
        if act == "sigmoid" and depths:
            layers = np.arange(1, depths[-1] + 1)
            top.semilogy(
                layers,
                0.25 ** (depths[-1] - layers),
                color="k",
                lw=0.8,
                ls="--",
                label="0.25^(L−l) for the largest L",
            )
        top.set_title(f"{act}: plain nets (dotted: seed 002 bound)")
        top.set_xlabel("layer l")
        deepest = max((r.depth for r in runs if r.activation == act), default=0)
        for variant, (colour, ls) in VARIANT_STYLE.items():
            run = next(
                (
                    r
                    for r in runs
                    if r.activation == act and r.variant == variant and r.depth == deepest
                ),
                None,
            )
            if run is not None:
                bottom.semilogy(
                    np.arange(1, deepest + 1),
                    run.stats.delta_norm / run.stats.delta_norm[-1],
                    color=colour,
                    ls=ls,
                    lw=2,
                    label=f"{variant} ({run.first_to_last:.1e})",
                )
        bottom.axhline(1.0, color="k", lw=0.6)
        bottom.set_title(f"{act}: L = {deepest}, variants (‖δ^(1)‖/‖δ^(L)‖)")
        bottom.set_xlabel("layer l")
        top.legend(fontsize=8, loc="lower right")
        bottom.legend(fontsize=8, loc="best")
        for ax in (top, bottom):
            ax.grid(True, which="major", alpha=0.3)
    axes[0, 0].set_ylabel("‖δ^(l)‖ / ‖δ^(L)‖")
    axes[1, 0].set_ylabel("‖δ^(l)‖ / ‖δ^(L)‖")
    fig.suptitle("Error signal δ^(l) = ∂L/∂z^(l) at initialisation, one backward pass", fontsize=12)
    fig.tight_layout()
    return fig


def variance_by_layer(runs: Sequence[Any]) -> matplotlib.figure.Figure:
    """Var(z^(l)) and Var(δ^(l)) by layer for each initialisation scheme (rows) and activation (columns)."""
    acts = [a for a in ACT_ORDER if any(r.activation == a for r in runs)]
    fig, axes = plt.subplots(2, len(acts), figsize=(4.6 * len(acts), 7.4), squeeze=False)
    for j, act in enumerate(acts):
        for run in (r for r in runs if r.activation == act):
            layers = np.arange(1, run.depth + 1)
            style = {
                "color": SCHEME_COLOUR.get(run.init),
                "lw": 2,
                "label": run.init,
                "ls": (0, (4, 3)) if run.init == "xavier" else "-",
            }  # on square layers xavier = xavier_in
            axes[0, j].semilogy(layers, run.stats.preactivation_variance, **style)
            axes[1, j].semilogy(layers, run.stats.delta_variance, **style)
        axes[0, j].set_title(f"{act}: forward, Var(z^(l))")
        axes[1, j].set_title(f"{act}: backward, Var(δ^(l))")
        for ax in axes[:, j]:
            ax.set_xlabel("layer l")
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize=8)
    width = runs[0].width if runs else 0
    fig.suptitle(
        f"Variance by layer at initialisation, width {width}: standard U[±1/√n], "
        "xavier_in 1/n, xavier 2/(n_in+n_out), he 2/n",
        fontsize=11,
    )
    fig.tight_layout()
    return fig


def gradient_check(rows: Sequence[dict[str, Any]], tolerance: float) -> matplotlib.figure.Figure:
    """Relative error per case for the three pairwise comparisons, and the tolerance line.

    ``rows`` have ``case`` and the keys ``backprop_vs_fd``, ``backprop_vs_autograd``, ``autograd_vs_fd``.
    """
    keys = [
        ("backprop_vs_fd", "backprop vs finite differences", "#1f77b4"),
        ("autograd_vs_fd", "autograd vs finite differences", "#ff7f0e"),
        ("backprop_vs_autograd", "backprop vs autograd", "#2ca02c"),
    ]
    fig, ax = plt.subplots(figsize=(8.5, max(3.0, 0.28 * len(rows) + 1.5)))
    y = np.arange(len(rows))
    for k, (key, label, colour) in enumerate(keys):
        values = np.maximum([r[key] for r in rows], 1e-18)
        ax.scatter(values, y + (k - 1) * 0.2, color=colour, s=18, label=label)
    ax.axvline(tolerance, color="k", ls="--", lw=1, label=f"tolerance {tolerance:g}")
    ax.set_xscale("log")
    ax.set_yticks(y, [r["case"] for r in rows], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("max relative error over parameter tensors, ‖a − b‖ / max(‖a‖, ‖b‖)")
    ax.set_title("Three gradients of the same float64 weights")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(True, axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def batchnorm_projection(
    x_hat: np.ndarray, g_hat: np.ndarray, dx_scaled: np.ndarray
) -> matplotlib.figure.Figure:
    """ĝ_i and √(σ²+ε)·∂L/∂x_i = ĝ_i − mean ĝ − x̂_i mean(ĝ x̂) against x̂_i for one feature.

    The least-squares line of the second is flat at zero: batch norm's gradient is ĝ
    projected off the span of 1 and x̂ (seed 002, answer 4).
    """
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, values, title in (
        (axes[0], g_hat, "upstream ĝ_i = ∂L/∂x̂_i"),
        (axes[1], dx_scaled, "√(σ²+ε) · ∂L/∂x_i"),
    ):
        slope, intercept = np.polyfit(x_hat, values, 1)
        ax.scatter(x_hat, values, s=16, alpha=0.8)
        grid = np.linspace(x_hat.min(), x_hat.max(), 2)
        ax.plot(
            grid,
            intercept + slope * grid,
            color="#d62728",
            lw=2,
            label=f"fit: {intercept:+.2e} {slope:+.2e}·x̂",
        )
        ax.axhline(0, color="k", lw=0.6)
        ax.set_title(title)
        ax.set_xlabel("x̂_i")
        ax.legend(fontsize=8)
        ax.grid(True, alpha=0.3)
    fig.suptitle("Batch norm's gradient removes the mean and the x̂-component (ε = 0)")
    fig.tight_layout()
    return fig


def parameter_counts(
    formula: Sequence[int], torch_counts: Sequence[int], labels: Sequence[str], named: int = 4
) -> matplotlib.figure.Figure:
    """Σ_l (n_l n_{l−1} + n_l) against torch's count for many MLP shapes (all on the diagonal);
    the first ``named`` shapes are labelled."""
    fig, ax = plt.subplots(figsize=(6, 5.5))
    f, t = np.asarray(formula, float), np.asarray(torch_counts, float)
    ax.loglog(
        [f.min() / 2, f.max() * 2],
        [f.min() / 2, f.max() * 2],
        color="k",
        lw=0.8,
        ls="--",
        label="y = x",
    )
    ax.scatter(f, t, s=22, color="#1f77b4", alpha=0.6, label=f"{len(f)} MLP shapes")
    for i in range(min(named, len(f))):
        ax.scatter(f[i], t[i], s=40, color="#d62728", zorder=3)
        ax.annotate(
            f"{labels[i]}: {int(t[i]):,}",
            (f[i], t[i]),
            fontsize=8,
            xytext=(6, -10),
            textcoords="offset points",
        )
    ax.set_xlabel("Σ_l (n_l n_{l−1} + n_l)  (seed 002)")
    ax.set_ylabel("approxlab.nets.count_params (torch)")
    ax.set_title("Parameter count: formula vs torch")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    return fig


def piecewise_linear(
    x: np.ndarray,
    f: np.ndarray,
    net: np.ndarray,
    breakpoints: Sequence[float],
    units: np.ndarray,
    found: Sequence[float] | None = None,
) -> matplotlib.figure.Figure:
    """The target f, the depth-2 ReLU net, its hinge units and |net − f| on the grid."""
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(8, 6.5), sharex=True, gridspec_kw={"height_ratios": [3, 1.4]}
    )
    for k in range(units.shape[1]):
        top.plot(
            x,
            units[:, k],
            lw=0.8,
            alpha=0.5,
            color="#7f7f7f",
            label="units a_i σ(x − b_i)" if k == 0 else None,
        )
    top.plot(x, f, lw=4, color="#ff7f0e", alpha=0.6, label="piecewise-linear f")
    top.plot(x, net, lw=1.5, color="#1f77b4", ls="--", label="ReLU net")
    for b in breakpoints:
        top.axvline(b, color="k", lw=0.5, ls=":")
    if found is not None:
        top.scatter(
            found,
            np.interp(found, x, net),
            marker="x",
            color="#d62728",
            zorder=5,
            label="breakpoints found by regions",
        )
    span = float(np.ptp(f)) or 1.0
    top.set_ylim(
        float(np.min(f)) - 0.6 * span, float(np.max(f)) + 0.6 * span
    )  # hinges run off; f stays readable
    top.set_title("A depth-2 ReLU net equals a piecewise-linear function (seed 002, answer 2)")
    top.legend(fontsize=8)
    top.grid(True, alpha=0.3)
    err = np.abs(net - f)
    bottom.semilogy(x, np.maximum(err, 1e-18), ",", color="#1f77b4", alpha=0.6)
    bottom.axhline(2.0**-52, color="k", ls="--", lw=0.8, label="2^−52")
    bottom.set_ylabel("|net − f| (0 shown at 1e−18)")
    bottom.set_xlabel("x")
    bottom.legend(fontsize=8)
    bottom.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig


def decision_boundary(
    xx: np.ndarray,
    yy: np.ndarray,
    prob: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    losses: Sequence[float],
    title: str,
) -> matplotlib.figure.Figure:
    """Exercise 1: the trained net's P(y = 1 | x) with the data, and the loss curve."""
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(11, 4.6), gridspec_kw={"width_ratios": [1.2, 1]}
    )
    c = left.contourf(xx, yy, prob, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.75)
    left.contour(xx, yy, prob, levels=[0.5], colors="k", linewidths=1.5)
    left.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r", edgecolors="k", s=14, linewidths=0.4)
    fig.colorbar(c, ax=left, label="ŷ = P(y = 1 | x)")
    left.set_title(title)
    left.set_aspect("equal")
    right.semilogy(np.arange(1, len(losses) + 1), losses)
    right.set_xlabel("gradient-descent step")
    right.set_ylabel("cross-entropy")
    right.set_title("training loss")
    right.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    return fig
