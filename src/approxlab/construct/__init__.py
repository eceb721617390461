"""Constructive approximation: networks whose weights come from a proof.

Every construction returns ``(net, certificate)``: ``net`` is a plain float64
``torch.nn.Sequential`` (saveable with :func:`approxlab.save`, trainable with
:func:`approxlab.fit`), and the :class:`Certificate` states the theorem's error bound
next to the error measured on a dense grid (seed 003; seed 001; seed 002 answer 2).
"""

from approxlab.construct.pwl import relu_from_breakpoints, relu_interpolant
from approxlab.construct.sawtooth import hat_net, sawtooth_net

__all__ = ["hat_net", "relu_from_breakpoints", "relu_interpolant", "sawtooth_net"]
