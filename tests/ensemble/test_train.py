"""The ensemble is fit, K times at once: net k equals fit with the same seed and settings."""

import math

import numpy as np
import pytest
import torch

from approxlab.ensemble import Ensemble, ensemble, resolve_device, train
from approxlab.errors import ApproxlabError
from approxlab.fit import fit
from approxlab.nets import mlp
from approxlab.targets import dataset


def _max_gap(a, b) -> float:
    return max(float((p - q).detach().abs().max()) for p, q in zip(a.parameters(), b.parameters()))


# The tolerance: net k equals fit to 1e-10 after 200 float64 steps (measured ≈ 1e-14).
# kernel "auto" is the fused two-layer kernel for depth 1 and the autograd path otherwise (so depth 2 runs once).
@pytest.mark.parametrize(
    "activation, widths, kernel",
    [
        ("sigmoid", [6], "generic"),
        ("sigmoid", [6], "auto"),
        ("relu", [6], "generic"),
        ("relu", [6], "auto"),
        ("tanh", [5, 4], "generic"),
    ],
)
@pytest.mark.parametrize("optimizer, schedule", [("adam", "cosine"), ("sgd", "constant")])
def test_net_k_equals_fit_with_the_same_seed(activation, widths, optimizer, schedule, kernel):
    seeds = [0, 11]
    lr = 0.05 if optimizer == "adam" else 0.02
    kw = dict(
        steps=200, lr=lr, optimizer=optimizer, schedule=schedule, n_train=200, n_test=100, grid_n=21
    )
    r = train(
        ensemble(2, widths, activation=activation, seeds=seeds), "paraboloid", kernel=kernel, **kw
    )
    for k, (s, net_k) in enumerate(zip(seeds, r.nets())):
        alone = fit(mlp(2, widths, activation=activation, seed=s), "paraboloid", seed=s, **kw)
        assert _max_gap(alone.net, net_k) < 1e-10
        assert np.allclose(r.losses[:, k], alone.losses, rtol=0, atol=1e-10)
        assert math.isclose(r.table[k]["test_rmse"], alone.test_rmse, abs_tol=1e-10)
        assert math.isclose(r.table[k]["max_error"], alone.max_error, abs_tol=1e-10)


def test_per_net_learning_rates_equal_separate_fits():
    rates = [0.01, 0.1]
    r = train(
        ensemble(1, [4], activation="tanh", seeds=[5, 5]), "sine", steps=100, lr=rates, n_train=100
    )
    for k, rate in enumerate(rates):
        alone = fit(
            mlp(1, [4], activation="tanh", seed=5), "sine", steps=100, lr=rate, seed=5, n_train=100
        )
        assert _max_gap(alone.net, r.nets()[k]) < 1e-10
    assert r.table[0]["final_loss"] != r.table[1]["final_loss"]


def test_shared_data_equals_fit_on_that_sample():
    from approxlab.targets import sample, target

    f = target("paraboloid")
    X = sample(f.domain, 200, 9)
    r = train(ensemble(2, [3], activation="sigmoid", seeds=[1, 2]), (X, f(X)), steps=50, lr=0.05)
    for k, s in enumerate([1, 2]):
        alone = fit(mlp(2, [3], activation="sigmoid", seed=s), (X, f(X)), steps=50, lr=0.05, seed=s)
        assert _max_gap(alone.net, r.nets()[k]) < 1e-10


def test_classification_with_bce_matches_fit_accuracy():
    ds = dataset("xor")
    r = train(
        ensemble(2, [4], activation="tanh", seeds=[0, 1]),
        ds,
        steps=60,
        loss="bce",
        lr=0.05,
        n_train=200,
        n_test=200,
    )
    for k in range(2):
        alone = fit(
            mlp(2, [4], activation="tanh", seed=k),
            ds,
            steps=60,
            loss="bce",
            lr=0.05,
            seed=k,
            n_train=200,
            n_test=200,
        )
        assert _max_gap(alone.net, r.nets()[k]) < 1e-10
        assert r.table[k]["test_accuracy"] == alone.test_accuracy


def test_float32_ensemble_stays_float32_and_close_to_fit():
    r = train(
        ensemble(2, [6], activation="sigmoid", seeds=[0], dtype=torch.float32),
        "paraboloid",
        steps=100,
    )
    alone = fit(
        mlp(2, [6], activation="sigmoid", seed=0, dtype=torch.float32), "paraboloid", steps=100
    )
    assert r.nets()[0][0].weight.dtype == torch.float32
    assert (
        _max_gap(alone.net, r.nets()[0]) < 1e-4
    )  # float32 round-off in a different summation order


def test_a_diverging_net_is_reported_and_the_others_train_on():
    r = train(
        ensemble(1, [4], activation="exp", seeds=[0, 0]),
        "sine",
        steps=30,
        lr=[1e9, 0.01],
        n_train=50,
    )
    assert r.table[0]["diverged_at"] is not None and math.isnan(r.table[0]["train_rmse"])
    assert r.table[1]["diverged_at"] is None and math.isfinite(r.table[1]["train_rmse"])


def test_unstack_of_an_untrained_ensemble_is_mlp_with_each_seed():
    for s, net in zip(
        [2, 9],
        ensemble(3, [5, 2], activation="gelu", seeds=[2, 9], out_activation="sigmoid").unstack(),
    ):
        ref = mlp(3, [5, 2], activation="gelu", seed=s, out_activation="sigmoid")
        assert str(ref) == str(net) and _max_gap(ref, net) == 0.0


def test_from_nets_refuses_mixed_shapes_and_foreign_layers():
    with pytest.raises(ApproxlabError, match="shape"):
        Ensemble.from_nets([mlp(2, [4]), mlp(2, [5])])
    with pytest.raises(ApproxlabError, match="Dropout"):
        Ensemble.from_nets([torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Dropout())])


def test_zero_and_duplicated_nets_train_like_their_twins():
    net = mlp(2, [3], activation="tanh", seed=0)
    with torch.no_grad():
        for p in net.parameters():
            p.zero_()
    r = train(Ensemble.from_nets([net, net], seeds=[0, 0]), "paraboloid", steps=20)
    a, b = r.nets()
    assert _max_gap(a, b) == 0.0  # same start, same data: identical nets
    # all-zero tanh weights: hidden units stay symmetric (equal rows), only the output bias moves first
    assert torch.allclose(a[0].weight[0], a[0].weight[1])


def test_bad_inputs_are_one_line_errors():
    e = ensemble(2, [3], seeds=2)
    with pytest.raises(ApproxlabError, match="L-BFGS"):
        train(e, "paraboloid", optimizer="lbfgs")
    with pytest.raises(ApproxlabError, match="one per net"):
        train(e, "paraboloid", lr=[0.1, 0.2, 0.3])
    with pytest.raises(ApproxlabError, match="in_dim=1"):
        train(e, "sine")
    with pytest.raises(ApproxlabError, match="unknown device"):
        resolve_device("tpu")


@pytest.mark.skipif(
    torch.cuda.is_available(), reason="checks the message on a machine without CUDA"
)
def test_cuda_without_a_gpu_is_one_clear_line():
    with pytest.raises(ApproxlabError, match="no CUDA GPU.*--device cpu"):
        ensemble(2, [3], device="cuda")
    assert resolve_device("auto").type == "cpu"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_ensemble_matches_cpu():
    cpu = train(ensemble(2, [6], activation="sigmoid", seeds=[0, 1]), "paraboloid", steps=100)
    gpu = train(
        ensemble(2, [6], activation="sigmoid", seeds=[0, 1], device="cuda"), "paraboloid", steps=100
    )
    assert gpu.device.startswith("cuda")
    for a, b in zip(cpu.nets(), gpu.nets()):
        assert _max_gap(a, b) < 1e-8


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("shared", [True, False])
def test_fused_two_layer_kernel_equals_autograd(activation, shared):
    kw = dict(steps=60, lr=0.05, n_train=150, shared_data=shared, grid_n=21)
    fused = train(
        ensemble(3, [7], activation=activation, seeds=5), "x1*x2 + x3", kernel="two_layer", **kw
    )
    generic = train(
        ensemble(3, [7], activation=activation, seeds=5), "x1*x2 + x3", kernel="generic", **kw
    )
    assert np.abs(fused.losses - generic.losses).max() < 1e-12
    for a, b in zip(fused.nets(), generic.nets()):
        assert _max_gap(a, b) < 1e-12


def test_two_layer_kernel_refuses_shapes_it_does_not_cover():
    with pytest.raises(ApproxlabError, match="generic"):
        train(ensemble(2, [3, 3], seeds=1), "paraboloid", kernel="two_layer")


def test_uneven_chunks_overlap_and_still_equal_the_autograd_path(monkeypatch):
    from approxlab.ensemble import twolayer

    monkeypatch.setattr(
        twolayer, "CACHE_ELEMENTS", 3 * 4 * 50
    )  # chunks of 3 nets for K = 7: 0–2, 3–5, 4–6
    kw = dict(steps=20, lr=0.05, n_train=50, shared_data=True, grid_n=11)
    fused = train(ensemble(1, [4], activation="tanh", seeds=7), "sine", kernel="two_layer", **kw)
    generic = train(ensemble(1, [4], activation="tanh", seeds=7), "sine", kernel="generic", **kw)
    assert np.abs(fused.losses - generic.losses).max() < 1e-12


@pytest.mark.slow
def test_compiled_fused_kernel_equals_eager():
    # torch.compile needs a C++ compiler; where compiling fails the kernel falls back to eager (and warns)
    kw = dict(steps=30, lr=0.05, n_train=80, shared_data=False, grid_n=11, kernel="two_layer")
    compiled = train(
        ensemble(2, [5], activation="sigmoid", seeds=6, dtype=torch.float32),
        "paraboloid",
        compile=True,
        **kw,
    )
    eager = train(
        ensemble(2, [5], activation="sigmoid", seeds=6, dtype=torch.float32),
        "paraboloid",
        compile=False,
        **kw,
    )
    assert np.abs(compiled.losses - eager.losses).max() < 1e-4  # float32, fused summation order
