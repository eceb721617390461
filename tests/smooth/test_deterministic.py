"""Deterministic construction: knots placed by rule, output layer by least squares (seed 000)."""

import itertools

import numpy as np
import pytest
import torch

import approxlab as al
from approxlab.errors import ApproxlabError
from approxlab.fit import sup_error
from approxlab.smooth import construct
from approxlab.smooth.deterministic import knot_layer


def test_1d_knots_sit_at_cell_centres_and_relu_kinks_at_cell_edges():
    W, b = knot_layer([(0.0, 1.0)], 5, 2.0)
    assert -b / W[:, 0] == pytest.approx([0.1, 0.3, 0.5, 0.7, 0.9], rel=1e-12)
    assert W[:, 0] == pytest.approx([10.0] * 5)  # steepness κ/h
    W, b = knot_layer([(0.0, 1.0)], 5, 2.0, one_sided=True)
    assert -b / W[:, 0] == pytest.approx([0.0, 0.2, 0.4, 0.6, 0.8], abs=1e-12)


def test_2d_knot_lines_all_cross_the_box():
    box = [(-1.0, 2.0), (0.0, 1.0)]
    W, b = knot_layer(box, 24, 1.0)
    corners = np.array(list(itertools.product(*box)))
    z = corners @ W.T + b
    assert np.all(z.min(axis=0) <= 0) and np.all(z.max(axis=0) >= 0)


@pytest.mark.parametrize(("name", "recorded"), [("paraboloid", 0.00027), ("saddle", 0.00018)])
def test_32_rule_placed_units_reach_the_recorded_2d_error(name, recorded):
    # Recorded sup errors of the construction with 8 / 16 / 32 sigmoid units:
    # paraboloid 0.00325 / 0.00076 / 0.00027, saddle 0.00246 / 0.0005 / 0.00018 (n_train 1000, seed 0;
    # the least-squares fit picks the axis-parallel layout for these additive targets).
    f = al.target(name)
    errors = [sup_error(construct(f, m), f) for m in (8, 16, 32)]
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 1.5 * recorded


def test_the_construction_is_deterministic():
    f = al.target("sin(2*pi*x)", domain=(0, 1))
    a, b = construct(f, 7), construct(f, 7)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_only_1d_and_2d_targets():
    with pytest.raises(ApproxlabError, match="1D and 2D"):
        construct(al.target("x1*x2*x3", domain=[(-1, 1)] * 3), 4)
