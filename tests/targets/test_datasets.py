"""Classification sets and seed 001's surface task."""

import numpy as np
import pytest

from approxlab.errors import ApproxlabError
from approxlab.targets import dataset, surface_classification, target
from approxlab.targets.datasets import multiclass_names, names


@pytest.mark.parametrize("name", names())
def test_each_set_is_seeded_2d_and_balanced(name):
    X, y = dataset(name).sample(400, seed=1)
    X2, y2 = dataset(name).sample(400, seed=1)
    assert X.shape == (400, 2) and np.array_equal(X, X2) and np.array_equal(y, y2)
    assert set(np.unique(y)) == {0.0, 1.0}
    assert 0.35 < y.mean() < 0.65


@pytest.mark.parametrize("name", multiclass_names())
def test_each_multiclass_set_is_seeded_and_balanced(name):
    ds = dataset(name)
    X, y = ds.sample(360, seed=1)
    X2, y2 = ds.sample(360, seed=1)
    assert ds.classes > 2 and np.array_equal(X, X2) and np.array_equal(y, y2)
    assert set(np.unique(y)) == set(map(float, range(ds.classes)))
    assert np.bincount(y.astype(int)).tolist() == [360 // ds.classes] * ds.classes


def test_two_arm_spiral_is_the_spiral():
    # spiral is spiral_k at k = 2: the same points bit for bit (angle offset 2π·y/2 = π·y)
    from approxlab.targets.datasets import _arms

    X, y = dataset("spiral").sample(300, seed=4)
    X2, y2 = _arms(2)(300, np.random.default_rng(4), 0.02)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)


def test_blobs4_points_lie_nearest_their_own_centre():
    # σ = 0.2 and neighbouring centres 1 apart: P(a point is nearer another centre) ≤ 2 P(N > 2.5)
    # ≈ 1.2%, so over 2000 points at most ~3% (measured: 1.15%)
    X, y = dataset("blobs4").sample(2000, seed=0)
    centres = np.array([[0.5, 0.5], [-0.5, 0.5], [-0.5, -0.5], [0.5, -0.5]])
    nearest = np.argmin(((X[:, None, :] - centres) ** 2).sum(-1), axis=1)
    assert (nearest != y).mean() < 0.03


def test_xor_labels_follow_the_quadrants():
    X, y = dataset("xor").sample(200, seed=0)
    assert np.array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(float))


def test_surface_points_lie_on_the_surface_and_negatives_off_it():
    f = target("paraboloid")
    X, y = surface_classification(f, n=1000, seed=0, gap=(0.25, 1.5))
    gap = np.abs(X[:, 2] - f(X[:, :2]))
    assert y.sum() == 500
    assert gap[y == 1].max() == 0.0
    assert gap[y == 0].min() >= 0.25 and gap[y == 0].max() <= 1.5
    assert (X[y == 0, 2] > f(X[y == 0, :2])).mean() == pytest.approx(0.5, abs=0.08)


def test_surface_task_needs_a_2d_target():
    with pytest.raises(ApproxlabError, match="needs a 2D target"):
        surface_classification("sine")


def test_unknown_dataset_lists_the_names():
    with pytest.raises(
        ApproxlabError,
        match="unknown data set 'two_moons': use one of blobs4, circle, gauss, moons, spiral, spiral3, xor",
    ):
        dataset("two_moons")
