"""Atlas claims: univariate and 2D constructions (seeds 001, 002, 003)."""

from __future__ import annotations

import math

import numpy as np

from approxlab.atlas import Evidence, claim
from approxlab.atlas.claims.construct_training import gap_row, trained_twin
from approxlab.construct.nielsen import bumps, ridge_tower, tower_limit, towers
from approxlab.construct.pwl import interpolate
from approxlab.construct.sawtooth import sawtooth
from approxlab.construct.steps import lipschitz_steps, steepness_needed
from approxlab.construct.target import resolve
from approxlab.construct.triangulation import triangulation_interpolant
from approxlab.figures.construct import construction_figure, error_curves, gap_figure

UNIT_TARGETS = ["sine", "bump", "sawtooth", "x**3"]


@claim(
    id="construct.lipschitz_steps",
    statement="A ρ-Lipschitz g on [0,1] is within ε of Σ a_i 1[x ≥ iε/ρ] with ⌈ρ/ε⌉ threshold units; "
              "steep sigmoids meet ε again beyond a finite steepness k*.",
    source="seed 003, 'Univariate approximation'",
    threshold="measured sup error ≤ ε and units = ⌈ρ/ε⌉ for every target and ε (the theorem); k* finite",
)
def lipschitz_steps_claim(ctx):
    epss = ctx.pick([0.2, 0.05, 0.01], [0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.001])
    table, ok = [], True
    for name in UNIT_TARGETS:
        for eps in epss:
            net, cert = lipschitz_steps(name, eps=eps)
            exact = cert.units == math.ceil(cert.details["rho"] / eps)
            ok &= bool(cert.holds and exact)
            table.append({"target": name, "eps": eps, "units": cert.units, "measured": cert.measured,
                          "rho": cert.details["rho"], "rho_estimated": cert.details["lipschitz_estimated"], "holds": cert.holds})
    scans = {eps: steepness_needed("sine", eps=eps) for eps in epss}
    ks = {eps: k for eps, (k, _) in scans.items()}
    ok &= all(math.isfinite(k) for k in ks.values())
    fig = error_curves({f"ε = {eps}": ([r["k"] for r in rows], [r["error"] for r in rows]) for eps, (_, rows) in scans.items()},
                       "sigmoid steepness k", "sin(2πx): ⌈ρ/ε⌉ sigmoid units, sup error against k")
    for i, (eps, k) in enumerate(ks.items()):
        fig.axes[0].axhline(eps, color=f"C{i}", lw=0.8, ls=":")
        fig.axes[0].axvline(k, color=f"C{i}", lw=0.8, ls=":")
    ctx.figure(fig, "steepness", "The sigmoid version meets ε (dotted, horizontal) from k* (dotted, vertical) on.")
    net, cert = lipschitz_steps("sine", eps=0.1)
    g = resolve("sine", 1)
    twin, trained = trained_twin(net, g, "sigmoid", ctx.pick(1500, 6000), ctx.seed)
    row = gap_row("steps (ε=0.1)", cert.measured, trained, cert.units)
    ctx.figure(construction_figure(net, g, g.domain, "63 threshold units for sin(2πx), ε = 0.1 (trained: same width, sigmoid)", twin),
               "steps_sine", "Threshold construction vs a same-width sigmoid net trained by Adam (step units have zero gradient).")
    return Evidence(holds=ok, metrics={"cases": len(table), "k_star_by_eps": {str(k): v for k, v in ks.items()}, "gap": row},
                    table=table, notes="x**3 has no stored Lipschitz constant: ρ is a grid estimate, and the bound is certified against it.")


@claim(
    id="construct.nielsen",
    statement="Bumps from pairs of steep sigmoids and two-hidden-layer towers approximate Lipschitz functions; "
              "one hidden layer of ridge units in D directions gives a tower with a skirt (2/π)arcsin(r/|x|), not a cylinder.",
    source="seed 001 (Nielsen's visual proof and its question about one hidden layer in 2D)",
    threshold="bumps: ρw/2 + sigmoid-tail bound; towers: ρw√2/2; ridge tower: sup|T_D − T_∞| ≤ 2/D (all from the constructions)",
)
def nielsen_claim(ctx):
    table, ok = [], True
    for name in ["sine", "bump", "x**2"]:
        for k in ctx.pick([100.0, 1e4], [30.0, 100.0, 1e3, 1e4, 1e5]):
            c = bumps(name, 20, k)[1]
            ok &= bool(c.holds)
            table.append({"construction": "bumps", "target": name, "k": k, "units": c.units, "measured": c.measured, "bound": c.bound})
    for name in ["paraboloid", "saddle", "gaussian"]:
        for n in ctx.pick([6, 12], [4, 8, 16, 32]):
            c = towers(name, n)[1]
            ok &= bool(c.holds)
            table.append({"construction": "towers", "target": name, "n": n, "units": c.units, "measured": c.measured, "bound": c.bound})
    Ds = ctx.pick([4, 16, 64, 256], [4, 16, 64, 256, 1024])
    ridge = [ridge_tower(D)[1] for D in Ds]
    ok &= all(c.holds for c in ridge)
    table += [{"construction": "ridge_tower", "D": c.details["directions"], "units": c.units, "measured": c.measured, "bound": c.bound}
              for c in ridge]
    net, _ = ridge_tower(Ds[-1])
    fig = construction_figure(net, lambda X: tower_limit(X, 0.3), [(-1.0, 1.0)] * 2,
                              f"one hidden layer, {Ds[-1]} directions, vs its limit T_∞")
    ctx.figure(fig, "ridge_tower", "What a single hidden layer's 'tower' looks like: a plateau with a skirt (2/π)arcsin(r/|x|).")
    ctx.figure(error_curves({"ridge tower": (Ds, [c.measured for c in ridge])}, "directions D",
                            "one-layer tower → its skirted limit", {"ridge tower": (Ds, [2 / D for D in Ds])}),
               "ridge_rate", "sup |T_D − T_∞| against D, with the 2/D bound.")
    net, cert = towers("paraboloid", 8)
    g = resolve("paraboloid", 2)
    twin, trained = trained_twin(net, g, "sigmoid", ctx.pick(1000, 5000), ctx.seed)
    ctx.figure(construction_figure(net, g, g.domain, "Nielsen towers, 8×8 cells"), "towers", "Two-hidden-layer towers for x1² + x2² + 3.")
    return Evidence(holds=ok, metrics={"cases": len(table), "skirt_at_2r": 1 / 3, "gap": gap_row("towers 8×8", cert.measured, trained, cert.units)},
                    table=table, notes="The trained twin uses sigmoid units in both hidden layers (threshold units have zero gradient).")


@claim(
    id="construct.relu_interpolation",
    statement="k ReLU units give any k-piece linear function in 1D, so the interpolant of a C² g at spacing h errs by ≤ h² sup|g''|/8; "
              "in 2D the triangulated interpolant is a ReLU net with 12 units per vertex.",
    source="seed 002, answer 2; linear interpolation error on triangles (circumradius bound)",
    threshold="measured sup error ≤ h²M/8 (1D) and ≤ M(h1² + h2²)/8 (2D), from interpolation theory",
)
def relu_interpolation_claim(ctx):
    table, ok = [], True
    for name in ["sine", "bump", "x**3"]:
        for units in ctx.pick([4, 16, 64], [4, 8, 16, 32, 64, 128, 256]):
            c = interpolate(name, units)[1]
            ok &= bool(c.holds)
            table.append({"dim": 1, "target": name, "units": units, "measured": c.measured, "bound": c.bound})
    for name in ["paraboloid", "gaussian", "sin(x1)*cos(x2)"]:
        for n in ctx.pick([2, 6], [2, 4, 8, 12]):
            c = triangulation_interpolant(name, n)[1]
            ok &= bool(c.holds)
            table.append({"dim": 2, "target": name, "units": c.units, "grid": n, "measured": c.measured, "bound": c.bound})
    g = resolve("bump", 1)
    net, cert = interpolate(g, 16)
    twin, trained = trained_twin(net, g, "relu", ctx.pick(2000, 8000), ctx.seed)
    ctx.figure(construction_figure(net, g, g.domain, "16 ReLU units: the interpolant of the bump vs a trained net", twin),
               "interpolant", "Knots placed by the proof vs a same-width ReLU net trained by Adam.")
    net2, _ = triangulation_interpolant("gaussian", 6)
    ctx.figure(construction_figure(net2, resolve("gaussian", 2), resolve("gaussian", 2).domain, "triangulated interpolant, 6×6"),
               "triangulation", "The 2D interpolant as a depth-5 ReLU net.")
    return Evidence(holds=ok, metrics={"cases": len(table), "gap": gap_row("interpolant (16)", cert.measured, trained, cert.units)}, table=table)


@claim(
    id="construct.sawtooth",
    statement="h composed n times is computed exactly by 2n ReLU units in n layers and has 2^n linear pieces.",
    source="seed 003, 'Width vs depth' (Telgarsky 2016)",
    threshold="sup error 0 (exact, float64) and 2n units for n = 1..12; the values alternate 0, 1 at j/2^n",
)
def sawtooth_claim(ctx):
    ns = list(range(1, ctx.pick(11, 17)))
    certs = [sawtooth(n)[1] for n in ns]
    ok = all(c.measured == 0.0 and c.units == 2 * n for c, n in zip(certs, ns))
    g = resolve("sawtooth", 1)
    net, cert = sawtooth(3)
    twin, trained = trained_twin(net, g, "relu", ctx.pick(3000, 10000), ctx.seed)
    ctx.figure(construction_figure(net, g, g.domain, "h∘h∘h from 6 ReLU units vs the same architecture trained", twin),
               "sawtooth", "The exact construction beside what Adam finds with the same 3 layers of width 2.")
    table = [{"n": n, "units": c.units, "pieces": c.details["pieces"], "measured": c.measured} for n, c in zip(ns, certs)]
    return Evidence(holds=ok, metrics={"max_n": ns[-1], "gap": gap_row("sawtooth n=3", cert.measured, trained, cert.units)}, table=table)
