"""A net's output checked for finiteness on a domain before an analysis relies on it.

Weights that load fine can still overflow on a large box (``1e100`` weights times
``1e12`` inputs through two layers); SVDs, least squares and plots then fail deep
inside with messages about NaN axis limits or non-convergence. Evaluating the net at
the domain's dense points first (:func:`approxlab.targets.domain.dense_points`) turns
that into one line naming the point and the cause.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from approxlab.errors import ApproxlabError
from approxlab.nets import net_dtype
from approxlab.targets.domain import as_domain, dense_points

MAX_OUTPUT = 1e150  # beyond this, squares (errors, least squares) overflow float64


def require_finite_output(net: nn.Module, domain: Sequence) -> None:
    """Raise :class:`ApproxlabError` unless |net(x)| ≤ 1e150 at the dense points of ``domain``.

    >>> from approxlab.nets import mlp
    >>> require_finite_output(mlp(2, [3]), [(-1, 1), (-1, 1)])
    """
    domain = as_domain(domain)
    X = dense_points(domain, n=min(201, max(2, int(round(20_000 ** (1 / len(domain)))))))
    with torch.no_grad():
        y = net(torch.as_tensor(X, dtype=net_dtype(net))).reshape(len(X), -1).double().numpy()
    bad = ~(np.abs(y) <= MAX_OUTPUT).all(axis=1)  # NaN compares false: counted as bad
    if bad.any():
        i = int(np.argmax(bad))
        largest = max(
            (float(p.detach().abs().max()) for p in net.parameters() if p.numel()), default=0.0
        )
        point = ", ".join(f"{v:.3g}" for v in X[i][:4]) + (", ..." if X.shape[1] > 4 else "")
        raise ApproxlabError(
            f"the net's output is {y[i, 0]:.3g} at x = ({point}), beyond what float64 analyses can use "
            f"(|N(x)| ≤ {MAX_OUTPUT:g}); its largest weight is {largest:.3g}: pass a smaller --box or rescale the weights"
        )
