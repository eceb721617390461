"""The separation, measured: the smallest size at which each trained family reaches ε on qSA.

For each N and family, sizes m = 1, 2, 4, … are tried in order; at each size the fair
protocol :func:`approxlab.baseline.best_of` trains several initialisations (learning rate
from a grid by a short probe, Adam, then an L-BFGS finish) and keeps the best held-out
max_i ℓ2 error (:func:`approxlab.qsa.task.max_error`). The first size whose best error is
≤ ε is the family's size at N; if none is, the row says "not reached up to m_max". Beside
them stand the constructed attention's m (:mod:`approxlab.construct.attention`) and the
memory lower bound (N − 1)/2 bits for q = 1, d' = 1 (Sanford, Hsu & Telgarsky 2023, Thm 11,
via the DISJ communication bound). Everything is float64 and seeded.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from approxlab import arguments
from approxlab.baseline import best_of
from approxlab.errors import ApproxlabError, require
from approxlab.nets import count_params
from approxlab.qsa.models import ARCHITECTURES, make
from approxlab.qsa.task import check, check_eps, encode, max_error, qsa, sample

MAX_WORK = 2e12  # multiply-adds of one size search: about an hour on one busy core


@dataclass(frozen=True)
class Protocol:
    """The fair protocol's size (passed to :func:`approxlab.baseline.best_of`) and the data sizes."""

    inits: int = 2
    lrs: tuple[float, ...] = (3e-2, 1e-1)
    probe_steps: int = 40
    adam_steps: int = 200
    lbfgs_steps: int = 40
    n_train: int = 400
    n_test: int = 200


QUICK = Protocol()
FULL = Protocol(
    inits=4,
    lrs=(1e-3, 1e-2, 3e-2, 1e-1),
    probe_steps=200,
    adam_steps=2000,
    lbfgs_steps=300,
    n_train=4000,
    n_test=1000,
)


def memory_lower_bound(N: int) -> float:
    """(N − 1)/2: the bits any memory-bounded algorithm needs to ε-approximate qSA for q = 1, d' = 1, ε < 1
    (Sanford, Hsu & Telgarsky 2023, Thm 11; seed 003).

    >>> memory_lower_bound(9)
    4.0
    """
    return (N - 1) / 2


def ladder(max_size: int) -> list[int]:
    """Sizes 1, 2, 4, … up to max_size (max_size itself included).

    >>> ladder(10)
    [1, 2, 4, 8, 10]
    """
    sizes = [2**k for k in range(int(math.log2(max_size)) + 1)]
    return sizes if sizes[-1] == max_size else sizes + [max_size]


def work(
    architecture: str, N: int, d_prime: int, sizes: Sequence[int], protocol: Protocol
) -> float:
    """Multiply-adds of a size search, ≈ 6 · params · n_train · steps (forward and backward) summed over sizes
    (the RNN and attention also touch every token once per parameter row, which the N·D input already counts)."""
    steps = protocol.probe_steps * len(protocol.lrs) + protocol.inits * (
        protocol.adam_steps + 3 * protocol.lbfgs_steps
    )
    return sum(
        6.0 * count_params(make(architecture, N, d_prime, m)) * protocol.n_train * steps
        for m in sizes
    )


def smallest_size(
    architecture: str,
    N: int,
    eps: float,
    *,
    q: int = 1,
    d_prime: int = 1,
    max_size: int = 32,
    protocol: Protocol = QUICK,
    seed: int = 0,
    max_work: float = MAX_WORK,
    progress: Callable[[str], None] | None = None,
    remember: Callable[[str, Callable[[], dict]], dict] | None = None,
) -> dict:
    """The least m on the ladder 1, 2, 4, … ≤ max_size at which the best of the fair protocol reaches ε.

    Returns a JSON-able row: the family, N, the size m (None if not reached), its parameters, the
    best held-out max error at each size tried with the spread over initialisations, and the protocol.
    ``remember(key, compute)``, if given, keeps each size's JSON-able result between runs (the atlas
    passes its cache, so a search of hours resumes where a killed run stopped); ``key`` names the
    family, N, q, d', m and the protocol.
    """
    N, q, d_prime = check(N, q, d_prime)
    eps = check_eps(eps)
    arguments.count("--max-size", max_size, 100_000)
    arguments.seed(seed)
    require(
        architecture in ARCHITECTURES,
        f"unknown architecture {architecture!r}: use one of {', '.join(ARCHITECTURES)}",
    )
    sizes = ladder(max_size)
    need = work(architecture, N, d_prime, sizes, protocol)
    if need > max_work:
        raise ApproxlabError(
            f"the {architecture} size search at N = {N} up to m = {max_size} needs ≈ {need:.2g} "
            f"multiply-adds, above the budget {max_work:.2g}: lower --max-size or --N, or raise --budget"
        )
    Xtr, Xte = (
        sample(protocol.n_train, N, q, d_prime, seed),
        sample(protocol.n_test, N, q, d_prime, seed + 1),
    )
    data = (encode(Xtr, q).reshape(len(Xtr), -1), qsa(Xtr, q).reshape(len(Xtr), -1))
    Ete = torch.as_tensor(encode(Xte, q).reshape(len(Xte), -1))

    def score(net) -> float:
        with torch.no_grad():
            return max_error(net(Ete).numpy(), Xte, q)

    def train(m: int) -> dict:
        b = best_of(
            lambda s: make(architecture, N, d_prime, m, s),
            data,
            inits=protocol.inits,
            lrs=protocol.lrs,
            adam_steps=protocol.adam_steps,
            lbfgs_steps=protocol.lbfgs_steps,
            probe_steps=protocol.probe_steps,
            seed=seed,
            score=score,
        )
        return {"m": m, "params": count_params(b.net), "error": b.error, "lr": b.lr, **b.spread}

    tried = []
    for m in sizes:
        if remember is None:
            tried.append(train(m))
        else:
            key = f"qsa {architecture} N={N} q={q} d'={d_prime} m={m} seed={seed} {protocol}"
            tried.append(remember(key, lambda m=m: train(m)))
        b = tried[-1]
        if progress is not None:
            progress(f"{architecture} N={N} m={m}: best max error {b['error']:.3g} (ε = {eps:g})")
        if b["error"] <= eps:
            break
    reached = tried[-1]["error"] <= eps
    return {
        "architecture": architecture,
        "N": N,
        "q": q,
        "d_prime": d_prime,
        "eps": eps,
        "m": tried[-1]["m"] if reached else None,
        "params": tried[-1]["params"] if reached else None,
        "reached": reached,
        "max_tried": tried[-1]["m"],
        "tried": tried,
    }


def beats_memory_bound(rows: Sequence[dict]) -> list[dict]:
    """The binary-state RNN rows (q = 1, d' = 1) that reached ε with fewer than (N − 1)/2 bits — the
    theorem says there are none; any row returned is a counterexample (or a broken measurement)."""
    return [
        r
        for r in rows
        if r["architecture"] == "binary_rnn"
        and r["reached"]
        and r["q"] == 1
        and r["d_prime"] == 1
        and r["m"] < memory_lower_bound(r["N"])
    ]


def separation(
    Ns: Sequence[int],
    eps: float,
    architectures: Sequence[str] = ARCHITECTURES,
    *,
    q: int = 1,
    d_prime: int = 1,
    max_size: int = 32,
    protocol: Protocol = QUICK,
    seed: int = 0,
    max_work: float = MAX_WORK,
    progress: Callable[[str], None] | None = None,
    remember: Callable[[str, Callable[[], dict]], dict] | None = None,
) -> dict:
    """Rows of :func:`smallest_size` for every N and family, the construction's m and certificate per N,
    and the memory bound. All arguments are checked before any training starts.

    >>> out = separation([4], 0.9, ["attention"], max_size=1,
    ...                  protocol=Protocol(inits=1, lrs=(0.1,), probe_steps=1, adam_steps=5, lbfgs_steps=0,
    ...                                    n_train=20, n_test=10))
    >>> out["construction"][0]["N"], len(out["rows"])
    (4, 1)
    """
    from approxlab.construct.attention import qsa_attention

    eps = check_eps(eps)
    for N in Ns:
        check(N, q, d_prime)
        for a in architectures:
            require(
                a in ARCHITECTURES,
                f"unknown architecture {a!r}: use one of {', '.join(ARCHITECTURES)}",
            )
            need = work(a, N, d_prime, ladder(max_size), protocol)
            if need > max_work:
                raise ApproxlabError(
                    f"the {a} size search at N = {N} up to m = {max_size} needs ≈ {need:.2g} "
                    f"multiply-adds, above the budget {max_work:.2g}: lower --max-size or --N, "
                    "or raise --budget"
                )
    construction = []
    for N in Ns:
        cert = qsa_attention(N, q, d_prime, eps=eps, n=protocol.n_test, seed=seed)[1]
        construction.append(
            {
                "N": N,
                "m": cert.units,
                "params": cert.params,
                "measured": cert.measured,
                "bound": cert.bound,
                "holds": cert.holds,
                "margin": cert.details["margin"],
            }
        )
    rows = [
        smallest_size(
            a,
            N,
            eps,
            q=q,
            d_prime=d_prime,
            max_size=max_size,
            protocol=protocol,
            seed=seed,
            max_work=max_work,
            progress=progress,
            remember=remember,
        )
        for N in Ns
        for a in architectures
    ]
    return {
        "eps": eps,
        "q": q,
        "d_prime": d_prime,
        "Ns": list(Ns),
        "rows": rows,
        "construction": construction,
        "memory_lower_bound": {N: memory_lower_bound(N) for N in Ns},
        "protocol": vars(protocol) | {"lrs": list(protocol.lrs)},
        "beats_memory_bound": beats_memory_bound(rows),
    }


def slope(Ns: Sequence[int], ms: Sequence[float]) -> float:
    """Least-squares slope of log m against log N (the exponent of m ∝ N^slope).

    >>> round(slope([8, 16, 32], [4, 8, 16]), 6)
    1.0
    """
    return float(np.polyfit(np.log(Ns), np.log(ms), 1)[0])
