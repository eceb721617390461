"""Seed 001's claims, run as the atlas runs them (the cheapest one in full; the others in the CLI test)."""

from approxlab.atlas.registry import Context, claims


def test_relu_pattern_counts_respect_the_line_arrangement_bound(tmp_path):
    (relu,) = claims(["seed001.relu_patterns"])
    evidence = relu.run(Context(profile="quick", seed=0, root=tmp_path, claim_id=relu.id))
    assert evidence.holds
    for row in evidence.table:
        n = row["units n"]
        assert 1 <= row["patterns on grid"] <= 1 + n + n * (n - 1) // 2
    # a trained 12-unit net really is cut into many pieces (measured 41 of at most 79)
    assert evidence.table[-1]["patterns on grid"] > 12
