"""The smooth atlas claims are registered; the cheapest runs and holds under the quick profile."""

from approxlab.atlas.registry import Context, claims

IDS = ["smooth.reconstruction", "smooth.deterministic", "smooth.local_global", "smooth.continuity"]


def test_all_four_claims_are_registered_with_a_threshold_and_what_falsifies_it():
    found = claims(IDS)
    assert sorted(c.id for c in found) == sorted(IDS)
    assert all(c.threshold and c.falsifiable_by for c in found)


def test_continuity_claim_holds_with_relu_beside(tmp_path):
    (c,) = claims(["smooth.continuity"])
    ctx = Context(profile="quick", seed=0, root=tmp_path, claim_id="smooth.continuity")
    evidence = c.run(ctx)
    assert evidence.holds is True
    rows = {(r["target"], r["activation"]): r for r in evidence.table}
    # recorded quick profile: saddle boundary/std 0.046 (sigmoid) vs 0.72 (ReLU); paraboloid 1.55 (not harmonic)
    assert rows["saddle", "sigmoid"]["boundary / std"] < rows["saddle", "relu"]["boundary / std"]
    assert rows["paraboloid", "sigmoid"]["boundary / std"] > 0.5
