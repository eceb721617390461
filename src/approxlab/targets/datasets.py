"""Classification data sets: TensorFlow Playground's 2D sets and seed 001's surface task.

Every generator is seeded and returns float64 ``X`` of shape ``(n, d)`` and labels
``y`` of shape ``(n,)``: in {0, 1} for the two-class sets (:data:`DATASETS`), in
{0, …, k − 1} for the k-class sets (:data:`MULTICLASS`, trained with cross-entropy).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from approxlab.errors import ApproxlabError, choose
from approxlab.targets.domain import Domain
from approxlab.targets.library import Target, target


@dataclass(frozen=True)
class Dataset:
    """A seeded generator of labelled points: ``X, y = ds.sample(n, seed)``.

    >>> X, y = dataset("xor").sample(100, seed=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((100, 2), [0.0, 1.0])
    """

    name: str
    generate: Callable[[int, np.random.Generator, float], tuple[np.ndarray, np.ndarray]] = field(
        repr=False
    )
    domain: Domain
    noise: float = 0.0
    description: str = ""
    classes: int = 2

    @property
    def dim(self) -> int:
        return len(self.domain)

    def sample(
        self, n: int, seed: int = 0, noise: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        if not isinstance(n, (int, np.integer)) or n < 2:
            raise ApproxlabError(f"a data set needs at least 2 points, got {n!r}")
        from approxlab.arguments import seed as check_seed

        rng = np.random.default_rng(
            check_seed(int(seed) if isinstance(seed, np.integer) else seed, "seed", bounded=False)
        )
        X, y = self.generate(int(n), rng, self.noise if noise is None else float(noise))
        return X.astype(np.float64), y.astype(np.float64)


def _xor(n, rng, noise):
    X = rng.uniform(-1, 1, (n, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)
    return X + noise * rng.normal(size=X.shape), y


def _circle(n, rng, noise):
    y = (np.arange(n) % 2).astype(float)
    r = np.where(y == 1, rng.uniform(0, 0.5, n), rng.uniform(0.7, 1.0, n))
    t = rng.uniform(0, 2 * np.pi, n)
    X = np.stack([r * np.cos(t), r * np.sin(t)], axis=1)
    return X + noise * rng.normal(size=X.shape), y


def _arms(k: int):
    """k interleaved spiral arms: point i is in class i mod k, at radius r = 0.05 + 0.9 s and angle
    1.75 · 2π s + 2π y/k for s uniform on [0, 1] (k = 2 is TensorFlow Playground's spiral)."""

    def arms(n, rng, noise):
        y = (np.arange(n) % k).astype(float)
        s = rng.uniform(0, 1, n)
        r = 0.05 + 0.9 * s
        t = 1.75 * 2 * np.pi * s + 2 * np.pi * y / k
        X = np.stack([r * np.cos(t), r * np.sin(t)], axis=1)
        return X + noise * rng.normal(size=X.shape), y

    return arms


def _moons(n, rng, noise):
    y = (np.arange(n) % 2).astype(float)
    t = rng.uniform(0, np.pi, n)
    X = np.where(
        y[:, None] == 0,
        np.stack([np.cos(t), np.sin(t)], axis=1),
        np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1),
    )
    X = (X - [0.5, 0.25]) / 1.5
    return X + noise * rng.normal(size=X.shape), y


def _blobs4(n, rng, noise):
    """Four Gaussian blobs of σ = 0.2 (+ noise), class c centred at (±½, ±½) (c = 0: (½, ½),
    counter-clockwise): neighbours are 1 apart, so the Bayes error is about 2 P(N(0,1) > 2.5) ≈ 1.2%."""
    y = (np.arange(n) % 4).astype(float)
    centres = np.array([[0.5, 0.5], [-0.5, 0.5], [-0.5, -0.5], [0.5, -0.5]])[y.astype(int)]
    X = centres + (0.2 + noise) * rng.normal(size=(n, 2))
    return X, y


def _gauss(n, rng, noise):
    y = (np.arange(n) % 2).astype(float)
    centres = np.where(y[:, None] == 1, [0.5, 0.5], [-0.5, -0.5])
    X = centres + (0.2 + noise) * rng.normal(size=(n, 2))
    return X, y


_PLANE = [(-1.0, 1.0), (-1.0, 1.0)]

DATASETS: dict[str, Callable[[], Dataset]] = {
    "xor": lambda: Dataset("xor", _xor, _PLANE, 0.0, "label 1 where x1·x2 > 0 (quadrants)"),
    "circle": lambda: Dataset(
        "circle", _circle, _PLANE, 0.02, "a disk of radius ½ inside a ring 0.7–1"
    ),
    "spiral": lambda: Dataset(
        "spiral", _arms(2), _PLANE, 0.02, "two interleaved spirals, 1.75 turns"
    ),
    "moons": lambda: Dataset("moons", _moons, _PLANE, 0.05, "two interleaving half circles"),
    "gauss": lambda: Dataset(
        "gauss", _gauss, _PLANE, 0.0, "two Gaussian blobs at ±(½, ½), σ = 0.2"
    ),
}

MULTICLASS: dict[str, Callable[[], Dataset]] = {
    "spiral3": lambda: Dataset(
        "spiral3", _arms(3), _PLANE, 0.02, "three interleaved spiral arms, 1.75 turns", 3
    ),
    "blobs4": lambda: Dataset(
        "blobs4", _blobs4, _PLANE, 0.0, "four Gaussian blobs at (±½, ±½), σ = 0.2", 4
    ),
}


def names() -> list[str]:
    """Names of the two-class data sets (labels 0/1: what ``approxlab fit`` trains with BCE)."""
    return sorted(DATASETS)


def multiclass_names() -> list[str]:
    """Names of the k-class data sets (k > 2: cross-entropy on k logits)."""
    return sorted(MULTICLASS)


def dataset(name: str) -> Dataset:
    """A named 2D classification set: xor, circle, spiral, moons, gauss (two classes) or spiral3,
    blobs4 (three and four classes; ``Dataset.classes``).

    >>> dataset("moons").dim, dataset("spiral3").classes
    (2, 3)
    """
    every = {**DATASETS, **MULTICLASS}
    return every[choose("data set", name, every)]()


def surface_classification(
    f: Target | str = "paraboloid",
    n: int = 1000,
    seed: int = 0,
    on_fraction: float = 0.5,
    gap: tuple[float, float] = (0.25, 1.5),
) -> tuple[np.ndarray, np.ndarray]:
    """Seed 001's classification version of a 2D target: points (x1, x2, x3) in 3D.

    A fraction ``on_fraction`` of the points lie on the surface x3 = f(x1, x2) and are
    labelled 1; the rest lie above or below it, x3 = f(x1, x2) ± u with u uniform in
    ``gap``, and are labelled 0 (seed 001, steps 1–3).

    >>> X, y = surface_classification(n=10, seed=0)
    >>> X.shape, int(y.sum())
    ((10, 3), 5)
    """
    f = target(f)
    if f.dim != 2:
        raise ApproxlabError(
            f"the surface task needs a 2D target, {f.name!r} is {f.dim}-dimensional"
        )
    if not 0 < on_fraction < 1:
        raise ApproxlabError(f"on_fraction must lie strictly between 0 and 1, got {on_fraction}")
    if not 0 <= gap[0] < gap[1]:
        raise ApproxlabError(f"gap must satisfy 0 ≤ low < high, got {gap}")
    rng = np.random.default_rng(seed)
    lo = np.array([a for a, _ in f.domain])
    hi = np.array([b for _, b in f.domain])
    P = lo + (hi - lo) * rng.random((n, 2))
    z = np.asarray(f(P))
    n_on = int(round(on_fraction * n))
    y = np.zeros(n)
    y[:n_on] = 1.0
    offset = rng.uniform(gap[0], gap[1], n) * rng.choice([-1.0, 1.0], n)
    x3 = np.where(y == 1, z, z + offset)
    return np.column_stack([P, x3]), y
