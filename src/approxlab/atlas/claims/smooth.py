"""Seed 000: the anatomy of smooth two-layer nets (Huang 2025, arXiv 2507.14177), ReLU beside."""

from __future__ import annotations

import numpy as np
import torch

from approxlab.atlas.claims.construct_training import cached_best_of, protocol
from approxlab.atlas.registry import Context, Evidence, claim
from approxlab.baseline import best_of
from approxlab.figures.smooth import anatomy_figure
from approxlab.fit import fit, sup_error
from approxlab.nets import mlp
from approxlab.smooth import anatomy, construct, reconstruct
from approxlab.smooth.anatomy import unit_grid
from approxlab.smooth.continuity import continuity
from approxlab.smooth.deterministic import units_needed
from approxlab.smooth.knots import interlaced_points, knot_order, match_knots, step_limit
from approxlab.smooth.reconstruct import random_knots
from approxlab.smooth.zero_error import ignore_local
from approxlab.targets import grid, target

SOURCE = "seed 000 (C. Huang, 'Understanding Two-Layer Neural Networks with Smooth Activation Functions', 2025)"
TARGETS_1D = {
    "x²": "x**2",
    "sin(2πx)": "sin(2*pi*x)",
    "bump": "exp(-10*x**2)",
    "smoothed step": "tanh(8*x)",
}
TARGETS_2D = ("paraboloid", "saddle", "gaussian")


def _target(name: str):
    return target(TARGETS_1D[name], domain=(-1, 1)) if name in TARGETS_1D else target(name)


def _trained(f, width: int, activation: str, seed: int, ctx: Context, steps: int | None = None):
    """Adam (lr 0.1) on ``f``; kept between atlas runs by ``ctx.cached`` (training is most of these claims' time)."""
    steps = steps or ctx.pick(quick=3000, full=8000)

    def train():
        net = mlp(f.dim, [width], activation=activation, seed=seed)
        fit(net, f, steps=steps, lr=0.1, seed=seed, n_train=ctx.pick(quick=500, full=2000))
        return net

    return ctx.cached(f"{f.name} width={width} {activation} seed={seed} steps={steps}", train)


def _scale(f) -> float:
    y = np.asarray(f(grid(f.domain, 101 if f.dim == 1 else 41)))
    return float(y.max() - y.min())


FIGURED = ("bump", "saddle")  # the targets whose anatomy the atlas draws, sigmoid and ReLU


def _cases(ctx: Context):
    """(name, target, activation) over the profile's 1D and 2D targets, sigmoid with ReLU beside (quick: ReLU only
    for the drawn targets — the ReLU rows are a self-check, reported, never judged)."""
    for name in list(TARGETS_1D) + list(ctx.pick(quick=TARGETS_2D[:2], full=TARGETS_2D)):
        f = _target(name)
        for act in ("sigmoid", "relu"):
            if act == "sigmoid" or ctx.profile == "full" or name in FIGURED:
                yield name, f, act


@claim(
    id="smooth.reconstruction",
    statement="A back-propagation solution is explained by its knots: rebuilding the sigmoid net from its knot "
    "hyperplanes and local/global split alone (output weights by least squares) reproduces it better than the "
    "same number of randomly placed knots with least-squares output weights do.",
    source=SOURCE,
    threshold="for every sigmoid row, max|N' − N| of the knot rebuild < the 10th percentile of the same error over "
    "random-knot controls (same units, same steepness, knots uniform in the box; 20 draws quick, 50 full): the "
    "rebuild beats ≥ 90 % of random placements. ReLU rebuilds are exact by positive homogeneity — a self-check, "
    "reported, not judged",
    falsifiable_by="a sigmoid net whose knot rebuild is no better than random knots (e.g. the knots of a different "
    "net, or of the same net with its units' knots shuffled)",
)
def reconstruction(ctx: Context) -> Evidence:
    width = ctx.pick(quick=8, full=12)
    draws = ctx.pick(quick=20, full=50)
    table, relu_worst = [], 0.0
    for name, f, act in _cases(ctx):
        net = _trained(f, width, act, 0, ctx)
        A = anatomy(net, f.domain)
        R = reconstruct(A)
        row = {
            "target": name,
            "activation": act,
            "net vs target": sup_error(net, f),
            "rebuilt vs net": R.error,
            "relative": R.error / _scale(f),
            "local": int(A.local.sum()),
            "global": int((~A.local).sum()),
        }
        if act == "sigmoid":
            control = [random_knots(A, seed=s).error for s in range(draws)]
            row |= {
                "random knots p10": float(np.percentile(control, 10)),
                "random knots median": float(np.median(control)),
                "beats random (fraction)": float(np.mean(np.asarray(control) > R.error)),
            }
        else:
            relu_worst = max(relu_worst, row["relative"])
        table.append(row)
        if name in FIGURED:
            caption = f"Anatomy of a trained {act} net on {name}: knots, local/global units"
            ctx.figure(
                anatomy_figure(A),
                f"anatomy_{name}_{act}",
                caption + (", Taylor pieces" if f.dim == 1 else ""),
            )
    return Evidence(
        holds=judge_reconstruction(table),
        metrics={
            "worst beats-random fraction (sigmoid)": min(
                r["beats random (fraction)"] for r in table if r["activation"] == "sigmoid"
            ),
            "self-check: worst relative (relu)": relu_worst,
            "draws": draws,
        },
        table=table,
        notes="Recorded quick profile (2026-11-23): the knot rebuild beats ≥ 90 % of random placements on "
        "the 2D targets and the smoothed step, but not on x² (40 %), sin 2πx (65 %) or the bump (80 %): "
        "with 8 sigmoid units of one steepness, least squares fits a smooth 1D net about as well from "
        "random knots, so there the knots do not single out the solution. The earlier 10 % threshold "
        "was met by random knots too (72–100 % of draws).",
    )


def judge_reconstruction(table: list[dict]) -> bool:
    """Every sigmoid knot rebuild below the 10th percentile of its random-knot control."""
    return all(
        r["rebuilt vs net"] < r["random knots p10"] for r in table if r["activation"] == "sigmoid"
    )


@claim(
    id="smooth.deterministic",
    statement="Knots placed by rule (no gradient descent) with a least-squares output layer reach an error "
    "within a factor 2 of the best back-propagation solution with the same number of units, trained by the "
    "fair protocol (several inits, learning rate from a grid, Adam then L-BFGS); sigmoid units, ReLU reported beside.",
    source=SOURCE,
    threshold="sup error (deterministic) ≤ 2 × sup error (best back-propagation run of approxlab.baseline.best_of) "
    "for every sigmoid row (the factor 2 is the claim's own tolerance, fixed before measuring)",
    falsifiable_by="a sigmoid row where the fair back-propagation baseline is more than 2× better than the "
    "rule-placed knots",
)
def deterministic(ctx: Context) -> Evidence:
    width = ctx.pick(quick=8, full=12)
    table = []
    # quick: the 1D sigmoid rows the verdict judges; full adds 2D and ReLU beside
    cases = [
        (n, f, a)
        for n, f, a in _cases(ctx)
        if ctx.profile == "full" or (f.dim == 1 and a == "sigmoid")
    ]
    for name, f, act in cases:
        b = cached_best_of(
            ctx,
            f"{f.name} width={width} {act}",
            lambda f=f, act=act: best_of(
                lambda s: mlp(f.dim, [width], activation=act, seed=s), f, **protocol(ctx), seed=0
            ),
        )
        det = construct(f, width, act)
        det_err = sup_error(det, f)
        row = {
            "target": name,
            "activation": act,
            "deterministic": det_err,
            "back-propagation (best)": b.error,
            "back-propagation median": b.spread["median"],
            "back-propagation worst": b.spread["max"],
            "ratio": det_err / b.error,
        }
        A_det, A_bp = anatomy(det, f.domain), anatomy(b.net, f.domain)
        row["local/global (deterministic)"] = (
            f"{int(A_det.local.sum())}/{int((~A_det.local).sum())}"
        )
        row["local/global (back-propagation)"] = (
            f"{int(A_bp.local.sum())}/{int((~A_bp.local).sum())}"
        )
        if f.dim == 1:
            pairs, dist = match_knots(A_det.knots, A_bp.knots, *f.domain[0])
            row["matched knots in domain"] = len(pairs)
            row["median knot distance"] = float(np.median(dist)) if len(dist) else None
        table.append(row)
    holds, worst = judge_deterministic(table)
    beaten = [
        f"{r['target']} ({r['ratio']:.3g}×)"
        for r in table
        if r["activation"] == "sigmoid" and r["ratio"] > 2.0
    ]
    needed = {
        f"units for error 0.01, {name}, {act}": units_needed(_target(name), 0.01, act)
        for name in ("x²", "bump")
        for act in ("sigmoid", "relu")
    }
    return Evidence(
        holds=holds,
        metrics={"worst sigmoid ratio": worst, "factor": 2.0, **needed},
        table=table,
        notes="ratio = deterministic / best back-propagation sup error; ratio < 1: the rule-placed knots "
        "beat back-propagation. Against the fair baseline the rule loses by more than 2× on: "
        + (", ".join(beaten) or "none")
        + ". What the construction does achieve: a net with no training at all whose error is "
        "reported beside the baseline's best, median and worst run, and the unit counts it needs for "
        "error 0.01 (metrics). Knots are matched to the best back-propagation run by the Hungarian "
        "method on |t_det − t_bp|.",
    )


def judge_deterministic(table: list[dict]) -> tuple[bool, float]:
    """(holds, worst ratio): every sigmoid row's deterministic/back-propagation ratio ≤ 2."""
    worst = max(r["ratio"] for r in table if r["activation"] == "sigmoid")
    return worst <= 2.0, worst


@claim(
    id="smooth.local_global",
    statement="Hidden units split into local units, which can be ignored beyond their zero-error points, "
    "and global units: replacing every local unit by its asymptote beyond its zero-error hyperplanes "
    "changes the net by at most the tolerance per unit; ReLU units are ignored exactly beyond their kinks.",
    source=SOURCE,
    threshold="max change ≤ tol × (number of local units), tol = 1e-3 (follows from the definition of "
    "the zero-error point; the count of local and global units is reported, not thresholded)",
    falsifiable_by="definition, not a finding: it checks the implementation of ignore_local against the definition of "
    "the zero-error point, and fails for an implementation that replaces a unit before its zero-error point (e.g. "
    "hyperplanes computed for a 10× larger tolerance)",
)
def local_global(ctx: Context) -> Evidence:
    tol, width = 1e-3, ctx.pick(quick=8, full=12)
    # the check holds or fails for any net with local units, converged or not: quick trains 1000 steps, not 3000
    steps = ctx.pick(quick=1000, full=8000)
    table = []
    for name in list(TARGETS_1D) + ["saddle"]:
        f = _target(name)
        for act, net in (
            ("sigmoid", _trained(f, width, "sigmoid", 0, ctx, steps)),
            ("sigmoid (deterministic)", construct(f, width, "sigmoid")),
            ("relu", _trained(f, width, "relu", 0, ctx, steps)),
        ):
            A = anatomy(net, f.domain, tol=tol)
            X, parts, _ = unit_grid(A)
            pruned = ignore_local(A.net, X, tol, A.local)
            change = float(np.max(np.abs(pruned.sum(1) - parts.sum(1))))
            bound = tol * max(int(A.local.sum()), 1)
            table.append(
                {
                    "target": name,
                    "net": act,
                    "local": int(A.local.sum()),
                    "global": int((~A.local).sum()),
                    "max change": change,
                    "bound": bound,
                }
            )
    return Evidence(
        holds=judge_local_global(table),
        metrics={"tol": tol},
        table=table,
        notes="A definition checked, not an empirical finding: the measured changes sit on the tolerance "
        "that defines the zero-error points.",
    )


def judge_local_global(table: list[dict]) -> bool:
    """Every max change within tol × (local units)."""
    return all(r["max change"] <= r["bound"] for r in table)


HARMONIC = {"saddle": True, "paraboloid": False, "gaussian": False}


@claim(
    id="smooth.continuity",
    statement="Smooth-continuity restriction, as it survives measurement: a sigmoid net trained only on the boundary of "
    "the square recovers the interior of a harmonic target (the saddle x1² − x2², whose boundary values determine it) "
    "— interior error well below the target's spread inside — and does not recover non-harmonic targets "
    "(paraboloid, Gaussian): the restriction fixes a smooth interpolant, not the target.",
    source=SOURCE,
    threshold="interior RMSE of the boundary-trained sigmoid net ≤ 0.5 × std of the target inside for the harmonic "
    "saddle, and > 0.5 × std for every non-harmonic target (the claim's 'well below the spread', fixed before "
    "measuring); ReLU reported",
    falsifiable_by="the saddle's boundary-trained net missing the interior (boundary/std > 0.5), or a non-harmonic "
    "target recovered from its boundary (boundary/std ≤ 0.5)",
)
def smooth_continuity(ctx: Context) -> Evidence:
    table = []
    for name in ctx.pick(quick=("saddle", "paraboloid"), full=TARGETS_2D):
        f = target(name)
        inner = grid([(-0.8, 0.8), (-0.8, 0.8)], 41)
        spread = float(np.std(np.asarray(f(inner))))
        for act in ("sigmoid", "relu"):
            row = continuity(f, act, steps=ctx.pick(quick=1000, full=4000), lr=0.05)
            table.append(
                {
                    "target": name,
                    "harmonic": HARMONIC[name],
                    "activation": act,
                    "boundary-trained RMSE": row.boundary_rmse,
                    "interior-trained RMSE": row.interior_rmse,
                    "target std inside": spread,
                    "boundary / std": row.boundary_rmse / spread,
                }
            )
    return Evidence(
        holds=judge_continuity(table),
        metrics={"rows": len(table)},
        table=table,
        notes="Recorded quick profile (1000 steps): saddle sigmoid boundary/std 0.046 (ReLU 0.72); paraboloid "
        "1.55. Full profile (4000 steps, 2026-11-23) FAILS: the paraboloid's boundary-trained sigmoid net "
        "reaches 0.30 × std inside (saddle 0.053, Gaussian 3.26), so the non-harmonic half of the claim "
        "holds in quick only because its training is short.",
    )


def judge_continuity(table: list[dict]) -> bool:
    """Sigmoid rows: harmonic targets ≤ 0.5 std, non-harmonic > 0.5 std."""
    rows = [r for r in table if r["activation"] == "sigmoid"]
    return all((r["boundary / std"] <= 0.5) == r["harmonic"] for r in rows)


@claim(
    id="smooth.knot_order",
    statement="Strict partial order of knots: m sigmoid units whose knots are strictly ordered along a direction u "
    "(all rising along u) interpolate any m values at points interlaced with the knots, and the output weights are "
    "found one after another — as the units steepen their activation matrix Φ tends to the unit lower-triangular step "
    "matrix L, so a → L⁻¹y, the first differences of the data (each unit adds the jump at its knot). Two units sharing "
    "a knot (an order that is not strict) lose this.",
    source=SOURCE + "; the principle 'strict partial order of knots'",
    threshold="per row with E = Φ − L and ‖·‖ the max-row-sum norm: L is the unit lower-triangular matrix (measured "
    "from the signs of the pre-activations), and wherever ‖L⁻¹‖‖E‖ < 1 (Neumann series): ‖Φ⁻¹‖ ≤ ‖L⁻¹‖/(1 − ‖L⁻¹‖‖E‖), "
    "‖a − L⁻¹y‖ ≤ ‖Φ⁻¹‖‖E‖‖L⁻¹y‖ and the interpolation residual max|Φa − y| ≤ 1e-9 max|y| (float64 solve); "
    "control: with one knot duplicated, Φ has rank < m",
    falsifiable_by="an order that is not strict judged as strict (L then not unit lower-triangular), a Φ⁻¹ above the "
    "Neumann bound, weights away from the first differences beyond the bound, or the shared-knot control keeping full rank",
)
def knot_order_claim(ctx: Context) -> Evidence:
    rng = np.random.default_rng(ctx.seed)
    table = []
    for m in ctx.pick(quick=(4, 8, 16), full=(4, 8, 16, 32, 64)):
        y = rng.standard_normal(m)
        for dim in (1, 2):
            for sharp in (1.0, 2.0, 4.0, 8.0):
                t, u = ordered_units(m, sharp, dim, seed=ctx.seed + m)
                table.append(
                    {"units": m, "dim": dim, "w·δ": sharp, "knots": "strict", **order_row(t, u, y)}
                )
            t, u = ordered_units(m, 4.0, dim, seed=ctx.seed + m, shared=True)
            table.append(
                {"units": m, "dim": dim, "w·δ": 4.0, "knots": "one shared", **order_row(t, u, y)}
            )
    return Evidence(
        holds=judge_knot_order(table),
        table=table,
        metrics={
            "rows judged by the Neumann bound": sum(
                r["bound applies"] for r in table if r["knots"] == "strict"
            ),
            "largest ‖Φ⁻¹‖ / bound": max(
                r["‖Φ⁻¹‖"] / r["bound ‖Φ⁻¹‖"]
                for r in table
                if r["knots"] == "strict" and r["bound applies"]
            ),
        },
        notes="w·δ is the steepness times half the knot gap; at w·δ = 1 the Neumann premise fails (reported, "
        "not judged) although Φ is still invertible. In 2D the knot lines are oblique to u; along u they "
        "behave as the 1D knots. With a shared knot the two units' columns coincide.",
    )


def ordered_units(m: int, sharp: float, dim: int, seed: int = 0, shared: bool = False):
    """(TwoLayer, u): m sigmoid units with knots equally spaced on [−1, 1] along u (half-gap δ), steepness w = sharp/δ
    along u; in 2D the knot lines have random normals n_j with n_j·u > 0. ``shared`` puts knot 2 on knot 1."""
    from approxlab.construct.layers import linear
    from approxlab.units import two_layer

    rng = np.random.default_rng(seed)
    offsets = np.linspace(-1.0, 1.0, m)
    if shared:
        offsets[1] = offsets[0]
    w = sharp / (1.0 / max(m - 1, 1))
    if dim == 1:
        u, W = np.array([1.0]), np.full((m, 1), w)
    else:
        u = np.array([np.cos(0.3), np.sin(0.3)])
        angles = 0.3 + rng.uniform(
            -1.2, 1.2, m
        )  # normals within 69° of u: every unit rises along u
        normals = np.stack([np.cos(angles), np.sin(angles)], axis=1)
        W = normals * (w / (normals @ u))[:, None]
    net = torch.nn.Sequential(
        linear(W, -w * offsets), torch.nn.Sigmoid(), linear(np.ones((1, m)), np.zeros(1))
    ).double()
    return two_layer(net), u


def order_row(t, u: np.ndarray, y: np.ndarray) -> dict:
    """Φ, L at the interlaced points, in knot order along u; the Neumann bounds and the interpolation (module docstring)."""
    order = knot_order(t, u)
    X = interlaced_points(t, u)
    Phi, L = t.activations(X)[:, order], step_limit(t, X)[:, order]
    e = _row_sum_norm(Phi - L)
    strict = bool(np.array_equal(L, np.tril(np.ones_like(L))))
    L_inv = _row_sum_norm(np.linalg.inv(L)) if strict else None
    applies = strict and L_inv * e < 1
    rank = int(np.linalg.matrix_rank(Phi))
    row = {
        "L unit lower-triangular": strict,
        "‖E‖": e,
        "‖L⁻¹‖": L_inv,
        "bound applies": bool(applies),
        "rank Φ": rank,
        "max|y|": float(np.max(np.abs(y))),
        "‖Φ⁻¹‖": None,
        "residual": None,
        "‖a − L⁻¹y‖": None,
    }
    if rank == len(y):
        a = np.linalg.solve(Phi, y)
        row |= {
            "‖Φ⁻¹‖": _row_sum_norm(np.linalg.inv(Phi)),
            "residual": float(np.max(np.abs(Phi @ a - y))),
        }
        if strict:
            a0 = np.linalg.solve(L, y)  # the first differences of y
            row["‖a − L⁻¹y‖"] = float(np.max(np.abs(a - a0)))
    if applies:
        row |= {
            "bound ‖Φ⁻¹‖": L_inv / (1 - L_inv * e),
            "bound ‖a − L⁻¹y‖": row["‖Φ⁻¹‖"] * e * float(np.max(np.abs(np.linalg.solve(L, y)))),
        }
    return row


def _row_sum_norm(A: np.ndarray) -> float:
    return float(np.abs(A).sum(axis=1).max())


def judge_knot_order(table: list[dict]) -> bool:
    """Strict rows: L unit lower-triangular; where the Neumann premise holds, ‖Φ⁻¹‖ and ‖a − L⁻¹y‖ within their
    bounds and the interpolation exact to 1e-9; shared-knot rows: rank Φ < m."""
    slack = 1 + 1e-9  # float64 round-off in the norms
    ok = True
    for r in table:
        if r["knots"] != "strict":
            ok &= r["rank Φ"] < r["units"]
            continue
        ok &= r["L unit lower-triangular"]
        if r["bound applies"]:
            ok &= (
                r["‖Φ⁻¹‖"] <= r["bound ‖Φ⁻¹‖"] * slack
                and r["‖a − L⁻¹y‖"] <= r["bound ‖a − L⁻¹y‖"] * slack
            )
            ok &= r["residual"] <= 1e-9 * r["max|y|"]
    return bool(ok)
