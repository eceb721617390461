"""Watching training: observers on a step schedule, a run's history folder, and studies built on it.

>>> from approxlab.watch import History, Watch, Metrics, log_steps
>>> log_steps(100, 3)
[0, 1, 10, 100]

Modules: :mod:`~approxlab.watch.schedule` (log-spaced steps), :mod:`~approxlab.watch.history`
(the folder), :mod:`~approxlab.watch.observers`, :mod:`~approxlab.watch.trainer` (resumable AdamW/SGD),
and the studies :mod:`~approxlab.watch.grokking`, :mod:`~approxlab.watch.infoplane`,
:mod:`~approxlab.watch.trajectory`.
"""

from approxlab.watch.history import History
from approxlab.watch.observers import (
    Knots,
    Metrics,
    Regions,
    Watch,
    WeightNorms,
    require_piecewise_linear,
)
from approxlab.watch.schedule import every_steps, log_steps, schedule
from approxlab.watch.trainer import train

__all__ = [
    "History",
    "Knots",
    "Metrics",
    "Regions",
    "Watch",
    "WeightNorms",
    "every_steps",
    "log_steps",
    "require_piecewise_linear",
    "schedule",
    "train",
]
