"""Construct mode (Nielsen's visual proof, issue 16 item 6): a proof's network with its certificate.

:func:`construct` builds a catalogued construction (:func:`approxlab.construct.build`), makes the
function it approximates the tab's regression target (so the frames show the sup error over
the output grid as the user drags a unit's weight or bias), and hands the net to the tab, where
"train from here" is plain training from the constructed weights.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import torch

from approxlab.construct.catalogue import CATALOGUE, build
from approxlab.construct.nielsen import tower_limit
from approxlab.errors import ApproxlabError, require
from approxlab.play.problem import problem
from approxlab.targets import Target, target

# The constructions the page offers (input dimension ≤ 2) and the largest size knob each takes,
# kept to what builds in about a second on 2 cores (memory fitted in approxlab.cli.construct).
LIMITS: dict[str, float] = {
    "steps": 0.02,
    "sigmoid-steps": 0.02,
    "bumps": 64,
    "towers": 12,
    "ridge-tower": 64,
    "interpolant": 64,
    "triangulation": 12,
    "sawtooth": 10,
    "yarotsky": 12,
    "product": 10,
    "taylor": 6,
    "fourier": 48,
    "exponential": 16,
}


def reference(name: str, knob: float, net: torch.nn.Module) -> Target:
    """The function construction ``name`` approximates, as a :class:`Target` on its domain.

    >>> reference("yarotsky", 3, None).domain
    [(0.0, 1.0)]
    """
    entry = CATALOGUE[name]
    if entry.target is not None:
        return target(entry.target)
    if name == "yarotsky":
        return target("x**2", domain=[(0.0, 1.0)])
    if name == "product":
        return target("x1*x2", domain=[(0.0, 1.0)] * 2)
    if name == "taylor":
        return target(f"x**{int(knob)}", domain=[(-1.0, 1.0)])
    if name == "ridge-tower":
        return Target(
            "tower limit",
            lambda X: tower_limit(np.asarray(X), 0.3),
            [(-1.0, 1.0)] * 2,
            None,
            None,
            "the limit of the ridge tower, r = 0.3 (seed 001)",
        )
    # sawtooth: the proof's net is h^(∘n) exactly (certified with bound 0): compare with a frozen copy.
    frozen = copy.deepcopy(net)

    def fn(X):
        with torch.no_grad():
            return frozen(torch.as_tensor(np.asarray(X), dtype=torch.float64)).reshape(-1).numpy()

    return Target(
        f"h^(∘{int(knob)})",
        fn,
        [(0.0, 1.0)],
        2.0 ** int(knob),
        None,
        "Telgarsky's sawtooth (seed 003)",
    )


def construct(session, name: str, knob: float | None) -> dict[str, Any]:
    """Build ``name`` (size ``knob``, else the catalogue's default), make its function the tab's target,
    and load the net into the tab; returns the certificate as a dict (also kept on the session)."""
    require(
        name in LIMITS,
        f"the playground draws constructions on 1D and 2D inputs: use one of {', '.join(LIMITS)}",
    )
    entry = CATALOGUE[name]
    knob_name = entry.knobs[0]
    value = entry.default if knob is None else knob
    if knob_name == "eps":
        require(
            value >= LIMITS[name],
            f"ε = {value:g} needs too many units for the page: use ε ≥ {LIMITS[name]:g}",
        )
    else:
        require(
            value <= LIMITS[name] and float(value).is_integer(),
            f"--{knob_name} {value:g}: the page takes whole numbers up to {LIMITS[name]:g}",
        )
    net, cert = build(name, **{knob_name: value})
    f = reference(name, value, net)
    summary = {
        "name": name,
        "knob": knob_name,
        "value": value,
        **{k: v for k, v in cert.to_dict().items() if k != "details"},
    }
    for k in ("bound", "measured"):
        if isinstance(summary[k], float) and not math.isfinite(summary[k]):
            summary[k] = None
    if f.dim != session.problem.dim or session.settings.kind != "regression":
        settings = session.settings.model_copy(update={"kind": "regression"})
    else:
        settings = session.settings
    session.configure(settings, problem(settings, f))
    if not isinstance(net, torch.nn.Sequential):
        raise ApproxlabError(f"{name} did not build a Sequential net")
    session.adopt(net, construction=summary)
    return summary
