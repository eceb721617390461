"""Seed 002's gradient-flow claims, measured: vanishing sigmoid gradients and initialisation."""

import numpy as np
import pytest

from approxlab.errors import ApproxlabError
from approxlab.gradflow import gradient_flow


def test_sigmoid_gradient_vanishes_faster_than_the_seeds_estimate():
    # seed 002: a factor 0.25^10 ≈ 1e−6 for L = 10. Measured with U[±1/√n] weights, width 64:
    # ‖δ^(1)‖/‖δ^(10)‖ = 2.2e−8, about 0.14 per layer (σ' ≈ 0.2 times √(n Var w) = 1/√3)
    run = gradient_flow(10, 64, "sigmoid", batch=64, seed=0)
    assert run.first_to_last < 0.25**10
    assert np.all(run.stats.delta_norm <= run.bound * (1 + 1e-12))
    assert 0.10 < run.decay_per_layer < 0.25


def test_residual_connections_stop_the_vanishing():
    # measured at depth 30, width 64: plain sigmoid 3.0e−25, residual 2.6 (the identity path)
    plain = gradient_flow(30, 64, "sigmoid", batch=64, seed=0)
    residual = gradient_flow(30, 64, "sigmoid", variant="residual", batch=64, seed=0)
    assert plain.first_to_last < 1e-20
    assert residual.first_to_last > 1.0
    assert residual.bound is None


def test_he_init_keeps_relu_variance_and_standard_init_collapses():
    # width 512, depth 30. E[relu(z)²] = Var(z)/2, so each layer multiplies Var(z) by n Var(w)/2:
    # 1 under He (2/n), 1/6 under U[±1/√n] (1/(3n)) → 6^−29 ≈ 3e−23 over 29 layers (He et al. 2015).
    # A finite-width net wanders log-normally, σ(ln) ≈ √(5L/n) = 0.54 (Hanin & Nica 2019); measured over
    # seeds 0–7 after the data/weight streams were separated: He's final ratio 0.38–1.62 (σ of ln 0.43),
    # standard's final ratio / 6^−29 = 2.09 for seed 0.
    sigma = np.sqrt(5 * 30 / 512)
    he = gradient_flow(30, 512, "relu", init="he", batch=128, seed=0, bound=False)
    standard = gradient_flow(30, 512, "relu", init="standard", batch=128, seed=0, bound=False)
    var_he = he.stats.preactivation_variance
    assert abs(np.log(var_he[-1] / var_he[0])) <= 3 * sigma
    var_std = standard.stats.preactivation_variance
    assert abs(np.log((var_std[-1] / var_std[0]) / 6.0**-29)) <= 3 * sigma
    assert standard.stats.activation_variance[-1] / standard.stats.activation_variance[1] < 1e-20


def test_inputs_and_weights_come_from_independent_streams():
    # x ~ N(0, 1) and Var(w) = 1/n give Var z^(1) = n Var(w) E[x²] = 1; drawn from one generator the first
    # rows of W were a rescaled copy of X and Var z^(1) measured 1.99. Measured now: 0.989 (He: 1.978 = 2 × 0.989).
    xavier = gradient_flow(3, 512, "tanh", init="xavier_in", batch=128, seed=0, bound=False)
    he = gradient_flow(3, 512, "tanh", init="he", batch=128, seed=0, bound=False)
    assert 0.9 < xavier.stats.preactivation_variance[0] < 1.1
    assert 1.8 < he.stats.preactivation_variance[0] < 2.2


def test_unknown_variant_and_activation():
    with pytest.raises(ApproxlabError, match="unknown variant 'dense'"):
        gradient_flow(3, 4, "relu", variant="dense")
    with pytest.raises(ApproxlabError, match="unknown activation 'elu'"):
        gradient_flow(3, 4, "elu")
