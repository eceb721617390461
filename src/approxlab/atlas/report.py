"""HTML pages rendered with Jinja2: the atlas (``index.html``) and the fit report (``report.html``).

One environment, one base template and one way to show figures: PNGs as images, Plotly
figures as divs whose data script (see :mod:`approxlab.figures.save`) is loaded when
the div scrolls into view, with the single ``plotly.min.js`` beside the page loaded
the first time one is needed. Maths in statements is typeset by KaTeX, shipped in the
package (``atlas/static/katex``), so the pages work with the network blocked.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from approxlab.atlas.sources import SEED, SOURCES, cited, copy_texts


def number(value: Any) -> str:
    """A number as a reader wants it: integers with separators, floats to 4–6 significant digits.

    >>> number(1234567), number(0.000123456), number(3.14159265), number(True)
    ('1,234,567', '0.0001235', '3.14159', 'True')
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "—" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if value == 0:
        return "0"
    if abs(value) >= 1e5 or abs(value) < 1e-3:
        return f"{value:.4g}"
    return f"{value:.6g}"


# Metric names that usually carry a claim's measured number, in order of preference.
KEY_HINTS = (
    "worst",
    "max_abs",
    "error",
    "rmse",
    "ratio",
    "mismatch",
    "measured",
    "factor",
    "slope",
)


def key_number(claim: dict[str, Any]) -> tuple[str, Any] | None:
    """The metric the summary shows: the claim's ``key``; else the first number whose name
    says it is measured (:data:`KEY_HINTS`); else the first number.

    >>> key_number({"metrics": {"batch": 32, "max_abs_vs_autograd": 6e-16}})
    ('max_abs_vs_autograd', 6e-16)
    """
    metrics = claim["metrics"]
    if claim.get("key") in metrics:
        return claim["key"], metrics[claim["key"]]
    numbers = {
        k: v for k, v in metrics.items() if isinstance(v, (int, float)) and not isinstance(v, bool)
    }
    for hint in KEY_HINTS:
        for name, value in numbers.items():
            if hint in name:
                return name, value
    return next(iter(numbers.items()), None)


# Unicode the statements use, spelled for KaTeX; a token that still fails stays plain text.
_TEX = {
    "−": "-",
    "≤": r"\le ",
    "≥": r"\ge ",
    "·": r"\cdot ",
    "…": r"\ldots ",
    "√": r"\surd ",
    "∝": r"\propto ",
    "∘": r"\circ ",
    "⌈": r"\lceil ",
    "⌉": r"\rceil ",
    "Σ": r"\sum ",
    "Π": r"\prod ",
    "‖": r"\|",
    "∂": r"\partial ",
    "²": "^2",
    "³": "^3",
    "½": r"\tfrac12",
    "∞": r"\infty ",
    "%": r"\%",
    "ĝ": r"\hat g",
    "≈": r"\approx ",
}
_HAT = re.compile(r"(\w)\u0302")
_LONG_SCRIPT = re.compile(r"([_^])([A-Za-z0-9]{2,})")  # n_in means n_{in}, 0.25^10 means 0.25^{10}
_OPERATOR = re.compile(r"(?<![\\A-Za-z])(max|min|sup|inf|log|exp|sin|cos|tanh|arcsin)(?![A-Za-z])")
_TOKEN = re.compile(r"(\s+)")
_SNAKE = re.compile(r"[A-Za-z]{2,}_[A-Za-z]{2,}|\.[a-z]")


def tex(token: str) -> str:
    r"""A pseudo-LaTeX token of a statement spelled for KaTeX.

    >>> tex("Σ_{s≤m}"), tex("2^{−2m−2}"), tex("1/n_in"), tex("max|σ'|")
    ('\\sum _{s\\le m}', '2^{-2m-2}', '1/n_{in}', "\\max |σ'|")
    """
    token = _HAT.sub(r"\\hat{\1}", token)
    token = _LONG_SCRIPT.sub(r"\1{\2}", token)
    token = _OPERATOR.sub(r"\\\1 ", token)
    return "".join(_TEX.get(ch, ch) for ch in token)


def _edges(token: str) -> tuple[str, str, str]:
    """Split punctuation off a token: trailing ``.,;:``, and brackets that have no partner inside."""
    core = token.rstrip(".,;:")
    trail = token[len(core) :]
    while core.endswith(")") and core.count(")") > core.count("("):
        core, trail = core[:-1], ")" + trail
    lead = ""
    while core.startswith("(") and core.count("(") > core.count(")"):
        core, lead = core[1:], lead + "("
    return lead, core, trail


def _is_math(token: str) -> bool:
    return ("^" in token or "_" in token) and not _SNAKE.search(token) and "://" not in token


def maths(text: str) -> Markup:
    """Escape ``text`` and mark its maths for KaTeX: ``$…$`` spans, and tokens with ``^``/``_``
    (``f_m(x)``, ``2^{−2m−2}``) written as pseudo-LaTeX.

    >>> str(maths("error 2^{−2m} at depth m"))
    'error <span class="tex" data-tex="2^{-2m}">2^{−2m}</span> at depth m'
    """
    out = []
    for i, part in enumerate(re.split(r"\$([^$]+)\$", text)):
        if i % 2:
            out.append(_span(part, part))
            continue
        for token in _TOKEN.split(part):
            lead, core, trail = _edges(token)
            if core and _is_math(core):
                out.append(escape(lead) + _span(tex(core), core) + escape(trail))
            else:
                out.append(escape(token))
    return Markup("".join(out))


def _span(source: str, shown: str) -> Markup:
    return Markup('<span class="tex" data-tex="{}">{}</span>').format(source, shown)


def sources(text: str, plain: Callable[[str], Markup] = escape) -> Markup:
    """Replace each "seed 00N" in ``text`` by the source's name, linked to its text; the rest
    goes through ``plain`` (escaping by default).

    >>> str(sources("seed 000, Taylor series"))  # doctest: +ELLIPSIS
    '<a class="source" href="sources/seed000.txt" title="...">Huang 2025</a>, Taylor series'
    """
    pieces, last = [], 0
    for match in SEED.finditer(text):
        source = SOURCES.get(match.group(1))
        if source is None:
            continue
        pieces.append(plain(text[last : match.start()]))
        name, end = source.name, match.end()
        if text.startswith("'s", end) and name.endswith("s"):
            name, end = name + "'", end + 2
        pieces.append(
            Markup('<a class="source" href="sources/{}" title="{}">{}</a>').format(
                source.file, source.title, name
            )
        )
        last = end
    pieces.append(plain(text[last:]))
    return Markup("").join(pieces)


def prose(text: str) -> Markup:
    """A statement, source or threshold for the page: sources named and linked, maths marked."""
    return sources(text, plain=maths)


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("approxlab.atlas", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(num=number, maths=maths, sources=sources, prose=prose)
    env.globals.update(key_number=key_number)
    env.tests["number"] = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
    env.tests["records"] = lambda v: (
        isinstance(v, list)
        and bool(v)
        and all(isinstance(r, dict) for r in v)
        and all(r.keys() == v[0].keys() for r in v)
    )
    return env


def render(atlas: Any) -> str:
    """The HTML of the atlas for a validated results document (:class:`approxlab.atlas.results.Atlas`)."""
    doc = atlas.model_dump()
    counts = {
        v: sum(1 for c in doc["claims"] if c["verdict"] == v)
        for v in ("holds", "fails", "error", "not run")
    }
    named = {s.number: s for c in doc["claims"] for s in cited(c["source"] + " " + c["statement"])}
    return (
        _environment()
        .get_template("index.html.j2")
        .render(
            doc=doc,
            counts=counts,
            sources=[named[k] for k in sorted(named)],
        )
    )


def write_fit_report(folder: Path, metrics: dict[str, Any], title: str) -> Path:
    """Write ``folder/report.html`` for ``approxlab fit``: the metrics, then the figures already
    in ``folder`` — Plotly ones (``NAME.js`` + ``NAME.html`` beside ``plotly.min.js``) first, then PNGs.
    """
    figures = [
        {"path": p.name, "caption": p.stem, "kind": "html", "data": p.with_suffix(".js").name}
        for p in sorted(folder.glob("*.html"))
        if p.with_suffix(".js").is_file()
    ] + [
        {"path": p.name, "caption": p.stem, "kind": "png", "data": None}
        for p in sorted(folder.glob("*.png"))
    ]
    page = (
        _environment()
        .get_template("fit.html.j2")
        .render(metrics=metrics, figures=figures, title=title)
    )
    path = folder / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def write_assets(folder: Path, plotly: bool) -> None:
    """Write what the pages load, once per folder: ``plotly.min.js`` (if any Plotly figure),
    KaTeX (``katex/``) and the sources' texts (``sources/``)."""
    if plotly:
        from approxlab.figures.save import write_plotly_js

        write_plotly_js(folder / "plotly.min.js")
    with as_file(files("approxlab.atlas") / "static" / "katex") as katex:
        shutil.copytree(katex, folder / "katex", dirs_exist_ok=True)
    copy_texts(folder / "sources")
