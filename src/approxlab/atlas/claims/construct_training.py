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


LEARNING_RATES = (1e-3, 1e-2, 3e-2)


def trained_twin(net: nn.Sequential, g: Target, activation: str, steps: int, seed: int) -> tuple[nn.Sequential, dict]:
    """A same-width ``activation`` net trained on g by Adam, the best of :data:`LEARNING_RATES`
    by sup error (training is sensitive to the step size; one rate would be unfair to it)."""
    best = None
    for lr in LEARNING_RATES:
        twin = mlp(g.dim, hidden_widths(net), activation=activation, seed=seed)
        result = fit(twin, g, steps=steps, optimizer="adam", lr=lr, seed=seed, n_train=2000)
        row = {"trained_error": sup_error(twin, g), "trained_rmse": result.test_rmse, "trained_activation": activation,
               "trained_steps": steps, "trained_lr": lr}
        if best is None or row["trained_error"] < best[1]["trained_error"]:
            best = (twin, row)
    return best


def gap_row(name: str, constructed: float, trained: dict, units: int) -> dict:
    """One row of the 'proof vs training' table: errors and which is better, by what factor."""
    t = trained["trained_error"]
    return {"construction": name, "units": units, "constructed_error": constructed, "trained_error": t,
            "better": "constructed" if constructed < t else "trained",
            "factor": max(constructed, t) / min(constructed, t) if min(constructed, t) > 0 else None, "trained_activation": trained["trained_activation"], "trained_lr": trained.get("trained_lr")}
