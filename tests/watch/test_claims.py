"""The dynamics claims' judges: each can say "fails"."""

import numpy as np

from approxlab.atlas.claims import dynamics
from approxlab.atlas.registry import claims


def test_grokking_judge():
    assert dynamics.judge_grokking(20, 540)
    assert not dynamics.judge_grokking(20, 100)  # generalised alongside memorising
    assert not dynamics.judge_grokking(20, None)


def test_lc_judge_needs_the_order_and_the_collapse():
    assert dynamics.judge_lc(
        {"init": 4.91, "interpolation": 2.96, "late": 0.142}
    )  # the seed's numbers
    assert not dynamics.judge_lc(
        {"init": 10.0, "interpolation": 7.0, "late": 6.67}
    )  # measured quick profile
    assert not dynamics.judge_lc({"init": 4.0, "interpolation": None, "late": 0.1})


def test_infoplane_judges():
    assert dynamics.judge_infoplane(0.7, 0.0)
    assert not dynamics.judge_infoplane(0.0, 0.0)
    assert dynamics.judge_bins(np.array([1.0, 3.0]), np.array([1.0, 4.5]))
    assert not dynamics.judge_bins(np.array([1.0, 3.0]), np.array([1.2, 3.1]))


def test_cycles_judge():
    assert dynamics.judge_cycles(2, None)
    assert (
        not dynamics.judge_cycles(None, None)
        and not dynamics.judge_cycles(3, None)
        and not dynamics.judge_cycles(2, 2)
    )


def test_every_dynamics_claim_says_what_falsifies_it():
    ours = [c for c in claims() if c.id.startswith("dynamics.")]
    assert len(ours) == 5 and all(c.falsifiable_by for c in ours)
