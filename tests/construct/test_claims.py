"""The construct atlas claims run and hold under the quick profile (the two cheapest here), with the
fair training baseline's best run and spread beside the construction."""

import pytest

from approxlab.atlas.registry import Context, claims


@pytest.mark.parametrize("claim_id", ["construct.taylor", "construct.sawtooth"])
def test_quick_claim_holds_with_figures_and_gap(tmp_path, claim_id):
    (c,) = claims([claim_id])
    ctx = Context(profile="quick", seed=0, root=tmp_path, claim_id=claim_id)
    evidence = c.run(ctx)
    assert evidence.holds is True
    gap = evidence.metrics["gap"]
    spread = gap["trained_spread"]
    assert gap["trained_error"] == spread["min"] <= spread["median"] <= spread["max"]
    assert ctx.figures and all((tmp_path / f.path).exists() for f in ctx.figures)
