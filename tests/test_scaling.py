"""Power-law fits recover a known rate within their bootstrap interval, and exclude a wrong one."""

import numpy as np
import pytest

from approxlab.errors import ApproxlabError
from approxlab.scaling import fit_power_law


def _synthetic(alpha, C=3.0, floor=0.0, noise=0.1, seed=0, seeds_per_n=5):
    rng = np.random.default_rng(seed)
    n = np.repeat([4, 8, 16, 32, 64, 128, 256], seeds_per_n)
    return n, (C * n ** (-alpha) + floor) * np.exp(noise * rng.standard_normal(n.size))


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0])
def test_known_alpha_lies_in_the_interval_and_wrong_ones_do_not(alpha):
    n, err = _synthetic(alpha)
    law = fit_power_law(n, err, boot=400, seed=1)
    low, high = law.ci["alpha"]
    assert low <= alpha <= high
    assert high - low < 0.1  # 35 points with 10 % noise pin α to a few hundredths
    assert not low <= alpha + 0.25 <= high


def test_with_a_floor_the_rate_is_recovered_not_flattened():
    n, err = _synthetic(2.0, C=5.0, floor=2e-3, noise=0.03)
    plain = fit_power_law(n, err, boot=50)
    law = fit_power_law(n, err, floor=True, boot=200, seed=2)
    assert plain.alpha < 1.5  # the floor bends a plain log-log line
    assert law.ci["alpha"][0] <= 2.0 <= law.ci["alpha"][1]
    assert law.ci["floor"][0] <= 2e-3 <= law.ci["floor"][1]


def test_exact_data_gives_the_exact_law():
    law = fit_power_law([2, 4, 8], [0.25, 0.0625, 0.015625], boot=20)
    assert (
        abs(law.alpha - 2) < 1e-12
        and abs(law.C - 1) < 1e-12
        and law.ci["alpha"] == pytest.approx((2, 2))
    )


def test_too_few_sizes_or_bad_values_are_refused():
    with pytest.raises(ApproxlabError, match="distinct sizes"):
        fit_power_law([4, 4, 4], [0.1, 0.2, 0.3])
    with pytest.raises(ApproxlabError, match="distinct sizes"):
        fit_power_law([4, 8], [np.nan, 0.1])
    with pytest.raises(ApproxlabError, match="3 or more"):
        fit_power_law([4, 8], [0.2, 0.1], floor=True)
