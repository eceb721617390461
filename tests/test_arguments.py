"""Entry checks: one wording for seeds, counts, tolerances and name lists."""

import pytest

from approxlab.arguments import count, integers, names, positive, seed
from approxlab.errors import ApproxlabError


@pytest.mark.parametrize("value", [-1, 2**63, 2**64, 1.5, True, "3"])
def test_seeds_outside_0_to_2_63_are_refused(value):
    with pytest.raises(ApproxlabError, match=r"--seed must be an integer from 0 to 2\^63 - 1"):
        seed(value)


def test_seed_edges_are_accepted():
    assert seed(0) == 0 and seed(2**63 - 1) == 2**63 - 1 and seed(2**64, bounded=False) == 2**64


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 0.0, -1e-9])
def test_tolerances_must_be_finite_and_positive(value):
    with pytest.raises(ApproxlabError, match="--tol must be a finite number > 0"):
        positive("--tol", value)


def test_counts_and_lists():
    assert count("--width", 3, high=5) == 3
    with pytest.raises(ApproxlabError, match="--width is 6, above the limit of 5"):
        count("--width", 6, high=5)
    with pytest.raises(ApproxlabError, match="--variants ',' names no variant"):
        names(",", "variant", ["plain"], "--variants")
    assert names("plain, plain", "variant", ["plain"]) == ["plain"]
    with pytest.raises(ApproxlabError, match="comma-separated integers"):
        integers("2,,1", "--sizes")
