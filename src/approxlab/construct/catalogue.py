"""The constructions by name, as the CLI and the atlas call them.

Each entry says which size knob it takes (``eps``, ``units`` or ``depth``), its
default target and a one-line description; :func:`build` checks the knob and calls
the construction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from torch import nn

from approxlab.construct.barron import barron_gaussian
from approxlab.construct.certificate import Certificate
from approxlab.construct.nielsen import bumps, ridge_tower, towers
from approxlab.construct.pwl import interpolate
from approxlab.construct.sawtooth import sawtooth
from approxlab.construct.steps import lipschitz_sigmoids, lipschitz_steps
from approxlab.construct.stone_weierstrass import stone_weierstrass
from approxlab.construct.taylor import monomial
from approxlab.construct.triangulation import triangulation_interpolant
from approxlab.construct.yarotsky import depth_for, yarotsky_product, yarotsky_square
from approxlab.errors import ApproxlabError, choose, require


@dataclass(frozen=True)
class Entry:
    knobs: tuple[str, ...]  # accepted among eps, units, depth; the first is the default
    default: float
    target: str | None  # default target; None: the construction fixes its own
    description: str
    run: Callable[..., tuple[nn.Sequential, Certificate]]


CATALOGUE: dict[str, Entry] = {
    "steps": Entry(
        ("eps",),
        0.1,
        "sine",
        "⌈ρ/ε⌉ threshold units, sup error ≤ ε (seed 003)",
        lambda t, eps=None, **_: lipschitz_steps(t, eps=eps),
    ),
    "sigmoid-steps": Entry(
        ("eps",),
        0.1,
        "sine",
        "the same units as steep sigmoids, k = 10⁴ (seed 003)",
        lambda t, eps=None, **_: lipschitz_sigmoids(t, eps=eps, k=1e4),
    ),
    "bumps": Entry(
        ("units",),
        20,
        "sine",
        "Nielsen's bumps: pairs of steep sigmoids (seed 001)",
        lambda t, units=None, **_: bumps(t, int(units), 1e3),
    ),
    "towers": Entry(
        ("units",),
        10,
        "paraboloid",
        "Nielsen's 2D towers, two hidden layers, n×n cells (seed 001)",
        lambda t, units=None, **_: towers(t, int(units)),
    ),
    "ridge-tower": Entry(
        ("units",),
        32,
        None,
        "one hidden layer's tower: D ridge directions (seed 001)",
        lambda t, units=None, **_: ridge_tower(int(units)),
    ),
    "interpolant": Entry(
        ("units",),
        16,
        "sine",
        "ReLU piecewise-linear interpolant, one unit per piece (seed 002)",
        lambda t, units=None, **_: interpolate(t, int(units)),
    ),
    "triangulation": Entry(
        ("units",),
        6,
        "paraboloid",
        "ReLU net of the 2D triangulated interpolant, n×n grid (seed 002)",
        lambda t, units=None, **_: triangulation_interpolant(t, int(units)),
    ),
    "sawtooth": Entry(
        ("depth",),
        4,
        None,
        "Telgarsky's sawtooth h^(∘n), 2n units (seed 003)",
        lambda t, depth=None, **_: sawtooth(int(depth)),
    ),
    "yarotsky": Entry(
        ("depth", "eps"),
        5,
        None,
        "Yarotsky's x² with depth m + 1 (seed 003)",
        lambda t, depth=None, eps=None, **_: yarotsky_square(
            int(depth) if depth else depth_for(eps)
        ),
    ),
    "product": Entry(
        ("depth",),
        5,
        None,
        "Yarotsky's product xy = ½((x+y)² − x² − y²) (seed 003)",
        lambda t, depth=None, **_: yarotsky_product(int(depth)),
    ),
    "barron": Entry(
        ("units",),
        256,
        None,
        "Maurey-sampled cosine units for exp(−|x|²/2) in 10D (seed 003)",
        lambda t, units=None, **_: barron_gaussian(10, int(units), "cos"),
    ),
    "taylor": Entry(
        ("depth",),
        3,
        None,
        "x^k from k + 1 sigmoid units, h = 10⁻² (seed 000); --depth is k",
        lambda t, depth=None, **_: monomial(int(depth), 1e-2),
    ),
    "fourier": Entry(
        ("units",),
        16,
        "bump",
        "cos units with least-squares output weights (Stone–Weierstrass)",
        lambda t, units=None, **_: stone_weierstrass(t, int(units), "cos"),
    ),
    "exponential": Entry(
        ("units",),
        8,
        "bump",
        "exp units with least-squares output weights (Stone–Weierstrass)",
        lambda t, units=None, **_: stone_weierstrass(t, int(units), "exp"),
    ),
}


def build(
    name: str, target: str | None = None, **knobs: float | None
) -> tuple[nn.Sequential, Certificate]:
    """Run construction ``name`` with one of --eps/--units/--depth (or its default).

    >>> net, cert = build("yarotsky", depth=3)
    >>> cert.depth
    4
    """
    entry = CATALOGUE[choose("construction", name, CATALOGUE)]
    given = {k: v for k, v in knobs.items() if v is not None}
    require(
        len(given) <= 1,
        f"give at most one of --eps, --units, --depth, got {', '.join('--' + k for k in given)}",
    )
    for knob, value in given.items():
        require(
            knob in entry.knobs,
            f"{name} takes {' or '.join('--' + k for k in entry.knobs)}, not --{knob}",
        )
        if knob == "eps":
            require(
                value > 0, f"the tolerance ε must be positive, got {value:g}: pass e.g. --eps 0.05"
            )
        else:
            require(
                value >= 1 and float(value).is_integer(),
                f"--{knob} must be a positive integer, got {value:g}",
            )
    if not given:
        given = {entry.knobs[0]: entry.default}
    if target is not None and entry.target is None:
        raise ApproxlabError(f"{name} builds a fixed function and takes no --target: drop --target")
    return entry.run(target or entry.target, **given)
