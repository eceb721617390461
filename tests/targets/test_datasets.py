"""Classification sets and seed 001's surface task."""

import numpy as np
import pytest

from approxlab.errors import ApproxlabError
from approxlab.targets import dataset, surface_classification, target
from approxlab.targets.datasets import names


@pytest.mark.parametrize("name", names())
def test_each_set_is_seeded_2d_and_balanced(name):
    X, y = dataset(name).sample(400, seed=1)
    X2, y2 = dataset(name).sample(400, seed=1)
    assert X.shape == (400, 2) and np.array_equal(X, X2) and np.array_equal(y, y2)
    assert set(np.unique(y)) == {0.0, 1.0}
    assert 0.35 < y.mean() < 0.65


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
        match="unknown data set 'two_moons': use one of circle, gauss, moons, spiral, xor",
    ):
        dataset("two_moons")
