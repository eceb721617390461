"""The one fair training protocol (approxlab.baseline.best_of): several inits, a learning rate from a
grid, Adam then L-BFGS, the best with the spread."""

import math

import pytest

from approxlab.baseline import best_of
from approxlab.errors import ApproxlabError
from approxlab.fit import sup_error
from approxlab.nets import mlp
from approxlab.targets import target

SMALL = {"adam_steps": 100, "lbfgs_steps": 50, "probe_steps": 30, "n_train": 200}


def make(s):
    return mlp(1, [4], activation="tanh", seed=s)


def test_best_is_the_smallest_sup_error_and_the_spread_brackets_it():
    f = target("sine")
    b = best_of(make, f, inits=3, lrs=(1e-2, 1e-1), **SMALL)
    assert len(b.errors) == 3 and b.error == min(b.errors) == b.spread["min"]
    assert b.spread["min"] <= b.spread["median"] <= b.spread["max"]
    assert b.error == pytest.approx(sup_error(b.net, f))
    assert b.lr in (1e-2, 1e-1) and b.seed in (0, 1, 2)


def test_deterministic_for_a_seed():
    f = target("sine")
    assert (
        best_of(make, f, inits=2, lrs=(1e-2,), **SMALL).errors
        == best_of(make, f, inits=2, lrs=(1e-2,), **SMALL).errors
    )


def test_lbfgs_finish_lowers_the_error_of_an_adam_run():
    # measured: tanh(8x) with 4 tanh units, 100 Adam steps then 50 L-BFGS iterations
    f = target("tanh(8*x)", domain=(-1, 1))
    adam_only = best_of(make, f, inits=1, lrs=(1e-1,), **{**SMALL, "lbfgs_steps": 0})
    finished = best_of(make, f, inits=1, lrs=(1e-1,), **SMALL)
    assert finished.error < adam_only.error


def test_a_diverging_rate_is_never_chosen():
    f = target("sine")
    b = best_of(make, f, inits=1, lrs=(1e-2, 1e6), **SMALL)
    assert b.lr == 1e-2 and math.isfinite(b.error)


def test_degenerate_settings_are_one_clear_error():
    with pytest.raises(ApproxlabError, match="inits must be at least 1"):
        best_of(make, target("sine"), inits=0)
    with pytest.raises(ApproxlabError, match="lrs is empty"):
        best_of(make, target("sine"), lrs=())
    with pytest.raises(ApproxlabError, match="needs score="):
        best_of(make, ([[0.0]], [0.0]))
