"""Publishing a watched run: the history folder plus figures, results.json and one HTML page, all at once.

While a run trains, its history grows in a working folder beside the output,
``.OUT.history-in-progress`` (:func:`working_history`), so that a killed run keeps its
snapshots and the same command resumes it. When the run ends, :func:`publish` writes the
output folder through :func:`approxlab.output.staged_output` (atomic: a reader sees the
old folder or the complete new one) with the history copied in as ``OUT/history``, and
then removes the working folder.
"""

from __future__ import annotations

import base64
import html
import shutil
from pathlib import Path
from typing import Any

from approxlab import jsonfile
from approxlab.output import check_output, staged_output


def working_history(out: str | Path) -> Path:
    """The resumable working history of output folder ``out``: ``.NAME.history-in-progress`` beside it."""
    out = check_output(out)
    return out.parent / f".{out.name}.history-in-progress"


def publish(
    out: str | Path,
    history: Path,
    title: str,
    results: dict[str, Any],
    figures: dict[str, Any],
    captions: dict[str, str] | None = None,
) -> Path:
    """Write ``out`` atomically: ``history/`` (copied from ``history``), each figure (PNG or Plotly HTML),
    ``results.json`` and ``index.html`` (PNGs inlined, Plotly pages linked); then delete the working history."""
    from approxlab.figures.save import save_figure

    captions = captions or {}
    out = check_output(out)
    with staged_output(out) as stage:
        shutil.copytree(history, stage / "history")
        paths = {name: save_figure(fig, stage / name) for name, fig in figures.items()}
        jsonfile.write(stage / "results.json", results)
        rows = "".join(
            f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(str(v))}</td></tr>"
            for k, v in jsonfile.plain(results).items()
            if not isinstance(v, (list, dict))
        )
        parts = []
        for name, path in paths.items():
            caption = html.escape(captions.get(name, name))
            if path.suffix == ".png":
                data = base64.b64encode(path.read_bytes()).decode()
                parts.append(
                    f"<h2>{caption}</h2><img style='max-width:100%' src='data:image/png;base64,{data}'>"
                )
            else:
                parts.append(
                    f"<h2>{caption}</h2><p><a href='{html.escape(path.name)}'>open the interactive figure</a></p>"
                )
        (stage / "index.html").write_text(
            "<!doctype html><html><head><meta charset='utf-8'><title>"
            + html.escape(title)
            + "</title></head>"
            "<body style='font-family:system-ui;max-width:1300px;margin:auto'>"
            f"<h1>{html.escape(title)}</h1><table border=1 cellpadding=4>{rows}</table>{''.join(parts)}"
            "<p>history/: index.json (records per step) and one safetensors snapshot per step.</p></body></html>",
            encoding="utf-8",
        )
    shutil.rmtree(history, ignore_errors=True)
    return out
