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


def test_decomposition_judgment_reads_each_shape():
    from approxlab.atlas.claims.ensemble import judge_decomposition

    def row(width, n, theta1, est, opt, est_high=None, opt_high=None):
        return {
            "width": width,
            "n_train": n,
            "theta1": theta1,
            "estimation": est,
            "estimation_high": est if est_high is None else est_high,
            "optimisation": opt,
            "optimisation_high": opt if opt_high is None else opt_high,
        }

    # the quick profile's measured medians (16:10 UTC run): it holds
    good = [
        row(1, 8, 0.0633, 0.050, 0.083),
        row(1, 64, 0.0633, 0.0018, 0.036),
        row(2, 8, 1.5e-5, 0.036, 0.079),
        row(2, 64, 1.5e-5, 1.8e-5, 0.027),
    ]
    assert judge_decomposition(good)
    assert not judge_decomposition([{**r, "theta1": 0.0633} for r in good])  # θ1 not falling
    flat = [good[0], {**good[1], "estimation": 0.06, "estimation_high": 0.06}, *good[2:]]
    assert not judge_decomposition(flat)  # the estimation gap not shrinking with n
    below = [*good[:3], {**good[3], "optimisation_high": -1e-3}]
    assert not judge_decomposition(below)  # Adam significantly better than the minimiser
