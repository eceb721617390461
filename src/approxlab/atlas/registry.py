"""The atlas's registry of claims.

A claim is a statement from a seed or a paper, a function that measures it under a
profile, and a threshold whose origin is stated. Adding one is a small step: write
a module in ``approxlab/atlas/claims/`` with a decorated function::

    from approxlab.atlas import Evidence, claim

    @claim(
        id="seed001.width",
        statement="More sigmoid units fit x1²+x2²+3 better.",
        source="seed 001, question steps 1–3",
        threshold="RMSE strictly decreasing in width (nested function classes)",
        falsifiable_by="a wider net whose best RMSE is not smaller",
    )
    def width(ctx):
        ...
        return Evidence(holds=..., metrics={...})

Modules in that folder are discovered automatically. A claim too costly for the quick
profile is registered with ``profiles=("full",)``: the quick atlas lists it as "not run"
with the command that runs it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from approxlab.atlas.cache import Cache
from approxlab.errors import ApproxlabError

PROFILES = ("quick", "full")


@dataclass
class Evidence:
    """What a claim measured: the verdict, its numbers, figures and notes.

    ``holds`` compares a measured number with the claim's threshold. ``metrics`` is
    JSON-able (numbers, strings, lists, dicts); ``key`` names the metric the atlas's
    summary shows (default: the first number whose name says it is measured). ``figures`` are added through
    :meth:`Context.figure`, so they rarely need to be passed here.
    """

    holds: bool
    metrics: dict[str, Any]
    notes: str = ""
    table: list[dict[str, Any]] | None = None
    key: str | None = None


@dataclass
class Figure:
    path: str  # relative to the atlas folder: the PNG, or the standalone interactive page
    caption: str
    kind: str  # "png" or "html"
    data: str | None = (
        None  # Plotly: the script defining the figure, loaded lazily by the index page
    )


@dataclass
class Context:
    """Passed to a claim: the profile, a seed and a folder for its figures.

    ``ctx.pick(quick=..., full=...)`` chooses a setting by profile; ``ctx.cached(key, fn)``
    keeps what ``fn`` trains between runs.
    """

    profile: str
    seed: int
    root: Path
    claim_id: str
    figures: list[Figure] = field(default_factory=list)
    cache: Cache | None = None

    @property
    def folder(self) -> Path:
        path = self.root / "figures" / self.claim_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    def pick(self, quick: Any, full: Any) -> Any:
        return quick if self.profile == "quick" else full

    def cached(self, key: str, compute: Callable[[], Any], *, scope: str | None = None) -> Any:
        """``compute()`` (a trained net, or JSON-able numbers), kept between atlas runs.

        The entry is addressed by (code version, ``scope``, profile, seed, ``key``), so any
        change of code or setting recomputes it; nets come back in eval mode
        (:mod:`approxlab.atlas.cache`). ``scope`` defaults to this claim's id; claims that
        read one training run name the same scope and share it (computed once, also when
        they run at the same time). Without a cache (``--no-cache``) it just computes.

        >>> ctx = Context("quick", 0, Path("."), "demo.claim")
        >>> ctx.cached("widths", lambda: [2, 4, 6])
        [2, 4, 6]
        """
        if self.cache is None:
            return compute()
        return self.cache.get_or_compute(
            (scope or self.claim_id, self.profile, self.seed, key), compute
        )

    def figure(self, fig: Any, name: str, caption: str) -> Path:
        """Save a matplotlib figure (PNG) or a Plotly figure (data script + standalone page, offline)."""
        from approxlab.figures.save import save_figure

        path = save_figure(fig, self.folder / name, plotly_js=self.root / "plotly.min.js")
        data = path.with_suffix(".js")
        self.figures.append(
            Figure(
                str(path.relative_to(self.root)),
                caption,
                path.suffix.lstrip("."),
                str(data.relative_to(self.root)) if path.suffix == ".html" else None,
            )
        )
        return path


@dataclass(frozen=True)
class Claim:
    id: str
    statement: str
    source: str
    threshold: str
    run: Callable[[Context], Evidence]
    falsifiable_by: str = ""
    profiles: tuple[str, ...] = PROFILES


_CLAIMS: dict[str, Claim] = {}


def claim(
    *,
    id: str,
    statement: str,
    source: str,
    threshold: str,
    falsifiable_by: str = "",
    profiles: tuple[str, ...] = PROFILES,
) -> Callable:
    """Register a claim function ``f(ctx: Context) -> Evidence`` under ``id``.

    ``falsifiable_by`` names the measurement that would have made the verdict "fails" (a
    claim that cannot fail is a definition, not a verdict); every claim should give one.
    ``profiles`` are the profiles that run it: ``("full",)`` for a claim whose smallest
    honest setting costs more than a quick claim may (10 CPU-seconds); under another
    profile its verdict is "not run" (:func:`approxlab.atlas.run.run_claim`).
    """
    unknown = [p for p in profiles if p not in PROFILES]
    if not profiles or unknown:
        raise RuntimeError(
            f"atlas claim {id!r}: profiles must be a non-empty subset of {PROFILES}, got {profiles!r}"
        )

    def register(fn: Callable[[Context], Evidence]) -> Callable[[Context], Evidence]:
        if id in _CLAIMS and _CLAIMS[id].run is not fn:
            raise RuntimeError(f"atlas claim id {id!r} is registered twice")
        ordered = tuple(p for p in PROFILES if p in profiles)
        _CLAIMS[id] = Claim(id, statement, source, threshold, fn, falsifiable_by, ordered)
        return fn

    return register


def _discover() -> None:
    package = importlib.import_module("approxlab.atlas.claims")
    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        importlib.import_module(f"{package.__name__}.{module.name}")


def claims(only: list[str] | None = None) -> list[Claim]:
    """All registered claims in id order, or those whose id equals or starts with an ``only`` entry."""
    _discover()
    ordered = [_CLAIMS[k] for k in sorted(_CLAIMS)]
    if not only:
        return ordered
    chosen = [
        c for c in ordered if any(c.id == o or c.id.startswith(o.rstrip(".") + ".") for o in only)
    ]
    missing = [
        o
        for o in only
        if not any(c.id == o or c.id.startswith(o.rstrip(".") + ".") for c in ordered)
    ]
    if missing:
        raise ApproxlabError(
            f"no atlas claim {', '.join(map(repr, missing))}: run `approxlab atlas --list` to see the ids"
        )
    return chosen
