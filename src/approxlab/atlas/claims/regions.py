"""Linear regions of ReLU nets, counted exactly (seeds 001, 002, 003; Telgarsky, Zaslavsky,
Montufar, Serra, Hanin & Rolnick)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from approxlab.atlas.claims.construct_training import protocol
from approxlab.atlas.registry import Context, Evidence, claim
from approxlab.baseline import best_of
from approxlab.construct.pwl import relu_interpolant
from approxlab.construct.sawtooth import sawtooth_net
from approxlab.figures import regions as figs
from approxlab.fit import fit, sup_error
from approxlab.nets import mlp
from approxlab.regions import partition
from approxlab.regions.bounds import montufar2014_lower, serra2018_upper, zaslavsky
from approxlab.regions.checks import check
from approxlab.targets import target


@claim(
    id="regions.telgarsky",
    statement="The tent map h(x) = 2σ(x) − 4σ(x − ½) composed n times has exactly 2^n linear pieces on [0, 1] "
    "using 2n ReLU units (n = 1 … 20), while a one-hidden-layer ReLU net needs at least 2^n − 1 units "
    "for as many pieces.",
    source="seed 003, 'Width vs depth' (Telgarsky 2016); seed 002 answer 2 (one breakpoint per unit)",
    threshold="exact equality: regions = linear pieces = 2^n for every n (counted by partition, not assumed); "
    "one hidden layer of m units has at most m + 1 pieces in 1D (Zaslavsky with d = 1), so m ≥ 2^n − 1: measured by "
    "partition on one-hidden-layer nets of each width — the sawtooth's interpolant (m = 2^n − 1 units, 2^n pieces) "
    "and fair-protocol trained nets (pieces ≤ m + 1)",
    falsifiable_by="a deep count other than 2^n, or a one-hidden-layer net with more than m + 1 measured pieces "
    "(e.g. a deep net passed off as shallow)",
)
def telgarsky(ctx: Context) -> Evidence:
    top = 20
    rows = []
    for n in range(1, top + 1):
        p = partition(sawtooth_net(n), (0.0, 1.0), max_regions=2**top + 1)
        rows.append(
            {
                "n": n,
                "deep units": 2 * n,
                "regions": p.count,
                "linear pieces": p.linear_pieces(),
                "seconds": round(p.seconds, 4),
            }
        )
    shallow = []
    for n in range(1, ctx.pick(quick=8, full=12) + 1):
        knots = np.arange(2**n + 1) / 2**n
        net = relu_interpolant(knots, (np.arange(2**n + 1) % 2).astype(float))
        shallow.append(
            {
                "net": f"interpolant of h^{n}",
                "units": net[0].out_features,
                "pieces": partition(net, (0.0, 1.0)).linear_pieces(),
                "target pieces": 2**n,
            }
        )
    g = target("sawtooth")
    for m in ctx.pick(quick=(3, 7), full=(3, 7, 15)):
        # the fair protocol is most of this claim's time: its best net is kept between atlas runs
        net = ctx.cached(
            f"best_of width={m}",
            lambda m=m: (
                best_of(lambda s: mlp(1, [m], seed=s), g, **protocol(ctx), seed=ctx.seed).net
            ),
        )
        shallow.append(
            {
                "net": f"trained (fair protocol) on {g.name}",
                "units": m,
                "pieces": partition(net, (0.0, 1.0)).linear_pieces(),
                "sup error": sup_error(net, g),
            }
        )
    exact = judge_telgarsky(rows, shallow)
    n_shallow = ctx.pick(quick=8, full=12)
    shallow_units = shallow[n_shallow - 1]["units"]
    shallow_pieces = shallow[n_shallow - 1]["pieces"]

    ctx.figure(
        figs.breakpoints_1d(
            partition(sawtooth_net(4), (0.0, 1.0)), title="h∘h∘h∘h: 16 pieces from 8 ReLU units"
        ),
        "sawtooth_4",
        "The sawtooth h^{∘4}: every breakpoint found by the exact partition, coloured by layer",
    )
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    ns = np.array([r["n"] for r in rows])
    ax.semilogy(
        2 * ns, [r["regions"] for r in rows], "o-", label="deep: h composed n times (measured)"
    )
    ax.semilogy(
        2 * ns, 2 * ns + 1, "s--", label="one hidden layer with the same units: ≤ units + 1"
    )
    ax.set_xlabel("ReLU units")
    ax.set_ylabel("linear pieces on [0, 1]")
    ax.legend()
    ax.set_title("Depth buys exponentially many pieces")
    ctx.figure(
        fig,
        "pieces_vs_units",
        "Pieces per unit: 2^n from 2n units (deep) against units + 1 (shallow)",
    )
    return Evidence(
        holds=bool(exact),
        metrics={
            "n_max": top,
            "regions_at_n_max": rows[-1]["regions"],
            "seconds_at_n_max": rows[-1]["seconds"],
            "shallow_n": n_shallow,
            "shallow_units": shallow_units,
            "shallow_pieces": shallow_pieces,
        },
        table=rows + shallow,
        notes=f"The one-hidden-layer interpolant of the sawtooth for n = {n_shallow} uses {shallow_units} units "
        f"(one per breakpoint plus one) and has {shallow_pieces} pieces; the deep net needs {2 * n_shallow}.",
    )


def judge_telgarsky(deep: list[dict], shallow: list[dict]) -> bool:
    """Deep: regions = pieces = 2^n. Shallow: measured pieces ≤ units + 1, and the interpolants reach 2^n pieces."""
    ok = all(r["regions"] == r["linear pieces"] == 2 ** r["n"] for r in deep)
    ok &= all(r["pieces"] <= r["units"] + 1 for r in shallow)
    return ok and all(r["pieces"] == r["target pieces"] for r in shallow if "target pieces" in r)


def _intersections_box(w: np.ndarray, b: np.ndarray) -> float:
    """Half-width of a square holding every pairwise crossing of the lines w_i · x + b_i = 0."""
    i, j = np.triu_indices(len(w), 1)
    a = np.stack([w[i], w[j]], axis=1)
    pts = np.linalg.solve(a, -np.stack([b[i], b[j]], axis=1)[..., None])[..., 0]
    return float(np.abs(pts).max())


@claim(
    id="regions.zaslavsky",
    statement="A random one-hidden-layer ReLU net with n units on the plane has exactly 1 + n + C(n, 2) linear "
    "regions on a box that all n lines and all their crossings meet (general position).",
    source="seed 002 answer 2 (a depth-2 ReLU net is a hyperplane arrangement); Zaslavsky 1975",
    threshold="exact equality with Σ_{i≤2} C(n, i) = 1 + n + C(n, 2), the theorem's count",
    falsifiable_by="a random net in general position whose exact count differs from 1 + n + C(n, 2), or a partition failing its self-checks",
)
def zaslavsky_claim(ctx: Context) -> Evidence:
    rows = []
    shown = None
    for n in ctx.pick(quick=[5, 10, 20, 40, 80], full=[5, 10, 20, 40, 80, 160, 320]):
        for seed in range(ctx.pick(quick=2, full=5)):
            net = mlp(2, [n], seed=ctx.seed + seed)
            w, b = net[0].weight.detach().numpy(), net[0].bias.detach().numpy()
            half = 1.05 * _intersections_box(w, b)
            p = partition(net, [(-half, half), (-half, half)], max_regions=10 * zaslavsky(n, 2))
            rows.append(
                {
                    "n": n,
                    "seed": ctx.seed + seed,
                    "box half-width": round(half, 2),
                    "regions": p.count,
                    "1 + n + C(n,2)": zaslavsky(n, 2),
                    "self-checks": bool(check(p, net)["ok"]),
                    "seconds": round(p.seconds, 4),
                }
            )
            if n == 10 and seed == 0:
                shown = p
    fig, (whole, near) = plt.subplots(1, 2, figsize=(12, 5.8))
    figs.region_map(
        shown, level=None, title=f"10 ReLU lines: {shown.count} = 1 + 10 + 45 regions", ax=whole
    )
    figs.region_map(shown, level=None, title="the same arrangement near the origin", ax=near)
    near.set_xlim(-2, 2)
    near.set_ylim(-2, 2)
    ctx.figure(
        fig,
        "arrangement_10",
        "Ten random ReLU units: a line arrangement in general position; the box is "
        "chosen to hold every crossing (left), the right panel zooms in on [-2, 2]²",
    )
    return Evidence(
        holds=judge_zaslavsky(rows),
        metrics={
            "cases": len(rows),
            "largest_n": rows[-1]["n"],
            "largest_regions": rows[-1]["regions"],
        },
        table=rows,
    )


@claim(
    id="regions.depth_vs_width",
    statement="At an equal budget of N ReLU neurons on the plane, random nets (PyTorch default init) have "
    "about N² regions or fewer at every depth — not the exponentially many that deep nets can reach.",
    source="seed 001's answer (Montufar et al. 2014); Hanin & Rolnick 2019, 'Deep ReLU networks have "
    "surprisingly few activation patterns'; Serra et al. 2018",
    threshold="measured mean count ≤ 1 + N + C(N, 2) (the one-layer general-position count, Hanin & Rolnick's "
    "N^{n0}/n0! scale) for every depth, while Montufar 2014's lower bound on the maximum exceeds it",
    falsifiable_by="a depth whose mean region count exceeds 1 + N + C(N, 2) at an equal neuron budget",
)
def depth_vs_width(ctx: Context) -> Evidence:
    budgets = ctx.pick(quick=[24, 48, 96], full=[24, 48, 96, 192])
    depths = [1, 2, 3, 4, 6]
    seeds = ctx.pick(quick=3, full=8)
    rows = []
    means: dict[int, list[tuple[int, float]]] = {}
    for n in budgets:
        for depth in depths:
            widths = [n // depth] * depth
            counts = [
                partition(mlp(2, widths, seed=ctx.seed + s), [(-1, 1), (-1, 1)]).count
                for s in range(seeds)
            ]
            mean = float(np.mean(counts))
            shallow = zaslavsky(n, 2)
            lower_max = montufar2014_lower(2, widths) if min(widths) >= 2 else None
            means.setdefault(depth, []).append((n, mean))
            rows.append(
                {
                    "neurons": n,
                    "depth": depth,
                    "width": n // depth,
                    "mean regions": mean,
                    "min": min(counts),
                    "max": max(counts),
                    "1+N+C(N,2)": shallow,
                    "Montufar 2014 max ≥": lower_max,
                    "Serra 2018 max ≤": serra2018_upper(2, widths),
                }
            )
    exponents = {
        d: float(np.polyfit(np.log([m[0] for m in v]), np.log([m[1] for m in v]), 1)[0])
        for d, v in means.items()
    }
    fig, ax = plt.subplots(figsize=(6.8, 4.6))
    for depth, values in means.items():
        ax.loglog(*zip(*values), "o-", label=f"depth {depth} (slope {exponents[depth]:.2f})")
    ns = np.array(budgets, float)
    ax.loglog(ns, [zaslavsky(int(n), 2) for n in ns], "k--", label="1 + N + C(N,2) ≈ N²/2")
    ax.loglog(
        ns,
        [montufar2014_lower(2, [int(n) // 6] * 6) for n in ns],
        "r:",
        label="Montufar 2014 max (depth 6) ≥",
    )
    ax.set_xlabel("neurons N")
    ax.set_ylabel("regions in [-1, 1]²")
    ax.set_title("Equal neurons: random deep nets stay near N², far below the maximum")
    ax.legend(fontsize=8)
    ctx.figure(
        fig,
        "regions_vs_neurons",
        "Measured regions (mean over seeds) against the neuron budget, with the bounds",
    )
    biggest = budgets[-1]
    ctx.figure(
        figs.region_map(
            partition(mlp(2, [biggest // 3] * 3, seed=ctx.seed), [(-1, 1), (-1, 1)]),
            level=None,
            title=f"depth 3, {biggest} neurons",
        ),
        "map_depth3",
        f"A random depth-3 net with {biggest} neurons: edges coloured by layer",
    )
    return Evidence(
        holds=judge_depth_vs_width(rows),
        metrics={f"slope_depth_{d}": e for d, e in exponents.items()},
        table=rows,
        notes="Counts fall with depth at an equal budget for default-initialised nets; the fitted "
        "log-log slopes of regions against N are near 2 (Hanin & Rolnick's N^{n0} with n0 = 2).",
    )


def judge_zaslavsky(rows: list[dict]) -> bool:
    """Every exact count equals 1 + n + C(n, 2) and passes the partition's self-checks."""
    return all(r["regions"] == r["1 + n + C(n,2)"] and r["self-checks"] for r in rows)


def judge_depth_vs_width(rows: list[dict]) -> bool:
    """Every depth's mean count at most the one-layer general-position count 1 + N + C(N, 2)."""
    return all(r["mean regions"] <= r["1+N+C(N,2)"] for r in rows)


@claim(
    id="regions.paraboloid",
    statement="A deep ReLU net trained on f(x1, x2) = x1² + x2² + 3 is made of flat pieces: counted exactly, "
    "and on every piece the net is exactly affine.",
    source="seed 001's answer (ReLU networks approximate with linear regions; Montufar et al. 2014)",
    threshold="self-checks at float64 round-off: areas sum to 4 (relative 1e-9), V − E + F = 1, patterns constant "
    "inside each region, and the net equals its region's affine map to relative 1e-9 at interior points",
    falsifiable_by="a region whose areas, Euler characteristic, constant pattern or affine map fails the float64 self-checks (e.g. a partition that skips one neuron's bend)",
)
def paraboloid(ctx: Context) -> Evidence:
    f = target("paraboloid")
    net = mlp(2, [32, 32, 32], seed=ctx.seed)
    # lr 3e-3: at 1e-2 the deeper layers of such nets were measured to stop bending inside the square.
    result = fit(
        net, f, steps=ctx.pick(quick=1500, full=6000), optimizer="adam", lr=0.003, seed=ctx.seed
    )
    p = partition(net, f.domain)
    report = check(p, net, per_region=ctx.pick(quick=4, full=16), seed=ctx.seed)
    layers, edges = np.unique(p.edge_layers(), return_counts=True)
    ctx.figure(
        figs.region_map(
            p, level=4.0, title=f"trained 2→32→32→32→1 ReLU net: {p.count} regions; red: output = 4"
        ),
        "regions",
        "The trained net's linear regions over (x1, x2); red: the level set net = 4 (the circle r = 1)",
    )
    ctx.figure(
        figs.surface_3d(p, title="the trained net: a bowl made of flat pieces"),
        "surface",
        "The net's output over its regions (hover a piece for its pattern and affine map)",
    )
    return Evidence(
        holds=bool(report["ok"]),
        metrics={
            "regions": p.count,
            "test_rmse": result.test_rmse,
            "max_error": result.max_error,
            **{k: v for k, v in report.items() if k not in ("ok", "regions")},
            **{f"edges_layer_{int(li) + 1}": int(e) for li, e in zip(layers, edges) if li >= 0},
        },
        notes="The bowl's curvature is spread over the pieces; each piece is a plane A·x + c.",
    )


@claim(
    id="regions.digits_cnn",
    statement="A CNN (two 3×3 convolutions, ReLU, average pooling) trained on the 8×8 digits is affine on finitely "
    "many convex tiles of the plane through three training images: the exact partition tiles the triangle, each "
    "tile's affine map (from its activation pattern) reproduces the network's ten logits, and the decision "
    "boundary is made of straight segments, one per tile it crosses.",
    source="seed 003 (SplineCam: Humayun et al. 2023, exact regions on the plane through three images, tiles "
    "coloured by the slope norm); seed 002 answer 2 (a ReLU net is affine on each activation region)",
    threshold="every self-check passes; of a dense uniform sample of the triangle, 0 points in no tile or in two, "
    "and max |A_ω t + c_ω − net(x)| / max |net| ≤ 1e-9 (float64 round-off, measured ≤ 1e-15); every decision "
    "boundary segment has different predicted classes a hair to either side of its midpoint",
    falsifiable_by="a sample in no tile or in two, a tile whose affine map misses the CNN's logits by more than 1e-9 "
    "relative (e.g. a convolution or pooling layer read wrongly), or a boundary segment with one class on both sides",
)
def digits_cnn_claim(ctx: Context) -> Evidence:
    from approxlab.regions.checks import sampled
    from approxlab.regions.digits import digits_cnn, digits_slice

    classes = (0, 1, 7)
    net, x, y, accuracy = digits_cnn(seed=ctx.seed, epochs=ctx.pick(quick=15, full=40))
    piece = digits_slice(x, y, classes)
    p = partition(net, piece)
    report = check(p, net, seed=ctx.seed)
    dense = sampled(p, net, ctx.pick(quick=3000, full=20000), seed=ctx.seed)
    boundary = p.decision_boundary()
    separating = separating_segments(p, net, boundary)
    anchors = (x[[int(np.flatnonzero(y == c)[0]) for c in classes]] - piece.origin) @ piece.basis
    ctx.figure(
        figs.slope_map(
            p,
            anchors,
            [str(c) for c in classes],
            title=f"digits CNN: {p.count} tiles through images of 0, 1, 7",
        ),
        "slope_map",
        "The plane through three training digits: tiles coloured by ‖A_ω‖ (log), decision "
        "boundary in red (SplineCam's picture, computed exactly)",
    )
    return Evidence(
        holds=judge_digits_cnn(bool(report["ok"]), dense, len(boundary), separating),
        metrics={
            "regions": p.count,
            "held_out_accuracy": accuracy,
            "samples": dense["samples"],
            "misplaced": dense["misplaced"],
            "sample_relative_error": dense["relative_error"],
            "boundary_segments": len(boundary),
            "separating_segments": separating,
            **{k: v for k, v in report.items() if k not in ("ok", "regions")},
        },
        notes="The CNN is read as the affine maps its convolutions and pools are on the flattened image.",
    )


def separating_segments(p, net, boundary: np.ndarray) -> int:
    """How many decision-boundary segments have different predicted classes a hair (1e-7 of the
    domain's size) to either side of their midpoints, the torch module deciding."""
    import torch

    mid = boundary.mean(axis=1)
    d = boundary[:, 1] - boundary[:, 0]
    normal = np.stack([-d[:, 1], d[:, 0]], axis=1) / np.linalg.norm(d, axis=1, keepdims=True)
    step = 1e-7 * float(np.abs(p.polygon).max())
    with torch.no_grad():
        left, right = (
            net(torch.as_tensor(p.inputs(mid + s * step * normal))).argmax(1).numpy()
            for s in (1, -1)
        )
    return int((left != right).sum())


def judge_digits_cnn(checks_ok: bool, dense: dict, segments: int, separating: int) -> bool:
    """Self-checks pass, no sample outside a tile or in two, maps within 1e-9, every segment separating."""
    return bool(
        checks_ok
        and dense["misplaced"] == 0
        and dense["relative_error"] <= 1e-9
        and segments > 0
        and separating == segments
    )
