"""Seed 003's θ1/θ2/θ3 decomposition: exact risks, the construction's known error, the protocol's structure."""

import numpy as np
import pytest
import torch

from approxlab.decomposition import Cell, decompose, median_interval, population_risk
from approxlab.errors import ApproxlabError
from approxlab.nets import mlp
from approxlab.targets import target
from approxlab.targets.domain import grid

TINY = dict(
    samples=2, inits=2, steps=40, lbfgs_steps=5, theta1_inits=2, theta1_steps=40, features=2
)


def test_population_risk_of_the_zero_net_is_the_mean_square_of_f():
    f = target("sine")
    X = grid(f.domain, 2049)
    net = mlp(1, [3], activation="tanh", seed=0)
    with torch.no_grad():
        net[2].weight.zero_()
        net[2].bias.zero_()
    # Σ_{k=0}^{2048} sin²(2πk/2048) = 2048/2 (a full period of 2048 samples, plus sin² 2π = 0)
    assert population_risk([net], X, f(X))[0] == pytest.approx(1024 / 2049, rel=1e-12)


def test_median_interval_is_the_median_and_brackets_it():
    med, low, high = median_interval([3.0, 1.0, 2.0, 10.0, 4.0], boot=400, seed=1)
    assert med == 3.0 and low <= med <= high
    assert median_interval([5.0] * 4, boot=20) == (5.0, 5.0, 5.0)


def test_relu_construction_has_the_interpolation_error_h4_over_30():
    # x² minus its interpolant on a piece of length h is t(h − t): ∫₀ʰ t²(h − t)² dt / h = h⁴/30, h = 1/m.
    # R is the mean over 2049 grid points; the error vanishes at both ends, so that mean is 2048/2049 × the
    # trapezoid rule, whose own error is O((grid step / h)²) ≤ (4/2048)² relative: rel=2e-5 covers it.
    f = target("x**2", domain=(0, 1))
    d = decompose(f, widths=(1, 2, 4), n_trains=(8,), activation="relu", **TINY)
    for m, cands in d.theta1_candidates.items():
        assert cands["construction"] == pytest.approx(2048 / 2049 / (30 * m**4), rel=2e-5)
        assert d.cells[[c.width for c in d.cells].index(m)].theta1 <= cands["construction"]


def test_theta1_is_nested_and_the_cells_carry_every_sample_and_init():
    d = decompose("sine", widths=(1, 2), n_trains=(8, 32), **TINY)
    assert [(c.width, c.n_train) for c in d.cells] == [(1, 8), (1, 32), (2, 8), (2, 32)]
    assert d.theta1_candidates[2]["narrower width"] == d.cells[0].theta1
    assert d.cells[2].theta1 <= d.cells[0].theta1  # a width-2 net holds every width-1 net
    assert all(len(c.theta2) == 2 and np.shape(c.theta3) == (2, 2) for c in d.cells)
    # every θ2/θ3 net is a member of its class, so none lies below θ1 (the estimation gap is ≥ 0)
    for c in d.cells:
        members = min(min(c.theta2), float(np.min(c.theta3)))
        assert c.theta1 <= members
        assert d.theta1_candidates[c.width]["sample-trained nets"] <= members
    again = decompose("sine", widths=(1, 2), n_trains=(8, 32), **TINY)
    assert [c.theta2 for c in again.cells] == [c.theta2 for c in d.cells]  # seeded


def test_the_rows_are_medians_of_the_per_sample_gaps():
    cell = Cell(
        2, 16, theta1=0.1, theta2=[0.2, 0.4, 0.3], theta3=[[0.5, 0.7], [0.4, 0.4], [1.0, 0.2]]
    )
    row = cell.row(boot=100)
    assert row["estimation"] == pytest.approx(0.2)  # median of 0.1, 0.3, 0.2
    assert row["optimisation"] == pytest.approx(0.3)  # θ3_j = 0.6, 0.4, 0.6 minus θ2_j: 0.4, 0, 0.3
    assert row["theta3"] == pytest.approx(0.45) and row["approximation"] == 0.1


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(name="x1*x2*x3"), "1-D or 2-D"),
        (dict(lrs=(0.01,)), "default Adam rate"),
        (dict(finish=9, inits=2), "exceeds"),
        (dict(widths=(0,)), "width must be a positive integer"),
        (dict(activation="cos"), "unknown activation"),
    ],
)
def test_bad_input_is_one_clear_error(kwargs, message):
    with pytest.raises(ApproxlabError, match=message):
        decompose(**kwargs)
