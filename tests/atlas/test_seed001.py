"""Seed 001's claims, run as the atlas runs them (the cheapest one in full; the others in the CLI test)."""

from approxlab.atlas.registry import Context, claims


def test_relu_pattern_counts_respect_the_line_arrangement_bound(tmp_path):
    (relu,) = claims(["seed001.relu_patterns"])
    evidence = relu.run(Context(profile="quick", seed=0, root=tmp_path, claim_id=relu.id))
    assert evidence.holds
    for row in evidence.table:
        n = row["units n"]
        # exact count = Euler's 1 + L + I; grid sampling can only undercount
        assert (
            row["patterns on grid"]
            <= row["regions (exact)"]
            == row["1 + L + I"]
            <= 1 + n + n * (n - 1) // 2
        )
    # a trained 12-unit net really is cut into many pieces (measured 41 of at most 79)
    assert evidence.table[-1]["regions (exact)"] > 12


def test_pattern_row_counts_lines_and_crossings_inside_the_square():
    import torch

    from approxlab.atlas.claims.seed001 import pattern_row
    from approxlab.construct.layers import linear

    # x1 = 0, x2 = 0 and x1 + x2 = 3 (outside [-1, 1]²): 2 lines and 1 crossing inside → 4 regions
    net = torch.nn.Sequential(
        linear([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [0.0, 0.0, -3.0]),
        torch.nn.ReLU(),
        linear([[1.0, 1.0, 1.0]], [0.0]),
    )
    row = pattern_row(net, [(-1.0, 1.0), (-1.0, 1.0)])
    assert row["regions (exact)"] == row["1 + L + I"] == 4
