"""Mutual information by binning and by kernels, and Shwartz-Ziv & Tishby's setting."""

import numpy as np
import pytest
import torch

from approxlab.errors import ApproxlabError
from approxlab.watch.infoplane import (
    InformationPlane,
    binned,
    compression,
    discrete_mutual_information,
    entropy,
    kernel_information,
    mutual_information,
    silent_layer,
    szt_data,
    szt_net,
)


def test_binned_mi_equals_the_hand_computation():
    # X uniform on {0,1,2,3}; T = activities 0.1, 0.2, 0.8, 0.9 in 2 bins on [0, 1] → T̂ = X // 2.
    # I(X;T̂) = H(T̂) − H(T̂|X) = 1 − 0 = 1 bit.
    x = np.array([0, 1, 2, 3])
    t = np.array([0.1, 0.2, 0.8, 0.9])
    assert mutual_information(x, t, bins=2) == pytest.approx(1.0, abs=1e-12)
    # A skewed joint table: p(a,b) = 1/2 (0,0), 1/4 (1,0), 1/4 (1,1).
    # H(A) = 1, H(B) = H(3/4, 1/4) = 0.811278..., H(A,B) = 1.5 → I = 0.311278... bits.
    a, b = np.array([0, 0, 1, 1]), np.array([0, 0, 0, 1])
    hb = -(0.75 * np.log2(0.75) + 0.25 * np.log2(0.25))
    assert discrete_mutual_information(a, b) == pytest.approx(1 + hb - 1.5, abs=1e-12)


def test_independent_variables_share_no_information():
    a = np.array([0, 0, 1, 1])
    b = np.array([0, 1, 0, 1])
    assert discrete_mutual_information(a, b) == pytest.approx(0.0, abs=1e-12)


def test_information_about_the_input_is_at_most_its_entropy():
    X, y = szt_data()
    values = InformationPlane(X, y, bins=(30, 100))(szt_net("tanh", seed=0))
    hx = entropy(np.arange(len(X)))  # 4096 distinct, equally likely inputs: 12 bits
    assert hx == pytest.approx(12.0)
    ixt = [v for k, v in values.items() if k.startswith("ixt")]
    ity = [v for k, v in values.items() if k.startswith("ity")]
    assert all(0 <= v <= hx + 1e-12 for v in ixt)
    assert all(0 <= v <= entropy(y) + 1e-12 for v in ity)
    # finer bins can only split cells: I(X;T̂) with 100 bins ≥ with 30 bins is not guaranteed cell-wise,
    # but both stay below H(X); the first tanh layer (10 units) separates most of the 4096 inputs
    assert values["ixt.b100.0"] > 10.0


def test_joint_entropy_of_rows_matches_the_count_of_distinct_rows():
    # rows (0,0,1) ×2, (0,1,0) ×1, (2,0,0) ×1 → p = (1/2, 1/4, 1/4), H = 1.5 bits; the rows differ in
    # different columns, so every column must enter the row code
    rows = np.array([[0, 0, 1], [0, 1, 0], [0, 0, 1], [2, 0, 0]])
    assert entropy(rows) == pytest.approx(1.5, abs=1e-12)
    rng = np.random.default_rng(0)
    many = rng.integers(0, 4, size=(500, 6))
    distinct = len({tuple(r) for r in many.tolist()})
    counts = np.unique(many, axis=0, return_counts=True)[1] / len(many)
    assert entropy(many) == pytest.approx(float(-(counts * np.log2(counts)).sum()), abs=1e-12)
    assert entropy(many) <= np.log2(distinct) + 1e-12


def test_a_layer_silent_on_every_input_is_found_and_a_live_net_has_none():
    X = torch.as_tensor(szt_data()[0])
    # measured: seed 0's last hidden layer (3 ReLUs) is 0 on all 4096 inputs at init, seed 1's is not
    assert silent_layer(szt_net("relu", 0), X) == 4
    assert silent_layer(szt_net("relu", 1), X) is None
    assert silent_layer(szt_net("tanh", 0), X) is None
    net = szt_net("relu", 1)
    with torch.no_grad():
        net[2].bias.fill_(-1e3)  # the second hidden layer's pre-activations all negative
    assert silent_layer(net, X) == 1


def test_continuous_data_without_bins_is_one_clear_line():
    with pytest.raises(ApproxlabError, match="continuous: give a bin count"):
        mutual_information(np.arange(4), np.array([0.1, 0.2, 0.3, 0.4]))
    with pytest.raises(ApproxlabError, match="bin count must be an integer"):
        binned(np.zeros(3), 1)


def test_kernel_estimator_on_two_far_clusters_is_one_bit():
    t = np.array([[0.0], [0.0], [50.0], [50.0]])
    ixt, ity = kernel_information(t, np.array([0, 0, 1, 1]), variance=0.1)
    assert ixt == pytest.approx(1.0, abs=1e-9) and ity == pytest.approx(1.0, abs=1e-9)


def test_szt_labels_are_balanced_and_rotation_invariant():
    X, y = szt_data()
    assert X.shape == (4096, 12) and y.mean() == pytest.approx(0.5, abs=0.01)
    # f depends on x only through ±1 signs: flipping every bit (s → −s) leaves ‖Σ s_i u_i‖² unchanged
    flipped = (1 - X) @ (1 << np.arange(12))
    assert np.array_equal(y, y[flipped.astype(int)])


def test_compression_is_the_relative_fall_after_the_peak():
    assert compression(np.array([1.0, 2.0, 3.0])) == 0.0
    assert compression(np.array([2.0, 4.0, 1.0])) == pytest.approx(0.75)


def test_kernel_estimate_is_recorded_beside_binning_and_stays_below_log_n():
    X, y = szt_data()
    values = InformationPlane(X, y, bins=(30,), kernel_samples=256)(szt_net("tanh", seed=0))
    kde = [values[f"kde_ixt.{l}"] for l in range(6)]
    # the pairwise bound is at most log2 of the sample count (each point's own kernel term is 1)
    assert all(0 <= v <= np.log2(256) + 1e-9 for v in kde)
