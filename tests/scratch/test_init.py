"""Initialisation schemes draw weights with the variance they promise (seed 002, answer 3)."""

import numpy as np
import pytest

from approxlab.errors import ApproxlabError
from approxlab.scratch import SCHEMES, draw_weights, weight_variance


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_drawn_variance_matches_the_formula(scheme):
    W = draw_weights(scheme, 300, 200, np.random.default_rng(0))
    # 60 000 draws: the sample variance has relative standard error √(2/60000) ≈ 0.6 % (Gaussian)
    assert W.shape == (200, 300)
    assert abs(W.var() / weight_variance(scheme, 300, 200) - 1) < 0.03


def test_formulas():
    assert weight_variance("standard", 512, 512) == pytest.approx(1 / (3 * 512))
    assert weight_variance("xavier_in", 512, 256) == pytest.approx(1 / 512)
    assert weight_variance("xavier", 512, 256) == pytest.approx(2 / 768)
    assert weight_variance("he", 512, 256) == pytest.approx(2 / 512)
    with pytest.raises(ApproxlabError, match="unknown initialisation 'kaiming'"):
        weight_variance("kaiming", 3, 3)
