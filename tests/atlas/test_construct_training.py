"""cached_best_of: the fair protocol's result kept between atlas runs, the same on a hit as on a miss."""

from pathlib import Path

import numpy as np
import torch

from approxlab.atlas.cache import Cache
from approxlab.atlas.claims.construct_training import cached_best_of
from approxlab.atlas.registry import Context
from approxlab.baseline import best_of
from approxlab.nets import mlp
from approxlab.targets import target


def test_a_cache_hit_returns_what_the_miss_returned_without_training(tmp_path: Path):
    ctx = Context("quick", 0, tmp_path, "demo.claim", cache=Cache(tmp_path / "cache"))
    f = target("x**2", domain=(-1, 1))
    calls = []

    def run():
        calls.append(1)
        return best_of(
            lambda s: mlp(1, [3], seed=s),
            f,
            inits=2,
            lrs=(1e-2,),
            probe_steps=5,
            adam_steps=20,
            lbfgs_steps=5,
            n_train=50,
            seed=0,
        )

    miss, hit = cached_best_of(ctx, "k", run), cached_best_of(ctx, "k", run)
    assert len(calls) == 1  # the second call trained nothing
    assert (hit.error, hit.lr, hit.seed, hit.errors, hit.lr_losses) == (
        miss.error,
        miss.lr,
        miss.seed,
        miss.errors,
        miss.lr_losses,
    )
    x = torch.linspace(-1, 1, 7, dtype=torch.float64)[:, None]
    with torch.no_grad():
        assert np.array_equal(hit.net(x).numpy(), miss.net(x).numpy())


def test_cached_fit_returns_the_same_net_and_numbers_on_a_hit(tmp_path: Path):
    from approxlab.atlas.claims.construct_training import cached_fit
    from approxlab.fit import fit

    ctx = Context("quick", 0, tmp_path, "demo.claim", cache=Cache(tmp_path / "cache"))
    f = target("x**2", domain=(-1, 1))
    calls = []

    def run():
        calls.append(1)
        return fit(mlp(1, [3], seed=0), f, steps=20, lr=0.05, n_train=50)

    (net1, m1), (net2, m2) = cached_fit(ctx, "k", run), cached_fit(ctx, "k", run)
    assert len(calls) == 1 and m1 == m2 and m1["steps"] >= 1
    x = torch.linspace(-1, 1, 7, dtype=torch.float64)[:, None]
    with torch.no_grad():
        assert np.array_equal(net1(x).numpy(), net2(x).numpy())
