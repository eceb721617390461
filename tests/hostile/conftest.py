"""Outcome counting for the hostile corpus: every case ends as a clear error or a correct result."""

from __future__ import annotations

import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from approxlab.errors import ApproxlabError


@dataclass
class Tally:
    """Counts of tried cases by outcome, and the first few tracebacks in full."""

    name: str
    counts: Counter = field(default_factory=Counter)
    tracebacks: list[str] = field(default_factory=list)

    def run(
        self, label: str, case: Callable[[], object], check: Callable[[object], None] | None = None
    ) -> str:
        """Run ``case``: "clear error" for a one-line ApproxlabError, "correct" when ``check`` passes
        (or the outcome ``check`` returns, e.g. "clear error" for an expected exit code 2)."""
        self.counts["tried"] += 1
        try:
            value = case()
        except ApproxlabError as exc:
            message = str(exc)
            if message and "\n" not in message and "Traceback" not in message:
                self.counts["clear error"] += 1
                return "clear error"
            self._fail(label, f"ApproxlabError without one line: {message!r}")
            return "traceback"
        except Exception:  # the corpus exists to find these
            self._fail(label, traceback.format_exc(limit=4))
            return "traceback"
        try:
            outcome = (check(value) if check is not None else None) or "correct"
        except Exception:
            self._fail(label, "wrong result: " + traceback.format_exc(limit=3))
            return "traceback"
        self.counts[outcome] += 1
        return outcome

    def _fail(self, label: str, text: str) -> None:
        self.counts["traceback"] += 1
        if len(self.tracebacks) < 5:
            self.tracebacks.append(f"--- {label}\n{text}")

    def report(self) -> str:
        c = self.counts
        return (
            f"{self.name}: tried {c['tried']}, clear error {c['clear error']}, correct {c['correct']}, "
            f"traceback {c['traceback']}"
        )


@pytest.fixture
def tally(capsys):
    """A :class:`Tally` whose counts are printed (outside capture) and whose tracebacks fail the test."""
    made: list[Tally] = []

    def make(name: str) -> Tally:
        made.append(Tally(name))
        return made[-1]

    yield make
    with capsys.disabled():
        for t in made:
            print("\n" + t.report())
