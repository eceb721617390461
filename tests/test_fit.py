"""approxlab.fit: seed 001's fit, determinism, optimizers, losses, early stopping, divergence."""

import numpy as np
import pytest
import torch

from approxlab.errors import ApproxlabError
from approxlab.fit import batch_step, fit, loss_function, make_optimizer, sup_error, weight_penalty
from approxlab.nets import mlp
from approxlab.targets import dataset, target


def test_six_sigmoid_units_fit_the_paraboloid():
    """Seed 001: 6 sigmoid units, Adam lr 0.1 (cosine), 3000 full-batch steps, seed 1.
    Measured on 2026-11-23 (1 thread): test RMSE 0.00938, sup error 0.063 on a 201² grid. Threshold 1.5× that RMSE."""
    result = fit(
        mlp(2, [6], activation="sigmoid", seed=1), "paraboloid", steps=3000, lr=0.1, seed=1
    )
    assert result.test_rmse < 0.014
    assert result.max_error >= result.test_rmse
    assert result.steps == 3000 and len(result.losses) == 3000
    assert result.params == 25


def test_two_units_cannot_make_the_bowl():
    """A sum of two sigmoid ridges cannot curve up in both axes: measured test RMSE 0.306 (seed 0)
    against 0.422 for the best constant (the standard deviation of x1² + x2² on the square, √(8/45))."""
    result = fit(mlp(2, [2], activation="sigmoid", seed=0), "paraboloid", steps=1500, lr=0.1)
    assert result.test_rmse > 0.25


def test_training_is_deterministic():
    a = fit(mlp(1, [8], activation="tanh", seed=3), "sine", steps=200, batch_size=64, seed=3)
    b = fit(mlp(1, [8], activation="tanh", seed=3), "sine", steps=200, batch_size=64, seed=3)
    assert a.losses == b.losses


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "lbfgs"])
def test_every_optimizer_reduces_the_loss(optimizer):
    result = fit(mlp(1, [16], activation="tanh", seed=0), "sine", steps=150, optimizer=optimizer)
    assert result.losses[-1] < 0.5 * result.losses[0]


def test_lbfgs_goes_on_below_pytorchs_default_gradient_tolerance():
    """An affine fit y = 2x + 1 is exactly representable, so float64 L-BFGS should reach round-off.
    With PyTorch's default tolerances (1e-7, 1e-9) each step returned at once once the gradient fell
    under 1e-7: measured final losses 3.6e-11 and 3.0e-12 (two inits); with approxlab's, 8.4e-18 and 3.3e-20."""
    torch.manual_seed(0)
    X = np.linspace(-1, 1, 64)[:, None]
    net = torch.nn.Linear(1, 1).double()
    result = fit(net, (X, 2 * X[:, 0] + 1), steps=60, optimizer="lbfgs")
    assert result.losses[-1] < 1e-15


def test_lbfgs_keeps_stepping_one_iteration_at_a_time():
    """fit runs one L-BFGS iteration per step. With PyTorch's default max_eval (1 when max_iter is 1)
    the line search returned step 0 from step 10 on: tanh 8 units on sine stayed at loss 0.202.
    With 25 evaluations it matches one 300-iteration L-BFGS call: measured loss 2.25e-6."""
    result = fit(mlp(1, [8], activation="tanh", seed=0), "sine", steps=300, optimizer="lbfgs")
    assert result.losses[-1] < 1e-4


def test_xy_data_without_test_set():
    X = np.linspace(-1, 1, 50)[:, None]
    result = fit(mlp(1, [8]), (X, 2 * X[:, 0]), steps=300)
    assert result.test_rmse is None and result.train_rmse < 0.05


def test_bce_classifies_gaussian_blobs():
    """Two blobs at ±(½, ½), σ = 0.2: the Bayes error is Φ(−0.5√2/0.2) ≈ 0.04%, so ≥ 0.98 is expected."""
    result = fit(mlp(2, [4], activation="tanh"), dataset("gauss"), loss="bce", steps=300)
    assert result.test_accuracy >= 0.98


def test_cross_entropy_with_two_logits():
    result = fit(
        mlp(2, [8], out_dim=2, activation="tanh"), dataset("xor"), loss="cross_entropy", steps=400
    )
    assert result.test_accuracy > 0.9


def test_patience_stops_early_and_tol_stops_at_the_goal():
    X = np.zeros((10, 1))
    flat = fit(mlp(1, [2]), (X, np.zeros(10)), steps=5000, patience=20, optimizer="sgd", lr=1e-3)
    assert flat.stopped_early and flat.steps < 5000
    goal = fit(mlp(1, [16], activation="tanh"), "sine", steps=5000, tol=0.05)
    assert goal.stopped_early and goal.losses[-1] <= 0.05


def test_divergence_stops_with_a_clear_error():
    with pytest.raises(ApproxlabError, match="training diverged at step .*lower the learning rate"):
        fit(mlp(2, [8], seed=0), "paraboloid", optimizer="sgd", lr=1e6, momentum=0.0, steps=100)


def test_sup_error_is_the_grid_maximum():
    net = mlp(1, [1], activation="linear")
    with torch.no_grad():
        (
            net[0].weight.fill_(1.0),
            net[0].bias.fill_(0.0),
            net[2].weight.fill_(0.0),
            net[2].bias.fill_(0.0),
        )
    assert sup_error(net, target("sine"), n=4001) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"steps": 0}, "steps must be a positive integer"),
        ({"optimizer": "rmsprop"}, "unknown optimizer"),
        ({"loss": "hinge"}, "unknown loss"),
        ({"lr": -1.0}, "learning rate must be positive"),
    ],
)
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ApproxlabError, match=message):
        fit(mlp(1, [2]), "sine", **kwargs)


def test_input_dimension_mismatch_names_the_fix():
    with pytest.raises(ApproxlabError, match="build the net with in_dim=2"):
        fit(mlp(1, [2]), "paraboloid", steps=1)


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "lbfgs"])
def test_batch_step_is_the_step_fit_takes(optimizer):
    X = torch.linspace(-1, 1, 40, dtype=torch.float64)[:, None]
    y = torch.sin(3 * X[:, 0])
    a, b = mlp(1, [5], activation="tanh", seed=2), mlp(1, [5], activation="tanh", seed=2)
    losses = fit(
        a, (X, y), steps=6, optimizer=optimizer, schedule="constant", batch_size=16, seed=4
    ).losses
    opt, gen = make_optimizer(b, optimizer), torch.Generator().manual_seed(4)
    b.train()
    mine = [batch_step(b, opt, loss_function("mse", b), X, y, 16, gen) for _ in range(6)]
    assert mine == losses
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_weight_penalty_is_l1_plus_l2_of_the_weights_only():
    net = mlp(2, [3])
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([[1.0, -2.0], [0.0, 0.5], [3.0, 0.0]]))
        net[0].bias.fill_(100.0)  # biases are not penalised
        net[2].weight.copy_(torch.tensor([[-1.0, 1.0, 0.0]]))
    # Σ|W| = 6.5 + 2 = 8.5, ΣW² = 14.25 + 2 = 16.25
    assert weight_penalty(net, l1=0.1, l2=0.01).item() == pytest.approx(
        0.1 * 8.5 + 0.01 * 16.25, rel=1e-15
    )
    assert float(weight_penalty(net)) == 0.0
    X, y = torch.zeros(4, 2, dtype=torch.float64), torch.zeros(4, dtype=torch.float64)
    mse = loss_function("mse", net)
    with torch.no_grad():
        data_loss = mse(net(X), y).item()
    value = batch_step(
        net,
        make_optimizer(net, "sgd", lr=1e-300),
        mse,
        X,
        y,
        None,
        torch.Generator(),
        lambda m: weight_penalty(m, l2=1.0),
    )
    assert value == data_loss  # the step descends loss + penalty but reports the data loss
