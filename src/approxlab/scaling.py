"""Scaling laws: fit error ≈ C·n^(−α) (+ floor) to measured errors, with bootstrap intervals.

Theory's rates, for comparison (seed 003):

- Barron (1993): one hidden layer of n sigmoidal units reaches MSE ≤ C_f²/n on a Barron-class
  target, i.e. MSE rate α = 1 and RMSE rate α = 1/2;
- piecewise-linear interpolation with n ReLU units in 1D: sup error O(n^(−2)) for C² targets (α = 2);
- Yarotsky (2017): ReLU nets of depth O(log 1/ε) reach ε on x², error exponential in depth.

Without a floor the fit is least squares on log err = log C − α log n; with one it is
least squares on the log of C n^(−α) + e0 (e0 ≥ 0: the error no width removes, e.g. the
optimiser's or the sample's). Confidence intervals come from a seeded pairs bootstrap
(resample the (n, err) points with replacement, refit, take percentiles).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from approxlab.errors import ApproxlabError, require

THEORY_RATES = {
    "Barron (RMSE, one layer)": 0.5,
    "Barron (MSE, one layer)": 1.0,
    "ReLU interpolation 1D (sup)": 2.0,
}


@dataclass
class PowerLaw:
    """err(n) ≈ C n^(−α) + floor; ``ci`` maps each parameter to its (low, high) bootstrap interval."""

    C: float
    alpha: float
    floor: float
    ci: dict[str, tuple[float, float]]
    level: float
    boot: int = field(repr=False)

    def __call__(self, n) -> np.ndarray:
        return self.C * np.asarray(n, dtype=float) ** (-self.alpha) + self.floor

    def row(self) -> dict[str, float]:
        """JSON-able summary."""
        return {
            "C": self.C,
            "alpha": self.alpha,
            "floor": self.floor,
            "alpha_low": self.ci["alpha"][0],
            "alpha_high": self.ci["alpha"][1],
            "level": self.level,
        }


def _fit(n: np.ndarray, err: np.ndarray, floor: bool) -> tuple[float, float, float]:
    slope, intercept = np.polyfit(np.log(n), np.log(err), 1)
    if not floor:
        return float(np.exp(intercept)), float(-slope), 0.0
    from scipy.optimize import least_squares

    def residual(p):
        logC, alpha, e0 = p
        return np.log(np.exp(logC) * n ** (-alpha) + e0) - np.log(err)

    start = [intercept, max(-slope, 1e-3), 0.5 * err.min()]
    res = least_squares(residual, start, bounds=([-np.inf, 0.0, 0.0], [np.inf, np.inf, err.min()]))
    logC, alpha, e0 = res.x
    return float(np.exp(logC)), float(alpha), float(e0)


def fit_power_law(
    n: Sequence[float],
    err: Sequence[float],
    *,
    floor: bool = False,
    boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> PowerLaw:
    """Fit err ≈ C n^(−α) (+ floor) and bootstrap (``boot`` resamples, seeded) ``level`` intervals.

    Points may repeat an n (one per seed): the bootstrap then resamples runs, so the
    spread over seeds widens the interval as it should.

    >>> law = fit_power_law([1, 2, 4, 8], [1.0, 0.5, 0.25, 0.125], boot=50)
    >>> round(law.alpha, 6), round(law.C, 6)
    (1.0, 1.0)
    """
    n_arr = np.asarray(n, dtype=float)
    e_arr = np.asarray(err, dtype=float)
    require(
        n_arr.shape == e_arr.shape and n_arr.ndim == 1, "n and err must be 1-D and of equal length"
    )
    keep = np.isfinite(n_arr) & np.isfinite(e_arr) & (n_arr > 0) & (e_arr > 0)
    n_arr, e_arr = n_arr[keep], e_arr[keep]
    if np.unique(n_arr).size < (3 if floor else 2):
        raise ApproxlabError(
            f"a power law needs errors at {3 if floor else 2} or more distinct sizes n (positive, "
            f"finite), got {np.unique(n_arr).size}: measure more widths"
        )
    require(0 < level < 1, f"level must lie in (0, 1), got {level}")
    C, alpha, e0 = _fit(n_arr, e_arr, floor)
    rng = np.random.default_rng(seed)
    draws = []
    while len(draws) < boot:
        idx = rng.integers(0, n_arr.size, n_arr.size)
        if np.unique(n_arr[idx]).size < (3 if floor else 2):
            continue
        draws.append(_fit(n_arr[idx], e_arr[idx], floor))
    q = [(1 - level) / 2 * 100, (1 + level) / 2 * 100]
    d = np.array(draws) if draws else np.array([[C, alpha, e0]])
    ci = {
        name: tuple(float(v) for v in np.percentile(d[:, i], q))
        for i, name in enumerate(("C", "alpha", "floor"))
    }
    return PowerLaw(C, alpha, e0, ci, level, boot)
