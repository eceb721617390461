"""Named targets: values, domains and Lipschitz constants (checked against finite differences)."""

import numpy as np
import pytest

from approxlab.errors import ApproxlabError
from approxlab.targets import grid, names, target


def test_paraboloid_is_seed_001s_function_on_the_square():
    f = target("paraboloid")
    assert f.domain == [(-1.0, 1.0), (-1.0, 1.0)]
    X = np.array([[0.0, 0.0], [1.0, -1.0], [0.5, 0.25]])
    assert f(X).tolist() == [3.0, 5.0, 3.3125]


@pytest.mark.parametrize("name", [n for n in names() if target(n).lipschitz is not None])
def test_stated_lipschitz_constant_is_the_sup_of_the_slope(name):
    """ρ bounds every difference quotient on a fine grid, and is nearly attained (within 2%)."""
    f = target(name)
    X = grid(f.domain, 2001 if f.dim == 1 else 301)
    y = f(X)
    if f.dim == 1:
        slopes = np.abs(np.diff(y)) / np.diff(X[:, 0])
    else:
        n = int(round(len(X) ** 0.5))
        Y = y.reshape(n, n)
        h = (f.domain[0][1] - f.domain[0][0]) / (n - 1)
        slopes = np.hypot(*np.gradient(Y, h))
    # central differences are exact up to O(h²) ≈ 1e-4 relative here
    assert slopes.max() <= f.lipschitz * (1 + 1e-3)
    assert slopes.max() >= 0.98 * f.lipschitz


def test_sawtooth_is_three_tents_with_eight_pieces():
    f = target("sawtooth")
    assert f(np.linspace(0, 1, 9)[:, None]).tolist() == [0, 1, 0, 1, 0, 1, 0, 1, 0]
    assert f(np.array([[1 / 16], [3 / 16]])).tolist() == [0.5, 0.5]


def test_step_has_no_lipschitz_constant():
    f = target("step")
    assert f.lipschitz is None
    assert f(np.array([[0.49], [0.5]])).tolist() == [0.0, 1.0]


def test_expression_target_gets_the_default_box_and_a_custom_one():
    assert target("x1 * x2").domain == [(-1.0, 1.0), (-1.0, 1.0)]
    assert target("sin(x)", domain=(0, 3)).domain == [(0.0, 3.0)]


def test_unknown_name_lists_the_library():
    with pytest.raises(
        ApproxlabError, match="unknown target 'parabola': use one of bump, gaussian, paraboloid"
    ):
        target("parabola")


def test_wrong_dimension_for_a_named_target():
    with pytest.raises(ApproxlabError, match="2-dimensional but the domain has 1 axes"):
        target("paraboloid", domain=(0, 1))
