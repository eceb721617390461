"""Weight initialisation schemes and the variance each one gives (seed 002, practice 3).

One layer y = W x with independent zero-mean weights and inputs has

    Var(y_i) = n_in · Var(w) · E[x_j²]                     (seed 002, answer 3)

so Var(w) = 1/n_in keeps the second moment from layer to layer when E[x²] = Var(z)
(tanh near 0, linear), and Var(w) = 2/n_in when ReLU halves it, E[relu(z)²] = Var(z)/2
(He et al. 2015). Glorot & Bengio (2010) average the forward and backward conditions:
Var(w) = 2/(n_in + n_out). The "standard" heuristic U[±1/√n_in] (PyTorch's default for
``nn.Linear``) has Var(w) = 1/(3 n_in): too small by 3 for tanh and by 6 for ReLU.
Biases start at zero in every scheme so that only Var(w) sets the variance.
"""

from __future__ import annotations

import numpy as np

from approxlab.errors import choose

SCHEMES: dict[str, str] = {
    "standard": "U[±1/√n_in], Var = 1/(3 n_in)",
    "xavier_in": "N(0, 1/n_in)",
    "xavier": "N(0, 2/(n_in + n_out))",
    "he": "N(0, 2/n_in)",
}


def weight_variance(scheme: str, n_in: int, n_out: int) -> float:
    """Var(w) of ``scheme`` for a layer n_in → n_out.

    >>> weight_variance("he", 512, 512)
    0.00390625
    """
    choose("initialisation", scheme, SCHEMES)
    return {
        "standard": 1.0 / (3 * n_in),
        "xavier_in": 1.0 / n_in,
        "xavier": 2.0 / (n_in + n_out),
        "he": 2.0 / n_in,
    }[scheme]


def draw_weights(scheme: str, n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """A float64 (n_out, n_in) weight matrix drawn from ``scheme`` with generator ``rng``.

    >>> draw_weights("standard", 4, 3, np.random.default_rng(0)).shape
    (3, 4)
    """
    variance = weight_variance(scheme, n_in, n_out)
    if scheme == "standard":
        bound = 1.0 / np.sqrt(n_in)  # U[−a, a] has Var = a²/3
        return rng.uniform(-bound, bound, (n_out, n_in))
    return rng.normal(0.0, np.sqrt(variance), (n_out, n_in))
