"""qSA as seed 003 defines it: the generator's inputs, the average, the ε measure, bad input."""

import itertools

import numpy as np
import pytest

from approxlab.errors import ApproxlabError
from approxlab.qsa.task import check, check_eps, encode, max_error, qsa, sample


def brute_force(X, q):
    """(1/q) Σ_j z_{y_ij} by explicit loops over inputs, positions and the q indices."""
    n, N, d = X.shape
    dp = d - q - 1
    out = np.zeros((n, N, dp))
    for a, i in itertools.product(range(n), range(N)):
        for j in X[a, i, dp : dp + q]:
            out[a, i] += X[a, int(j) - 1, :dp] / q
    return out


@pytest.mark.parametrize("N,q,dp", [(5, 1, 1), (8, 3, 2), (6, 5, 3)])
def test_qsa_equals_the_brute_force_average(N, q, dp):
    X = sample(7, N, q, dp, seed=4)
    assert np.allclose(qsa(X, q), brute_force(X, q), rtol=0, atol=1e-15)


def test_generator_follows_the_definition():
    N, q, dp = 9, 3, 2
    X = sample(50, N, q, dp, seed=0)
    z, y, i = X[..., :dp], X[..., dp : dp + q], X[..., -1]
    assert X.shape == (50, N, dp + q + 1)
    assert np.all(np.linalg.norm(z, axis=-1) <= 1 + 1e-15)  # z_i in the unit ball
    assert np.all(np.diff(y, axis=-1) > 0) and y.min() >= 1 and y.max() <= N  # distinct, in [N]
    assert np.array_equal(i[0], np.arange(1, N + 1))
    assert np.array_equal(sample(3, N, q, dp, seed=1), sample(3, N, q, dp, seed=1))
    assert not np.array_equal(sample(3, N, q, dp, seed=1), sample(3, N, q, dp, seed=2))
    # every index is drawn: over 50·9 rows each of the 9 indices appears
    assert set(np.unique(y).astype(int)) == set(range(1, N + 1))


def test_encoding_is_one_hot():
    X = sample(4, 6, 2, 1, seed=0)
    E = encode(X, 2)
    assert E.shape == (4, 6, 1 + 12)
    assert np.array_equal(E[..., 1:7].sum(-1), np.full((4, 6), 2.0))
    assert np.array_equal(E[0, :, 7:], np.eye(6))
    assert np.array_equal(E[..., 0], X[..., 0])


def test_max_error_is_the_worst_position_l2_norm():
    X = sample(3, 4, 1, 2, seed=0)
    pred = qsa(X, 1).copy()
    pred[1, 2] += [0.3, 0.4]  # ℓ2 error 0.5 at one position
    pred[0, 0] += [0.1, 0.0]
    assert max_error(pred, X, 1) == pytest.approx(0.5, abs=1e-12)


@pytest.mark.parametrize(
    "args", [(4, 4, 1), (4, 7, 1), (4, 0, 1), (4, 1, 0), (4, 1, -2), (1, 1, 1)]
)
def test_bad_sizes_are_refused(args):
    with pytest.raises(ApproxlabError):
        check(*args)


@pytest.mark.parametrize("eps", [0.0, 1.0, -0.1, 1.5, float("nan"), float("inf")])
def test_eps_outside_the_open_unit_interval_is_refused(eps):
    with pytest.raises(ApproxlabError, match=r"\(0, 1\)"):
        check_eps(eps)
