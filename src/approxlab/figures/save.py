"""Writing figures: matplotlib → PNG, Plotly → data script + HTML that works offline.

Plotly pages never load plotly.js from a CDN. Beside a report (``plotly_js`` given)
a Plotly figure becomes two small files: ``NAME.js``, a script that hands the figure
to ``approxlabFigure(document.currentScript, figure)``, and ``NAME.html``, a standalone
page that loads the one shared ``plotly.min.js`` and that script. The atlas page loads
the same script lazily into a div, so plotly.js is parsed once per page, not once per
figure. Without ``plotly_js`` the HTML inlines plotly.js and stands alone.

Every figure follows the width of its container (no fixed width to clip it), and each
3D surface subplot gets its own colour bar beside it.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

CONFIG = {"displaylogo": False, "responsive": True}
PAGE_WIDTH = 1150  # px: the content width of the atlas page and the fit report

# The standalone page of one figure; the atlas page defines its own approxlabFigure.
STANDALONE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body {{ margin: 0; font-family: system-ui, sans-serif; }} #figure {{ height: {height}px; }}</style>
<script src="{plotly}"></script></head>
<body><div id="figure"></div>
<script>
function approxlabFigure(script, figure) {{
  Plotly.newPlot("figure", figure.data, figure.layout, figure.config);
}}
</script>
<script src="{data}"></script>
</body></html>
"""


def write_plotly_js(path: Path) -> Path:
    """Copy plotly.js from the installed plotly package to ``path`` (once; atomically, as
    claims running in parallel may write it at the same time)."""
    from plotly.offline import get_plotlyjs

    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # per process; mode from the umask
        tmp.write_text(get_plotlyjs(), encoding="utf-8")
        os.replace(tmp, path)
    return path


def fit_to_page(fig: Any) -> Any:
    """Let ``fig`` follow its container's width, show whole 3D boxes, and give each 3D surface
    subplot a colour bar.

    A colour bar is added only where no trace of a scene shows one; it is placed at the
    scene's right edge and spans the scene's height, so subplots side by side keep
    theirs apart. Returns ``fig`` (changed in place).
    """
    fig.update_layout(width=None, autosize=True)
    height = fig.layout.height or 450
    for scene in fig.select_scenes():
        if scene.camera.eye.x is None:
            # Plotly fits the box to the scene's height; a scene narrower than tall crops the
            # box's sides, so the eye moves back by that ratio (the page is ~PAGE_WIDTH px wide).
            (x0, x1), (y0, y1) = scene.domain.x or (0, 1), scene.domain.y or (0, 1)
            ratio = height * (y1 - y0) / (PAGE_WIDTH * (x1 - x0))
            scale = 1.1 * max(1.0, ratio)
            scene.camera.eye = dict(x=1.25 * scale, y=1.25 * scale, z=1.0 * scale)
    shown = {t.scene for t in fig.data if t.type == "surface" and t.showscale}
    for trace in fig.data:
        if trace.type != "surface" or trace.scene in shown or trace.showscale:
            continue
        scene = fig.layout[trace.scene or "scene"]
        (x0, x1), (y0, y1) = scene.domain.x or (0, 1), scene.domain.y or (0, 1)
        trace.update(
            showscale=True,
            colorbar=dict(
                x=x1,
                xanchor="left" if x1 < 0.99 else "right",
                y=(y0 + y1) / 2,
                len=0.8 * (y1 - y0),
                thickness=12,
            ),
        )
        if x1 < 0.99:
            scene.domain.x = (x0, x1 - 0.04)
        shown.add(trace.scene)
    return fig


def save_figure(fig: Any, stem: Path, plotly_js: Path | None = None) -> Path:
    """Save ``fig`` at ``stem`` + ``.png`` (matplotlib) or ``.html`` (Plotly) and return the path.

    With ``plotly_js`` the figure is written as ``stem.js`` (data) and a standalone
    ``stem.html`` that references both files by relative path; plotly.js is written if
    missing. Without it the page inlines plotly.js and stands alone.

    >>> import plotly.graph_objects as go, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> save_figure(go.Figure(go.Scatter(y=[1, 3, 2])), folder / "f", plotly_js=folder / "plotly.min.js").name
    'f.html'
    >>> sorted(p.name for p in folder.iterdir())
    ['f.html', 'f.js', 'plotly.min.js']
    """
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(fig, matplotlib.figure.Figure):
        path = stem.with_suffix(".png")
        fig.savefig(path, dpi=110, bbox_inches="tight")
        plt.close(fig)
        return path
    fit_to_page(fig)
    path = stem.with_suffix(".html")
    if plotly_js is None:
        fig.write_html(path, include_plotlyjs=True, full_html=True, config=CONFIG)
        return path
    write_plotly_js(plotly_js)
    data = stem.with_suffix(".js")
    figure = json.loads(fig.to_json())
    figure["config"] = CONFIG
    data.write_text(
        f"approxlabFigure(document.currentScript, {json.dumps(figure, separators=(',', ':'))});\n",
        encoding="utf-8",
    )
    title = fig.layout.title.text or stem.name
    path.write_text(
        STANDALONE.format(
            title=html.escape(title),
            height=int(fig.layout.height or 450),
            plotly=os.path.relpath(plotly_js, path.parent),
            data=data.name,
        ),
        encoding="utf-8",
    )
    return path
