"""K nets of one shape trained as one: stacked parameters, one optimiser step for all.

``ensemble(...)`` builds K ``mlp`` nets (one seed each) as stacked tensors;
``train(ens, data, ...)`` trains them together with the losses and schedules of
:func:`approxlab.fit.fit` — net k ends where ``fit`` would take ``mlp(..., seed=seeds[k])``;
``ens.unstack()`` returns K ordinary ``nn.Sequential`` nets.
"""

from approxlab.ensemble.device import resolve_device
from approxlab.ensemble.stacked import Ensemble, ensemble
from approxlab.ensemble.train import EnsembleResult, train

__all__ = ["Ensemble", "EnsembleResult", "ensemble", "resolve_device", "train"]
