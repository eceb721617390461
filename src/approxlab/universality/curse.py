"""The curse of dimensionality for one hidden layer, and the Barron class that escapes it (seed 003, remark
after Hornik's theorem: "m ~ O(1/ε^d) implies the curse of dimensionality"; 'Barron's theorem').

**Setting.** Inputs uniform in the unit ball B^d (Barron's theorem is stated on a ball of radius r; r = 1
keeps his bound free of d). The model is F_{σ,d,n} = {x ↦ aᵀσ(Wx − b) + c} with σ = ReLU, n random units
(w uniform on the sphere, b uniform in [−1, 1]: every unit bends inside the ball) and least-squares output
weights (a, c) on ``n_train`` seeded points, float64; the error is the RMS over fresh test points, best of
several seeds of the units.

**Lipschitz target: a multiscale random field** (:func:`lipschitz_field`). Octave k = 0 … K − 1 is the
multilinear interpolant of i.i.d. U[−1, 1] values on the lattice of spacing 2^{−k} over [−1, 1]^d, scaled by
2^{−(k+1)}; each octave has partial slopes ≤ 1, so the field is ρ-Lipschitz with ρ ≤ K√d. Every octave
carries the same slope, as a generic Lipschitz function does: n units resolve about n^{1/d} cells per axis,
the octaves finer than that are left, and the error is ≈ 2^{−k} with 2^{kd} ≈ n, i.e.

    err(n) ≈ n^{−1/d}      — units ~ ε^{−d}: the curse (the L² n-width of the Lipschitz ball).

The cone ‖x‖ is Lipschitz too but not generic: smooth off the origin, it escaped the curse here (measured
exponent 0.63 at d = 6, see docs/qsa.md), so it cannot show the lower rate.

**Barron target: the Gaussian bump** f(x) = exp(−‖x‖²/(2s²)). With f(x) = ∫ e^{iω·x} f̂(ω) dω, f̂ is the
N(0, s^{−2} I_d) density, so C_f = ∫ ‖ω‖ |f̂(ω)| dω = E‖Z‖/s = √2 Γ((d+1)/2)/(Γ(d/2) s)
(:func:`bump_barron_constant`). Barron (1993): n units reach ‖f − f_n‖_{L²(μ)} ≤ 2 r C_f/√n on the r-ball,

    err(n)/C_f ≤ 2/√n      — a rate n^{−1/2} whatever d.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from approxlab import arguments
from approxlab.construct.barron import ball_sample, barron_constant
from approxlab.errors import require
from approxlab.scaling import fit_power_law

TARGETS = ("lipschitz", "barron")
BUMP_WIDTH = (
    0.5  # s: the bump is a feature inside the ball (e^{−2} at its edge), not a near-constant
)
MAX_D = 8  # the field's lattice tables hold about 2^20 · 2^d values per octave
UNITS_EPS = {
    "lipschitz": 0.1,
    "barron": 0.003,
}  # the fixed ε of "units needed": RMS/std f, and err/C_f


def octaves(d: int) -> int:
    """K = ⌊20/d⌋ (at least 1): the finest octave has 2^{Kd} ≈ 10⁶ cells, far more than the units tried.

    >>> [octaves(d) for d in (1, 2, 3, 6)]
    [20, 10, 6, 3]
    """
    return max(1, 20 // d)


def lipschitz_field(d: int, seed: int = 0) -> Callable[[np.ndarray], np.ndarray]:
    """f(x) = Σ_{k<K} 2^{−(k+1)} I_k(x): I_k the multilinear interpolant of seeded U[−1, 1] values on the lattice
    of spacing 2^{−k} over [−1, 1]^d, K = :func:`octaves`; ρ-Lipschitz with ρ ≤ K√d (module docstring), float64.

    >>> f = lipschitz_field(2, seed=0)
    >>> f(np.zeros((3, 2))).shape
    (3,)
    """
    arguments.count("d", d, MAX_D)
    rng = np.random.default_rng(seed)
    tables = [rng.uniform(-1.0, 1.0, (2 ** (k + 1) + 1,) * d) for k in range(octaves(d))]
    corners = (np.arange(2**d)[:, None] >> np.arange(d)) & 1

    def field(X: np.ndarray) -> np.ndarray:
        u = (np.asarray(X, dtype=np.float64) + 1.0) / 2.0
        out = np.zeros(len(u))
        for k, table in enumerate(tables):
            cells = 2 ** (k + 1)
            y = np.clip(u, 0.0, 1.0) * cells
            base = np.minimum(np.floor(y).astype(np.int64), cells - 1)
            t = y - base
            for c in corners:
                weight = np.prod(np.where(c, t, 1.0 - t), axis=1)
                out += 2.0 ** -(k + 1) * weight * table[tuple((base + c).T)]
        return out

    return field


def gaussian_bump(X: np.ndarray, s: float = BUMP_WIDTH) -> np.ndarray:
    """exp(−‖x‖²/(2s²)), float64.

    >>> float(gaussian_bump(np.zeros((1, 4)))[0])
    1.0
    """
    return np.exp(-np.sum(np.asarray(X, dtype=np.float64) ** 2, axis=1) / (2 * s**2))


def bump_barron_constant(d: int, s: float = BUMP_WIDTH) -> float:
    """C_f = √2 Γ((d+1)/2)/(Γ(d/2) s) for exp(−‖x‖²/(2s²)): the σ = 1 constant of
    :func:`approxlab.construct.barron.barron_constant` over s (f̂ is the N(0, s^{−2}I) density).

    >>> round(bump_barron_constant(1, 0.5), 6)  # 2√(2/π)
    1.595769
    """
    arguments.positive("s", s)
    return barron_constant(d) / s


def target(name: str, d: int, seed: int = 0) -> Callable[[np.ndarray], np.ndarray]:
    """The study's targets by name: "lipschitz" (:func:`lipschitz_field`) or "barron" (:func:`gaussian_bump`).

    >>> float(target("barron", 3)(np.zeros((1, 3)))[0])
    1.0
    """
    from approxlab.errors import choose

    choose("target", name, TARGETS)
    return lipschitz_field(d, seed) if name == "lipschitz" else gaussian_bump


def random_relu_error(
    X: np.ndarray,
    y: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    n: int,
    seed: int,
) -> float:
    """RMS test error of x ↦ aᵀReLU(Wx − b) + c with n seeded random units (w on the sphere, b ~ U[−1, 1]) and
    (a, c) the least-squares fit to (X, y).

    >>> X = ball_sample(2, 400, seed=1); Xt = ball_sample(2, 200, seed=2)
    >>> e = random_relu_error(X, gaussian_bump(X), Xt, gaussian_bump(Xt), 64, 0)
    >>> bool(e < 0.05)
    True
    """
    d = X.shape[1]
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((n, d))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    b = rng.uniform(-1.0, 1.0, n)

    def features(Z: np.ndarray) -> np.ndarray:
        return np.hstack([np.maximum(Z @ W.T - b, 0.0), np.ones((len(Z), 1))])

    a = np.linalg.lstsq(features(X), y, rcond=None)[0]
    return float(np.sqrt(np.mean((features(X_test) @ a - y_test) ** 2)))


def rate_study(
    dims: Sequence[int],
    units: Sequence[int],
    *,
    seeds: int = 3,
    n_train: int = 4096,
    n_test: int = 2048,
    seed: int = 0,
    model: Callable[..., float] = random_relu_error,
    max_work: float = 2e12,
) -> dict:
    """Best-of-``seeds`` RMS error per (target, d, n), the fitted power law err ≈ C n^{−α} per (target, d)
    (:func:`approxlab.scaling.fit_power_law`), and the theory's exponents 1/d and 1/2.

    Each row has ``error`` (absolute RMS) and ``normalised``: error / C_f for the Barron target, error / std(f)
    for the Lipschitz one; the laws are fitted to ``normalised`` and ``laws`` maps "target d" to the fit's row. ``model`` replaces the random-feature fit (a test passes a broken one). A study
    whose least squares would take more than ``max_work`` multiply-adds (Σ n² · n_train per fit) is refused.

    >>> r = rate_study([1, 2], [8, 16, 32], seeds=1, n_train=256, n_test=128)
    >>> sorted(r["laws"])
    ['barron 1', 'barron 2', 'lipschitz 1', 'lipschitz 2']
    """
    dims = sorted(arguments.count("d", d, MAX_D) for d in dims)
    units = sorted(arguments.count("units", n, 100_000, low=2) for n in units)
    arguments.count("seeds", seeds, 100)
    require(
        len(set(units)) >= 2, "a rate needs two or more unit counts: pass e.g. --units 16,32,64"
    )
    require(
        n_train >= 2 * max(units),
        f"least squares with {max(units)} units needs at least {2 * max(units)} training points "
        f"(got {n_train}): raise --train or lower --units",
    )
    work = 2 * len(dims) * seeds * n_train * sum(n * n for n in units)
    require(
        work <= max_work,
        f"the study needs about {work:.2g} multiply-adds, above the budget {max_work:.2g}: "
        "pass fewer or smaller --units, fewer --d or --seeds, or a larger --budget",
    )
    rows, laws = [], {}
    for d in dims:
        X, X_test = ball_sample(d, n_train, seed=seed + 1), ball_sample(d, n_test, seed=seed + 2)
        for name in TARGETS:
            f = target(name, d, seed)
            y, y_test = f(X), f(X_test)
            # the field's amplitude shrinks with d (more cells average out), so it is judged relative to its spread
            scale = bump_barron_constant(d) if name == "barron" else float(np.std(y_test))
            errors = []
            for n in units:
                tried = [model(X, y, X_test, y_test, n, seed + s) for s in range(seeds)]
                errors.append(min(tried))
                rows.append(
                    {
                        "target": name,
                        "d": d,
                        "units": n,
                        "error": min(tried),
                        "normalised": min(tried) / scale,
                        "spread": [min(tried), float(np.median(tried)), max(tried)],
                    }
                )
            law = fit_power_law(units, [e / scale for e in errors], boot=200, seed=seed)
            laws[f"{name} {d}"] = {
                **law.row(),
                "theory": 1 / d if name == "lipschitz" else 0.5,
                "target": name,
                "d": d,
            }
    return {
        "dims": dims,
        "units": units,
        "seeds": seeds,
        "n_train": n_train,
        "n_test": n_test,
        "bump_width": BUMP_WIDTH,
        "rows": rows,
        "laws": laws,
    }


def units_for(law: dict, eps: float) -> float:
    """n at which the fitted C n^{−α} reaches ε: (C/ε)^{1/α} (∞ for α ≤ 0).

    >>> units_for({"C": 1.0, "alpha": 0.5}, 0.1)
    100.0
    """
    arguments.positive("eps", eps)
    return float((law["C"] / eps) ** (1 / law["alpha"])) if law["alpha"] > 0 else float("inf")


def judge(result: dict) -> dict[str, bool]:
    """The curse and its escape, as checks on :func:`rate_study`'s result.

    - ``lipschitz_like_1/d``: every d has d·α_L(d) in [½, 2] (theory: α = 1/d; a factor 2 for log factors and
      the finite range of n), and α_L falls as d grows;
    - ``barron_rate``: every d has α_B(d) ≥ ½ within its bootstrap interval (its upper end ≥ ½: Barron's rate is
      n^{−1/2} or better whatever d), and err/C_f ≤ 2/√n at every n (Barron's bound on the unit ball);
    - ``separation``: for d ≥ 3, α_B(d) > α_L(d) (for d ≥ 3, 1/d < ½).
    """
    laws = result["laws"]
    dims = result["dims"]
    lip = [laws[f"lipschitz {d}"]["alpha"] for d in dims]
    curse = all(0.5 <= d * a <= 2.0 for d, a in zip(dims, lip)) and all(
        a > b for a, b in zip(lip, lip[1:])
    )
    barron = all(laws[f"barron {d}"]["alpha_high"] >= 0.5 for d in dims) and all(
        r["normalised"] <= 2 / np.sqrt(r["units"])
        for r in result["rows"]
        if r["target"] == "barron"
    )
    separation = all(
        laws[f"barron {d}"]["alpha"] > laws[f"lipschitz {d}"]["alpha"] for d in dims if d >= 3
    )
    return {"lipschitz_like_1/d": curse, "barron_rate": barron, "separation": separation}
