"""Writing figures: matplotlib → PNG, Plotly → HTML that works offline.

Plotly pages never load plotly.js from a CDN: either the page inlines it
(self-contained) or it references a copy written beside the report from the
installed plotly package.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def write_plotly_js(path: Path) -> Path:
    """Copy plotly.js from the installed plotly package to ``path`` (once)."""
    from plotly.offline import get_plotlyjs

    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(get_plotlyjs(), encoding="utf-8")
    return path


def save_figure(fig: Any, stem: Path, plotly_js: Path | None = None) -> Path:
    """Save ``fig`` at ``stem`` + ``.png`` (matplotlib) or ``.html`` (Plotly) and return the path.

    With ``plotly_js`` the HTML page references that file (relative path) and it is
    written if missing; without it the page inlines plotly.js and stands alone.
    """
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(fig, matplotlib.figure.Figure):
        path = stem.with_suffix(".png")
        fig.savefig(path, dpi=110, bbox_inches="tight")
        plt.close(fig)
        return path
    path = stem.with_suffix(".html")
    if plotly_js is None:
        include: bool | str = True
    else:
        write_plotly_js(plotly_js)
        include = os.path.relpath(plotly_js, path.parent)
    fig.write_html(path, include_plotlyjs=include, full_html=True, config={"displaylogo": False})
    return path
