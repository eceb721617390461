"""The step schedules: log-spaced from the initialisation to the last step, or every N steps."""

import pytest

from approxlab.errors import ApproxlabError
from approxlab.watch.schedule import every_steps, log_steps, schedule


def test_log_steps_start_at_init_end_at_total_and_are_log_spaced():
    s = log_steps(10_000, 5)
    assert s == [0, 1, 10, 100, 1000, 10_000]


def test_log_steps_deduplicate_small_totals():
    s = log_steps(3, 40)
    assert s == [0, 1, 2, 3]


def test_every_n_includes_the_last_step():
    assert every_steps(7, 3) == [0, 3, 6, 7]
    assert schedule(7, "3") == [0, 3, 6, 7]


@pytest.mark.parametrize("bad", ["often", "0", "-2"])
def test_bad_every_is_one_line(bad):
    with pytest.raises(ApproxlabError, match="--every"):
        schedule(10, bad)
