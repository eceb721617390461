"""The memory guard: estimate depth × width × batch and refuse past the limit with the number."""

import pytest

from approxlab.errors import ApproxlabError
from approxlab.gradflow import MEMORY_LIMIT_BYTES, estimate_bytes, gradient_flow, require_memory


def test_memory_guard_refuses_with_the_number():
    assert estimate_bytes(30, 512, 256) == 8 * (2 * 30 * (512 * 512 + 512) + 4 * 30 * 512 * 256)
    with pytest.raises(
        ApproxlabError, match=r"depth 200 × width 8192 × batch 256 needs about 212\.5 GiB"
    ):
        require_memory(200, 8192, 256)
    with pytest.raises(ApproxlabError, match="GiB"):
        gradient_flow(200, 8192, "relu")
    with pytest.raises(ApproxlabError, match="depth must be a positive integer"):
        require_memory(0, 8, 8)


def test_the_issue_sizes_fit():
    # width 512, depth 30, batch 512 (the full profile of gradflow.init): about 0.5 GiB
    assert require_memory(30, 512, 512) == estimate_bytes(30, 512, 512) < MEMORY_LIMIT_BYTES
