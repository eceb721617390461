"""Figures of a sweep: error against width with the spread over seeds, one line per activation."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np


def error_vs_width(
    rows: Sequence[dict], metric: str = "rmse", group: str = "activation"
) -> plt.Figure:
    """Median ``metric`` against width per ``group`` value, with the 10–90 % band and min/max ticks over seeds.

    Seed 001's question asked for the spread, not only the best run: a band that stays wide
    means the result depends on the initialisation.
    """
    fig, ax = plt.subplots(figsize=(6.2, 4.2))
    for name in sorted({str(r[group]) for r in rows}):
        widths = sorted({r["width"] for r in rows if str(r[group]) == name})
        values = [
            np.array(
                [
                    r[metric]
                    for r in rows
                    if str(r[group]) == name
                    and r["width"] == w
                    and r.get(metric) is not None
                    and np.isfinite(r[metric])
                ]
            )
            for w in widths
        ]
        keep = [i for i, v in enumerate(values) if v.size]
        widths = [widths[i] for i in keep]
        values = [values[i] for i in keep]
        if not widths:
            continue
        med = [np.median(v) for v in values]
        (line,) = ax.semilogy(
            widths, med, "o-", label=f"{name} (median of ≥ {min(v.size for v in values)} seeds)"
        )
        ax.fill_between(
            widths,
            [np.quantile(v, 0.1) for v in values],
            [np.quantile(v, 0.9) for v in values],
            color=line.get_color(),
            alpha=0.2,
        )
        ax.plot(widths, [v.min() for v in values], "v", color=line.get_color(), ms=4)
        ax.plot(widths, [v.max() for v in values], "^", color=line.get_color(), ms=4)
    ax.set_xlabel("width (hidden units)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel(metric)
    ax.set_title(f"{metric} over seeds: median, 10–90 % band, min ▼ / max ▲")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def scaling(
    n: Sequence[float],
    err: Sequence[float],
    law,
    theory: dict[str, float] | None = None,
    ylabel: str = "RMSE",
) -> plt.Figure:
    """Measured errors against width (log–log), the fitted C n^(−α) (+ floor) with its α interval, and
    theory's slopes drawn through the fitted curve at the smallest width."""
    n = np.asarray(n, dtype=float)
    err = np.asarray(err, dtype=float)
    fig, ax = plt.subplots(figsize=(6.2, 4.2))
    ax.loglog(n, err, "o", alpha=0.5, label="measured")
    xs = np.geomspace(n.min(), n.max(), 100)
    low, high = law.ci["alpha"]
    ax.loglog(xs, law(xs), "-", lw=2, label=f"fit α = {law.alpha:.2f} [{low:.2f}, {high:.2f}]")
    anchor = float(law(n.min()))
    for name, rate in (theory or {}).items():
        ax.loglog(xs, anchor * (xs / n.min()) ** (-rate), "--", label=f"{name}: α = {rate:g}")
    ax.set_xlabel("width n")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
