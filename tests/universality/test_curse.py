"""The curse of dimensionality for one hidden layer: the Lipschitz field's rate falls like 1/d, the Barron bump's
stays at n^(−1/2) or better; the Barron constant checked against a numerical Fourier transform."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from scipy.integrate import quad
from typer.testing import CliRunner

from approxlab.cli import app
from approxlab.construct.barron import ball_sample
from approxlab.errors import ApproxlabError
from approxlab.universality.curse import (
    bump_barron_constant,
    gaussian_bump,
    judge,
    lipschitz_field,
    octaves,
    random_relu_error,
    rate_study,
    units_for,
)


def _fourier_1d(omega: np.ndarray, s: float) -> np.ndarray:
    """f̂(ω) = (1/2π)∫ e^{−x²/(2s²)} cos(ωx) dx by quadrature (the convention f(x) = ∫ e^{iωx} f̂(ω) dω)."""
    return np.array(
        [
            quad(lambda x, w=w: math.exp(-(x**2) / (2 * s**2)) * math.cos(w * x), -12 * s, 12 * s)[
                0
            ]
            / (2 * math.pi)
            for w in omega
        ]
    )


@pytest.mark.parametrize("d,points", [(1, 801), (2, 401), (3, 121)])
@pytest.mark.parametrize("s", [0.5, 1.3])
def test_barron_constant_matches_the_numerical_fourier_integral(d, points, s):
    # f is a product of 1D bumps, so f̂ is the product of numerically transformed 1D factors; C_f = ∫‖ω‖|f̂(ω)|dω
    # by the trapezoid rule over [−10/s, 10/s]^d (the tail beyond holds < e^{−50} of the mass).
    omega = np.linspace(-10 / s, 10 / s, points)
    f1 = np.abs(_fourier_1d(omega, s))
    grids = np.meshgrid(*([omega] * d), indexing="ij")
    norm = np.sqrt(sum(g**2 for g in grids))
    density = np.prod(np.meshgrid(*([f1] * d), indexing="ij"), axis=0)
    integral = norm * density
    for _ in range(d):
        integral = np.trapezoid(integral, omega, axis=0)
    # measured relative gaps: 5.2e-5 (d = 1), 3.6e-6 (d = 2), 8.2e-6 (d = 3), both s — the trapezoid on the kink of ‖ω‖ at 0
    assert float(integral) == pytest.approx(bump_barron_constant(d, s), rel=2e-4)


def test_barron_constant_grows_like_sqrt_d_over_s():
    # E‖Z‖ for Z ~ N(0, I_d) lies between √(d − ½) and √d (Gautschi's inequality on Γ((d+1)/2)/Γ(d/2))
    for d in range(1, 9):
        c = bump_barron_constant(d, 0.5) * 0.5
        assert math.sqrt(d - 0.5) <= c <= math.sqrt(d)


@pytest.mark.parametrize("d", [1, 2, 3, 6])
def test_field_is_lipschitz_with_the_stated_constant(d):
    f = lipschitz_field(d, seed=3)
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (4000, d))
    step = rng.standard_normal((4000, d))
    step *= 1e-4 / np.linalg.norm(step, axis=1, keepdims=True)
    Y = np.clip(X + step, -1, 1)
    slopes = np.abs(f(X) - f(Y)) / np.linalg.norm(X - Y, axis=1)
    rho = octaves(d) * math.sqrt(d)
    assert slopes.max() <= rho * (1 + 1e-9)


def test_field_is_seeded():
    X = ball_sample(2, 100, seed=5)
    assert np.array_equal(lipschitz_field(2, seed=1)(X), lipschitz_field(2, seed=1)(X))
    assert not np.array_equal(lipschitz_field(2, seed=1)(X), lipschitz_field(2, seed=2)(X))


def test_more_random_units_fit_the_bump_better():
    X, Xt = ball_sample(2, 2000, seed=1), ball_sample(2, 1000, seed=2)
    e8 = random_relu_error(X, gaussian_bump(X), Xt, gaussian_bump(Xt), 8, 0)
    e64 = random_relu_error(X, gaussian_bump(X), Xt, gaussian_bump(Xt), 64, 0)
    # Barron's bound alone promises a factor √8 ≈ 2.8 over 8× the units; the smooth bump does better
    assert e64 < e8 / math.sqrt(8)


@pytest.fixture(scope="module")
def study():
    return rate_study([1, 2, 3], [16, 32, 64, 128], seeds=3, n_train=1024, n_test=1024)


def test_lipschitz_rate_falls_like_one_over_d_and_barron_does_not(study):
    # measured (seed 0): α_L = 0.92, 0.45, 0.29 and α_B = 1.54, 1.00, 0.87 for d = 1, 2, 3
    checks = judge(study)
    assert checks == {"lipschitz_like_1/d": True, "barron_rate": True, "separation": True}
    for d in (1, 2, 3):
        assert 0.5 <= d * study["laws"][f"lipschitz {d}"]["alpha"] <= 2.0
        assert study["laws"][f"barron {d}"]["alpha"] >= 0.5


def test_units_for_a_fixed_eps_grow_with_d_for_lipschitz(study):
    units = [units_for(study["laws"][f"lipschitz {d}"], 0.03) for d in (1, 2, 3)]
    assert units[0] < units[1] < units[2]


def test_swapped_targets_fail(study):
    swap = {"lipschitz": "barron", "barron": "lipschitz"}
    laws = {
        f"{swap[law['target']]} {law['d']}": {**law, "target": swap[law["target"]]}
        for law in study["laws"].values()
    }
    rows = [{**r, "target": swap[r["target"]]} for r in study["rows"]]
    checks = judge({**study, "laws": laws, "rows": rows})
    assert not checks["lipschitz_like_1/d"] and not checks["separation"]


def test_a_constant_model_fails():
    def constant(X, y, X_test, y_test, n, seed):
        return float(np.sqrt(np.mean((y_test - y.mean()) ** 2)))

    result = rate_study([1, 2, 3], [16, 32, 64], seeds=1, n_train=256, n_test=256, model=constant)
    assert not any(judge(result).values())


def test_units_for_inverts_the_law():
    assert units_for({"C": 2.0, "alpha": 0.25}, 0.5) == pytest.approx(256.0)
    assert units_for({"C": 2.0, "alpha": 0.0}, 0.5) == math.inf


@pytest.mark.parametrize(
    "kwargs,word",
    [
        ({"dims": [0], "units": [8, 16]}, "d"),
        ({"dims": [9], "units": [8, 16]}, "d"),
        ({"dims": [1], "units": [8]}, "two or more"),
        ({"dims": [1], "units": [8, 600], "n_train": 1000}, "training points"),
        ({"dims": [1], "units": [8, 16], "max_work": 10.0}, "budget"),
    ],
)
def test_bad_input(kwargs, word):
    with pytest.raises(ApproxlabError, match=word):
        rate_study(**kwargs)


runner = CliRunner()


def test_cli_bad_input_is_one_line_and_exit_2(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "approxlab", "curse", "--units", "16", "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "--units 16,32,64" in r.stderr
    assert not (tmp_path / "o").exists()


def test_cli_writes_page_figure_and_json(tmp_path):
    r = runner.invoke(
        app,
        ["curse", "--d", "1,2", "--units", "8,16,32", "--train", "256", "--test", "256", "--out"]
        + [str(tmp_path / "o")],
    )
    assert r.exit_code == 0, r.output
    result = json.loads((tmp_path / "o" / "results.json").read_text())
    assert set(result["laws"]) == {"lipschitz 1", "lipschitz 2", "barron 1", "barron 2"}
    assert set(result["checks"]) == {"lipschitz_like_1/d", "barron_rate", "separation"}
    assert (tmp_path / "o" / "curse.png").stat().st_size > 1000
    assert "theory 1/d" in (tmp_path / "o" / "report.md").read_text()
