"""The ensemble claims: their constants and judgments."""

import math

from approxlab.atlas.claims.ensemble import constant_rmse, judge_rate, judge_spread, trained_rmse


def test_constant_predictor_rmse_is_the_std_of_the_paraboloid():
    # Var(x1² + x2²) on [-1, 1]² = 2 (E x⁴ − (E x²)²) = 2 (1/5 − 1/9)
    assert math.isclose(constant_rmse(), math.sqrt(2 * (1 / 5 - 1 / 9)), rel_tol=5e-3)


def test_judgments_read_the_rows():
    assert judge_spread(
        [
            {"median": 0.3, "share ≤ τ": 0.0},
            {"median": 0.08, "share ≤ τ": 0.0},
            {"median": 0.04, "share ≤ τ": 0.3},
        ]
    )
    assert judge_rate({"alpha": 0.7}) and not judge_rate({"alpha": 0.4})


def test_trained_rmse_tunes_the_rate_and_returns_one_error_per_seed():
    rmse, lr = trained_rmse(3, seeds=2, steps=30, n_train=50, lrs=(1e-6, 0.2))
    assert rmse.shape == (2,) and lr == 0.2  # a rate of 1e-6 cannot lower the loss in 30 steps
