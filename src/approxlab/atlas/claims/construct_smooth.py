"""Atlas claims: Barron/Maurey sampling, Taylor monomials, Stone–Weierstrass (seeds 000, 003)."""

from __future__ import annotations

import math

import numpy as np
import torch

from approxlab.atlas import Evidence, claim
from approxlab.atlas.claims.construct_training import (
    cached_best_of,
    gap_row,
    protocol,
    trained_twin,
    within_bounds,
)
from approxlab.baseline import best_of
from approxlab.construct.barron import (
    barron_constant,
    barron_gaussian,
    best_n_term_errors,
    gaussian,
    grid_units_needed,
    l2_squared_error,
    maurey_variance,
)
from approxlab.construct.stone_weierstrass import stone_weierstrass
from approxlab.construct.target import lipschitz, resolve
from approxlab.construct.taylor import cancellation_scan, monomial
from approxlab.figures.construct import construction_figure, error_curves
from approxlab.nets import mlp
from approxlab.targets import sample

FALSE_FAILURE = 0.01  # the chance that the Maurey test fails although the construction is right


@claim(
    id="construct.barron",
    statement="n units sampled from q ∝ |ω||f̂(ω)| approximate exp(−|x|²/2) on the unit ball with expected squared L² "
    "error exactly V_d/n (Maurey's identity; V_d ≤ (2rC_f)², C_f = √2Γ((d+1)/2)/Γ(d/2)): a rate n^{−1} with a "
    "constant that stays bounded in d = 2, 10 and 50, where a grid needs ε^{−d} units.",
    source="seed 003, 'Barron's theorem' (Barron 1993, Maurey's lemma)",
    threshold=f"for every d, unit and n: |mean over draws of n·MSE − V_d| ≤ t·s/√D (Student t, D − 1 dof, Bonferroni "
    f"over the rows, overall false-failure rate {FALSE_FAILURE:.0%}; s = the draws' standard deviation; V_d "
    "from 20,000–50,000 independent terms, relative error < 1 %, small beside s/√D)",
    falsifiable_by="a sampler whose terms are biased (wrong q or wrong weights: n·MSE then grows with n) or a wrong "
    "V_d (e.g. the d = 10 constant used for d = 2)",
)
def barron_claim(ctx):
    sizes = ctx.pick([16, 64, 256, 1024], [16, 32, 64, 128, 256, 512, 1024, 2048, 4096])
    draws = ctx.pick(8, 24)
    points = ctx.pick(1000, 4000)
    series, bounds, table, slopes = {}, {}, [], {}
    for d in (2, 10, 50):
        for unit in ("cos", "step"):
            V = maurey_variance(d, unit, points=points, terms=ctx.pick(20_000, 50_000))
            rows = []
            for n in sizes:
                nmse = [
                    n * barron_gaussian(d, n, unit, seed=s, points=points)[1].measured
                    for s in range(draws)
                ]
                rows.append(
                    {
                        "d": d,
                        "unit": unit,
                        "units": n,
                        "n·MSE mean": float(np.mean(nmse)),
                        "n·MSE sd": float(np.std(nmse, ddof=1)),
                        "draws": draws,
                        "V_d": V,
                        "(2rC_f)²": (2 * barron_constant(d)) ** 2,
                    }
                )
            slopes[f"d={d} {unit}"] = float(
                np.polyfit(np.log(sizes), np.log([r["n·MSE mean"] / r["units"] for r in rows]), 1)[
                    0
                ]
            )
            table += rows
            series[f"d={d} {unit}"] = (sizes, [r["n·MSE mean"] / r["units"] for r in rows])
            bounds[f"d={d} {unit}"] = (sizes, [V / n for n in sizes])
    ok, tests = judge_barron(table)
    for r, t in zip(table, tests):
        r["t"] = t
    ctx.figure(
        error_curves(
            series, "units n", "Maurey sampling: squared L² error on the unit ball", bounds
        ),
        "rate",
        "Every dimension falls like V_d/n (dashed: Maurey's exact constant V_d, measured separately).",
    )
    eps = np.logspace(-1, -3, 5)
    grid_series = {
        f"grid, d={d}": (eps, [grid_units_needed(e, d) for e in eps]) for d in (2, 10, 50)
    }
    fig = error_curves(grid_series, "sup tolerance ε", "grid construction: cells needed ~ ε^(−d)")
    fig.axes[0].set_ylabel("units")
    ctx.figure(
        fig,
        "grid_units",
        "A grid construction's unit count explodes with d; Barron's does not depend on d.",
    )
    d, n = 10, 64
    net, cert = barron_gaussian(d, n, "cos", seed=ctx.seed)
    X = sample([(-1.0, 1.0)] * d, 2000, seed=ctx.seed)
    X = X[np.linalg.norm(X, axis=1) <= 1.0]
    b = cached_best_of(
        ctx,
        f"cos twin d={d} n={n}",
        lambda: best_of(
            lambda s: mlp(d, [n], activation="cos", seed=s),
            (X, gaussian(X)),
            **protocol(ctx),
            seed=ctx.seed,
            score=lambda twin: l2_squared_error(twin, d),
        ),
    )
    trained = {**b.row(), "trained_activation": "cos"}
    return Evidence(
        holds=ok,
        metrics={
            "slopes": slopes,
            "V_d": {f"d={r['d']} {r['unit']}": r["V_d"] for r in table},
            "gap": gap_row("barron d=10 n=64 (squared L²)", cert.measured, trained, n),
        },
        table=table,
        notes="Maurey's identity is exact for every n, so the test compares the measured mean "
        "with V_d/n itself, not with the loose bound (2rC_f)²/n (187–1070× larger). V_d stays bounded as d "
        "grows (cos: 0.03, 0.13, 0.19 for d = 2, 10, 50), which is the theorem's point.",
    )


def judge_barron(
    table: list[dict], false_failure: float = FALSE_FAILURE
) -> tuple[bool, list[float]]:
    """(holds, t statistics): every row's mean n·MSE within the Bonferroni t interval around V_d."""
    from scipy.stats import t as student

    tests = [abs(r["n·MSE mean"] - r["V_d"]) / (r["n·MSE sd"] / np.sqrt(r["draws"])) for r in table]
    limits = [student.ppf(1 - false_failure / (2 * len(table)), r["draws"] - 1) for r in table]
    return all(t <= lim for t, lim in zip(tests, limits)), tests


BUMP_WIDTH = 0.25  # exp(−|x|²/(2·0.25²)): the Gaussian of construct.barron rescaled, ≈ periodic on [−1, 1]² (e^{−8} at the edge)


@claim(
    id="construct.barron_control",
    statement="Barron's n^{−1} rate needs C_f = ∫|ω||f̂(ω)|dω < ∞. For the disc indicator 1{|x| ≤ ½} on [−1, 1]² "
    "(|f̂(ω)| ~ |ω|^{−3/2}, C_f = ∞) even the best n-unit approximation by cosine ridge units of the lattice "
    "frequencies has squared L² error falling only like n^{−1/2}; the Gaussian bump (C_f < ∞) falls faster "
    "than n^{−1} in the same dictionary.",
    source="seed 003, 'Barron's theorem' (Barron 1993: the rate holds for f with finite C_f); the tail of the disc's "
    "Fourier coefficients (Bessel decay |k|^{−3/2}: sorted, the j-th energy ~ j^{−3/2}, tail ~ n^{−1/2})",
    threshold="log-log slope of the best n-term squared L² error over n = 8 … 2048 (quick: … 512): Gaussian ≤ −1 "
    "(at least Barron's rate); disc within 0.25 of the predicted −½, i.e. nearer −½ than Maurey's −1 "
    "(the midpoint separates the two rates; fixed before measuring)",
    falsifiable_by="a disc slope nearer −1 than −½ (the non-Barron target converging at Barron's rate: e.g. a "
    "smooth target passed as the control) or a Gaussian slope above −1",
)
def barron_control_claim(ctx):
    size = ctx.pick(256, 512)
    units = ctx.pick([8, 32, 128, 512], [8, 32, 128, 512, 2048])
    x = np.arange(size) / size * 2 - 1
    r2 = x[:, None] ** 2 + x[None, :] ** 2
    targets = {
        "Gaussian bump (Barron)": np.exp(-r2 / (2 * BUMP_WIDTH**2)),
        "disc indicator (C_f = ∞)": (r2 <= 0.25) * 1.0,
    }
    table, series, slopes = [], {}, {}
    for name, values in targets.items():
        errors = best_n_term_errors(values, units)
        slopes[name] = float(np.polyfit(np.log(units), np.log(errors), 1)[0])
        series[name] = (units, [max(e, 1e-16) for e in errors])
        table += [
            {"target": name, "units": n, "best n-term squared L²": e} for n, e in zip(units, errors)
        ]
    fig = error_curves(series, "cosine ridge units n", "best n-term squared L² error on [−1, 1]²")
    start = series["disc indicator (C_f = ∞)"][1][0]
    fig.axes[0].loglog(
        units, [start * units[0] / n for n in units], "k:", label="n^(−1): Barron's rate"
    )
    fig.axes[0].legend(frameon=False, fontsize=8)
    ctx.figure(
        fig,
        "control",
        "A target with C_f = ∞ (the disc) loses Barron's n^{−1} rate; the Gaussian bump beats it.",
    )
    barron, control = slopes["Gaussian bump (Barron)"], slopes["disc indicator (C_f = ∞)"]
    return Evidence(
        holds=judge_barron_control(barron, control),
        metrics={"slope Gaussian": barron, "slope disc": control, "grid": f"{size}×{size}"},
        table=table,
        notes="Best n-term errors by Parseval on a periodic grid (approxlab.construct.barron."
        "best_n_term_errors): the units are orthogonal, so keeping the n largest frequency pairs is optimal "
        "within this dictionary. Recorded: disc slope −0.51 (512² grid), Gaussian ≈ −4.6.",
    )


def judge_barron_control(barron_slope: float, control_slope: float) -> bool:
    """Barron target at least n^{−1}; the C_f = ∞ control nearer the predicted n^{−1/2} than n^{−1}."""
    return barron_slope <= -1.0 and abs(control_slope + 0.5) <= 0.25


@claim(
    id="construct.taylor",
    statement="x^k is the limit of Σ_j (−1)^{k−j} C(k,j) σ(jhx + b)/(h^k σ^{(k)}(b)) with k+1 sigmoid units, error O(h); "
    "b = 0 fails for even k; in float64 cancellation sets a best h.",
    source="seed 000 (Taylor series from smooth units)",
    threshold="measured ≤ truncation bound Σ|c_k| k h sup|σ^(k+1)|/|σ^(k)(b)| (mean-value theorem) for h ≥ 1e-2 and every k of the profile",
    falsifiable_by="a row whose measured sup error exceeds its truncation bound (a wrong coefficient, offset or scaling)",
)
def taylor_claim(ctx):
    ks = ctx.pick([1, 2, 3, 4], [1, 2, 3, 4, 5, 6])
    hs = [10.0**-e for e in np.arange(1, ctx.pick(8, 10), 0.5)]
    table, series, best = [], {}, {}
    for k in ks:
        for h in (1e-1, 3e-2, 1e-2):
            c = monomial(k, h)[1]
            table.append(
                {"k": k, "h": h, "units": c.units, "measured": c.measured, "bound": c.bound}
            )
        best[k], rows = cancellation_scan(k, hs)
        series[f"x^{k}"] = (hs, [r["error"] for r in rows])
    ctx.figure(
        error_curves(
            series,
            "finite-difference step h",
            "x^k from k+1 sigmoids: truncation (right) vs cancellation (left)",
        ),
        "cancellation",
        "Sup error against h: O(h) truncation for large h, round-off ~ 2^k u / h^k for small h.",
    )
    g = resolve("x**3", 1, [(-1.0, 1.0)])
    net, cert = monomial(3, 1e-2)
    twin, trained = trained_twin(net, g, "sigmoid", ctx)
    ctx.figure(
        construction_figure(
            net, g, g.domain, "x³ from 4 sigmoid units (h = 0.01) vs a trained net", twin
        ),
        "cube",
        "The finite-difference units are nearly parallel; the output weights are huge (~1/h³) and cancel.",
    )
    return Evidence(
        holds=within_bounds(table),
        metrics={
            "best_h_by_k": {str(k): v for k, v in best.items()},
            "gap": gap_row("taylor x^3", cert.measured, trained, cert.units),
        },
        table=table,
    )


@claim(
    id="construct.stone_weierstrass",
    statement="One hidden layer of cos units is dense in C([0,1]): with n units cos(jπx) and least-squares output weights "
    "the sup error of a ρ-Lipschitz target falls to 0, at least as fast as Jackson's rate times the Lebesgue "
    "constant; a family that does not separate points (cos(2jπx), symmetric about ½) does not converge. "
    "exp units are reported (they stall in float64).",
    source="seed 003, 'Stone–Weierstrass'; Jackson's theorem and the Lebesgue constant of Fourier sums",
    threshold="cos: sup error ≤ (4 + ln n)·ρ/(2n) for every n (Jackson: E_{n−1} ≤ ρ/(2n) for the even extension; "
    "Lebesgue constant Λ_n ≤ 3 + ln n); non-separating control: sup error at the largest n ≥ ½ max|g − ḡ_sym|, "
    "the distance of g to the functions symmetric about ½",
    falsifiable_by="a cos row above (4 + ln n)ρ/(2n) (no convergence at the theorem's rate), or the non-separating "
    "control converging",
)
def stone_weierstrass_claim(ctx):
    ns = ctx.pick([2, 4, 8, 16, 32], [2, 4, 8, 16, 32, 64, 128])
    table, series = [], {}
    for name in ("sine", "bump", "abs(x - 0.5)"):
        rho = lipschitz(resolve(name, 1, [(0.0, 1.0)]))[0]
        for family in ("cos", "exp"):
            counts = [n for n in ns if n <= 16] if family == "exp" else ns
            certs = [stone_weierstrass(name, n, family)[1] for n in counts]
            series[f"{name} {family}"] = (counts, [max(c.measured, 1e-16) for c in certs])
            table += [
                {
                    "target": name,
                    "family": family,
                    "units": n,
                    "measured": c.measured,
                    "bound": jackson_bound(rho, n) if family == "cos" else None,
                }
                for n, c in zip(counts, certs)
            ]
    control = [symmetric_control("sine", n) for n in ns]
    table += control
    ctx.figure(
        error_curves(series, "units", "Stone–Weierstrass nets: sup error against units"),
        "errors",
        "Cosine units converge fast on smooth targets, slower at a kink; exp sums stall in float64.",
    )
    g = resolve("bump", 1)
    net, cert = stone_weierstrass(g, 16, "cos")
    twin, trained = trained_twin(net, g, "cos", ctx)
    ctx.figure(
        construction_figure(net, g, g.domain, "16 cosine units by least squares vs trained", twin),
        "fourier",
        "Fixed frequencies with least-squares weights vs all weights trained by the fair protocol.",
    )
    return Evidence(
        holds=judge_stone_weierstrass(table),
        metrics={
            "gap": gap_row("fourier 16", cert.measured, trained, cert.units),
            "control_error_at_largest_n": control[-1]["measured"],
        },
        table=table,
    )


def jackson_bound(rho: float, n: int) -> float:
    """(4 + ln n) ρ/(2n): Jackson's E_{n−1} ≤ ρ/(2n) (cosine polynomials of degree n − 1 on [0, 1], even
    extension) times 1 + Λ_{n−1}, Λ ≤ 3 + ln n the Lebesgue constant of the least-squares (Fourier) projection."""
    return (4 + math.log(n)) * rho / (2 * n)


def symmetric_control(name: str, n: int) -> dict:
    """The non-separating family cos(2jπx), j < n (symmetric about ½), fitted by least squares to ``name``.

    Every such function h has h(x) = h(1 − x), so sup|h − g| ≥ ½ sup|g(x) − g(1 − x)|: the error cannot fall to 0."""
    g = resolve(name, 1, [(0.0, 1.0)])
    net, cert = stone_weierstrass(g, n, "cos")
    with torch.no_grad():
        net[0].weight.mul_(2.0)  # frequencies jπ → 2jπ: the family no longer separates x from 1 − x
    x = np.linspace(0.0, 1.0, 4001).reshape(-1, 1)
    with torch.no_grad():
        feats = net[1](net[0](torch.from_numpy(x))).numpy()
    y = np.asarray(g(x))
    w, *_ = np.linalg.lstsq(feats, y, rcond=None)
    floor = 0.5 * float(np.max(np.abs(y - y[::-1])))
    return {
        "target": name,
        "family": "cos(2jπx) control",
        "units": n,
        "measured": float(np.max(np.abs(feats @ w - y))),
        "floor": floor,
    }


def judge_stone_weierstrass(table: list[dict]) -> bool:
    """cos rows within Jackson × Lebesgue; the control stays at or above its symmetry floor at the largest n."""
    control = [r for r in table if "floor" in r]
    last = max(control, key=lambda r: r["units"])
    return within_bounds(table) and last["measured"] >= last["floor"] * (1 - 1e-9)
