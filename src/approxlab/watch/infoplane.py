"""The information plane: I(X;T) and I(T;Y) of each layer T over training (Shwartz-Ziv & Tishby 2017).

Tishby's information bottleneck (seed 003): a representation T of X should solve
min_T I(X;T) − β I(T;Y); Shwartz-Ziv & Tishby report that SGD first *memorises*
(I(X;T) rises) and then *compresses* (I(X;T) falls) while I(T;Y) is kept. Saxe et al.
(2018) answer that the compression comes from saturating tanh units, does not happen
with ReLU, and that the binning estimate depends on the bin count.

Estimators (all in bits, float64):

- binning: each unit's activity is cut into ``bins`` equal bins on [lo, hi]; the row of bin
  indices is a discrete T̂, and I(A;B) = H(A) + H(B) − H(A, B) with plug-in entropies
  H = −Σ p log₂ p. Since T is a function of X and the inputs are distinct and equally likely,
  I(X;T̂) = H(T̂) ≤ H(X) = log₂ n.
- kernel (Kolchinsky & Tracey 2017, used by Saxe et al.): T + N(0, σ²I); the pairwise-distance
  upper bound I(X;T) ≤ −(1/n) Σ_i log₂ (1/n) Σ_j exp(−‖t_i − t_j‖² / (2σ²)), and
  I(T;Y) = that bound for all of T minus the class-weighted bound within each class.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from approxlab.errors import ApproxlabError, require

LAYERS_SZT = (10, 7, 5, 4, 3, 2)  # the hidden widths of Shwartz-Ziv & Tishby's 12-10-7-5-4-3-2 net


def _ids(a: np.ndarray) -> np.ndarray:
    """Row i's rank among the distinct rows of ``a`` in lexicographic order, built one column at a time:
    (rank of the prefix) · (column's distinct count) + (rank in the column) orders pairs as the rows do and stays
    below n², so 1D uniques replace ``np.unique(axis=0)``, whose sort of row records was most of a run's time."""
    a = np.asarray(a)
    if a.ndim == 1:
        a = a[:, None]
    ids = np.zeros(len(a), dtype=np.int64)
    for column in a.T:
        ranks = np.unique(column, return_inverse=True)[1].ravel()
        ids = np.unique(ids * (int(ranks.max(initial=0)) + 1) + ranks, return_inverse=True)[
            1
        ].ravel()
    return ids


def entropy(a: np.ndarray) -> float:
    """Plug-in entropy H = −Σ p log₂ p (bits) of the rows of an integer array ``a`` (n,) or (n, k).

    >>> entropy(np.array([0, 1, 2, 3]))
    2.0
    """
    _, counts = np.unique(_ids(a), return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum())


def discrete_mutual_information(a: np.ndarray, b: np.ndarray) -> float:
    """I(A;B) = H(A) + H(B) − H(A, B) in bits, for discrete (integer-coded) rows ``a`` and ``b``.

    >>> discrete_mutual_information(np.array([0, 1, 2, 3]), np.array([0, 0, 1, 1]))
    1.0
    """
    a_ids, b_ids = _ids(a), _ids(b)
    require(
        len(a_ids) == len(b_ids),
        f"A has {len(a_ids)} samples but B has {len(b_ids)}: give one of each per sample",
    )
    return entropy(a_ids) + entropy(b_ids) - entropy(np.stack([a_ids, b_ids], axis=1))


def binned(
    t: np.ndarray, bins: int | None, lo: float | None = None, hi: float | None = None
) -> np.ndarray:
    """Bin indices (n, k) of activities ``t`` in ``bins`` equal bins on [lo, hi] (default: t's own range).

    >>> binned(np.array([[0.1], [0.2], [0.8], [0.9]]), 2, 0.0, 1.0).ravel().tolist()
    [0, 0, 1, 1]
    """
    if bins is None:
        raise ApproxlabError(
            "the activities are continuous: give a bin count (e.g. bins=30, --bins 30) "
            "or use the kernel estimator"
        )
    require(
        isinstance(bins, (int, np.integer)) and bins >= 2,
        f"the bin count must be an integer ≥ 2, got {bins!r}",
    )
    t = np.asarray(t, dtype=np.float64)
    t = t[:, None] if t.ndim == 1 else t
    require(
        bool(np.all(np.isfinite(t))),
        "the activities have NaN or infinite entries: the net diverged; retrain it",
    )
    lo = float(t.min()) if lo is None else float(lo)
    hi = float(t.max()) if hi is None else float(hi)
    if hi <= lo:
        return np.zeros(t.shape, dtype=np.int64)
    return np.clip(((t - lo) / (hi - lo) * bins).astype(np.int64), 0, bins - 1)


def mutual_information(a: np.ndarray, b: np.ndarray, bins: int | None = None) -> float:
    """I(A;B) in bits by binning: integer arrays are used as they are, float arrays are binned with
    ``bins`` bins (a continuous array without ``bins`` is refused in one line).

    >>> mutual_information(np.arange(4), np.array([0.1, 0.2, 0.8, 0.9]), bins=2)
    1.0
    """
    parts = []
    for v in (a, b):
        v = np.asarray(v)
        parts.append(binned(v, bins) if np.issubdtype(v.dtype, np.floating) else v)
    return discrete_mutual_information(*parts)


def _pairwise_bound(t: np.ndarray, variance: float) -> float:
    from scipy.spatial.distance import cdist

    d2 = cdist(t, t, "sqeuclidean")
    with np.errstate(under="ignore"):
        log_mean = np.log(np.mean(np.exp(-d2 / (2 * variance)), axis=1))
    return float(-np.mean(log_mean) / np.log(2))


def kernel_information(t: np.ndarray, y: np.ndarray, variance: float = 0.1) -> tuple[float, float]:
    """(I(X;T), I(T;Y)) in bits by Kolchinsky & Tracey's pairwise-distance upper bound with Gaussian noise of
    ``variance`` added to T (Saxe et al. 2018's KDE estimator). O(n²) memory: use a few thousand samples.

    >>> ixt, ity = kernel_information(np.array([[0.0], [10.0]]), np.array([0, 1]))
    >>> round(ixt, 6), round(ity, 6)
    (1.0, 1.0)
    """
    require(variance > 0, f"the noise variance must be positive, got {variance}")
    t = np.asarray(t, dtype=np.float64)
    t = t[:, None] if t.ndim == 1 else t
    y = np.asarray(y).ravel()
    whole = _pairwise_bound(t, variance)
    within = sum((y == c).mean() * _pairwise_bound(t[y == c], variance) for c in np.unique(y))
    return whole, float(whole - within)


# -- Shwartz-Ziv & Tishby's setting -------------------------------------------------------------------------
def szt_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """All 4096 binary inputs x ∈ {0, 1}¹² and labels y = 1[f(x) > median f], with
    f(x) = ‖Σ_i (2x_i − 1) u_i‖² for 12 points u_i on the sphere S² (seeded): a rule invariant under
    rotations of the sphere, as Shwartz-Ziv & Tishby's (their file var_u.mat is not bundled; this is a
    stand-in with the same symmetry). float64 inputs, int64 labels.

    >>> X, y = szt_data(); X.shape, sorted(set(y.tolist()))
    ((4096, 12), [0, 1])
    """
    X = ((np.arange(4096)[:, None] >> np.arange(12)) & 1).astype(np.float64)
    u = np.random.default_rng(seed).normal(size=(12, 3))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    f = np.sum(((2 * X - 1) @ u) ** 2, axis=1)
    return X, (f > np.median(f)).astype(np.int64)


def szt_net(activation: str = "tanh", seed: int = 0) -> nn.Sequential:
    """The 12-10-7-5-4-3-2 net of Shwartz-Ziv & Tishby (tanh) or Saxe et al. (relu), float64."""
    from approxlab.nets import mlp

    return mlp(12, list(LAYERS_SZT[:-1]), out_dim=LAYERS_SZT[-1], activation=activation, seed=seed)


def layer_activities(net: nn.Sequential, X: torch.Tensor) -> list[np.ndarray]:
    """The activity h^(l) after every activation layer, and the softmax output last (float64 NumPy)."""
    out, h = [], X
    with torch.no_grad():
        for m in net:
            h = m(h)
            if not isinstance(m, nn.Linear):
                out.append(h.double().numpy())
        out.append(torch.softmax(h, dim=1).double().numpy())
    return out


def silent_layer(net: nn.Sequential, X: torch.Tensor) -> int | None:
    """The first hidden layer (0-based) whose activity is exactly 0 for every row of ``X``, else None.

    Such a layer makes the output the same for every input, and the gradient of any loss with respect to it
    and to every layer below it is 0 (ReLU′(z) = 0 for z ≤ 0), so gradient training (Adam, SGD without weight
    decay) never moves it: the net is dead before it starts (Lu et al. 2020, "Dying ReLU and initialization").

    >>> silent_layer(szt_net("relu", 0), torch.as_tensor(szt_data()[0]))
    4
    >>> silent_layer(szt_net("relu", 1), torch.as_tensor(szt_data()[0])) is None
    True
    """
    for l, t in enumerate(layer_activities(net, X.to(next(net.parameters()).dtype))[:-1]):
        if not np.any(t):
            return l
    return None


class InformationPlane:
    """Observer: per layer l, ``ixt.l`` = I(X;T_l) and ``ity.l`` = I(T_l;Y) by binning with each of ``bins``.
    tanh layers are binned on [−1, 1] and the softmax on [0, 1] (Shwartz-Ziv & Tishby); other activations on
    [0, the layer's largest activity at that step] (Saxe et al.). Keys carry the bin count: ``ixt.b30.2``.
    With ``kernel_samples`` > 0, the kernel estimate (:func:`kernel_information`, noise variance ``variance``) on a
    fixed seeded subset of that many samples is recorded beside it as ``kde_ixt.l``, ``kde_ity.l``.

    >>> X, y = szt_data()
    >>> sorted(InformationPlane(X[:64], y[:64], bins=(30,))(szt_net()))[:2]
    ['ity.b30.0', 'ity.b30.1']
    """

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        bins: tuple[int, ...] = (30,),
        kernel_samples: int = 0,
        variance: float = 0.1,
        seed: int = 0,
    ):
        require(len(bins) >= 1, "give at least one bin count")
        self.X = torch.as_tensor(np.asarray(X, dtype=np.float64))
        self.y = np.asarray(y)
        self.bins = tuple(bins)
        for b in self.bins:
            binned(np.zeros(1), b)  # validate early
        n = len(self.y)
        self.subset = (
            np.random.default_rng(seed).choice(n, min(kernel_samples, n), replace=False)
            if kernel_samples
            else None
        )
        self.variance = variance

    def __call__(self, net: nn.Module) -> dict[str, Any]:
        acts = layer_activities(net, self.X.to(next(net.parameters()).dtype))
        kinds = [type(m).__name__ for m in net if not isinstance(m, nn.Linear)] + ["Softmax"]
        out: dict[str, Any] = {}
        for b in self.bins:
            for l, (t, kind) in enumerate(zip(acts, kinds)):
                lo, hi = {"Tanh": (-1.0, 1.0), "Softmax": (0.0, 1.0)}.get(
                    kind, (0.0, float(t.max()))
                )
                ids = _ids(binned(t, b, lo, hi))
                out[f"ixt.b{b}.{l}"] = entropy(
                    ids
                )  # T̂ is a function of the distinct, uniform inputs
                out[f"ity.b{b}.{l}"] = discrete_mutual_information(ids, self.y)
        if self.subset is not None:
            for l, t in enumerate(acts):
                out[f"kde_ixt.{l}"], out[f"kde_ity.{l}"] = kernel_information(
                    t[self.subset], self.y[self.subset], self.variance
                )
        return out


def compression(ixt: np.ndarray) -> float:
    """How far I(X;T) fell after its peak: (max_t I − I_final) / max_t I (0 when it never fell).

    >>> compression(np.array([1.0, 4.0, 3.0]))
    0.25
    """
    ixt = np.asarray(ixt, dtype=np.float64)
    peak = float(ixt.max())
    return 0.0 if peak <= 0 else float((peak - ixt[-1]) / peak)


def seed_folder(root: Path, seed: int, tried: int) -> Path:
    """Where :func:`information_plane` keeps the history of seed ``tried`` when asked for ``seed``: ``root`` for
    the first, ``ROOT-seedS`` beside it for the next ones."""
    return root if tried == seed else root.with_name(f"{root.name}-seed{tried}")


def information_plane(
    activation: str = "tanh",
    steps: int = 2000,
    lr: float = 3e-3,
    bins: tuple[int, ...] = (30, 100),
    seed: int = 0,
    points: int = 30,
    tries: int = 6,
    history=None,
) -> dict[str, Any]:
    """Train the 12-10-7-5-4-3-2 net (``activation``) with full-batch Adam on 85 % of :func:`szt_data` and record
    the information plane of every layer at ``points`` log-spaced steps, for each bin count.

    A ReLU net whose narrow layers die stays at chance (measured: seeds 0, 3, 4, 5 of 0–5 under this recipe);
    such a net has no dynamics to watch, so seeds ``seed``, ``seed + 1``, … are tried (at most ``tries``) until the
    training accuracy leaves chance (> 0.6), and the dead ones are reported. A net with a layer silent on every
    training input at initialisation (seeds 0, 3 and 5: :func:`silent_layer`) is dead without training — its
    output is constant and no gradient reaches that layer or any below it — so it is skipped untrained.
    The kernel estimate of I(X;T) on 512 samples (noise variance 0.1) is recorded beside the binning one.
    Returns ``steps``, ``ixt``/``ity`` {bins: (K+1, L) arrays}, ``compression`` {bins: per layer}, ``kde_ixt``,
    ``kde_compression``,
    ``seed``, ``dead_seeds``, accuracies and the :class:`~approxlab.watch.history.History`.
    """
    import tempfile

    from approxlab.watch.history import History
    from approxlab.watch.observers import Metrics, Watch
    from approxlab.watch.schedule import log_steps
    from approxlab.watch.trainer import train

    require(
        activation in ("tanh", "relu"),
        f"unknown activation {activation!r}: use tanh (Shwartz-Ziv & Tishby) or relu (Saxe et al.)",
    )
    X, y = szt_data(seed)
    perm = np.random.default_rng(seed).permutation(len(X))
    cut = int(0.85 * len(X))
    Xt, yt = torch.as_tensor(X), torch.as_tensor(y)
    tr, te = perm[:cut], perm[cut:]
    root = Path(history) if history is not None else Path(tempfile.mkdtemp()) / "history"
    dead = []
    h = None
    for s in range(seed, seed + tries):
        net = szt_net(activation, s)
        if silent_layer(net, Xt[tr]) is not None:
            dead.append(s)
            continue
        config = {
            "study": "infoplane",
            "activation": activation,
            "steps": steps,
            "lr": lr,
            "bins": list(bins),
            "seed": s,
            "points": points,
        }
        folder = seed_folder(root, seed, s)
        h = History.resume_or_create(folder, config)
        if not h.finished:
            train(
                net,
                Xt[tr],
                yt[tr],
                steps=steps,
                optimizer="adam",
                lr=lr,
                seed=s,
                watch=Watch(
                    h,
                    [
                        Metrics(Xt[tr], yt[tr], Xt[te], yt[te]),
                        InformationPlane(X, y, bins, kernel_samples=512, seed=s),
                    ],
                    log_steps(steps, points),
                ),
            )
        if h.records[-1]["train_accuracy"] > 0.6:
            break
        dead.append(s)
    require(
        h is not None,
        f"seeds {seed}–{seed + tries - 1} all have a layer silent on every input at initialisation: "
        "try another seed or more tries",
    )
    layers = len(LAYERS_SZT)
    ixt = {
        b: np.array([[r[f"ixt.b{b}.{l}"] for l in range(layers)] for r in h.records]) for b in bins
    }
    ity = {
        b: np.array([[r[f"ity.b{b}.{l}"] for l in range(layers)] for r in h.records]) for b in bins
    }
    kde_ixt = np.array([[r[f"kde_ixt.{l}"] for l in range(layers)] for r in h.records])
    return {
        "activation": activation,
        "steps": np.array(h.steps),
        "ixt": ixt,
        "ity": ity,
        "seed": s,
        "dead_seeds": dead,
        "compression": {b: [compression(ixt[b][:, l]) for l in range(layers)] for b in bins},
        "kde_ixt": kde_ixt,
        "kde_compression": [compression(kde_ixt[:, l]) for l in range(layers)],
        "train_accuracy": h.records[-1]["train_accuracy"],
        "test_accuracy": h.records[-1]["test_accuracy"],
        "history": h,
        "entropy_x": entropy(np.arange(len(X))),
        "entropy_y": entropy(y),
    }


def plane_figure(result: dict[str, Any], bins: int, title: str = ""):
    """The information plane (I(X;T) across, I(T;Y) up), one path per layer, points coloured by log-step (matplotlib)."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    steps = np.maximum(result["steps"], 1)
    ixt, ity = result["ixt"][bins], result["ity"][bins]
    fig, ax = plt.subplots(figsize=(6.8, 4.8))
    for l in range(ixt.shape[1]):
        ax.plot(ixt[:, l], ity[:, l], color="grey", lw=0.6, zorder=1)
        sc = ax.scatter(
            ixt[:, l], ity[:, l], c=steps, cmap="viridis", norm=LogNorm(), s=18, zorder=2
        )
        ax.annotate(
            f"T{l + 1}",
            (ixt[-1, l], ity[-1, l]),
            fontsize=8,
            xytext=(3, -8),
            textcoords="offset points",
        )
    fig.colorbar(sc, ax=ax, label="step")
    ax.axvline(result["entropy_x"], ls=":", color="k", lw=0.8)
    ax.set_xlabel("I(X;T) [bits]  (dotted: H(X) = 12)")
    ax.set_ylabel("I(T;Y) [bits]")
    ax.set_title(title or f"{result['activation']}: information plane, {bins} bins")
    fig.tight_layout()
    return fig
