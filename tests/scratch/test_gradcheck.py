"""The gradient checker names the tensor a wrong backward pass gets wrong."""

import numpy as np
import pytest

from approxlab.errors import ApproxlabError
from approxlab.scratch import backward, gradcheck, init_mlp, loss_value, relative_error
from approxlab.scratch.gradcheck import finite_differences


def _sign_error_in_W2(net, X, y, loss):
    """Test double: ∂L/∂W^(2) = −δ^(2) (h^(1))ᵀ, a sign slip in one line of backprop."""
    bp = backward(net, X, y, loss)
    bp.grads["W2"] = -bp.grads["W2"]
    return bp


def _sign_error_in_recursion(net, X, y, loss):
    """Test double: δ^(1) = −(W^(2))ᵀ δ^(2) ⊙ σ'(z^(1)); only layer 1's gradients go wrong."""
    bp = backward(net, X, y, loss)
    bp.grads["W1"], bp.grads["b1"] = -bp.grads["W1"], -bp.grads["b1"]
    return bp


@pytest.fixture
def problem():
    rng = np.random.default_rng(3)
    net = init_mlp([2, 4, 3, 1], "tanh", "sigmoid", init="xavier_in", seed=3)
    X = rng.normal(size=(10, 2))
    y = (rng.random(10) < 0.5).astype(float)
    return net, X, y


def test_correct_backward_passes(problem):
    net, X, y = problem
    report = gradcheck(
        lambda: loss_value(net, X, y, "bce"), net.parameters(), backward(net, X, y, "bce").grads
    )
    assert report.ok and report.max_relative_error < 1e-7
    assert "WRONG" not in str(report)


@pytest.mark.parametrize(
    "double,wrong", [(_sign_error_in_W2, ["W2"]), (_sign_error_in_recursion, ["W1", "b1"])]
)
def test_sign_error_is_flagged_and_named(problem, double, wrong):
    net, X, y = problem
    report = gradcheck(
        lambda: loss_value(net, X, y, "bce"), net.parameters(), double(net, X, y, "bce").grads
    )
    assert report.wrong == wrong
    # a flipped sign gives ‖a − (−a)‖ / ‖a‖ = 2 up to finite-difference error
    assert all(abs(t.relative_error - 2.0) < 1e-6 for t in report.tensors if t.name in wrong)
    assert f"wrong gradient for {', '.join(wrong)}" in str(report)


def test_finite_differences_restore_the_parameters(problem):
    net, X, y = problem
    before = {k: v.copy() for k, v in net.parameters().items()}
    finite_differences(lambda: loss_value(net, X, y, "bce"), net.parameters())
    assert all(np.array_equal(before[k], v) for k, v in net.parameters().items())


def test_centred_difference_is_exact_for_a_quadratic():
    # (f(θ+ε) − f(θ−ε))/2ε = 2θ for f = θ², up to rounding u|f|/ε ≈ 1e−10
    w = {"w": np.array([3.0, -1.5])}
    g = finite_differences(lambda: float(np.sum(w["w"] ** 2)), w)["w"]
    assert np.max(np.abs(g - 2 * w["w"])) < 1e-9


def test_relative_error_rejects_mismatched_shapes():
    assert relative_error(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(np.sqrt(2))
    with pytest.raises(ApproxlabError, match="shapes"):
        relative_error(np.ones(2), np.ones(3))
