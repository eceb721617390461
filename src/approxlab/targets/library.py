"""Regression targets: the :class:`Target` type, the named library, and ``target()``.

A target is a function f: box ⊂ R^d → R with a default domain and, where known, a
Lipschitz constant ρ = sup ‖∇f‖ (used by the constructions' certificates).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from approxlab.errors import ApproxlabError
from approxlab.targets.domain import Domain, as_domain, dense_points, grid
from approxlab.targets.expression import parse


@dataclass(frozen=True)
class Target:
    """A real function on a box, evaluated in float64 on NumPy arrays or torch tensors.

    ``fn`` maps an ``(n, d)`` array/tensor to ``(n,)`` of the same kind.

    >>> t = target("paraboloid")
    >>> t.dim, t.domain, float(t(np.zeros((1, 2)))[0])
    (2, [(-1.0, 1.0), (-1.0, 1.0)], 3.0)
    """

    name: str
    fn: Callable = field(repr=False)
    domain: Domain
    lipschitz: float | None = None
    expr: str | None = None
    description: str = ""

    @property
    def dim(self) -> int:
        return len(self.domain)

    def __call__(self, X):
        if isinstance(X, torch.Tensor):
            X = X.to(torch.float64)
        else:
            X = np.asarray(X, dtype=np.float64)
        if X.ndim == 1 and self.dim == 1:
            X = X.reshape(-1, 1)
        if X.ndim != 2 or X.shape[1] != self.dim:
            raise ApproxlabError(
                f"target {self.name!r} takes points with {self.dim} coordinates, got shape {tuple(X.shape)}: "
                f"pass an (n, {self.dim}) array"
            )
        return self.fn(X)

    def on(self, domain: Sequence) -> Target:
        """The same function on another box of the same dimension."""
        domain = as_domain(domain)
        if len(domain) != self.dim:
            raise ApproxlabError(
                f"target {self.name!r} is {self.dim}-dimensional but the domain has {len(domain)} axes: "
                f"give {self.dim} (low, high) pairs"
            )
        moved = Target(self.name, self.fn, domain, self.lipschitz, self.expr, self.description)
        return moved if self.expr is None else require_finite(moved)

    def grid(self, n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Points of the dense grid on the domain (``n`` per axis; by default
        :func:`~approxlab.targets.domain.dense_points`) and the target's values there."""
        X = grid(self.domain, n) if n else dense_points(self.domain)
        return X, np.asarray(self(X))


MAX_VALUE = 1e150  # |f| beyond this squares past float64's 1.8e308 in the MSE loss
CHECK_POINTS = 50_000  # the 2D default grid (201² = 40401) fits; higher dimensions are sampled


def require_finite(t: Target) -> Target:
    """Return ``t`` if it is finite (and its square is) at the dense points of its domain.

    Evaluated at :func:`approxlab.targets.domain.dense_points` (a grid through the
    domain's centre and corners up to 5·10^4 points, else a seeded sample); an :class:`ApproxlabError` says where it is not,
    e.g. ``target("log(x)")`` → "-inf at x = 0". Catches 1/x, log, sqrt of negatives and
    overflowing exp before any training sees a NaN loss.

    >>> require_finite(target("sin(x)")).name
    'sin(x)'
    """
    X = dense_points(t.domain, limit=CHECK_POINTS)
    with np.errstate(all="ignore"):
        y = np.asarray(t(X), dtype=np.float64).reshape(-1)
    bad = ~np.isfinite(y)
    where = (
        "["
        + ", ".join(f"({lo:g}, {hi:g})" for lo, hi in t.domain[:4])
        + (", ...]" if t.dim > 4 else "]")
    )
    if bad.any():
        i = int(np.argmax(bad))
        raise ApproxlabError(
            f"target {_short(t.name)!r} is not finite on the domain {where}: f = {y[i]} at {_point(X[i])} "
            f"({int(bad.sum())} of {len(y)} checked points); choose a box where it is finite (--box) or change the expression"
        )
    big = np.abs(y) > MAX_VALUE
    if big.any():
        i = int(np.argmax(np.abs(y)))
        raise ApproxlabError(
            f"target {_short(t.name)!r} reaches {y[i]:.3g} at {_point(X[i])} on the domain {where}, beyond ±{MAX_VALUE:g} "
            "where its square overflows float64: rescale the target or choose a smaller box"
        )
    return t


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _point(x: np.ndarray) -> str:
    if len(x) == 1:
        return f"x = {x[0]:g}"
    coords = ", ".join(f"{v:g}" for v in x[:6]) + (", ..." if len(x) > 6 else "")
    return f"x = ({coords})"


def _expression_target(
    name: str, source: str, domain: Domain, lipschitz: float | None, description: str
) -> Target:
    expr = parse(source, dim=len(domain))
    return Target(name, expr, domain, lipschitz, source, description)


def _step(X):
    return (
        (X[:, 0] >= 0.5).to(torch.float64)
        if isinstance(X, torch.Tensor)
        else (X[:, 0] >= 0.5).astype(np.float64)
    )


def _tent(x):
    """Telgarsky's hat h(x) = 2σ(x) − 4σ(x − ½) on [0, 1] (seed 003)."""
    relu = torch.relu if isinstance(x, torch.Tensor) else (lambda z: np.maximum(z, 0.0))
    return 2 * relu(x) - 4 * relu(x - 0.5)


def _sawtooth(X):
    y = X[:, 0]
    for _ in range(3):
        y = _tent(y)
    return y


_BUMP_SLOPE = 10.0 * math.exp(-0.5)  # max |d/dx exp(-50 (x-1/2)^2)|, attained at |x-1/2| = 0.1

NAMED: dict[str, Callable[[], Target]] = {
    "paraboloid": lambda: _expression_target(
        "paraboloid",
        "x1**2 + x2**2 + 3",
        [(-1.0, 1.0)] * 2,
        2 * math.sqrt(2),
        "seed 001: f(x1, x2) = x1² + x2² + 3 on [-1, 1]²; ρ = sup‖∇f‖ = 2√2",
    ),
    "sine": lambda: _expression_target(
        "sine",
        "sin(2*pi*x)",
        [(0.0, 1.0)],
        2 * math.pi,
        "sin(2πx) on [0, 1]; ρ = 2π",
    ),
    "step": lambda: Target(
        "step",
        _step,
        [(0.0, 1.0)],
        None,
        None,
        "1[x ≥ ½] on [0, 1]; discontinuous, no Lipschitz constant",
    ),
    "bump": lambda: _expression_target(
        "bump",
        "exp(-50*(x - 0.5)**2)",
        [(0.0, 1.0)],
        _BUMP_SLOPE,
        "exp(−50 (x − ½)²) on [0, 1]; ρ = 10 e^{−1/2}",
    ),
    "sawtooth": lambda: Target(
        "sawtooth",
        _sawtooth,
        [(0.0, 1.0)],
        8.0,
        None,
        "h∘h∘h with Telgarsky's hat h (seed 003): 8 linear pieces on [0, 1]; ρ = 2³",
    ),
    "saddle": lambda: _expression_target(
        "saddle",
        "x1**2 - x2**2",
        [(-1.0, 1.0)] * 2,
        2 * math.sqrt(2),
        "x1² − x2² on [-1, 1]²; ρ = 2√2",
    ),
    "gaussian": lambda: _expression_target(
        "gaussian",
        "exp(-(x1**2 + x2**2)/2)",
        [(-2.0, 2.0)] * 2,
        math.exp(-0.5),
        "exp(−|x|²/2) on [-2, 2]²; ρ = max r e^{−r²/2} = e^{−1/2}",
    ),
}


def names() -> list[str]:
    """Names of the regression targets in the library."""
    return sorted(NAMED)


def target(spec: str | Target, domain: Sequence | None = None) -> Target:
    """A named target (``"paraboloid"``) or a safe expression (``"relu(x1) * x2"``).

    An expression's dimension is inferred from its variables (or from ``domain``);
    its default domain is [-1, 1]^d and its Lipschitz constant is unknown (None).

    >>> target("sin(2*pi*x)", domain=(0, 1)).dim
    1
    """
    if isinstance(spec, Target):
        return spec if domain is None else spec.on(domain)
    if not isinstance(spec, str):
        raise ApproxlabError(
            f"a target is a name or an expression string, got {type(spec).__name__}"
        )
    key = spec.strip()
    if key in NAMED:
        t = NAMED[key]()
        return t if domain is None else t.on(domain)
    if (
        len(key) <= 60
        and key.isidentifier()
        and key not in ("pi", "e")
        and not re.fullmatch(r"x[0-9]*", key)
    ):
        raise ApproxlabError(
            f"unknown target {key!r}: use one of {', '.join(names())} or an expression such as 'x1**2 + x2**2 + 3'"
        )
    dim = None if domain is None else len(as_domain(domain))
    expr = parse(key, dim=dim)
    box = as_domain(domain) if domain is not None else [(-1.0, 1.0)] * expr.dim
    return require_finite(Target(key, expr, box, None, key, f"f(x) = {key}"))
