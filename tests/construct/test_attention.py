"""The attention construction for qSA meets its ε on seeded inputs, with m growing like log N."""

import math

import numpy as np
import pytest
import torch

from approxlab.construct.attention import (
    dimension,
    dual_vectors,
    margin,
    qsa_attention,
    sign_vectors,
    temperature,
)
from approxlab.errors import ApproxlabError
from approxlab.qsa.task import encode, max_error, sample


@pytest.mark.parametrize(
    "N,q,dp,eps", [(8, 1, 1, 0.1), (32, 1, 2, 0.05), (16, 2, 1, 0.2), (12, 3, 3, 0.1)]
)
def test_construction_meets_its_eps(N, q, dp, eps):
    net, cert = qsa_attention(N, q, dp, eps=eps, n=100, seed=2)
    assert cert.holds and cert.measured <= eps
    assert cert.details["margin"] <= 0.5 and cert.details["margin_checked_on"] == "all q-subsets"
    # fresh inputs (another seed): "for all X" covers them too, the margin having been checked on every subset
    X = sample(100, N, q, dp, seed=99)
    with torch.no_grad():
        assert max_error(net(torch.as_tensor(encode(X, q).reshape(100, -1))).numpy(), X, q) <= eps


def test_error_bound_is_tight_in_c():
    """A quarter of the temperature breaks ε: c is not far from what the bound needs."""
    N, q, eps = 32, 1, 0.1
    net, cert = qsa_attention(N, q, 1, eps=eps, n=200, seed=0)
    with torch.no_grad():
        net.Q.mul_(0.25)
    X = sample(200, N, q, 1, seed=0)
    with torch.no_grad():
        assert max_error(net(torch.as_tensor(encode(X, q).reshape(200, -1))).numpy(), X, q) > eps


def test_dual_vectors_hit_one_on_the_set():
    U = sign_vectors(10, 24, seed=1)
    S = np.array([[0, 4, 7], [1, 2, 9]])
    W = dual_vectors(U, S)
    for w, s in zip(W, S):
        assert np.allclose(U[s] @ w, 1.0, atol=1e-12)


def test_margin_of_identical_vectors_is_not_below_one():
    """Duplicated sign vectors (a degenerate draw): u_j = u_k gives ⟨u_j, u_k⟩ = 1, no margin."""
    U = np.vstack([np.ones((2, 4)) / 2, sign_vectors(3, 4, 0)])
    assert margin(U, np.array([[0]])) >= 1.0 - 1e-12
    assert margin(U, np.array([[0, 1]])) == math.inf  # singular Gram


def test_dimension_grows_slowly_with_N():
    ms = [dimension(N, 1, seed=0)[0] for N in (8, 64, 512)]
    assert ms[0] <= ms[1] <= ms[2] < 512 / 4  # sub-linear: far below N at N = 512
    # theory: coherence ≈ √(2 ln(N²)/m) ≤ ½ needs m ≈ 16 ln N; measured m/ln N stays within 2–12
    assert all(2 <= m / math.log(N) <= 12 for m, N in zip(ms, (8, 64, 512)))


def test_temperature_formula():
    assert temperature(10, 2, 0.1) == pytest.approx(2 * math.log(80))


@pytest.mark.parametrize(
    "kw",
    [{"N": 4, "q": 4}, {"N": 4, "q": 1, "d_prime": 0}, {"N": 8, "eps": 1.0}, {"N": 8, "eps": 0.0}],
)
def test_bad_input_is_refused(kw):
    with pytest.raises(ApproxlabError):
        qsa_attention(**kw)
