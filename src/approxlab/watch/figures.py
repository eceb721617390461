"""Figures of a history: curves over log-steps and the weight-space path (matplotlib, pure functions)."""

from __future__ import annotations

import numpy as np

from approxlab.watch.history import History


def curves(history: History, keys: list[str], title: str, ylabel: str = ""):
    """Each recorded value in ``keys`` over log-steps (step 0 drawn at 1)."""
    import matplotlib.pyplot as plt

    steps = np.maximum(np.array(history.steps), 1)
    fig, ax = plt.subplots(figsize=(7, 4))
    for key in keys:
        ax.semilogx(steps, history.series(key), "o-", ms=3, label=key)
    ax.set_xlabel("step (log; 0 at 1)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def pca_path(pca: dict):
    """The weight-space path in its top two principal components, coloured by log-step, axes labelled with the
    share of variance they explain."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    c, e = pca["coords"], pca["explained"]
    fig, ax = plt.subplots(figsize=(6, 5))
    y = c[:, 1] if c.shape[1] > 1 else np.zeros(len(c))
    ax.plot(c[:, 0], y, color="grey", lw=0.7)
    sc = ax.scatter(
        c[:, 0], y, c=np.maximum(pca["steps"], 1), cmap="viridis", norm=LogNorm(), s=22, zorder=2
    )
    fig.colorbar(sc, ax=ax, label="step")
    ax.set_xlabel(f"PC1 ({100 * e[0]:.1f} % of variance)")
    ax.set_ylabel(f"PC2 ({100 * e[1]:.1f} % of variance)" if len(e) > 1 else "")
    ax.set_title("Weight-space trajectory")
    fig.tight_layout()
    return fig
