"""The qSA separation on one log-log figure: size against N per family, the construction, the bounds."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

_STYLE = {
    "attention": ("C0", "o"),
    "fc": ("C3", "s"),
    "rnn": ("C2", "^"),
    "binary_rnn": ("C1", "v"),
}


def separation_figure(result: dict) -> Figure:
    """Smallest m reaching ε against N (log-log): trained families (filled: reached; open with ↑: not reached
    up to the largest size tried), the constructed attention's m, a ∝ log N curve through it, a ∝ N line,
    and the RNN memory lower bound (N − 1)/2 bits."""
    Ns = np.array(result["Ns"], dtype=float)
    fig, ax = plt.subplots(figsize=(7.2, 5.0))
    for arch in dict.fromkeys(r["architecture"] for r in result["rows"]):
        color, marker = _STYLE.get(arch, ("k", "x"))
        rows = [r for r in result["rows"] if r["architecture"] == arch]
        got = [(r["N"], r["m"]) for r in rows if r["reached"]]
        miss = [(r["N"], r["max_tried"]) for r in rows if not r["reached"]]
        if got:
            ax.plot(
                *zip(*got),
                marker=marker,
                color=color,
                ls="-",
                label=f"trained {arch} (best of inits)",
            )
        if miss:
            ax.plot(
                *zip(*miss),
                marker=marker,
                color=color,
                ls="none",
                mfc="none",
                label=f"trained {arch}: not reached up to m",
            )
            for n, m in miss:
                ax.annotate(
                    "", (n, m * 1.6), (n, m), arrowprops={"arrowstyle": "->", "color": color}
                )
    cm = np.array([c["m"] for c in result["construction"]], dtype=float)
    ax.plot(Ns, cm, "k*-", ms=10, label="constructed attention m (Thm 2)")
    dense = np.geomspace(Ns.min(), Ns.max(), 50)
    a = float(np.mean(cm / np.log(Ns)))
    ax.plot(
        dense, a * np.log(dense), "k:", lw=1, label=f"{a:.1f}·ln N (theory: attention ∝ q log N)"
    )
    ax.plot(
        dense,
        (dense - 1) / 2,
        color="C1",
        ls="--",
        lw=1,
        label="(N−1)/2 bits: RNN memory bound (Thm 11)",
    )
    ax.plot(dense, dense, color="grey", ls="-.", lw=1, label="∝ N (theory: FC and RNN)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    ax.set_xlabel("N (sequence length)")
    ax.set_ylabel("smallest size m reaching ε")
    ax.set_title(
        f"qSA, q = {result['q']}, d' = {result['d_prime']}, ε = {result['eps']:g} (max over held-out inputs)"
    )
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    ymax = max([2 * max(Ns)] + [r["max_tried"] * 2 for r in result["rows"]] + list(cm * 2))
    ax.set_ylim(0.7, ymax)
    fig.tight_layout()
    return fig
