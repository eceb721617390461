"""The dynamics claims' judges: each can say "fails"."""

import numpy as np

from approxlab.atlas.claims import dynamics
from approxlab.atlas.registry import claims
from approxlab.watch.grokking import GrokResult


def test_grokking_judge():
    assert dynamics.judge_grokking(20, 540)
    assert not dynamics.judge_grokking(20, 100)  # generalised alongside memorising
    assert not dynamics.judge_grokking(20, None)


def _history(points):
    curve = [
        {"step": s, "train_accuracy": a, "test_accuracy": b, "weight_norm": w}
        for s, a, b, w in points
    ]
    return GrokResult.from_curve(curve, None).metrics()


def test_transformer_grokking_judge_reads_the_steps_and_the_norm_from_a_history():
    # the shape measured at p = 53 (train 100 % at 750, test ≥ 99 % at 5600, ‖θ‖ 35.3 → 27.1) holds
    grokked = _history([(0, 0.02, 0.02, 44.0), (750, 1.0, 0.5, 35.3), (5600, 1.0, 0.995, 27.1)])
    assert grokked["ratio"] == 5600 / 750 and dynamics.judge_transformer_grokking(grokked)
    # test accuracy rising with train accuracy: ratio 2
    together = _history([(0, 0.02, 0.02, 44.0), (200, 1.0, 0.9, 40.0), (400, 1.0, 0.995, 38.0)])
    assert not dynamics.judge_transformer_grokking(together)
    # late generalisation, but ‖θ‖ did not fall during the gap (as without weight decay)
    flat = _history([(0, 0.02, 0.02, 44.0), (750, 1.0, 0.5, 35.3), (5600, 1.0, 0.995, 35.3)])
    assert not dynamics.judge_transformer_grokking(flat)
    # never generalised
    stuck = _history([(0, 0.02, 0.02, 44.0), (750, 1.0, 0.5, 35.3), (7000, 1.0, 0.6, 30.0)])
    assert stuck["test_step"] is None and not dynamics.judge_transformer_grokking(stuck)


def test_the_transformer_claim_runs_in_the_full_profile_only():
    (c,) = claims(["dynamics.grokking_transformer"])
    assert c.profiles == ("full",)


def test_lc_judge_needs_the_order_and_the_collapse():
    assert dynamics.judge_lc(
        {"init": 4.91, "interpolation": 2.96, "late": 0.142}
    )  # the seed's numbers
    assert not dynamics.judge_lc(
        {"init": 10.0, "interpolation": 7.0, "late": 6.67}
    )  # measured quick profile
    assert not dynamics.judge_lc({"init": 4.0, "interpolation": None, "late": 0.1})
    # measured full profile (Liu et al.'s recipe, seed 0): the net groks (test 0.21 → 0.98 after train 100 %)
    # while the LC on the slice rises 32.3 → 33.3 → 49.3
    assert not dynamics.judge_lc({"init": 32.33, "interpolation": 33.33, "late": 49.33})


def test_the_full_lc_recipe_is_the_papers_and_grok_digits_takes_it():
    import inspect

    from approxlab.watch.grokking import LIU_MNIST, grok_digits

    for recipe in (dynamics.LC_FULL, dynamics.LC_QUICK):
        inspect.signature(grok_digits).bind(**recipe)
    assert {k: dynamics.LC_FULL[k] for k in LIU_MNIST} == LIU_MNIST


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
    assert len(ours) == 6 and all(c.falsifiable_by for c in ours)
