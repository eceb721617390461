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


def _data(n=200):
    import numpy as np

    from approxlab.targets import sample

    f = target("sine")
    X = sample(f.domain, n, 0)
    return X, np.asarray(f(X))


def test_stacked_adam_phase_equals_fit_run_one_net_at_a_time():
    # The Adam phases train mlp-shaped nets as one ensemble; it must be fit's run, net by net
    # (measured: 7.5e-15 after 300 steps; 1e-10 leaves room for the BLAS, not for a different update).
    import torch

    from approxlab.baseline import _adam, _adam_runs

    data = _data()
    stacked = [make(s) for s in range(3)]
    losses = _adam_runs(stacked, data, [1e-2, 3e-2, 1e-1], 300, seed=0)
    for k, lr in enumerate([1e-2, 3e-2, 1e-1]):
        alone = make(k)
        assert losses[k] == pytest.approx(_adam(alone, data, lr, 300, seed=0), rel=1e-10)
        for p, q in zip(stacked[k].parameters(), alone.parameters()):
            assert torch.allclose(p, q, rtol=0, atol=1e-10)


def test_nets_that_do_not_stack_train_one_at_a_time():
    # a class-style model is not an mlp shape: the protocol still trains it, through fit
    import torch
    from torch import nn

    from approxlab.baseline import _adam_runs

    class Net(nn.Module):
        def __init__(self, seed):
            super().__init__()
            with torch.random.fork_rng():
                torch.manual_seed(seed)
                self.fc1 = nn.Linear(1, 4, dtype=torch.float64)
                self.fc2 = nn.Linear(4, 1, dtype=torch.float64)

        def forward(self, x):
            return self.fc2(torch.tanh(self.fc1(x)))

    nets = [Net(0), Net(1)]
    before = [n.fc1.weight.detach().clone() for n in nets]
    losses = _adam_runs(nets, _data(), [1e-2, 1e-1], 50, seed=0)
    assert all(math.isfinite(v) for v in losses)
    assert all(not torch.equal(n.fc1.weight, w) for n, w in zip(nets, before))


def test_a_diverging_rate_scores_infinity_in_the_stacked_phase():
    from approxlab.baseline import _adam_runs

    losses = _adam_runs([make(0), make(0)], _data(), [1e-2, 1e300], 100, seed=0)
    assert math.isfinite(losses[0]) and losses[1] == math.inf
