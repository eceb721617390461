"""The anatomy figures draw what the anatomy says (seed 000)."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.colors import to_hex
from torch import nn

import approxlab as al
from approxlab.construct.layers import linear
from approxlab.errors import ApproxlabError
from approxlab.figures.smooth import GLOBAL, LOCAL, anatomy_figure, anatomy_plotly
from approxlab.smooth import anatomy


def test_1d_figure_marks_each_knot_in_the_domain_coloured_by_kind():
    # unit 0 steep (local, knot 0), unit 1 flat (global, knot 0.3), unit 2 with its knot at 3, outside [−1, 1]
    net = nn.Sequential(
        linear(np.array([[40.0], [1.0], [5.0]]), np.array([0.0, -0.3, -15.0])),
        nn.Sigmoid(),
        linear(np.array([[1.0, 1.0, 1.0]]), np.zeros(1)),
    ).double()
    A = anatomy(net, (-1, 1))
    fig = anatomy_figure(A)
    top = fig.axes[0]
    knot_lines = [
        ln for ln in top.get_lines() if ln.get_linestyle() == "--" and len(ln.get_xdata()) == 2
    ]
    drawn = sorted((float(ln.get_xdata()[0]), to_hex(ln.get_color())) for ln in knot_lines)
    assert drawn == [(0.0, LOCAL), (pytest.approx(0.3), GLOBAL)]
    shaded = [p for p in top.patches if to_hex(p.get_facecolor()[:3]) == LOCAL]
    assert len(shaded) == 1  # one local unit, shaded between its zero-error points ±log(999)/40
    assert len(fig.axes[1].get_lines()) == 3  # one contribution per unit


def test_2d_figures_draw_and_3d_nets_get_a_clear_message():
    A = anatomy(al.mlp(2, [5], activation="tanh", seed=0), [(-1, 1), (-1, 1)])
    assert anatomy_figure(A).axes and len(anatomy_plotly(A).data) >= 1
    with pytest.raises(ApproxlabError, match="1D and 2D"):
        anatomy_figure(anatomy(al.mlp(3, [4], activation="sigmoid", seed=0), [(-1, 1)] * 3))
