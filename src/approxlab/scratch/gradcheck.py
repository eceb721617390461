"""Gradient checking: compare an analytic gradient with centred finite differences.

For every parameter θ_i the centred difference

    g_i ≈ (L(θ + ε e_i) − L(θ − ε e_i)) / (2ε)

has error O(ε² L''') from truncation and O(u |L| / ε) from rounding (u = 2^−53 in
float64); ε = 1e−5 balances the two near 1e−10. Each parameter *tensor* is scored by

    rel(a, n) = ‖a − n‖ / max(‖a‖, ‖n‖)

and a tensor whose score exceeds the tolerance is named in the report, so a wrong
backward pass points at the tensor it gets wrong (Goodfellow, Bengio & Courville,
*Deep Learning*, §11.5; CS231n notes "gradient checks").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from approxlab.errors import require


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """‖a − b‖ / max(‖a‖, ‖b‖) (Frobenius norms); 0 when both are zero.

    >>> relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    0.0
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    require(
        a.shape == b.shape,
        f"cannot compare gradients of shapes {a.shape} and {b.shape}: they must match",
    )
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)


def finite_differences(
    f: Callable[[], float], params: dict[str, np.ndarray], eps: float = 1e-5
) -> dict[str, np.ndarray]:
    """Centred differences (f(θ + ε e_i) − f(θ − ε e_i)) / 2ε of ``f`` for every entry of ``params``.

    ``f()`` reads the arrays in ``params``; each entry is nudged in place and restored.

    >>> w = {"w": np.array([3.0])}
    >>> round(float(finite_differences(lambda: float(w["w"][0] ** 2), w)["w"][0]), 6)
    6.0
    """
    numeric = {}
    for name, theta in params.items():
        g = np.zeros_like(theta)
        for i in np.ndindex(theta.shape):
            kept = theta[i]
            theta[i] = kept + eps
            up = f()
            theta[i] = kept - eps
            down = f()
            theta[i] = kept
            g[i] = (up - down) / (2 * eps)
        numeric[name] = g
    return numeric


@dataclass(frozen=True)
class TensorCheck:
    """One parameter tensor's score: relative and largest absolute difference."""

    name: str
    relative_error: float
    max_abs_error: float
    passed: bool


@dataclass(frozen=True)
class GradCheckReport:
    """Per-tensor scores; ``wrong`` names the tensors past the tolerance.

    >>> r = GradCheckReport([TensorCheck("W1", 1e-10, 1e-12, True)], 1e-7)
    >>> r.ok, r.wrong
    (True, [])
    """

    tensors: list[TensorCheck]
    tolerance: float

    @property
    def ok(self) -> bool:
        return all(t.passed for t in self.tensors)

    @property
    def wrong(self) -> list[str]:
        return [t.name for t in self.tensors if not t.passed]

    @property
    def max_relative_error(self) -> float:
        return max(t.relative_error for t in self.tensors)

    def __str__(self) -> str:
        lines = [f"{'tensor':<8}{'relative error':>16}{'max |diff|':>14}  verdict"]
        for t in self.tensors:
            lines.append(
                f"{t.name:<8}{t.relative_error:>16.3e}{t.max_abs_error:>14.3e}  {'ok' if t.passed else 'WRONG'}"
            )
        if not self.ok:
            lines.append(
                f"wrong gradient for {', '.join(self.wrong)} (tolerance {self.tolerance:g})"
            )
        return "\n".join(lines)


def compare(
    analytic: dict[str, np.ndarray], reference: dict[str, np.ndarray], tolerance: float = 1e-7
) -> GradCheckReport:
    """Score ``analytic`` against ``reference`` tensor by tensor (same names and shapes).

    >>> compare({"b": np.ones(2)}, {"b": -np.ones(2)}).wrong
    ['b']
    """
    require(
        set(analytic) == set(reference),
        f"gradients name different tensors: {sorted(analytic)} vs {sorted(reference)}: compute both for the same parameters",
    )
    checks = []
    for name in analytic:
        rel = relative_error(analytic[name], reference[name])
        diff = float(
            np.max(np.abs(np.asarray(analytic[name]) - np.asarray(reference[name])), initial=0.0)
        )
        checks.append(TensorCheck(name, rel, diff, rel <= tolerance))
    return GradCheckReport(checks, tolerance)


def gradcheck(
    f: Callable[[], float],
    params: dict[str, np.ndarray],
    analytic: dict[str, np.ndarray],
    *,
    eps: float = 1e-5,
    tolerance: float = 1e-7,
) -> GradCheckReport:
    """Check ``analytic`` gradients of ``f`` against centred finite differences, float64.

    >>> w = {"w": np.array([3.0])}
    >>> gradcheck(lambda: float(w["w"][0] ** 2), w, {"w": np.array([-6.0])}).wrong
    ['w']
    """
    return compare(analytic, finite_differences(f, params, eps), tolerance)
