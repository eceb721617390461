"""The atlas page: one section per claim, rendered with Jinja2 from ``results.json``."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if value == 0:
        return "0"
    if abs(value) >= 1e5 or abs(value) < 1e-3:
        return f"{value:.4g}"
    return f"{value:.6g}"


def render(document: dict[str, Any]) -> str:
    """The HTML of the atlas for a results document (see :func:`approxlab.atlas.run.run_atlas`)."""
    env = Environment(loader=PackageLoader("approxlab.atlas", "templates"), autoescape=select_autoescape(["html", "j2"]))
    env.filters["num"] = _number
    counts = {v: sum(1 for c in document["claims"] if c["verdict"] == v) for v in ("holds", "fails", "error")}
    return env.get_template("index.html.j2").render(doc=document, counts=counts)
