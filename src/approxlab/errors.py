"""The one exception type a user sees.

Every message names the problem and the fix in one line, e.g.
``unknown activation 'relux': use one of relu, sigmoid, ...``. The CLI turns it
into that line on stderr and exit code 2.
"""

from __future__ import annotations


class ApproxlabError(ValueError):
    """Bad input: the message is one line that names the problem and the fix."""


def require(condition: bool, message: str) -> None:
    """Raise :class:`ApproxlabError` with ``message`` unless ``condition`` holds.

    >>> require(3 > 0, "width must be positive")
    """
    if not condition:
        raise ApproxlabError(message)


def choose(kind: str, name: str, options) -> str:
    """Return ``name`` if it is one of ``options``, else a one-line error listing them.

    >>> choose("optimizer", "adam", ["adam", "sgd"])
    'adam'
    """
    names = sorted(options)
    if name not in names:
        raise ApproxlabError(f"unknown {kind} {name!r}: use one of {', '.join(names)}")
    return name


class ApproxlabWarning(UserWarning):
    """Something was guessed (a domain, an activation): one line naming the guess and how to state it.

    The CLI prints it as ``warning: …`` on stderr."""
