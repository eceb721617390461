"""Caps from the arguments: the estimate, the limit and the override in one line."""

import pytest

from approxlab.errors import ApproxlabError
from approxlab.limits import human, memory_limit, require_memory, require_training, require_work


def test_the_training_estimate_follows_its_formula():
    # P = (2+1)·6 + (6+1)·1 = 25; memory = 8·(4·25 + (1000+1000)·3 + 3·1000·6) = 192800 B; work = 3·3000·1000·25
    assert require_training("fit", 2, [6], 1000, 3000) == (192800, 225_000_000)


def test_over_the_limit_names_the_estimate_the_limit_and_the_override(monkeypatch):
    monkeypatch.setenv("APPROXLAB_MAX_MEMORY", "1G")
    with pytest.raises(
        ApproxlabError,
        match=r"x needs about 2\.0 GiB, above the memory limit of 1\.0 GiB.*APPROXLAB_MAX_MEMORY=2G",
    ):
        require_memory("x", 2 * 2**30)
    with pytest.raises(
        ApproxlabError, match=r"plans about 3e\+12 multiply-adds, above the work limit of 2e\+11"
    ):
        require_work("y", 3e12)


def test_limits_read_suffixes_and_refuse_garbage(monkeypatch):
    monkeypatch.setenv("APPROXLAB_MAX_MEMORY", "512MiB")
    assert memory_limit() == 512 * 2**20
    monkeypatch.setenv("APPROXLAB_MAX_MEMORY", "lots")
    with pytest.raises(ApproxlabError, match="cannot read APPROXLAB_MAX_MEMORY='lots'"):
        memory_limit()


def test_astronomic_estimates_do_not_suggest_an_override():
    with pytest.raises(ApproxlabError) as info:
        require_memory("z", float("inf"))
    assert "over 1 EiB" in str(info.value) and "APPROXLAB_MAX_MEMORY" not in str(info.value)
    assert human(1536) == "1.5 KiB"
