"""Atlas claims: univariate and 2D constructions (seeds 001, 002, 003)."""

from __future__ import annotations

import math

import torch

from approxlab.atlas import Evidence, claim
from approxlab.atlas.claims.construct_training import gap_row, trained_twin, within_bounds
from approxlab.construct.nielsen import bumps, ridge_tower, tower_limit, towers
from approxlab.construct.pwl import interpolate
from approxlab.construct.sawtooth import pieces_and_peaks, sawtooth
from approxlab.construct.steps import (
    lipschitz_sigmoids,
    lipschitz_steps,
    steepness_bound,
    steepness_needed,
)
from approxlab.construct.target import resolve
from approxlab.construct.triangulation import triangulation_interpolant
from approxlab.figures.construct import construction_figure, error_curves

UNIT_TARGETS = ["sine", "bump", "sawtooth", "x**3"]


@claim(
    id="construct.lipschitz_steps",
    statement="A ρ-Lipschitz g on [0,1] is within ε of Σ a_i 1[x ≥ b_i] with ⌈ρ/ε⌉ threshold units (jumps at the "
    "cell edges, values at the midpoints: error ≤ ρh/2 ≤ ε/2); steep sigmoids σ(k·) meet ε from a steepness "
    "k* on, and k* ≤ u*/h grows like ρ/ε, smoothly in ε.",
    source="seed 003, 'Univariate approximation'",
    threshold="measured sup error ≤ ρh/2 (h = 1/⌈ρ/ε⌉, the construction's bound; plus float64 summation round-off 2(n+1)u·Σ|a_i|) and units = ⌈ρ/ε⌉ for every target "
    "and ε; measured k* ≤ steepness_bound(ρ, ε), the smallest k at which the derived error bound "
    "ρ(h/2 − d(1 − 2σ(−kd))) + ρh Σ_m [σ(−k(mh−d)) + σ(−k(mh+d))] + |a_0|e^{−k} is ≤ ε",
    falsifiable_by="a target/ε whose threshold net errs by more than ρh/2, a unit count ≠ ⌈ρ/ε⌉, or a measured k* "
    "above the derived bound (the textbook placement b_i = iε/ρ gives k* ≈ 4000 at ε = 0.0102, "
    "above the bound 912)",
)
def lipschitz_steps_claim(ctx):
    epss = ctx.pick([0.2, 0.05, 0.0102, 0.01], [0.2, 0.1, 0.05, 0.02, 0.0102, 0.01, 0.005, 0.001])
    table = []
    for name in UNIT_TARGETS:
        for eps in epss:
            net, cert = lipschitz_steps(name, eps=eps)
            table.append(
                {
                    "target": name,
                    "eps": eps,
                    "units": cert.units,
                    "measured": cert.measured,
                    "bound": cert.bound,
                    "rho": cert.details["rho"],
                    "rho_estimated": cert.details["lipschitz_estimated"],
                    "round-off": summation_roundoff(net, cert.units),
                }
            )
    scans = {eps: steepness_needed("sine", eps=eps) for eps in epss}
    rho = 2 * math.pi
    k_rows = [
        {
            "eps": eps,
            "k*": k,
            "k bound": steepness_bound(
                rho, eps, a0=lipschitz_sigmoids("sine", eps=eps)[1].details["a0"]
            ),
            "k*·ε/ρ": k * eps / rho,
        }
        for eps, (k, _) in scans.items()
    ]
    holds = judge_lipschitz_steps(table, k_rows)
    fig = error_curves(
        {
            f"ε = {eps}": ([r["k"] for r in rows], [r["error"] for r in rows])
            for eps, (_, rows) in scans.items()
        },
        "sigmoid steepness k",
        "sin(2πx): ⌈ρ/ε⌉ sigmoid units, sup error against k",
    )
    for i, r in enumerate(k_rows):
        fig.axes[0].axhline(r["eps"], color=f"C{i}", lw=0.8, ls=":")
        fig.axes[0].axvline(r["k*"], color=f"C{i}", lw=0.8, ls=":")
    ctx.figure(
        fig,
        "steepness",
        "The sigmoid version meets ε (dotted, horizontal) from k* (dotted, vertical) on.",
    )
    net, cert = lipschitz_steps("sine", eps=0.1)
    g = resolve("sine", 1)
    twin, trained = trained_twin(net, g, "sigmoid", ctx)
    row = gap_row("steps (ε=0.1)", cert.measured, trained, cert.units)
    ctx.figure(
        construction_figure(
            net,
            g,
            g.domain,
            "63 threshold units for sin(2πx), ε = 0.1 (trained: same width, sigmoid)",
            twin,
        ),
        "steps_sine",
        "Threshold construction vs a same-width sigmoid net trained by the fair protocol (step units have zero gradient).",
    )
    return Evidence(
        holds=holds,
        metrics={"cases": len(table), "k_star": k_rows, "gap": row},
        table=table,
        notes="x**3 has no stored Lipschitz constant: ρ is a grid estimate, and the bound is certified "
        "against it. k*·ε/ρ stays near 0.95 for every ε (docs/construct.md derives the bound).",
    )


def summation_roundoff(net, units: int) -> float:
    """Float64 round-off allowed on a measured sup error of a net whose output sums ``units`` terms
    a_i·σ(…) + a_0: the summation bound γ_n Σ|a_i| ≈ n·u·Σ|a_i| (Higham, *Accuracy and Stability of
    Numerical Algorithms*, §4.2), doubled for the target's evaluation and the subtraction. Where the
    bound is attained exactly (a sawtooth's slopes are ρ everywhere) the measured error sits on it up
    to this much (measured: 6.1e-16 over ρh/2 with 8000 units at ε = 0.001)."""
    out = [m for m in net if isinstance(m, torch.nn.Linear)][-1]
    magnitude = float(out.weight.detach().abs().sum() + out.bias.detach().abs().sum())
    return 2 * (units + 1) * 2.0**-53 * magnitude


def judge_lipschitz_steps(table: list[dict], k_rows: list[dict]) -> bool:
    """Every threshold net within ρh/2 (up to float64 summation round-off) with ⌈ρ/ε⌉ units, and every
    measured k* at most its derived bound."""
    ok = all(
        r["measured"] <= r["bound"] + r["round-off"]
        and r["units"] == math.ceil(r["rho"] / r["eps"])
        for r in table
    )
    return ok and all(r["k*"] <= r["k bound"] for r in k_rows)


@claim(
    id="construct.nielsen",
    statement="Bumps from pairs of steep sigmoids and two-hidden-layer towers approximate Lipschitz functions; "
    "one hidden layer of ridge units in D directions gives a tower with a skirt (2/π)arcsin(r/|x|), not a cylinder.",
    source="seed 001 (Nielsen's visual proof and its question about one hidden layer in 2D)",
    threshold="bumps: ρw/2 + sigmoid-tail bound; towers: ρw√2/2; ridge tower: sup|T_D − T_∞| ≤ 2/D (all from the constructions)",
    falsifiable_by="any bump, tower or ridge-tower row whose measured sup error exceeds its bound (e.g. a tower whose "
    "second-layer threshold is m = 1 instead of m − ½)",
)
def nielsen_claim(ctx):
    table = []
    for name in ["sine", "bump", "x**2"]:
        for k in ctx.pick([100.0, 1e4], [30.0, 100.0, 1e3, 1e4, 1e5]):
            c = bumps(name, 20, k)[1]
            table.append(
                {
                    "construction": "bumps",
                    "target": name,
                    "k": k,
                    "units": c.units,
                    "measured": c.measured,
                    "bound": c.bound,
                }
            )
    for name in ["paraboloid", "saddle", "gaussian"]:
        for n in ctx.pick([6, 12], [4, 8, 16, 32]):
            c = towers(name, n)[1]
            table.append(
                {
                    "construction": "towers",
                    "target": name,
                    "n": n,
                    "units": c.units,
                    "measured": c.measured,
                    "bound": c.bound,
                }
            )
    Ds = ctx.pick([4, 16, 64, 256], [4, 16, 64, 256, 1024])
    ridge = [ridge_tower(D)[1] for D in Ds]
    table += [
        {
            "construction": "ridge_tower",
            "D": c.details["directions"],
            "units": c.units,
            "measured": c.measured,
            "bound": c.bound,
        }
        for c in ridge
    ]
    net, _ = ridge_tower(Ds[-1])
    fig = construction_figure(
        net,
        lambda X: tower_limit(X, 0.3),
        [(-1.0, 1.0)] * 2,
        f"one hidden layer, {Ds[-1]} directions, vs its limit T_∞",
    )
    ctx.figure(
        fig,
        "ridge_tower",
        "What a single hidden layer's 'tower' looks like: a plateau with a skirt (2/π)arcsin(r/|x|).",
    )
    ctx.figure(
        error_curves(
            {"ridge tower": (Ds, [c.measured for c in ridge])},
            "directions D",
            "one-layer tower → its skirted limit",
            {"ridge tower": (Ds, [2 / D for D in Ds])},
        ),
        "ridge_rate",
        "sup |T_D − T_∞| against D, with the 2/D bound.",
    )
    net, cert = towers("paraboloid", 8)
    g = resolve("paraboloid", 2)
    twin, trained = trained_twin(net, g, "sigmoid", ctx)
    ctx.figure(
        construction_figure(net, g, g.domain, "Nielsen towers, 8×8 cells"),
        "towers",
        "Two-hidden-layer towers for x1² + x2² + 3.",
    )
    return Evidence(
        holds=within_bounds(table),
        metrics={
            "cases": len(table),
            "skirt_at_2r": 1 / 3,
            "gap": gap_row("towers 8×8", cert.measured, trained, cert.units),
        },
        table=table,
        notes="The trained twin uses sigmoid units in both hidden layers (threshold units have zero gradient).",
    )


@claim(
    id="construct.relu_interpolation",
    statement="k ReLU units give any k-piece linear function in 1D, so the interpolant of a C² g at spacing h errs by ≤ h² sup|g''|/8; "
    "in 2D the triangulated interpolant is a ReLU net with 12 units per vertex.",
    source="seed 002, answer 2; linear interpolation error on triangles (circumradius bound)",
    threshold="measured sup error ≤ h²M/8 (1D) and ≤ M(h1² + h2²)/8 (2D), from interpolation theory",
    falsifiable_by="an interpolant row above h²M/8 (e.g. output weights off by a knot, or knots not at the samples)",
)
def relu_interpolation_claim(ctx):
    table = []
    for name in ["sine", "bump", "x**3"]:
        for units in ctx.pick([4, 16, 64], [4, 8, 16, 32, 64, 128, 256]):
            c = interpolate(name, units)[1]
            table.append(
                {"dim": 1, "target": name, "units": units, "measured": c.measured, "bound": c.bound}
            )
    for name in ["paraboloid", "gaussian", "sin(x1)*cos(x2)"]:
        for n in ctx.pick([2, 6], [2, 4, 8, 12]):
            c = triangulation_interpolant(name, n)[1]
            table.append(
                {
                    "dim": 2,
                    "target": name,
                    "units": c.units,
                    "grid": n,
                    "measured": c.measured,
                    "bound": c.bound,
                }
            )
    g = resolve("bump", 1)
    net, cert = interpolate(g, 16)
    twin, trained = trained_twin(net, g, "relu", ctx)
    ctx.figure(
        construction_figure(
            net, g, g.domain, "16 ReLU units: the interpolant of the bump vs a trained net", twin
        ),
        "interpolant",
        "Knots placed by the proof vs a same-width ReLU net trained by the fair protocol.",
    )
    net2, _ = triangulation_interpolant("gaussian", 6)
    ctx.figure(
        construction_figure(
            net2,
            resolve("gaussian", 2),
            resolve("gaussian", 2).domain,
            "triangulated interpolant, 6×6",
        ),
        "triangulation",
        "The 2D interpolant as a depth-5 ReLU net.",
    )
    return Evidence(
        holds=within_bounds(table),
        metrics={
            "cases": len(table),
            "gap": gap_row("interpolant (16)", cert.measured, trained, cert.units),
        },
        table=table,
    )


@claim(
    id="construct.sawtooth",
    statement="h composed n times is computed exactly by 2n ReLU units in n layers; seed 003's '2^n spikes' are "
    "2^(n−1) peaks and 2^n linear pieces.",
    source="seed 003, 'Width vs depth' (Telgarsky 2016)",
    threshold="sup error 0 against the composed tent map (exact, float64), 2n units, and the pieces and peaks counted "
    "by approxlab.regions.partition equal 2^n and 2^(n−1), for n = 1..10 (quick) / 16 (full)",
    falsifiable_by="a net whose measured pieces or peaks differ from 2^n and 2^(n−1) (e.g. one weight off by 1 %), "
    "or any nonzero error against h^(∘n)",
)
def sawtooth_claim(ctx):
    ns = list(range(1, ctx.pick(11, 17)))
    table = [sawtooth_row(n, *sawtooth(n)) for n in ns]
    ok = judge_sawtooth(table)
    g = resolve("sawtooth", 1)
    net, cert = sawtooth(3)
    twin, trained = trained_twin(net, g, "relu", ctx)
    ctx.figure(
        construction_figure(
            net, g, g.domain, "h∘h∘h from 6 ReLU units vs the same architecture trained", twin
        ),
        "sawtooth",
        "The exact construction beside the best of the fair training protocol with the same 3 layers of width 2.",
    )
    return Evidence(
        holds=ok,
        metrics={
            "max_n": ns[-1],
            "gap": gap_row("sawtooth n=3", cert.measured, trained, cert.units),
        },
        table=table,
    )


def sawtooth_row(n: int, net, cert) -> dict:
    """One row: the certificate's error and units with the pieces and peaks measured on ``net``."""
    pieces, peaks = pieces_and_peaks(net)
    return {
        "n": n,
        "units": cert.units,
        "pieces": pieces,
        "peaks": peaks,
        "measured": cert.measured,
    }


def judge_sawtooth(table: list[dict]) -> bool:
    """Exact: error 0, 2n units, 2^n pieces, 2^(n−1) peaks in every row."""
    return all(
        r["measured"] == 0.0
        and r["units"] == 2 * r["n"]
        and r["pieces"] == 2 ** r["n"]
        and r["peaks"] == 2 ** (r["n"] - 1)
        for r in table
    )
