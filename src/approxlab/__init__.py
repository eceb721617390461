"""approxlab: the theory of neural-network function approximation, executable.

>>> import approxlab
>>> net = approxlab.mlp(2, [6], activation="sigmoid")
>>> f = approxlab.target("paraboloid")
"""

from approxlab.errors import ApproxlabError
from approxlab.modelfile import import_state_dict, load, save
from approxlab.nets import count_params, mlp
from approxlab.targets import dataset, grid, sample, surface_classification, target

__version__ = "0.1.0"

__all__ = [
    "ApproxlabError", "count_params", "dataset", "grid", "import_state_dict", "load", "mlp", "sample",
    "save", "surface_classification", "target",
]
