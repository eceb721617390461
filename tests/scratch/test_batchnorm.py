"""Batch norm's closed-form gradient (seed 002, answer 4)."""

import numpy as np
import pytest
import torch

from approxlab.errors import ApproxlabError
from approxlab.scratch import batchnorm_backward, batchnorm_forward, finite_differences
from approxlab.scratch.gradcheck import relative_error


def _batch(seed=0, m=16, k=5):
    rng = np.random.default_rng(seed)
    x = rng.normal(2.0, 3.0, (m, k))
    return x, rng.normal(1, 0.2, k), rng.normal(0, 0.5, k), rng.normal(size=(m, k))


@pytest.mark.parametrize("eps", [0.0, 1e-5, 0.5])
def test_closed_form_matches_autograd(eps):
    x, gamma, beta, dy = _batch()
    _, cache = batchnorm_forward(x, gamma, beta, eps)
    dx, dgamma, dbeta = batchnorm_backward(dy, cache)
    xt, gt, bt = (torch.tensor(a, requires_grad=True) for a in (x, gamma, beta))
    if eps > 0:
        y = torch.nn.functional.batch_norm(xt, None, None, gt, bt, training=True, eps=eps)
    else:  # torch's batch_norm refuses ε = 0 in training, so autograd runs through the definition
        mu = xt.mean(dim=0)
        y = gt * (xt - mu) / torch.sqrt(((xt - mu) ** 2).mean(dim=0) + eps) + bt
    (y * torch.from_numpy(dy)).sum().backward()
    assert np.max(np.abs(dx - xt.grad.numpy())) < 1e-10
    assert np.max(np.abs(dgamma - gt.grad.numpy())) < 1e-10
    assert np.max(np.abs(dbeta - bt.grad.numpy())) < 1e-10


def test_closed_form_matches_finite_differences():
    x, gamma, beta, dy = _batch(seed=1, m=8, k=3)
    params = {"x": x.copy()}

    def loss():
        return float(np.sum(batchnorm_forward(params["x"], gamma, beta)[0] * dy))

    numeric = finite_differences(loss, params)["x"]
    dx, _, _ = batchnorm_backward(dy, batchnorm_forward(x, gamma, beta)[1])
    assert relative_error(dx, numeric) < 1e-7


def test_gradient_is_orthogonal_to_ones_and_to_x_hat():
    x, gamma, beta, dy = _batch(seed=2)
    _, cache = batchnorm_forward(x, gamma, beta, eps=0.0)
    dx, _, _ = batchnorm_backward(dy, cache)
    scale = np.linalg.norm(dx, axis=0)
    assert np.max(np.abs(dx.sum(axis=0)) / scale) < 1e-14
    assert np.max(np.abs((dx * cache.x_hat).sum(axis=0)) / scale) < 1e-13


def test_with_eps_the_x_hat_component_is_exactly_the_predicted_leak():
    # Σ x̂_i ∂L/∂x_i = (Σ ĝ x̂) ε / ((σ² + ε)√(σ² + ε)) because Σ x̂² = m σ²/(σ² + ε)
    x, gamma, beta, dy = _batch(seed=3)
    eps = 0.3
    _, cache = batchnorm_forward(x, gamma, beta, eps)
    dx, _, _ = batchnorm_backward(dy, cache)
    g_hat = gamma * dy
    var = x.var(axis=0)
    predicted = (g_hat * cache.x_hat).sum(axis=0) * eps / ((var + eps) * np.sqrt(var + eps))
    assert np.max(np.abs((dx * cache.x_hat).sum(axis=0) - predicted)) < 1e-12
    assert np.all(np.abs(predicted) > 1e-4)


def test_bad_shapes():
    with pytest.raises(ApproxlabError, match="m ≥ 2"):
        batchnorm_forward(np.ones((1, 3)))
    _, cache = batchnorm_forward(np.random.default_rng(0).normal(size=(4, 2)))
    with pytest.raises(ApproxlabError, match="must match"):
        batchnorm_backward(np.ones((4, 3)), cache)
