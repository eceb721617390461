"""Anatomy of two-layer nets with smooth (and ReLU) units: knots, zero-error points,
local/global units, Taylor pieces, reconstruction and deterministic construction (seed 000)."""

from approxlab.smooth.anatomy import Anatomy, anatomy
from approxlab.smooth.deterministic import construct
from approxlab.smooth.reconstruct import reconstruct

__all__ = ["Anatomy", "anatomy", "construct", "reconstruct"]
