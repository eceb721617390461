"""What a construction promises and what it delivers: the :class:`Certificate`.

A certificate records the network's size (hidden units, depth = number of affine
layers, parameters), the theorem's guaranteed error bound and the norm it holds in,
and the error measured in that norm on a dense float64 grid (or a seeded sample,
which the ``norm`` string then says). ``holds`` is ``measured ≤ bound``.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from torch import nn

from approxlab.nets import count_params

_SLACK = 1e-12  # float64 round-off allowance when a bound is attained exactly (Yarotsky)


@dataclass
class Certificate:
    """A construction's guarantee next to its measurement (JSON-able).

    ``bound`` is ``None`` only for qualitative theorems (Stone–Weierstrass): then
    ``holds`` is ``None`` and ``bound_origin`` says so.

    >>> c = Certificate("demo", "seed 003", 3, 2, 10, 0.1, "sup", 0.05, "theorem")
    >>> c.holds
    True
    """

    construction: str
    theorem: str
    units: int
    depth: int
    params: int
    bound: float | None
    norm: str
    measured: float
    bound_origin: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def holds(self) -> bool | None:
        if self.bound is None:
            return None
        return self.measured <= self.bound + _SLACK * max(1.0, abs(self.bound))

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "holds": self.holds}

    def to_json(self) -> str:
        from approxlab.jsonfile import dumps

        return dumps(json.loads(json.dumps(self.to_dict(), default=_plain)))

    def write(self, path: Path) -> Path:
        path = Path(path)
        path.write_text(self.to_json() + "\n", encoding="utf-8")
        return path


def _plain(x: Any) -> Any:
    if hasattr(x, "tolist"):
        return x.tolist()
    return str(x)


def hidden_units(net: nn.Sequential) -> int:
    """Σ of the widths of all hidden layers (out_features of every Linear but the last)."""
    linears = [m for m in net.modules() if isinstance(m, nn.Linear)]
    return sum(m.out_features for m in linears[:-1])


def depth(net: nn.Sequential) -> int:
    """Number of affine (Linear) layers: a one-hidden-layer net has depth 2 (seed 002)."""
    return sum(isinstance(m, nn.Linear) for m in net.modules())


def certify(
    net: nn.Sequential,
    *,
    construction: str,
    theorem: str,
    bound: float | None,
    norm: str,
    measured: float,
    bound_origin: str,
    **details: Any,
) -> Certificate:
    """Build the :class:`Certificate` of ``net``, counting its units, depth and parameters.

    >>> from approxlab.construct.sawtooth import sawtooth_net
    >>> certify(sawtooth_net(3), construction="sawtooth", theorem="seed 003", bound=0.0,
    ...         norm="sup", measured=0.0, bound_origin="exact").units
    6
    """
    clean = {
        k: (float(v) if isinstance(v, float) and not math.isfinite(v) else v)
        for k, v in details.items()
    }
    return Certificate(
        construction=construction,
        theorem=theorem,
        units=hidden_units(net),
        depth=depth(net),
        params=count_params(net),
        bound=None if bound is None else float(bound),
        norm=norm,
        measured=float(measured),
        bound_origin=bound_origin,
        details=clean,
    )
