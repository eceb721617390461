"""The atlas: every claim of the sources, re-measured, with numbers, figures and a verdict."""

from approxlab.atlas.registry import Claim, Context, Evidence, claim, claims

__all__ = ["Claim", "Context", "Evidence", "claim", "claims"]
