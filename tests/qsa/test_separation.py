"""The separation study: the RNN memory bound is never beaten, the search keeps to its budget."""

import pytest

from approxlab.atlas.claims.architectures import SEPARATION_QUICK as TINY  # the quick profile's
from approxlab.errors import ApproxlabError
from approxlab.qsa.separation import (
    beats_memory_bound,
    ladder,
    memory_lower_bound,
    smallest_size,
)


def test_no_trained_binary_rnn_beats_the_memory_bound():
    """Thm 11: fewer than (N − 1)/2 = 2.5 bits cannot ε-approximate qSA at N = 6 — every size below it is tried
    by the fair protocol, and a reached one would be a counterexample (measured best errors ≈ 1.2, ε = 0.25)."""
    row = smallest_size("binary_rnn", 6, 0.25, max_size=2, protocol=TINY, seed=0)
    assert [t["m"] for t in row["tried"]] == [1, 2]
    assert beats_memory_bound([row]) == []
    assert all(t["error"] > 0.25 for t in row["tried"])


def test_trained_attention_reaches_eps_with_a_small_m():
    """The separation's other side: attention with m ≤ 4 < N = 8 reaches ε = 0.25 (measured: m = 2, error 0.007)."""
    row = smallest_size("attention", 8, 0.25, max_size=4, protocol=TINY, seed=0)
    assert row["reached"] and row["m"] <= 4
    assert min(t["error"] for t in row["tried"]) <= 0.25


def test_a_remembered_search_resumes_without_training():
    """``remember`` keeps each size's result (the atlas passes its cache): a second search with the same
    store trains nothing and returns the same rows; the keys name the family, N and m."""
    store: dict = {}
    computed: list[str] = []

    def remember(key, compute):
        if key not in store:
            computed.append(key)
            store[key] = compute()
        return store[key]

    first = smallest_size(
        "binary_rnn", 6, 0.25, max_size=2, protocol=TINY, seed=0, remember=remember
    )
    assert len(computed) == 2 and all("binary_rnn N=6" in k for k in computed)
    assert computed[0] != computed[1]

    def untrained(key, compute):
        return store[key]  # a KeyError would mean the second search asked for an unseen size

    again = smallest_size(
        "binary_rnn", 6, 0.25, max_size=2, protocol=TINY, seed=0, remember=untrained
    )
    assert again == first


def test_the_bound_check_flags_a_counterexample():
    fake = {"architecture": "binary_rnn", "N": 9, "q": 1, "d_prime": 1, "reached": True, "m": 3}
    assert beats_memory_bound([fake]) == [fake]  # 3 < (9 − 1)/2 = 4
    assert beats_memory_bound([{**fake, "m": 4}]) == []
    assert memory_lower_bound(9) == 4.0


def test_ladder():
    assert ladder(1) == [1] and ladder(16) == [1, 2, 4, 8, 16] and ladder(12) == [1, 2, 4, 8, 12]


def test_search_over_budget_is_refused_before_training():
    with pytest.raises(ApproxlabError, match="budget"):
        smallest_size("fc", 64, 0.25, max_size=4096, max_work=1e9)


@pytest.mark.parametrize(
    "kw,match",
    [
        ({"architecture": "lstm"}, "unknown architecture"),
        ({"eps": 1.5}, r"\(0, 1\)"),
        ({"q": 8}, "sparsity"),
    ],
)
def test_bad_input(kw, match):
    args = {"architecture": "fc", "N": 8, "eps": 0.25} | kw
    with pytest.raises(ApproxlabError, match=match):
        smallest_size(args.pop("architecture"), args.pop("N"), args.pop("eps"), **args)
