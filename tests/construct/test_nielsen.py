"""Nielsen's bumps, towers and the one-hidden-layer tower (seed 001)."""

import math

import numpy as np
import pytest

from approxlab.construct.nielsen import bumps, ridge_tower, tower_limit, towers


@pytest.mark.parametrize("name", ["sine", "bump", "x**2"])
@pytest.mark.parametrize("k", [100.0, 1e4])
def test_bumps_use_two_sigmoids_each_and_meet_the_tail_bound(name, k):
    cert = bumps(name, 20, k)[1]
    assert cert.units == 40 and cert.holds


def test_bump_bound_tends_to_rho_w_as_slopes_steepen():
    cert = bumps("sine", 20, 1e5)[1]
    assert cert.bound == pytest.approx(2 * math.pi / 20, rel=1e-9)


@pytest.mark.parametrize("name", ["paraboloid", "saddle", "gaussian"])
def test_towers_two_hidden_layers_within_half_diagonal_bound(name):
    cert = towers(name, 12)[1]
    assert cert.depth == 3 and cert.units == 12 * 12 + 2 * 13 and cert.holds


@pytest.mark.parametrize("D", [4, 16, 64])
def test_ridge_tower_converges_to_its_skirted_limit(D):
    cert = ridge_tower(D)[1]
    assert cert.units == 2 * D and cert.measured <= 2 / D


def test_one_layer_tower_keeps_a_skirt_of_one_third_at_twice_the_radius():
    X = np.array([[0.6, 0.0], [0.0, 0.0]])
    assert tower_limit(X, 0.3) == pytest.approx([1 / 3, 1.0], abs=1e-15)
