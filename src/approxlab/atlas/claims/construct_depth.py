"""Atlas claim: Yarotsky's x² and products by depth against one hidden layer (seed 003)."""

from __future__ import annotations

import math

from approxlab.atlas import Evidence, claim
from approxlab.atlas.claims.construct_training import gap_row, trained_twin
from approxlab.construct.yarotsky import shallow_square, square_error, square_target, yarotsky_product, yarotsky_square
from approxlab.figures.construct import construction_figure, error_curves


@claim(
    id="construct.yarotsky",
    statement="f_m(x) = x − Σ_{s≤m} g_s(x)/2^{2s} has sup error 2^{−2m−2} on [0,1] with depth m+1 and width ≤ 4, "
              "so ε needs depth O(log 1/ε) at constant width, while one hidden layer needs width of order ε^{−1/2}.",
    source="seed 003, 'Width vs depth' (Yarotsky 2017)",
    threshold="|measured − 2^(−2m−2)| ≤ 1e-12 (exact interpolation, float64) and depth = m+1 for every m; "
              "product error ≤ 3·2^(−2m−2) (three squares)",
)
def yarotsky_claim(ctx):
    ms = list(range(1, ctx.pick(11, 16)))
    deep = [yarotsky_square(m)[1] for m in ms]
    prod = [yarotsky_product(m)[1] for m in ms[: ctx.pick(6, 8)]]
    shallow = [shallow_square(2**m)[1] for m in ms[: ctx.pick(10, 14)]]
    ok = all(abs(c.measured - square_error(m)) <= 1e-12 and c.depth == m + 1 for c, m in zip(deep, ms))
    ok &= all(c.holds for c in prod) and all(c.holds for c in shallow)
    ctx.figure(error_curves(
        {"deep (Yarotsky, width 3)": ([c.params for c in deep], [c.measured for c in deep]),
         "shallow (one hidden layer)": ([c.params for c in shallow], [c.measured for c in shallow])},
        "parameters", "x² on [0,1]: sup error against parameters",
        {"deep (Yarotsky, width 3)": ([c.params for c in deep], [c.bound for c in deep]),
         "shallow (one hidden layer)": ([c.params for c in shallow], [c.bound for c in shallow])}),
        "error_vs_params", "Depth reaches 2^(−2m−2) with 12m − 2 parameters; one hidden layer needs about 3·2^m.")
    m = 4
    net, cert = yarotsky_square(m)
    g = square_target()
    twin, trained = trained_twin(net, g, "relu", ctx.pick(3000, 10000), ctx.seed)
    ctx.figure(construction_figure(net, g, g.domain, f"Yarotsky f_{m} (depth {m + 1}, width 3) vs the same architecture trained", twin),
               "yarotsky", "The proof's weights and the hidden units' outputs, with a trained net of the same shape.")
    table = [{"m": m, "depth": c.depth, "units": c.units, "params": c.params, "measured": c.measured, "bound": c.bound} for m, c in zip(ms, deep)]
    eps = 1e-6
    return Evidence(holds=ok, metrics={
        "depth_for_1e-6": math.ceil((math.log2(1 / eps) - 2) / 2) + 1, "shallow_units_for_1e-6": math.ceil(1 / (2 * math.sqrt(eps))),
        "gap": gap_row(f"yarotsky m={m}", cert.measured, trained, cert.units),
        "product_worst_ratio": max(c.measured / c.bound for c in prod)}, table=table)
