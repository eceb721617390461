"""HTML pages approxlab writes: one Jinja2 environment and one way to show a number to people.

Templates live in ``approxlab/templates/`` (a package can pass its own folder); they are
autoescaped and get the filter ``num`` (:func:`rounded`). Pages that draw Plotly figures
reference one ``plotly.min.js`` beside them (:func:`approxlab.figures.save.write_plotly_js`)
instead of inlining its 4.8 MB, so they work offline and stay small.
"""

from __future__ import annotations

import math
from typing import Any


def rounded(value: Any, digits: int = 4) -> str:
    """A number for people: ``digits`` significant digits, boxes and lists written out, no Python reprs.

    >>> rounded(0.012345678901234), rounded([(-1.0, 1.0), (-1.0, 1.0)]), rounded(True), rounded(25)
    ('0.01235', '[-1, 1] × [-1, 1]', 'yes', '25')
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{digits}g}" if math.isfinite(value) else str(value)
    if (
        isinstance(value, (list, tuple))
        and value
        and all(isinstance(v, (list, tuple)) and len(v) == 2 for v in value)
    ):
        return " × ".join(f"[{rounded(lo, digits)}, {rounded(hi, digits)}]" for lo, hi in value)
    if isinstance(value, (list, tuple)):
        return ", ".join(rounded(v, digits) for v in value)
    return str(value)


def render(
    template: str, package: str = "approxlab", folder: str = "templates", **context: Any
) -> str:
    """Render ``folder/template`` of ``package`` with ``context``.

    >>> '<td class="value">0.07136</td>' in render("fit_report.html.j2", title="t", rows=[("max_error", 0.07136013418768883)],
    ...                              images=[], plots=[], plotly_js=None)
    True
    """
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader(package, folder), autoescape=select_autoescape(["html", "j2"])
    )
    env.filters["num"] = rounded
    return env.get_template(template).render(**context)
