"""Seed 002: vanishing gradients (Example 2) and variance-preserving initialisation (practice 3)."""

from __future__ import annotations

import numpy as np

from approxlab.atlas.registry import Context, Evidence, claim
from approxlab.figures import gradflow as figs
from approxlab.gradflow import gradient_flow
from approxlab.scratch.init import weight_variance

RATE = 0.9  # a per-seed statement must hold in at least this fraction of seeds


@claim(
    id="gradflow.vanishing",
    statement="In deep sigmoid networks the error signal vanishes geometrically under every common initialisation: "
    "the per-layer factor (‖δ^(1)‖/‖δ^(L)‖)^(1/(L−1)) is at most max|σ'|·√(n Var w) = 0.25·√(n Var w) < 1 "
    "(standard U[±1/√n], Xavier N(0, 1/n), He N(0, 2/n)). The seed's 0.25^10 ≈ 1e-6 at L = 10 holds under "
    "U[±1/√n] (PyTorch's default) and not under Xavier (Π‖W‖ > 1 there). ReLU with He weights, residual "
    "connections and batch norm mitigate it; linear and tanh nets are reported beside.",
    source="seed 002, Example 2 (vanishing gradients)",
    threshold=f"(1) sigmoid: the median over seeds of the per-layer factor ≤ 0.25√(n Var w) (mean-field, an "
    "expectation: E‖Wᵀ(σ'⊙δ)‖² = n Var(w) E[σ'²] ‖δ‖² with σ' ≤ 1/4) at L = 10 and the largest L; each of (2) and (3) "
    f"holds per seed in ≥ {RATE:.0%} of the seeds: (2) sigmoid L = 10 ratio ≤ 0.25^10 under standard and > 0.25^10 under Xavier; (3) at the largest L the "
    "per-layer factor of ReLU + He, sigmoid + residual and sigmoid + batch norm is closer to 1 in log scale than "
    "plain sigmoid's. The bound ‖δ^(l)‖ ≤ ‖δ^(L)‖Π‖W^(k)‖₂ max|σ'| is a theorem (submultiplicativity): it is "
    "reported as a self-check, not judged",
    falsifiable_by="a sigmoid per-layer factor above 0.25√(n Var w) (e.g. weights scaled up after drawing), a "
    "sigmoid L = 10 ratio above 0.25^10 under U[±1/√n], or a mitigation that decays faster than plain sigmoid",
)
def vanishing(ctx: Context) -> Evidence:
    depths = ctx.pick(quick=[10, 30], full=[10, 20, 30, 40, 50])
    width, batch = ctx.pick(quick=(64, 64), full=(128, 256))
    seeds = range(ctx.seed, ctx.seed + ctx.pick(quick=5, full=20))
    runs = [
        gradient_flow(depth, width, act, variant=variant, init=init, batch=batch, seed=s)
        for act, variant, init in [
            ("sigmoid", "plain", "standard"),
            ("sigmoid", "plain", "xavier_in"),
            ("sigmoid", "plain", "he"),
            ("sigmoid", "residual", "standard"),
            ("sigmoid", "batchnorm", "standard"),
            ("relu", "plain", "he"),
            ("relu", "plain", "standard"),
            ("tanh", "plain", "xavier_in"),
            ("linear", "plain", "xavier_in"),
            ("tanh", "residual", "standard"),
        ]
        for depth in depths
        for s in seeds
    ]
    rows = [
        {
            "activation": r.activation,
            "variant": r.variant,
            "init": r.init,
            "L": r.depth,
            "seed": r.seed,
            "‖δ^(1)‖/‖δ^(L)‖": r.first_to_last,
            "per layer": r.decay_per_layer,
            "0.25√(n Var w)": 0.25 * np.sqrt(width * weight_variance(r.init, width, width)),
            "bound holds": None
            if r.bound is None
            else bool(np.all(r.stats.delta_norm <= r.bound * (1 + 1e-12))),
        }
        for r in runs
    ]
    shown = [r for r in runs if r.seed == ctx.seed and r.init == "standard"]
    ctx.figure(
        figs.gradient_norms(shown),
        "delta_norms",
        "‖δ^(l)‖/‖δ^(L)‖ by layer at initialisation (U[±1/√n] weights): plain nets with the bound (top), "
        "plain vs residual vs batch norm at the largest depth (bottom)",
    )
    holds, rates = judge_vanishing(rows, depths[-1])
    self_check = all(r["bound holds"] for r in rows if r["bound holds"] is not None)
    exploding = sorted(
        {f"{r['activation']}+{r['variant']} L={r['L']}" for r in rows if r["‖δ^(1)‖/‖δ^(L)‖"] > 10}
    )
    return Evidence(
        holds=holds,
        metrics={
            "rates": rates,
            "required_rate": RATE,
            "seeds": len(seeds),
            "seed_estimate_0.25^10": 0.25**10,
            "self_check_bound_holds_everywhere": self_check,
        },
        table=_medians(rows),
        notes="Table: medians over seeds. Measured per-layer factors follow the mean-field prediction "
        "√(n Var w · E[σ'²]): sigmoid 0.14 / 0.23 / 0.31 (standard / Xavier / He), linear 0.58 (standard) and ≈ 1.05 "
        "(Var w = 1/n), ReLU 0.41 (standard) and ≈ 1.05 (He), tanh with Var w = 1/n ≈ 0.87 at L = 10 — critical, "
        "it decays like a power of l, not geometrically. Residual connections and batch norm stop the vanishing "
        "but can make the gradient explode instead: "
        + ("; ".join(exploding) or "none")
        + ". CLI: approxlab grads vanishing --depth 30 --width 64 --activation sigmoid --out DIR",
    )


def _medians(rows: list[dict]) -> list[dict]:
    keys = sorted({(r["activation"], r["variant"], r["init"], r["L"]) for r in rows})
    out = []
    for k in keys:
        group = [r for r in rows if (r["activation"], r["variant"], r["init"], r["L"]) == k]
        out.append(
            {
                "activation": k[0],
                "variant": k[1],
                "init": k[2],
                "L": k[3],
                "seeds": len(group),
                "median ‖δ^(1)‖/‖δ^(L)‖": float(np.median([r["‖δ^(1)‖/‖δ^(L)‖"] for r in group])),
                "median per layer": float(np.median([r["per layer"] for r in group])),
                "0.25√(n Var w)": group[0]["0.25√(n Var w)"],
            }
        )
    return out


def judge_vanishing(rows: list[dict], largest: int) -> tuple[bool, dict[str, float]]:
    """(holds, the fraction of seeds for which each statement holds); each fraction must be ≥ RATE."""

    def pick(act, variant, init, L):
        return [
            r
            for r in rows
            if (r["activation"], r["variant"], r["init"], r["L"]) == (act, variant, init, L)
        ]

    def rate(group, test) -> float:
        return float(np.mean([test(r) for r in group])) if group else 0.0

    rates = {}
    for init in ("standard", "xavier_in", "he"):
        for L in (10, largest):
            # the mean-field factor is an expectation: judged on the median over seeds (a rate of 1 or 0)
            group = pick("sigmoid", "plain", init, L)
            rates[f"sigmoid {init} L={L}: median factor ≤ 0.25√(n Var w)"] = float(
                bool(group)
                and np.median([r["per layer"] for r in group]) <= group[0]["0.25√(n Var w)"]
            )
    rates["sigmoid standard L=10: ratio ≤ 0.25^10"] = rate(
        pick("sigmoid", "plain", "standard", 10), lambda r: r["‖δ^(1)‖/‖δ^(L)‖"] <= 0.25**10
    )
    rates["sigmoid xavier_in L=10: ratio > 0.25^10"] = rate(
        pick("sigmoid", "plain", "xavier_in", 10), lambda r: r["‖δ^(1)‖/‖δ^(L)‖"] > 0.25**10
    )
    plain = {
        r["seed"]: abs(np.log(r["per layer"]))
        for r in pick("sigmoid", "plain", "standard", largest)
    }
    for name, key in (
        ("relu + he", ("relu", "plain", "he")),
        ("sigmoid + residual", ("sigmoid", "residual", "standard")),
        ("sigmoid + batchnorm", ("sigmoid", "batchnorm", "standard")),
    ):
        rates[f"{name} mitigates at L={largest}"] = rate(
            pick(*key, largest),
            lambda r: abs(np.log(r["per layer"])) < plain.get(r["seed"], np.inf),
        )
    return all(v >= RATE for v in rates.values()), rates


@claim(
    id="gradflow.init",
    statement="Var(w) = 2/n_in preserves the variance of a ReLU layer's pre-activations, which ReLU halves, while the "
    "'standard' U[±1/√n_in] init lets it collapse by n Var(w)/2 = 1/6 per layer (width 512, depth 30); Var(w) = 1/n_in "
    "does the same for tanh and linear layers.",
    source="seed 002, practice 3 and answer 3 (Glorot & Bengio 2010; He et al. 2015)",
    threshold=f"in ≥ {RATE:.0%} of the seeds: |ln(Var z^(30)/Var z^(1)) − ln(prediction)| ≤ 3σ with prediction 1 (He) "
    "and (n Var(w)/2)^29 = 6^−29 (standard), σ = √(5 L/n) the log-normal spread of a finite-width ReLU net "
    "(Hanin & Nica 2019: Var ln‖z^L‖² ≈ 5 Σ_l 1/n_l); and He's ratio exceeds the standard one by a factor ≥ 10^20",
    falsifiable_by="a He net whose variance drifts by more than 3σ in log (e.g. Var(w) = 1/n_in: 2^−29) or a "
    "standard-init net that does not collapse like 6^−29",
)
def initialisation(ctx: Context) -> Evidence:
    depth, width, batch = ctx.pick(quick=(30, 512, 64), full=(30, 512, 512))
    runs = [
        gradient_flow(depth, width, act, init=scheme, batch=batch, seed=ctx.seed, bound=False)
        for act in ("sigmoid", "tanh", "relu")
        for scheme in ("standard", "xavier_in", "he")
    ]
    rows = []
    for r in runs:
        z, d = r.stats.preactivation_variance, r.stats.delta_variance
        rows.append(
            {
                "activation": r.activation,
                "init": r.init,
                "Var z^(1)": z[0],
                f"Var z^({depth})": z[-1],
                "ratio": z[-1] / z[0],
                "min ratio": float((z / z[0]).min()),
                "max ratio": float((z / z[0]).max()),
                "Var δ^(1)/Var δ^(L)": d[0] / d[-1],
            }
        )
    ctx.figure(
        figs.variance_by_layer(runs),
        "variance",
        f"Var(z^(l)) (top) and Var(δ^(l)) (bottom) by layer, width {width}",
    )
    seeds = range(ctx.seed, ctx.seed + ctx.pick(quick=4, full=16))
    finals = {
        scheme: [
            _final_ratio(
                gradient_flow(depth, width, "relu", init=scheme, batch=batch, seed=s, bound=False)
            )
            for s in seeds
        ]
        for scheme in ("he", "standard")
    }
    holds, metrics = judge_init(finals, depth, width)
    notes = (
        "tanh with Var(w) = 1/n is only critical: Var(z) falls like ~1/(2l) (tanh z ≈ z − z³/3), not "
        "geometrically as under U[±1/√n] (factor 1/3 per layer). The sigmoid's mean ½ keeps Var(z) away from 0 "
        "under every scheme, but its δ still vanishes (σ' ≤ 1/4). Xavier's 2/(n_in+n_out) equals 1/n_in here "
        "because every layer is square. Before the data and the weights had independent random streams, "
        "Gaussian first-layer weights copied the inputs and Var z^(1) doubled; every ratio here is normalised by "
        "an honest first layer. CLI: approxlab grads init --depth 30 --width 512 --activation relu --out DIR"
    )
    return Evidence(holds=holds, metrics=metrics, table=rows, notes=notes)


def _final_ratio(run) -> float:
    z = run.stats.preactivation_variance
    return float(z[-1] / z[0])


def judge_init(finals: dict[str, list[float]], depth: int, width: int) -> tuple[bool, dict]:
    """(holds, metrics) for the final variance ratios of ReLU nets under He and standard init over seeds."""
    sigma = float(np.sqrt(5 * depth / width))
    predicted = {"he": 1.0, "standard": 6.0 ** -(depth - 1)}
    rates = {
        k: float(np.mean([abs(np.log(v / predicted[k])) <= 3 * sigma for v in finals[k]]))
        for k in predicted
    }
    separated = min(finals["he"]) >= 1e20 * max(finals["standard"])
    metrics = {
        "log_sigma": sigma,
        "rates": rates,
        "required_rate": RATE,
        "he_final_ratios": finals["he"],
        "standard_final_ratios": finals["standard"],
        "predicted_standard_ratio": predicted["standard"],
    }
    return all(v >= RATE for v in rates.values()) and separated, metrics
