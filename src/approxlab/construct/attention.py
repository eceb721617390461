"""One softmax attention layer that ε-approximates qSA with m = O(q log N) (seed 003; Sanford,
Hsu & Telgarsky 2023, Thm 2 and its proof).

Give every position j a random sign vector u_j ∈ {±1/√m}^m (‖u_j‖ = 1, nearly orthogonal:
|⟨u_j, u_k⟩| ≈ √(2 ln N / m)). For a q-subset S let w_S = U_Sᵀ(U_S U_Sᵀ)^{−1} 1 be the
least-norm vector with ⟨w_S, u_j⟩ = 1 for every j ∈ S (for q = 1, w_S = u_j itself). The fixed
token embedding φ(x_i) = (z_i; w_{y_i}; u_i) and

    Q = c·[0; I_m; 0],  K = [0; 0; I_m],  V = [I_{d'}; 0; 0],   f(X) = softmax(φ(X) Q Kᵀ φ(X)ᵀ) φ(X) V

give row i the scores c on S = y_i (all equal, so S is averaged uniformly) and at most c·γ off
S, where the margin γ = max_{S, j∉S} ⟨w_S, u_j⟩. With γ ≤ ½ the weight P off S is at most
((N − q)/q)·e^{−c/2}, and ‖f(X)_i − qSA(X)_i‖ ≤ Σ_{j∈S}|p_j − 1/q| + P ≤ 2P (‖z_j‖ ≤ 1), so

    c = 2 ln(2(N − q)/(q ε))   gives   max_i ‖f(X)_i − qSA(X)_i‖₂ ≤ ε   for every X.

m is the smallest dimension whose seeded sign vectors reach γ ≤ ½ — over all q-subsets
when there are few enough to list, otherwise over the subsets of the certified inputs (the
certificate says which); random sign vectors reach it once m ≳ 8 q (q + 1) ln N. For q = 1
φ is linear in the one-hot token features, and the layer is literally the seed's
softmax(X Q Kᵀ Xᵀ) X V on them. float64 throughout.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import torch
from torch import nn

from approxlab import arguments
from approxlab.construct.certificate import Certificate
from approxlab.errors import ApproxlabError, require
from approxlab.nets import count_params
from approxlab.qsa.task import check, check_eps, encode, max_error, sample

MARGIN = 0.5  # the proof's γ: off-S scores at most half the on-S score
MAX_M = 4096
EXHAUSTIVE = 2_000_000  # C(N, q)·(N − q) margins below which every q-subset is checked
_THEOREM = (
    "Sanford, Hsu & Telgarsky 2023, Thm 2 (seed 003, 'Model comparison'): one attention layer with "
    "m = O(q log N) ε-approximates qSA"
)


def sign_vectors(N: int, m: int, seed: int = 0) -> np.ndarray:
    """N random sign vectors u_j ∈ {±1/√m}^m (rows), seeded, float64: unit length, nearly orthogonal.

    >>> U = sign_vectors(5, 4)
    >>> U.shape, float(np.abs(U).max()) == 0.5
    ((5, 4), True)
    """
    arguments.count("m", m, MAX_M)
    rng = np.random.default_rng(seed)
    return rng.choice([-1.0, 1.0], size=(N, m)) / math.sqrt(m)


def dual_vectors(U: np.ndarray, S: np.ndarray) -> np.ndarray:
    """w_S = U_Sᵀ (U_S U_Sᵀ)^{−1} 1 for each row of index sets S (k, q): the least-norm w with ⟨w, u_j⟩ = 1 on S.

    >>> U = sign_vectors(6, 8)
    >>> w = dual_vectors(U, np.array([[0, 3]]))
    >>> np.allclose(U[[0, 3]] @ w[0], 1.0)
    True
    """
    US = U[S]  # (k, q, m)
    gram = US @ US.transpose(0, 2, 1)
    ones = np.ones(S.shape + (1,))
    # lstsq-free solve: a singular Gram (two equal sign vectors in S) gives inf/nan, caught as margin = inf.
    with np.errstate(all="ignore"):
        try:
            coef = np.linalg.solve(gram, ones)
        except np.linalg.LinAlgError:
            return np.full((S.shape[0], U.shape[1]), np.inf)
    return (US.transpose(0, 2, 1) @ coef)[..., 0]


def margin(U: np.ndarray, S: np.ndarray) -> float:
    """γ = max over the rows S of the index sets and over j ∉ S of ⟨w_S, u_j⟩ (inf if some U_S is singular).

    >>> margin(np.eye(4), np.array([[0], [2]]))
    0.0
    """
    w = dual_vectors(U, S)
    with np.errstate(all="ignore"):
        scores = w @ U.T  # (k, N)
    if not np.all(np.isfinite(scores)):
        return math.inf
    np.put_along_axis(scores, S, -np.inf, axis=1)
    return float(scores.max())


def subsets(N: int, q: int, X: np.ndarray | None = None) -> tuple[np.ndarray, str]:
    """Every q-subset of [N] (0-based) when C(N, q)·(N − q) ≤ 2·10⁶, else the distinct y_i of X; and which."""
    if math.comb(N, q) * (N - q) <= EXHAUSTIVE:
        return np.array(list(itertools.combinations(range(N), q)), dtype=np.int64), "all q-subsets"
    require(
        X is not None,
        f"C({N}, {q}) q-subsets are too many to list: pass the inputs to check the margin on",
    )
    y = X[..., X.shape[-1] - q - 1 : -1].astype(np.int64).reshape(-1, q) - 1
    return np.unique(np.sort(y, axis=1), axis=0), "the q-subsets of the certified inputs"


def dimension(N: int, q: int, seed: int = 0, X: np.ndarray | None = None) -> tuple[int, float, str]:
    """The least m ≤ 4096 whose seeded sign vectors have margin γ ≤ ½: (m, γ, what was checked).

    >>> dimension(16, 1)[:1]
    (20,)
    """
    S, scope = subsets(N, q, X)
    for m in range(1, MAX_M + 1):
        g = margin(sign_vectors(N, m, seed), S)
        if g <= MARGIN:
            return m, g, scope
    raise ApproxlabError(
        f"no m ≤ {MAX_M} gives sign vectors with margin ½ for N = {N}, q = {q}: use a smaller q"
    )


def temperature(N: int, q: int, eps: float) -> float:
    """c = 2 ln(2(N − q)/(q ε)): with margin ½ the weight off S is ≤ ε/2, so the error is ≤ ε.

    >>> round(temperature(8, 1, 0.1), 4)
    9.8833
    """
    return 2.0 * math.log(2.0 * (N - q) / (q * eps))


class SparseAveragingAttention(nn.Module):
    """softmax(φ(X) Q Kᵀ φ(X)ᵀ) φ(X) V with the fixed embedding φ(x_i) = (z_i; w_{y_i}; u_i), float64.

    Reads the same flattened one-hot token features as the trained families
    (:func:`approxlab.qsa.task.encode`) and returns N·d' numbers per input.
    """

    def __init__(self, U: np.ndarray, q: int, d_prime: int, c: float) -> None:
        super().__init__()
        N, m = U.shape
        self.N, self.q, self.d_prime, self.m, self.in_features = (
            N,
            q,
            d_prime,
            m,
            N * (d_prime + 2 * N),
        )
        self.register_buffer("U", torch.as_tensor(U, dtype=torch.float64))
        eye, zero = np.eye(m), np.zeros((m, m))
        self.Q = nn.Parameter(torch.as_tensor(np.vstack([np.zeros((d_prime, m)), c * eye, zero])))
        self.K = nn.Parameter(torch.as_tensor(np.vstack([np.zeros((d_prime, m)), zero, eye])))
        self.V = nn.Parameter(
            torch.as_tensor(np.vstack([np.eye(d_prime), np.zeros((2 * m, d_prime))]))
        )

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """φ(X) of shape (n, N, d' + 2m) from the one-hot token features."""
        X = x.reshape(x.shape[0], self.N, -1)
        z, hot = X[..., : self.d_prime], X[..., self.d_prime : self.d_prime + self.N]
        S = torch.topk(hot, self.q, dim=-1).indices.reshape(-1, self.q)
        w = torch.as_tensor(dual_vectors(self.U.numpy(), S.numpy()), dtype=x.dtype).reshape(
            x.shape[0], self.N, -1
        )
        u = self.U.to(x.dtype).expand(x.shape[0], -1, -1)
        return torch.cat([z, w, u], dim=-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        phi = self.embed(x)
        scores = (phi @ self.Q) @ (phi @ self.K).transpose(1, 2)
        return (torch.softmax(scores, dim=-1) @ (phi @ self.V)).reshape(x.shape[0], -1)


def qsa_attention(
    N: int, q: int = 1, d_prime: int = 1, eps: float = 0.1, n: int = 200, seed: int = 0
) -> tuple[SparseAveragingAttention, Certificate]:
    """The proof's attention layer for qSA(N, q, d') at accuracy ε, certified on n seeded inputs.

    The certificate's ``units`` is m (the query/key dimension), ``bound`` is ε, and
    ``measured`` is max_i ‖f(X)_i − qSA(X)_i‖₂ over the n inputs (sampled with ``seed``).

    >>> net, cert = qsa_attention(16, 1, 1, eps=0.1, n=50)
    >>> cert.holds, cert.details["margin"] <= 0.5
    (True, True)
    """
    N, q, d_prime = check(N, q, d_prime)
    eps = check_eps(eps)
    arguments.seed(seed)
    X = sample(n, N, q, d_prime, seed)
    m, gamma, scope = dimension(N, q, seed, X)
    c = temperature(N, q, eps)
    net = SparseAveragingAttention(sign_vectors(N, m, seed), q, d_prime, c)
    with torch.no_grad():
        out = net(torch.as_tensor(encode(X, q).reshape(n, -1))).numpy()
    measured = max_error(out, X, q)
    return net, Certificate(
        construction="qsa_attention",
        theorem=_THEOREM,
        units=m,
        depth=1,
        params=count_params(net),
        bound=eps,
        norm=f"max over {n} seeded inputs and i of the l2 error",
        measured=measured,
        bound_origin="2·((N−q)/q)·e^(−c/2) with c = 2 ln(2(N−q)/(qε)), valid when the margin γ ≤ 1/2",
        details={
            "N": N,
            "q": q,
            "d_prime": d_prime,
            "m": m,
            "margin": gamma,
            "margin_checked_on": scope,
            "temperature": c,
            "seed": seed,
            "m_over_q_ln_N": m / (q * math.log(N)),
        },
    )
