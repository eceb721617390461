"""The gap between what a proof builds and what gradient descent finds, for the construct claims.

Not a claim module of its own: :func:`trained_twin` trains a net with the same hidden
widths as a construction (Adam from PyTorch's default initialisation, seeded) and
measures its error the same way, so each construct claim can report both.
"""

from __future__ import annotations

from torch import nn

from approxlab.fit import fit, sup_error
from approxlab.nets import mlp
from approxlab.targets import Target


def hidden_widths(net: nn.Sequential) -> list[int]:
    linears = [m for m in net if isinstance(m, nn.Linear)]
    return [m.out_features for m in linears[:-1]]


def trained_twin(net: nn.Sequential, g: Target, activation: str, steps: int, seed: int, lr: float = 1e-2) -> tuple[nn.Sequential, dict]:
    """A same-width ``activation`` net trained on g by Adam; returns it and its metrics row."""
    twin = mlp(g.dim, hidden_widths(net), activation=activation, seed=seed)
    result = fit(twin, g, steps=steps, optimizer="adam", lr=lr, seed=seed, n_train=2000)
    return twin, {"trained_error": sup_error(twin, g), "trained_rmse": result.test_rmse, "trained_activation": activation,
                  "trained_steps": steps}


def gap_row(name: str, constructed: float, trained: dict, units: int) -> dict:
    """One row of the 'proof vs training' table: errors and which is better, by what factor."""
    t = trained["trained_error"]
    return {"construction": name, "units": units, "constructed_error": constructed, "trained_error": t,
            "better": "constructed" if constructed < t else "trained",
            "factor": max(constructed, t) / min(constructed, t) if min(constructed, t) > 0 else None, "trained_activation": trained["trained_activation"]}
