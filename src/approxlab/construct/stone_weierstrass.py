"""Stone–Weierstrass networks: cos and exp activations are universal (seed 003).

The span of {cos(ω x + φ)} and of {exp(λ x)} are algebras (products of units are
units of the same family) that separate points and contain constants, so by the
Stone–Weierstrass theorem they are dense in C([lo, hi]). Constructively:

- cos: units cos(jπ (x − lo)/(hi − lo)), j = 0..n−1 (the cosine series of g's even
  extension, which has no jump at the ends),
- exp: units exp(j (x − lo)/(hi − lo)), j = 0..n−1 (polynomials in e^t),

with output weights by least squares on a dense grid. The theorem is qualitative:
there is no rate, so the certificate's bound is ``None``; the least-squares residual
on the fitting grid is non-increasing in n because the unit sets are nested.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from approxlab.construct.certificate import Certificate, certify
from approxlab.construct.target import resolve
from approxlab.errors import choose, require
from approxlab.fit import sup_error
from approxlab.nets import Cos, Exp
from approxlab.targets import Target

FAMILIES = ("cos", "exp")
MAX_UNITS = {
    "cos": 2000,
    "exp": 30,
}  # exp sums beyond ~30 terms are numerically rank-deficient in float64


def stone_weierstrass(
    g: Target | str, units: int, family: str = "cos", grid_n: int = 4001
) -> tuple[nn.Sequential, Certificate]:
    """A one-hidden-layer cos or exp net fitted to g by least squares (float64).

    >>> net, cert = stone_weierstrass("bump", 16)
    >>> cert.measured < 1e-2
    True
    """
    choose("Stone–Weierstrass family", family, FAMILIES)
    require(
        isinstance(units, int) and 1 <= units <= MAX_UNITS[family],
        f"{family} units must number 1..{MAX_UNITS[family]}, got {units!r}: pass e.g. --units 16",
    )
    g = resolve(g, 1, [(0.0, 1.0)])
    lo, hi = g.domain[0]
    scale = (np.pi if family == "cos" else 1.0) / (hi - lo)
    j = np.arange(units, dtype=np.float64)
    hidden = nn.Linear(1, units, dtype=torch.float64)
    output = nn.Linear(units, 1, dtype=torch.float64)
    with torch.no_grad():
        hidden.weight.copy_(torch.from_numpy(j * scale).reshape(-1, 1))
        hidden.bias.copy_(torch.from_numpy(-j * scale * lo))
    act = Cos() if family == "cos" else Exp()
    x = np.linspace(lo, hi, grid_n).reshape(-1, 1)
    with torch.no_grad():
        features = act(hidden(torch.from_numpy(x))).numpy()
    y = np.asarray(g(x), dtype=np.float64)
    weights, *_ = np.linalg.lstsq(features, y, rcond=None)
    with torch.no_grad():
        output.weight.copy_(torch.from_numpy(weights).reshape(1, -1))
        output.bias.zero_()
    net = nn.Sequential(hidden, act, output)
    residual = float(np.sqrt(np.mean((features @ weights - y) ** 2)))
    return net, certify(
        net,
        construction=f"stone_weierstrass_{family}",
        theorem="Stone–Weierstrass (seed 003): cos and exp nets are dense in C(K)",
        bound=None,
        norm="sup",
        measured=sup_error(net, g, grid_n),
        bound_origin="none: the theorem gives density, not a rate",
        target=g.name,
        family=family,
        rms_residual=residual,
    )
