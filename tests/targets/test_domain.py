"""Boxes, seeded samples and grids."""

import numpy as np
import pytest

from approxlab.errors import ApproxlabError
from approxlab.targets import as_domain, grid, parse_box, sample, volume


def test_samples_are_seeded_and_inside_the_box():
    box = [(-1, 1), (2, 5)]
    a, b = sample(box, 500, seed=3), sample(box, 500, seed=3)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, sample(box, 500, seed=4))
    assert a[:, 0].min() >= -1 and a[:, 0].max() <= 1 and a[:, 1].min() >= 2 and a[:, 1].max() <= 5


def test_grid_covers_corners_and_has_n_to_the_d_points():
    X = grid([(0, 1), (0, 2)], 5)
    assert X.shape == (25, 2)
    assert {tuple(p) for p in X[[0, 4, 20, 24]]} == {(0, 0), (0, 2), (1, 0), (1, 2)}


def test_parse_box_and_volume():
    assert volume(parse_box("-1,1,0,3")) == 6.0


@pytest.mark.parametrize("bad", ["1,2,3", "a,b", "1,1", "2,1"])
def test_bad_boxes_are_refused(bad):
    with pytest.raises(ApproxlabError):
        parse_box(bad)


def test_empty_interval_is_refused():
    with pytest.raises(ApproxlabError, match="empty or infinite"):
        as_domain([(0, 0)])
