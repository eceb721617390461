"""Claims measured on many trained nets at once (approxlab.ensemble): spreads over seeds and rates."""

from __future__ import annotations

import numpy as np

from approxlab.atlas.registry import Context, Evidence, claim
from approxlab.ensemble import ensemble, train
from approxlab.scaling import THEORY_RATES, fit_power_law
from approxlab.targets import sample, target

SOURCE_001 = "seed 001 (2–6 sigmoid units on x1² + x2² + 3); issue 13 (the spread over seeds, not only the best)"
LRS = (0.01, 0.05, 0.2)


def constant_rmse(name: str = "paraboloid", n: int = 200_000) -> float:
    """RMSE of the best constant predictor, the standard deviation of f on its domain (sampled, seed 0):
    for x1² + x2² + 3 on [-1, 1]² it is √(2·(1/5 − 1/9)) = 0.4216."""
    f = target(name)
    return float(np.std(f(sample(f.domain, n, 0))))


def trained_rmse(
    width: int, seeds: int, steps: int, n_train: int, lrs=LRS
) -> tuple[np.ndarray, float]:
    """Test RMSEs over ``seeds`` sigmoid nets of ``width`` units (each with its own init and sample) at the
    learning rate (from ``lrs``) with the smallest median training loss, and that rate; all rates train in one
    ensemble."""
    ens = ensemble(2, [width], activation="sigmoid", seeds=[s for _ in lrs for s in range(seeds)])
    r = train(
        ens,
        "paraboloid",
        steps=steps,
        lr=[lr for lr in lrs for _ in range(seeds)],
        n_train=n_train,
        n_test=1000,
        grid_n=21,
    )
    loss = np.array([row["final_loss"] for row in r.table]).reshape(len(lrs), seeds)
    rmse = np.array([row["test_rmse"] for row in r.table]).reshape(len(lrs), seeds)
    best = int(np.argmin(np.nanmedian(np.where(np.isfinite(loss), loss, np.inf), axis=1)))
    return rmse[best], lrs[best]


@claim(
    id="ensemble.seed001_spread",
    statement="Over many seeds, Adam-trained one-hidden-layer sigmoid nets on x1² + x2² + 3 get better with width "
    "not only at their best: the median test RMSE falls 2 → 4 → 6 units and the share of seeds that reach 10 % of "
    "the constant predictor's RMSE does not fall.",
    source=SOURCE_001,
    threshold="median test RMSE strictly decreasing over widths 2, 4, 6 and the success share (RMSE ≤ 0.1 × std f "
    "= 0.042) non-decreasing; the learning rate is tuned per width (0.01, 0.05, 0.2: smallest median training loss); "
    "Adam with cosine decay only (what Adam finds, θ3 in seed 003's terms), no second-order finish",
    falsifiable_by="a wider width whose median RMSE is not smaller, or a smaller share of seeds reaching the threshold "
    "(e.g. wider nets stalling on plateaus more often)",
)
def seed001_spread(ctx: Context) -> Evidence:
    from approxlab.figures.sweep import error_vs_width

    seeds = ctx.pick(quick=16, full=200)
    steps = ctx.pick(quick=800, full=3000)
    n_train = ctx.pick(quick=500, full=1000)
    tau = 0.1 * constant_rmse()
    rows, plot_rows = [], []
    for width in (2, 4, 6):
        rmse, lr = trained_rmse(width, seeds, steps, n_train)
        finite = rmse[np.isfinite(rmse)]
        rows.append(
            {
                "units": width,
                "seeds": seeds,
                "lr": lr,
                "min": float(finite.min()),
                "median": float(np.median(finite)),
                "max": float(finite.max()),
                "share ≤ τ": float(np.mean(rmse <= tau)),
                "diverged": int(np.sum(~np.isfinite(rmse))),
            }
        )
        plot_rows += [{"width": width, "activation": "sigmoid", "rmse": float(v)} for v in finite]
    ctx.figure(
        error_vs_width(plot_rows),
        "spread_vs_width",
        f"test RMSE over {seeds} seeds per width (Adam, tuned rate): median, 10–90 % band, min and max",
    )
    return Evidence(
        holds=judge_spread(rows),
        metrics={"tau": tau}
        | {f"median_{r['units']}": r["median"] for r in rows}
        | {f"share_{r['units']}": r["share ≤ τ"] for r in rows},
        table=rows,
        notes="The best seed is what seed001.width reports; here the whole distribution is shown. "
        "A wide band means the answer to seed 001 depends on the initialisation.",
    )


def judge_spread(rows: list[dict]) -> bool:
    """Median strictly decreasing with width and the share reaching τ non-decreasing."""
    med = [r["median"] for r in rows]
    share = [r["share ≤ τ"] for r in rows]
    return all(a > b for a, b in zip(med, med[1:])) and all(
        a <= b for a, b in zip(share, share[1:])
    )


@claim(
    id="ensemble.barron_rate",
    statement="Trained one-hidden-layer sigmoid nets reach at least Barron's rate on x1² + x2² + 3: the best test "
    "RMSE over seeds falls like n^(−α) with α ≥ 1/2 in the width n.",
    source="seed 003, Barron's theorem (MSE ≤ C_f²/n with n units, so RMSE ≤ C_f/√n); issue 13 (rates measured on "
    "trained nets, not only constructions)",
    threshold="fitted α ≥ 1/2 (Barron's RMSE rate), α from approxlab.scaling.fit_power_law of the best-of-seeds "
    "test RMSE over widths 2, 4, 8, 16, 32 (learning rate tuned per width from 0.05, 0.2), with its 95 % seeded "
    "bootstrap interval reported beside it",
    falsifiable_by="a fitted α below 1/2 — training that stalls as width grows, so the rate the theorem guarantees "
    "for the class is not reached by what Adam finds",
)
def barron_rate(ctx: Context) -> Evidence:
    from approxlab.figures.sweep import scaling

    widths = (2, 4, 8, 16, 32)
    seeds = ctx.pick(quick=6, full=64)
    steps = ctx.pick(quick=800, full=4000)
    best, rows = [], []
    for width in widths:
        rmse, lr = trained_rmse(
            width, seeds, steps, ctx.pick(quick=500, full=2000), lrs=(0.05, 0.2)
        )
        best.append(float(np.nanmin(rmse)))
        rows.append(
            {
                "width": width,
                "best test RMSE": best[-1],
                "median": float(np.nanmedian(rmse)),
                "lr": lr,
            }
        )
    law = fit_power_law(widths, best, boot=ctx.pick(quick=500, full=2000), seed=ctx.seed)
    theory = {"Barron (RMSE)": THEORY_RATES["Barron (RMSE, one layer)"]}
    ctx.figure(
        scaling(widths, best, law, theory, ylabel="best test RMSE over seeds"),
        "rate",
        "best-of-seeds test RMSE against width, the fitted power law and Barron's n^(-1/2)",
    )
    return Evidence(
        holds=judge_rate(law.row()),
        metrics=law.row(),
        table=rows,
        notes="Barron's bound is an upper bound on the class's best error: a smooth target such as the "
        "paraboloid is approximated faster. What limits the measured rate is the optimiser and the "
        "finite sample, not the class.",
    )


def judge_rate(row: dict) -> bool:
    """The fitted rate is at least Barron's RMSE rate 1/2."""
    return row["alpha"] >= 0.5


@claim(
    id="ensemble.theta_decomposition",
    statement="Seed 003's decomposition measured on sin(2πx) with one hidden layer of tanh units: the class's best "
    "error θ1 falls with width, the estimation gap θ2 − θ1 falls with the sample size, and θ2 ≤ θ3 "
    "(the empirical risk minimiser beats plain Adam) up to the measured noise.",
    source="seed 003 (the θ*/θ1/θ2/θ3 slide: approximation, estimation, optimisation error); issue 13 item 4",
    threshold="θ1 strictly decreasing in width (nested classes; θ1 = min of training on the population grid, "
    "least squares on random features, every narrower width and every net trained at this width for θ2/θ3, so "
    "θ2 ≥ θ1 by construction); at every width the median estimation gap at the largest n_train below the one "
    "at the smallest; noise allowance: at every (width, n_train) the 90 % bootstrap interval over samples of the "
    "median optimisation gap (θ3_j − θ2_j) reaches 0 or above. Risk = mean (net − f)² on a 2049-point grid",
    falsifiable_by="a wider class in which no search (population grid, random features, sample-trained nets) "
    "finds a smaller risk than the narrower one, an estimation gap that does not shrink with n_train, or Adam's "
    "nets beating the empirical risk minimiser significantly (θ2 and θ3 swapped)",
)
def theta_decomposition(ctx: Context) -> Evidence:
    from approxlab.decomposition import decompose
    from approxlab.figures.decomposition import theta_decomposition as figure

    settings = ctx.pick(
        quick={
            "widths": (1, 2),
            "n_trains": (8, 64),
            "samples": 3,
            "inits": 2,
            "steps": 400,
            "lbfgs_steps": 60,
            "theta1_inits": 3,
            "theta1_steps": 600,
            "theta1_lbfgs_steps": 200,
            "features": 8,
        },
        full={
            "widths": (1, 2, 3, 4),
            "n_trains": (8, 16, 32, 64, 128, 256),
            "samples": 12,
            "inits": 6,
            "steps": 2000,
            "lbfgs_steps": 300,
            "theta1_inits": 16,
            "theta1_steps": 4000,
            "theta1_lbfgs_steps": 2000,
            "features": 64,
        },
    )
    d = decompose("sine", activation="tanh", seed=ctx.seed, **settings)
    rows = d.rows(seed=ctx.seed)
    ctx.figure(
        figure(
            rows,
            f"sin(2πx), tanh, Adam {d.steps} steps; θ2: Adam then L-BFGS, ERM by training loss",
        ),
        "theta_decomposition",
        "θ1 (class's best), θ2 (empirical risk minimiser's population risk) and θ3 (plain Adam) against width "
        "per n_train; the estimation gap against n_train per width, with bootstrap intervals over samples",
    )
    # a width whose best member came from the sample-trained nets: the population-grid search fell short there
    short = [
        m
        for m, c in d.theta1_candidates.items()
        if c["sample-trained nets"] < min(v for k, v in c.items() if k != "sample-trained nets")
    ]
    return Evidence(
        holds=judge_decomposition(rows),
        metrics={f"theta1_{m}": min(c.values()) for m, c in d.theta1_candidates.items()}
        | {"samples": settings["samples"], "widths where the θ1 search fell short": len(short)},
        table=rows,
        notes="Risks are squared L² errors, so the three terms add exactly. θ3 ≥ θ2 is an expectation, not a rule: "
        "with few points an early-stopped Adam can generalise better than the minimiser. θ1 is the best member found, "
        "an upper bound on the class's infimum; where a net fitted to a sample beat the population-grid search "
        f"(widths {short or 'none'}) θ1 is that net's risk.",
    )


def judge_decomposition(rows: list[dict]) -> bool:
    """θ1 strictly falling with width, estimation gap smaller at the largest n_train than at the smallest
    (every width), and no optimisation gap's bootstrap interval entirely below 0 (the estimation gap is ≥ 0 by
    construction: θ1 includes every sample-trained net)."""
    widths = sorted({r["width"] for r in rows})
    theta1 = [next(r["theta1"] for r in rows if r["width"] == w) for w in widths]
    falls = all(a > b for a, b in zip(theta1, theta1[1:]))
    shrinks = True
    for w in widths:
        by_n = sorted((r for r in rows if r["width"] == w), key=lambda r: r["n_train"])
        shrinks &= len(by_n) < 2 or by_n[-1]["estimation"] < by_n[0]["estimation"]
    ordered = all(r["optimisation_high"] >= 0 for r in rows)
    return bool(falls and shrinks and ordered)
