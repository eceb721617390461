"""Figures for constructions: the target, what the proof builds, each unit's part,
and the gap to a trained net of the same size. Pure functions returning matplotlib figures."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from torch import nn

from approxlab.nets import in_features


def _eval(net: nn.Module, X: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return net(torch.as_tensor(X, dtype=torch.float64)).numpy().ravel()


def _is_two_layer(net: nn.Module) -> bool:
    return (
        isinstance(net, nn.Sequential)
        and len(net) == 3
        and all(isinstance(net[i], nn.Linear) for i in (0, 2))
    )


def construction_figure(
    net: nn.Module,
    f: Callable | None,
    domain: Sequence[tuple[float, float]],
    title: str,
    trained: nn.Module | None = None,
) -> Figure:
    """1D: target, construction (and trained net), the error, and each unit's contribution
    a_j σ(w_j x + b_j) for one-hidden-layer nets (the hidden layers' outputs otherwise).
    2D: target, construction and |error| as heat maps."""
    if in_features(net) == 2:
        return _surface(net, f, domain, title)
    lo, hi = domain[0]
    x = np.linspace(lo, hi, 2001).reshape(-1, 1)
    y = _eval(net, x)
    fig, axes = plt.subplots(
        3, 1, figsize=(7.5, 8.5), sharex=True, gridspec_kw={"height_ratios": [3, 1.4, 2.4]}
    )
    if f is not None:
        axes[0].plot(x, f(x), color="black", lw=2.5, alpha=0.35, label="target")
    axes[0].plot(x, y, color="C0", lw=1.4, label="construction")
    if trained is not None:
        axes[0].plot(x, _eval(trained, x), color="C3", lw=1.2, ls="--", label="trained, same size")
    axes[0].legend(frameon=False)
    axes[0].set_title(title)
    if f is not None:
        axes[1].plot(x, y - np.asarray(f(x)).ravel(), color="C0", lw=1)
        if trained is not None:
            axes[1].plot(x, _eval(trained, x) - np.asarray(f(x)).ravel(), color="C3", lw=1, ls="--")
        axes[1].axhline(0, color="grey", lw=0.5)
    axes[1].set_ylabel("error")
    parts, label = _parts(net, x)
    cmap = plt.get_cmap("viridis")
    for j in range(parts.shape[1]):
        axes[2].plot(x, parts[:, j], lw=0.8, color=cmap(j / max(1, parts.shape[1] - 1)))
    axes[2].set_ylabel(label)
    axes[2].set_xlabel("x")
    fig.tight_layout()
    return fig


def ray_figure(net: nn.Module, f: Callable, dim: int, title: str) -> Figure:
    """A d-dimensional construction and its target along the ray x = t e₁, t ∈ [−1, 1]."""
    t = np.linspace(-1.0, 1.0, 801)
    X = np.zeros((t.size, dim))
    X[:, 0] = t
    fig, ax = plt.subplots(figsize=(7.0, 4.2))
    ax.plot(t, f(X), color="black", lw=2.5, alpha=0.35, label="target")
    ax.plot(t, _eval(net, X), color="C0", lw=1.3, label="construction")
    ax.set_xlabel("t  (x = t·e₁)")
    ax.set_title(title)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def _parts(net: nn.Module, x: np.ndarray) -> tuple[np.ndarray, str]:
    if _is_two_layer(net):
        from approxlab.units import contributions

        parts, _ = contributions(net, x)
        return parts[:, :200], "unit contributions a_j σ(w_j x + b_j)"
    layers = list(net)
    out, h = [], torch.as_tensor(x, dtype=torch.float64)
    with torch.no_grad():
        for layer in layers[:-1]:
            h = layer(h)
            if not isinstance(layer, nn.Linear):
                out.append(h.numpy())
    return np.concatenate(out, axis=1)[:, :200], "hidden unit outputs, all layers"


def _surface(net: nn.Module, f: Callable | None, domain, title: str) -> Figure:
    (a, b), (c, d) = domain
    t1, t2 = np.linspace(a, b, 161), np.linspace(c, d, 161)
    X = np.stack(np.meshgrid(t1, t2, indexing="ij"), -1).reshape(-1, 2)
    y = _eval(net, X).reshape(161, 161)
    panels = [("construction", y)]
    if f is not None:
        z = np.asarray(f(X)).reshape(161, 161)
        panels = [("target", z), ("construction", y), ("|error|", np.abs(y - z))]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.8))
    for ax, (name, v) in zip(np.atleast_1d(axes), panels):
        im = ax.imshow(
            v.T,
            origin="lower",
            extent=(a, b, c, d),
            cmap="magma" if name == "|error|" else "viridis",
        )
        ax.set_title(name)
        fig.colorbar(im, ax=ax, shrink=0.8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def error_curves(
    series: dict[str, tuple[Sequence[float], Sequence[float]]],
    xlabel: str,
    title: str,
    bounds: dict[str, tuple[Sequence[float], Sequence[float]]] | None = None,
) -> Figure:
    """Log-log error curves (solid, markers) with their theorem bounds (dashed, same colour)."""
    fig, ax = plt.subplots(figsize=(6.8, 4.6))
    for i, (name, (xs, ys)) in enumerate(series.items()):
        ax.loglog(xs, ys, "o-", color=f"C{i}", label=name, ms=4)
        if bounds and name in bounds:
            ax.loglog(*bounds[name], "--", color=f"C{i}", lw=1, label=f"{name}: bound")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("error")
    ax.set_title(title)
    ax.legend(frameon=False, fontsize=8)
    ax.grid(True, which="both", alpha=0.25)
    fig.tight_layout()
    return fig


def gap_figure(rows: Sequence[dict], title: str) -> Figure:
    """Constructed vs trained sup error per construction (log scale bars)."""
    fig, ax = plt.subplots(figsize=(max(6.0, 0.9 * len(rows) + 2), 4.4))
    idx = np.arange(len(rows))
    ax.bar(idx - 0.2, [r["constructed_error"] for r in rows], 0.4, label="constructed (proof)")
    ax.bar(idx + 0.2, [r["trained_error"] for r in rows], 0.4, label="trained (Adam, same size)")
    ax.set_yscale("log")
    ax.set_xticks(idx, [r["construction"] for r in rows], rotation=30, ha="right")
    ax.set_ylabel("sup error on a dense grid")
    ax.set_title(title)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig
