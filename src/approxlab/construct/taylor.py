"""Monomials and polynomials from smooth units by finite differences (seed 000).

The k-th forward difference of σ in the weight,

    Δ_k(x) = Σ_{j=0..k} (−1)^{k−j} C(k, j) σ(j h x + b)  =  (hx)^k σ^{(k)}(ξ),  ξ ∈ [b, b + khx],

so N_k(x) = Δ_k(x) / (h^k σ^{(k)}(b)) → x^k as h → 0, with k + 1 units and truncation
error |N_k − x^k| ≤ |x|^{k+1} k h max|σ^{(k+1)}| / |σ^{(k)}(b)| (mean-value theorem).
It needs σ^{(k)}(b) ≠ 0: for the logistic sigmoid b = 0 fails for every even k ≥ 2
because σ − ½ is odd. In float64 the alternating sum cancels: round-off of about
2^k u / (h^k |σ^{(k)}(b)|) (u = 2^{−53}) grows as h shrinks, so the error is smallest
near h* where the two terms meet. Units σ(jhx + b), j = 0..n, are shared by all
monomials of degree ≤ n, so any degree-n polynomial needs n + 1 units.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from numpy.polynomial import Polynomial
from torch import nn

from approxlab.construct.certificate import Certificate, certify
from approxlab.errors import require

_UNIT_ROUNDOFF = 2.0**-53
MAX_DEGREE = 12
_THEOREM = (
    "seed 000: x^k from k+1 sigmoid units by a k-th finite difference in the weight, error O(h)"
)


def sigmoid_derivative(k: int) -> Polynomial:
    """P_k with σ^{(k)}(z) = P_k(σ(z)) for the logistic σ: P_0 = s, P_{k+1} = P_k'·s(1 − s).

    >>> float(sigmoid_derivative(1)(0.5))  # σ'(0) = ¼
    0.25
    """
    p = Polynomial([0.0, 1.0])
    logistic = Polynomial([0.0, 1.0, -1.0])
    for _ in range(k):
        p = p.deriv() * logistic
    return p


def sigmoid_derivative_at(k: int, b: float) -> float:
    """σ^{(k)}(b) in float64.

    >>> sigmoid_derivative_at(2, 0.0)
    0.0
    """
    return float(sigmoid_derivative(k)(1.0 / (1.0 + math.exp(-b))))


def _max_abs_derivative(k: int) -> float:
    # σ^{(k)} = P_k(σ) with σ ranging over (0, 1): a polynomial's max on a dense grid of [0, 1].
    return float(np.max(np.abs(sigmoid_derivative(k)(np.linspace(0.0, 1.0, 20001)))))


def best_offset(n: int) -> float:
    """The b in [−4, 4] (grid step 0.01) maximising min_{1≤k≤n} |σ^{(k)}(b)|.

    Every monomial of degree ≤ n divides by σ^{(k)}(b), and both error terms shrink as
    it grows; for n = 1 this is b = 0, for n ≥ 2 it must avoid σ''(0) = 0.

    >>> best_offset(1), best_offset(2) != 0.0
    (0.0, True)
    """
    grid = np.round(np.linspace(-4.0, 4.0, 801), 2)
    s = 1.0 / (1.0 + np.exp(-grid))
    worst = np.min([np.abs(sigmoid_derivative(k)(s)) for k in range(1, max(n, 1) + 1)], axis=0)
    return float(grid[int(np.argmax(worst))])


def _check(degree: int, h: float, b: float) -> None:
    require(
        isinstance(degree, int) and 0 <= degree <= MAX_DEGREE,
        f"the degree must be an integer in 0..{MAX_DEGREE}, got {degree!r}: float64 cancellation ruins higher ones",
    )
    require(
        math.isfinite(h) and h > 0,
        f"the finite-difference step h must be positive, got {h}: pass e.g. h=0.01",
    )
    for k in range(1, degree + 1):
        require(
            abs(sigmoid_derivative_at(k, b)) > 1e-8,
            f"σ^({k})(b) = 0 at b = {b:g}, so x^{k} cannot be divided out: use another offset, e.g. b = {best_offset(k):g}",
        )


def taylor_polynomial(
    coefficients: list[float], h: float = 1e-2, b: float | None = None, grid_n: int = 4001
) -> tuple[nn.Sequential, Certificate]:
    """p(x) = Σ_k c_k x^k on [−1, 1] from n + 1 shared units σ(jhx + b), j = 0..n (float64).

    ``b`` defaults to :func:`best_offset` of the degree n. The bound is the truncation
    bound Σ_k |c_k| k h M_{k+1}/|σ^{(k)}(b)| (M_{k+1} = sup|σ^{(k+1)}|); the round-off
    estimate Σ_k |c_k| 2^k u/(h^k |σ^{(k)}(b)|) is reported beside it, not added, so
    for tiny h the measured error can exceed the bound — that is the cancellation limit.

    >>> net, cert = taylor_polynomial([0.0, 0.0, 1.0], h=1e-3)
    >>> cert.units, cert.holds
    (3, True)
    """
    c = [float(v) for v in coefficients]
    require(
        len(c) >= 1 and all(math.isfinite(v) for v in c),
        "pass at least one finite polynomial coefficient",
    )
    n = len(c) - 1
    b = best_offset(n) if b is None else float(b)
    _check(n, h, b)
    out = np.zeros(n + 1)
    truncation = roundoff = 0.0
    for k, ck in enumerate(c):
        dk = sigmoid_derivative_at(k, b)
        for j in range(k + 1):
            out[j] += ck * (-1) ** (k - j) * math.comb(k, j) / (h**k * dk)
        truncation += abs(ck) * k * h * _max_abs_derivative(k + 1) / abs(dk)
        roundoff += abs(ck) * 2**k * _UNIT_ROUNDOFF / (h**k * abs(dk))
    hidden = nn.Linear(1, n + 1, dtype=torch.float64)
    output = nn.Linear(n + 1, 1, dtype=torch.float64)
    with torch.no_grad():
        hidden.weight.copy_(torch.arange(n + 1, dtype=torch.float64).reshape(-1, 1) * h)
        hidden.bias.fill_(b)
        output.weight.copy_(torch.from_numpy(out).reshape(1, -1))
        output.bias.zero_()
    net = nn.Sequential(hidden, nn.Sigmoid(), output)
    x = np.linspace(-1.0, 1.0, grid_n)
    with torch.no_grad():
        y = net(torch.from_numpy(x).reshape(-1, 1)).numpy().ravel()
    measured = float(np.max(np.abs(y - Polynomial(c)(x))))
    return net, certify(
        net,
        construction="taylor_polynomial",
        theorem=_THEOREM,
        bound=truncation,
        norm="sup on [-1, 1]",
        measured=measured,
        bound_origin="mean-value form of the k-th difference: Σ|c_k| k h sup|σ^(k+1)| / |σ^(k)(b)|",
        coefficients=c,
        h=h,
        b=b,
        roundoff_estimate=roundoff,
        domain=[(-1.0, 1.0)],
        target=" + ".join(f"{ck!r}*x**{k}" for k, ck in enumerate(c) if ck) or "0*x",
    )


def monomial(k: int, h: float = 1e-2, b: float | None = None) -> tuple[nn.Sequential, Certificate]:
    """x^k on [−1, 1] from k + 1 sigmoid units (see :func:`taylor_polynomial`).

    >>> monomial(3, h=1e-2)[1].units
    4
    """
    require(isinstance(k, int) and k >= 0, f"the power k must be a non-negative integer, got {k!r}")
    return taylor_polynomial([0.0] * k + [1.0], h, b)


def cancellation_scan(
    k: int, hs: list[float], b: float | None = None
) -> tuple[float, list[dict[str, float]]]:
    """Measured sup error of :func:`monomial` over the steps ``hs``; returns the best h and the rows.

    >>> h, rows = cancellation_scan(2, [1e-1, 1e-3, 1e-7])
    >>> h
    0.001
    """
    rows = []
    for h in hs:
        cert = monomial(k, h, b)[1]
        rows.append(
            {
                "h": h,
                "error": cert.measured,
                "truncation_bound": cert.bound,
                "roundoff_estimate": cert.details["roundoff_estimate"],
            }
        )
    return min(rows, key=lambda r: r["error"])["h"], rows


def ridge_product(h: float = 1e-2) -> tuple[nn.Sequential, Certificate]:
    """x1·x2 on [−1, 1]² through ridge directions: ¼((x1 + x2)² − (x1 − x2)²).

    Each square (u·x)² with |u·x| ≤ 2 uses the 3 units of :func:`monomial` (k = 2) along
    u = (1, 1) and (1, −1) (6 units), each with truncation error ≤ 2³·2h M_3/|σ''(b)|,
    so the product's bound is half that sum (¼ of two squares).

    >>> ridge_product(1e-3)[1].holds
    True
    """
    square, cert = monomial(2, h)
    hidden0, _, output0 = square
    W = hidden0.weight.detach().numpy()
    directions = np.array([[1.0, 1.0], [1.0, -1.0]])
    hidden = nn.Linear(2, 6, dtype=torch.float64)
    output = nn.Linear(6, 1, dtype=torch.float64)
    with torch.no_grad():
        hidden.weight.copy_(torch.from_numpy(np.concatenate([W * u for u in directions])))
        hidden.bias.copy_(hidden0.bias.repeat(2))
        a = output0.weight.detach().numpy().ravel()
        output.weight.copy_(torch.from_numpy(np.concatenate([a / 4, -a / 4])).reshape(1, -1))
        output.bias.zero_()
    net = nn.Sequential(hidden, nn.Sigmoid(), output)
    t = np.linspace(-1.0, 1.0, 201)
    X = np.stack(np.meshgrid(t, t, indexing="ij"), -1).reshape(-1, 2)
    with torch.no_grad():
        y = net(torch.from_numpy(X)).numpy().ravel()
    # The 1D bound was for |x| ≤ 1; along a ridge |u·x| ≤ 2 so |t|^3 ≤ 8 replaces 1.
    per_square = cert.bound * 8
    return net, certify(
        net,
        construction="ridge_product",
        theorem=_THEOREM + "; x1x2 = ¼((x1+x2)² − (x1−x2)²)",
        bound=per_square / 2,
        norm="sup on [-1, 1]^2",
        measured=float(np.max(np.abs(y - X[:, 0] * X[:, 1]))),
        bound_origin="¼·(2 squares) of the 1D truncation bound scaled by |u·x|³ ≤ 8",
        h=h,
        b=cert.details["b"],
    )
