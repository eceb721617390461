"""Constructive approximation: networks whose weights come from a proof.

Every construction returns ``(net, certificate)``: ``net`` is a plain float64
``torch.nn.Sequential`` (saveable with :func:`approxlab.save`, trainable with
:func:`approxlab.fit`), and the :class:`Certificate` states the theorem's error bound
next to the error measured on a dense grid (seed 003; seed 001; seed 002 answer 2;
seed 000). ``approxlab construct NAME`` runs them from the command line.
"""

from approxlab.construct.barron import (
    barron_constant,
    barron_gaussian,
    grid_units_needed,
    sampling_rate,
)
from approxlab.construct.catalogue import CATALOGUE, build
from approxlab.construct.certificate import Certificate, certify
from approxlab.construct.nielsen import bumps, ridge_tower, tower_limit, towers
from approxlab.construct.pwl import interpolate, relu_from_breakpoints, relu_interpolant
from approxlab.construct.sawtooth import hat_net, sawtooth, sawtooth_net
from approxlab.construct.steps import lipschitz_sigmoids, lipschitz_steps, steepness_needed
from approxlab.construct.stone_weierstrass import stone_weierstrass
from approxlab.construct.taylor import cancellation_scan, monomial, ridge_product, taylor_polynomial
from approxlab.construct.triangulation import triangulation_interpolant
from approxlab.construct.yarotsky import shallow_square, yarotsky_product, yarotsky_square

__all__ = [
    "CATALOGUE",
    "Certificate",
    "barron_constant",
    "barron_gaussian",
    "build",
    "bumps",
    "cancellation_scan",
    "certify",
    "grid_units_needed",
    "hat_net",
    "interpolate",
    "lipschitz_sigmoids",
    "lipschitz_steps",
    "monomial",
    "relu_from_breakpoints",
    "relu_interpolant",
    "ridge_product",
    "ridge_tower",
    "sampling_rate",
    "sawtooth",
    "sawtooth_net",
    "shallow_square",
    "steepness_needed",
    "stone_weierstrass",
    "taylor_polynomial",
    "tower_limit",
    "towers",
    "triangulation_interpolant",
    "yarotsky_product",
    "yarotsky_square",
]
