"""ReLU nets for the triangulated piecewise-linear interpolant in 2D (seed 002)."""

import pytest

from approxlab.construct.triangulation import estimate_hessian_bound, triangulation_interpolant
from approxlab.targets import target


@pytest.mark.parametrize("name", ["paraboloid", "saddle", "gaussian", "sin(x1)*cos(x2)"])
@pytest.mark.parametrize("n", [2, 6])
def test_interpolant_within_circumradius_bound_with_12_units_per_vertex(name, n):
    cert = triangulation_interpolant(name, n)[1]
    assert cert.units == 12 * (n + 1) ** 2 and cert.depth == 5 and cert.holds


def test_bound_is_attained_by_the_paraboloid():
    # x1² + x2² has a constant Hessian 2I: its interpolation error is R² at each circumcentre.
    cert = triangulation_interpolant("paraboloid", 4)[1]
    assert cert.measured == pytest.approx(cert.bound, rel=1e-9)


def test_hessian_estimate_matches_a_known_hessian():
    assert estimate_hessian_bound(target("saddle")) == pytest.approx(2.0, rel=1e-6)
