"""The gap between what a proof builds and what gradient descent finds, for the construct claims.

Not a claim module of its own: :func:`trained_twin` trains a net with the same hidden
widths as a construction by the one fair protocol (:func:`approxlab.baseline.best_of`) and
measures its error the same way, so each construct claim can report both.
"""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

from approxlab.atlas.registry import Context
from approxlab.baseline import BestOf, best_of
from approxlab.fit import FitResult
from approxlab.nets import mlp
from approxlab.targets import Target


def hidden_widths(net: nn.Sequential) -> list[int]:
    linears = [m for m in net if isinstance(m, nn.Linear)]
    return [m.out_features for m in linears[:-1]]


def trained_twin(
    net: nn.Sequential, g: Target, activation: str, ctx: Context
) -> tuple[nn.Module, dict]:
    """A same-width ``activation`` net trained on g by the fair protocol :func:`approxlab.baseline.best_of`
    (several inits, learning rate from a grid, Adam then L-BFGS), the best with the spread over inits."""
    widths = hidden_widths(net)
    b = cached_best_of(
        ctx,
        f"twin {g.name} {widths} {activation}",
        lambda: best_of(
            lambda s: mlp(g.dim, widths, activation=activation, seed=s),
            g,
            **protocol(ctx),
            seed=ctx.seed,
        ),
    )
    return b.net, {**b.row(), "trained_activation": activation}


def cached_fit(ctx: Context, key: str, run: Callable[[], FitResult]) -> tuple[nn.Module, dict]:
    """``run()`` (an :func:`approxlab.fit.fit` call) kept between atlas runs by ``ctx.cached``: (the trained net,
    ``FitResult.metrics()``), the same on a hit as on a miss."""
    fresh: dict[str, FitResult] = {}

    def net() -> nn.Module:
        fresh["r"] = run()
        return fresh["r"].net

    trained = ctx.cached(f"{key} net", net)
    return trained, ctx.cached(f"{key} metrics", lambda: (fresh.get("r") or run()).metrics())


def cached_best_of(ctx: Context, key: str, run: Callable[[], BestOf]) -> BestOf:
    """``run()`` (a :func:`approxlab.baseline.best_of` call) kept between atlas runs by ``ctx.cached``: the best net as
    a model file, its error, rate, init and spread as JSON. The fair protocol is most of a claim's time; a hit
    returns what the miss returned (the net reloaded in eval mode), so verdicts do not depend on the cache."""
    fresh: dict[str, BestOf] = {}

    def net() -> nn.Module:
        fresh["b"] = run()
        return fresh["b"].net

    def numbers() -> dict:
        b = fresh.get("b") or run()
        return {
            "error": b.error,
            "lr": b.lr,
            "seed": b.seed,
            "errors": b.errors,
            "lr_losses": list(b.lr_losses.items()),
        }

    best = ctx.cached(f"{key} net", net)
    n = ctx.cached(f"{key} numbers", numbers)
    return BestOf(
        best, n["error"], n["lr"], n["seed"], n["errors"], {lr: loss for lr, loss in n["lr_losses"]}
    )


def protocol(ctx: Context) -> dict:
    """The baseline protocol's size by profile: a small grid in quick, a bigger one in full."""
    return ctx.pick(
        quick={
            "inits": 3,
            "lrs": (1e-2, 1e-1),
            "probe_steps": 200,
            "adam_steps": 1500,
            "lbfgs_steps": 200,
            "n_train": 500,
        },
        full={
            "inits": 8,
            "lrs": (1e-3, 3e-3, 1e-2, 3e-2, 1e-1),
            "probe_steps": 500,
            "adam_steps": 6000,
            "lbfgs_steps": 1000,
            "n_train": 2000,
        },
    )


def gap_row(name: str, constructed: float, trained: dict, units: int) -> dict:
    """One row of the 'proof vs training' table: errors and which is better, by what factor."""
    t = trained["trained_error"]
    return {
        "construction": name,
        "units": units,
        "constructed_error": constructed,
        "trained_error": t,
        "better": "constructed" if constructed < t else "trained",
        "factor": max(constructed, t) / min(constructed, t) if min(constructed, t) > 0 else None,
        "trained_activation": trained["trained_activation"],
        "trained_lr": trained.get("trained_lr"),
        "trained_spread": {
            k: trained[f"trained_{k}"]
            for k in ("min", "median", "max")
            if f"trained_{k}" in trained
        },
    }


def within_bounds(table: list[dict]) -> bool:
    """Every row with a bound has measured ≤ bound (float64 slack 1e-12)."""
    return all(
        r["measured"] <= r["bound"] * (1 + 1e-12) for r in table if r.get("bound") is not None
    )
