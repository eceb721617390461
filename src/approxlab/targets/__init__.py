"""Target functions and data: safe expressions, the named library, sampling and grids."""

from approxlab.targets.datasets import Dataset, dataset, surface_classification
from approxlab.targets.domain import Domain, as_domain, grid, parse_box, sample, volume
from approxlab.targets.expression import Expression, parse
from approxlab.targets.library import NAMED, Target, names, target

__all__ = [
    "NAMED",
    "Dataset",
    "Domain",
    "Expression",
    "Target",
    "as_domain",
    "dataset",
    "grid",
    "names",
    "parse",
    "parse_box",
    "sample",
    "surface_classification",
    "target",
    "volume",
]
