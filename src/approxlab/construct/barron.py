"""Barron's theorem by Maurey sampling (seed 003, "Barron's theorem"; Barron 1993).

Convention: f(x) = ∫ e^{iω·x} f̂(ω) dω. For the Gaussian f(x) = exp(−|x|²/2) in d
dimensions, f̂(ω) = (2π)^{−d/2} exp(−|ω|²/2) (the N(0, I_d) density), and Barron's
constant is C_f = ∫ |ω| |f̂(ω)| dω = E|Z| = √2 Γ((d+1)/2) / Γ(d/2).

Since f̂ is real and even, f(x) − f(0) = E_{ω∼q}[C_f (cos(ω·x) − 1)/|ω|] with
q(ω) ∝ |ω| |f̂(ω)|; each term is bounded by C_f |x| ≤ C_f r on the ball of radius r.
Averaging n independent draws (Maurey's lemma) gives

    E ‖f − f_n‖²_{L²(μ)} ≤ (2 r C_f)² / n      for any probability μ on the ball,

with no dependence on d. Cosine units use the terms as they are; step units write each
ridge profile φ(t) = C_f (cos(|ω|t) − 1)/|ω| on [−r, r] as 2r E_s[φ'(s) κ_s(t)] with
s ∼ U[−r, r] and κ_s a ±threshold at s, each term bounded by 2 r C_f.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from approxlab.construct.certificate import Certificate, certify
from approxlab.errors import choose, require
from approxlab.nets import Cos, Step

MAX_UNITS = 100_000
UNIT_KINDS = ("cos", "step")


def barron_constant(d: int) -> float:
    """C_f = E|Z| = √2 Γ((d+1)/2)/Γ(d/2) for f = exp(−|x|²/2) on R^d (convention above).

    >>> round(barron_constant(1), 6)  # E|Z| = √(2/π) in one dimension
    0.797885
    """
    return math.sqrt(2.0) * math.exp(math.lgamma((d + 1) / 2) - math.lgamma(d / 2))


def gaussian(X: np.ndarray) -> np.ndarray:
    """f(x) = exp(−|x|²/2), float64."""
    return np.exp(-0.5 * np.sum(np.asarray(X, dtype=np.float64) ** 2, axis=1))


def ball_sample(d: int, n: int, r: float = 1.0, seed: int = 0) -> np.ndarray:
    """``n`` points uniform in the d-ball of radius r (direction × r U^{1/d}), float64.

    >>> ball_sample(3, 5).shape
    (5, 3)
    """
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, d))
    z /= np.linalg.norm(z, axis=1, keepdims=True)
    return z * (r * rng.random(n) ** (1.0 / d))[:, None]


def _frequencies(d: int, n: int, rng: np.random.Generator) -> np.ndarray:
    # q(ω) ∝ |ω| e^{−|ω|²/2}: radial density ∝ ρ^d e^{−ρ²/2}, the χ distribution with d + 1 dof.
    u = rng.standard_normal((n, d))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    radius = np.linalg.norm(rng.standard_normal((n, d + 1)), axis=1)
    return u * radius[:, None]


def _two_layer(
    W: np.ndarray, b: np.ndarray, a: np.ndarray, c: float, act: nn.Module
) -> nn.Sequential:
    hidden = nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
    output = nn.Linear(W.shape[0], 1, dtype=torch.float64)
    with torch.no_grad():
        hidden.weight.copy_(torch.from_numpy(W))
        hidden.bias.copy_(torch.from_numpy(b))
        output.weight.copy_(torch.from_numpy(a).reshape(1, -1))
        output.bias.fill_(c)
    return nn.Sequential(hidden, act, output)


def l2_squared_error(
    net: nn.Module, d: int, r: float = 1.0, points: int = 4000, seed: int = 12345
) -> float:
    """Monte Carlo ‖net − f‖²_{L²(μ)}, μ uniform on the d-ball of radius r (``points`` seeded draws)."""
    X = ball_sample(d, points, r, seed)
    with torch.no_grad():
        out = net(torch.from_numpy(X)).numpy().ravel()
    return float(np.mean((out - gaussian(X)) ** 2))


def barron_gaussian(
    d: int, n: int, unit: str = "cos", r: float = 1.0, seed: int = 0, points: int = 4000
) -> tuple[nn.Sequential, Certificate]:
    """n Maurey-sampled ``unit`` units ("cos" or "step") for exp(−|x|²/2) on the d-ball (float64).

    The bound (2rC_f)²/n holds for the *expected* squared L² error over the sampling;
    one draw may exceed it (Markov: by a factor t with probability ≤ 1/t). The
    measured error is a Monte Carlo estimate from ``points`` uniform points in the ball.

    >>> net, cert = barron_gaussian(10, 200, seed=0)
    >>> cert.units, cert.holds
    (200, True)
    """
    require(
        isinstance(d, int) and d >= 1,
        f"the dimension d must be a positive integer, got {d!r}: pass e.g. d=10",
    )
    require(
        isinstance(n, int) and 1 <= n <= MAX_UNITS,
        f"Maurey sampling needs 1..{MAX_UNITS} units, got {n!r}: pass e.g. --units 256",
    )
    require(math.isfinite(r) and r > 0, f"the ball radius must be positive, got {r}: pass e.g. r=1")
    choose("Barron unit", unit, UNIT_KINDS)
    rng = np.random.default_rng(seed)
    C = barron_constant(d)
    omega = _frequencies(d, n, rng)
    norms = np.linalg.norm(omega, axis=1)
    if unit == "cos":
        a = C / (n * norms)
        net = _two_layer(omega, np.zeros(n), a, 1.0 - float(a.sum()), Cos())
    else:
        s = rng.uniform(-r, r, n)
        a = 2 * r * (-C * np.sin(norms * s)) / n
        net = _two_layer(omega / norms[:, None], -s, a, 1.0 - float(a[s < 0].sum()), Step())
    return net, certify(
        net,
        construction=f"barron_{unit}",
        theorem="Barron 1993 via Maurey (seed 003): E‖f − f_n‖² ≤ (2rC_f)²/n",
        bound=(2 * r * C) ** 2 / n,
        norm=f"squared L2, uniform on the {d}-ball of radius {r} (Monte Carlo, {points} points)",
        measured=l2_squared_error(net, d, r, points),
        bound_origin="Maurey's lemma: terms bounded by 2rC_f, n i.i.d. draws; a bound on the expectation over draws",
        d=d,
        barron_constant=C,
        radius=r,
        seed=seed,
        convention="f(x) = ∫ e^{iω·x} f̂(ω) dω",
    )


def sampling_rate(
    d: int,
    sizes: list[int],
    seeds: int = 3,
    unit: str = "cos",
    points: int = 2000,
    first_seed: int = 0,
) -> tuple[float, list[dict[str, float]]]:
    """Least-squares slope of log(mean squared error over ``seeds`` draws) against log n.

    Draw s uses seed ``first_seed + s`` (the same seeds for every n).

    Maurey's rate predicts −1 in every dimension d.

    >>> slope, rows = sampling_rate(2, [16, 64, 256], seeds=2)
    >>> -1.4 < slope < -0.6
    True
    """
    rows = []
    for n in sizes:
        errs = [
            barron_gaussian(d, n, unit, seed=s, points=points)[1].measured
            for s in range(first_seed, first_seed + seeds)
        ]
        rows.append(
            {
                "d": d,
                "units": n,
                "mean_sq_error": float(np.mean(errs)),
                "bound": (2 * barron_constant(d)) ** 2 / n,
            }
        )
    slope = float(
        np.polyfit(
            np.log([r["units"] for r in rows]), np.log([r["mean_sq_error"] for r in rows]), 1
        )[0]
    )
    return slope, rows


def grid_units_needed(eps: float, d: int, rho: float = math.exp(-0.5), r: float = 1.0) -> float:
    """Cells of a grid construction on [−r, r]^d with sup error ≤ ε: ⌈ρ√d r/ε⌉^d (as a float).

    A piecewise-constant approximation on cubes of side s errs by ≤ ρ s √d / 2, so
    s = 2ε/(ρ√d) and (2r/s)^d cells — units growing like ε^{−d} (ρ = e^{−1/2} for the Gaussian).

    >>> grid_units_needed(0.1, 2)
    81.0
    """
    return float(math.ceil(rho * math.sqrt(d) * r / eps)) ** d


def maurey_variance(
    d: int,
    unit: str = "cos",
    r: float = 1.0,
    points: int = 4000,
    terms: int = 50_000,
    seed: int = 999,
) -> float:
    """V_d = E_x Var_ω[g(x; ω)]: the exact constant of Maurey's identity E‖f − f_n‖²_{L²(μ)} = V_d/n.

    The sampled net is f_n(x) = 1 + (1/n) Σ_i g(x; ω_i) with i.i.d. terms, E_ω g(x; ω) = f(x) − 1,
    so its expected squared error is exactly (1/n) ∫ Var_ω g(x; ω) dμ(x) — an identity, not
    a bound, for every n. μ is the same ``points`` seeded ball points as :func:`l2_squared_error`
    (seed 12345); the variance is a Monte Carlo estimate over ``terms`` independent terms
    g(x; ω) = M a_i (φ(w_i·x + b_i) − φ(b_i)) read off one net of M = ``terms`` units (relative
    error ≈ 1/√terms). Reference: seed 003, 'Barron's theorem' (Maurey's lemma, Barron 1993).

    >>> 0.02 < maurey_variance(2, terms=5000, points=500) < 0.05
    True
    """
    X = torch.from_numpy(ball_sample(d, points, r, 12345))
    total, total_sq = (
        torch.zeros(points, dtype=torch.float64),
        torch.zeros(points, dtype=torch.float64),
    )
    chunk = 5000
    for start in range(0, terms, chunk):
        m = min(chunk, terms - start)
        net, _ = barron_gaussian(d, m, unit, r=r, seed=seed + start, points=16)
        hidden, act, out = net
        with torch.no_grad():
            g = (
                m * out.weight[0] * (act(hidden(X)) - act(hidden.bias))
            )  # (points, m): one term per column
        total += g.sum(1)
        total_sq += (g**2).sum(1)
    mean = total / terms
    return float(torch.mean(total_sq / terms - mean**2) * terms / (terms - 1))


def best_n_term_errors(values: np.ndarray, units: list[int]) -> list[float]:
    """Squared L² error of the best n-unit cosine-ridge approximation of a periodic grid function, for each n.

    ``values`` samples f on an N×…×N periodic grid of a box (float64). The ridge units
    cos(ω_k·x + φ_k), ω_k on the box's frequency lattice, are orthogonal, so by Parseval the best
    n-unit approximation keeps the n frequency pairs ±k with the largest energy |c_k|² + |c_{−k}|² and errs by

        ‖f − f_n‖²_{L²} = Σ_{the other pairs} (|c_k|² + |c_{−k}|²),    c = FFT(f)/N^d

    (the L² norm is the grid mean). Barron's theorem gives ≤ C/n when C_f < ∞; a target whose f̂
    decays like |ω|^{−(d+1)/2} (an indicator of a ball in d = 2: coefficients ~ |k|^{−3/2}, sorted
    tail ~ n^{−1/2}) falls more slowly. Reference: seed 003, 'Barron's theorem' (Barron 1993).

    >>> x = np.arange(64) / 64 * 2 - 1
    >>> [round(e, 12) for e in best_n_term_errors(np.cos(np.pi * x) + 0.5 * np.sin(3 * np.pi * x), [1, 2])]
    [0.125, 0.0]
    """
    values = np.asarray(values, dtype=np.float64)
    require(
        values.ndim >= 1 and values.size > 1 and np.all(np.isfinite(values)),
        "best_n_term_errors needs a finite grid of target values: sample the target on a periodic grid",
    )
    c = np.fft.fftn(values) / values.size
    energy = np.abs(c) ** 2
    # k and −k form one real unit; the constant (k = 0) and Nyquist frequencies are their own partners
    flat = energy.ravel()
    shape = np.reshape(values.shape, (-1,) + (1,) * values.ndim)
    twin_index = np.ravel_multi_index(
        tuple(-np.indices(values.shape) % shape), values.shape
    ).ravel()
    index = np.arange(flat.size)
    keep = index <= twin_index
    pairs = np.sort(np.where(index == twin_index, flat, flat + flat[twin_index])[keep])[::-1]
    tail = np.concatenate([np.cumsum(pairs[::-1])[::-1], [0.0]])
    require(
        all(1 <= n < pairs.size for n in units),
        f"units must lie in 1..{pairs.size - 1} for this grid: pass fewer units or a finer grid",
    )
    return [float(tail[n]) for n in units]
