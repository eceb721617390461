"""The curse of dimensionality on one figure: error against units per d, Lipschitz field beside Gaussian bump."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure


def curse_figure(result: dict) -> Figure:
    """Left: relative RMS error of the Lipschitz field against units n (log-log) per d, each with the theory's slope
    n^{−1/d} drawn through its first point. Right: the Gaussian bump's err/C_f per d, Barron's bound 2/√n and a
    n^{−1/2} line through the lowest first point. Fitted exponents in the legends."""
    fig, axes = plt.subplots(1, 2, figsize=(11.0, 4.6), sharex=True)
    n = np.array(result["units"], dtype=float)
    colors = plt.cm.viridis(np.linspace(0.0, 0.9, len(result["dims"])))
    for ax, name in zip(axes, ("lipschitz", "barron")):
        firsts = []
        for d, color in zip(result["dims"], colors):
            err = [r["normalised"] for r in result["rows"] if r["target"] == name and r["d"] == d]
            alpha = result["laws"][f"{name} {d}"]["alpha"]
            ax.loglog(n, err, "o-", color=color, ms=3, label=f"d = {d}: α = {alpha:.2f}")
            firsts.append(err[0])
            if name == "lipschitz":
                ax.loglog(n, err[0] * (n / n[0]) ** (-1 / d), ":", color=color, lw=1)
        if name == "barron":
            ax.loglog(n, 2 / np.sqrt(n), "k--", lw=1, label="Barron's bound 2/√n")
            ax.loglog(n, min(firsts) * np.sqrt(n[0] / n), "k:", lw=1, label="∝ n^(−1/2)")
            ax.set_ylabel("RMS error / C_f")
            ax.set_title("Gaussian bump (Barron class): rate ≥ ½ for every d")
        else:
            ax.plot([], [], "k:", lw=1, label="theory ∝ n^(−1/d)")
            ax.set_ylabel("RMS error / std of f")
            ax.set_title("Lipschitz field: rate ≈ 1/d (units ~ ε^(−d))")
        ax.set_xticks(n, [str(int(v)) for v in n], minor=False)
        ax.xaxis.set_minor_locator(plt.NullLocator())
        ax.set_xlabel("hidden units n (random ReLU, least-squares output)")
        ax.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return fig
