"""Figures for 2D classifiers: the predicted probability over the plane and the data."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from torch import nn

from approxlab.figures.units import predict
from approxlab.targets import Dataset
from approxlab.targets.domain import grid_axes


def decision_regions(net: nn.Module, data: Dataset, n: int = 200, seed: int = 0) -> plt.Figure:
    """P(class 1) = sigmoid(N(x)) over the data set's square, the p = ½ boundary, and a sample."""
    xs, ys = grid_axes(data.domain, n)
    X1, X2 = np.meshgrid(xs, ys, indexing="xy")
    p = 1 / (1 + np.exp(-predict(net, np.column_stack([X1.ravel(), X2.ravel()])))).reshape(X1.shape)
    X, y = data.sample(400, seed=seed + 2)
    fig, ax = plt.subplots(figsize=(5.5, 5))
    im = ax.contourf(X1, X2, p, levels=20, cmap="RdBu_r", alpha=0.8)
    ax.contour(X1, X2, p, levels=[0.5], colors="k", linewidths=1.5)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r", edgecolors="k", s=14)
    fig.colorbar(im, ax=ax, label="P(class 1)")
    ax.set_title(f"{data.name}: decision boundary p = ½")
    fig.tight_layout()
    return fig
