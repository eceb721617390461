"""The full profile of every claim runs clean: a verdict, never a crash (bug 1 of issue 9 hid here:
construct.taylor failed every full run because of a leftover `k <= 4`).

Marked ``full`` and skipped by default (minutes per claim); run with ``pytest -m full tests/atlas``.
"""

import pytest

from approxlab.atlas.registry import claims
from approxlab.atlas.run import run_claim


@pytest.mark.full
@pytest.mark.parametrize("claim_id", [c.id for c in claims()])
def test_full_profile_gives_a_verdict(tmp_path, claim_id):
    (c,) = claims([claim_id])
    result = run_claim(c, "full", tmp_path, tmp_path)
    print(claim_id, result["verdict"], result["seconds"], result["metrics"])
    assert result["verdict"] in ("holds", "fails"), result["notes"]
    assert result["falsifiable_by"]
