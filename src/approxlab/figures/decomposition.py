"""Figure of seed 003's θ1/θ2/θ3 decomposition (:mod:`approxlab.decomposition`)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np


def theta_decomposition(rows: Sequence[dict], title: str = "") -> plt.Figure:
    """Left: θ1, θ2 (median, min–max over samples) and θ3 (median, 10–90 % over runs) against width,
    one colour per n_train. Right: the estimation gap θ2 − θ1 against n_train, one line per width,
    with its bootstrap interval (log–log; gaps ≤ 0 are drawn at the axis floor)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    widths = sorted({r["width"] for r in rows})
    ns = sorted({r["n_train"] for r in rows})
    theta1 = [next(r["theta1"] for r in rows if r["width"] == w) for w in widths]
    left.semilogy(widths, theta1, "ks-", lw=2, label="θ1 (class's best)")
    for i, n in enumerate(ns):
        sel = sorted((r for r in rows if r["n_train"] == n), key=lambda r: r["width"])
        x = [r["width"] for r in sel]
        colour = f"C{i}"
        t2 = np.array([r["theta2"] for r in sel])
        left.errorbar(
            x,
            t2,
            yerr=[t2 - [r["theta2_min"] for r in sel], [r["theta2_max"] for r in sel] - t2],
            fmt="o-",
            color=colour,
            capsize=3,
            label=f"θ2 (ERM), n = {n}",
        )
        left.plot(x, [r["theta3"] for r in sel], "^--", color=colour, label=f"θ3 (Adam), n = {n}")
        left.fill_between(
            x,
            [r["theta3_q10"] for r in sel],
            [r["theta3_q90"] for r in sel],
            color=colour,
            alpha=0.15,
        )
    left.set_xlabel("width m (hidden units)")
    left.xaxis.get_major_locator().set_params(integer=True)
    left.set_ylabel("population risk ‖net − f‖²")
    left.set_title("θ1 ≤ θ2 ≤ θ3 by width")
    left.legend(fontsize=7)
    left.grid(alpha=0.3, which="both")
    positive = [r[k] for r in rows for k in ("estimation", "estimation_high") if r[k] > 0]
    floor = min(positive) / 10 if positive else 1e-12
    for i, w in enumerate(widths):
        sel = sorted((r for r in rows if r["width"] == w), key=lambda r: r["n_train"])
        est = np.array([max(r["estimation"], floor) for r in sel])
        low = np.array([max(r["estimation_low"], floor) for r in sel])
        high = np.array([max(r["estimation_high"], floor) for r in sel])
        right.errorbar(
            [r["n_train"] for r in sel],
            est,
            yerr=[est - low, high - est],
            fmt="o-",
            color=f"C{i}",
            capsize=3,
            label=f"width {w}",
        )
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel("n_train")
    right.set_ylabel("estimation gap θ2 − θ1 (median over samples)")
    right.set_title("the estimation gap against the sample size")
    right.legend(fontsize=7)
    right.grid(alpha=0.3, which="both")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
