"""K multilayer perceptrons of one shape held as stacked tensors.

Layer l of net k has weight ``W[l][k]`` (n_l × n_{l−1}) and bias ``b[l][k]``; a batch of
inputs X_k (n × d) goes through all K nets at once:

    H^(0) = X,   H^(l) = σ(baddbmm(b^(l), H^(l−1), W^(l)ᵀ)),   Ŷ = baddbmm(b^(L+1), H^(L), W^(L+1)ᵀ)

(one batched matrix product per layer instead of K small ones). Each net starts exactly as
``approxlab.mlp(..., seed=s)`` does — it is built by ``mlp`` and stacked — and
:meth:`Ensemble.unstack` gives K ordinary ``torch.nn.Sequential`` nets back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch
from torch import nn

from approxlab.arguments import seed as check_seed
from approxlab.ensemble.device import resolve_device
from approxlab.errors import ApproxlabError, require
from approxlab.nets import activation as make_activation
from approxlab.nets import activation_name, mlp


class Ensemble:
    """K nets ``in_dim → widths → out_dim`` with parameters stacked along a leading K axis.

    >>> e = ensemble(2, [6], activation="sigmoid", seeds=[0, 1, 2])
    >>> e(torch.zeros(5, 2, dtype=torch.float64)).shape
    torch.Size([3, 5, 1])
    """

    def __init__(
        self,
        weights: list[torch.Tensor],
        biases: list[torch.Tensor],
        activation: str,
        out_activation: str | None,
        seeds: list[int],
    ):
        self.weights, self.biases = weights, biases
        self.activation, self.out_activation, self.seeds = activation, out_activation, list(seeds)
        self._act = make_activation(activation)
        self._out = make_activation(out_activation) if out_activation else None

    @property
    def K(self) -> int:
        """Number of nets."""
        return self.weights[0].shape[0]

    @property
    def sizes(self) -> list[int]:
        """Layer sizes [in_dim, *widths, out_dim]."""
        return [self.weights[0].shape[2], *(w.shape[1] for w in self.weights)]

    @property
    def dtype(self) -> torch.dtype:
        return self.weights[0].dtype

    @property
    def device(self) -> torch.device:
        return self.weights[0].device

    def parameters(self) -> list[torch.Tensor]:
        """The stacked tensors, layer by layer: W1, b1, W2, b2, …"""
        return [t for pair in zip(self.weights, self.biases) for t in pair]

    def __call__(self, X: torch.Tensor) -> torch.Tensor:
        """Outputs (K, n, out_dim) for inputs shared by all nets (n, d) or one batch per net (K, n, d)."""
        h = X.expand(self.K, *X.shape) if X.ndim == 2 else X
        last = len(self.weights) - 1
        for i, (W, b) in enumerate(zip(self.weights, self.biases)):
            h = torch.baddbmm(b.unsqueeze(1), h, W.transpose(1, 2))
            if i < last:
                h = self._act(h)
        return self._out(h) if self._out is not None else h

    def unstack(self) -> list[nn.Sequential]:
        """K ordinary ``nn.Sequential`` nets (copies, on the CPU, in the ensemble's dtype).

        >>> nets = ensemble(1, [3], seeds=[4, 5]).unstack()
        >>> torch.equal(nets[0][0].weight, mlp(1, [3], seed=4)[0].weight)
        True
        """
        nets = []
        for k in range(self.K):
            net = mlp(
                self.sizes[0],
                self.sizes[1:-1],
                self.sizes[-1],
                activation=self.activation,
                seed=self.seeds[k],
                dtype=self.dtype,
                out_activation=self.out_activation,
            )
            linears = [m for m in net if isinstance(m, nn.Linear)]
            with torch.no_grad():
                for lin, W, b in zip(linears, self.weights, self.biases):
                    lin.weight.copy_(W[k].detach().cpu())
                    lin.bias.copy_(b[k].detach().cpu())
            nets.append(net)
        return nets

    @classmethod
    def from_nets(
        cls,
        nets: Sequence[nn.Sequential],
        seeds: Iterable[int] | None = None,
        device: str | torch.device = "cpu",
    ) -> Ensemble:
        """Stack nets of one ``mlp`` shape (same layer sizes and activations).

        >>> Ensemble.from_nets([mlp(2, [4], seed=s) for s in range(3)]).K
        3
        """
        require(len(nets) >= 1, "an ensemble needs at least one net")
        shape = _shape(nets[0])
        for i, net in enumerate(nets):
            if _shape(net) != shape:
                raise ApproxlabError(
                    f"net {i} has shape {_shape(net)}, net 0 has {shape}: stack nets of one shape"
                )
        sizes, act, out_act = shape
        layers = [[m for m in net if isinstance(m, nn.Linear)] for net in nets]
        dev = resolve_device(device)
        weights = [
            torch.stack([ls[i].weight.detach() for ls in layers]).to(dev).requires_grad_()
            for i in range(len(sizes) - 1)
        ]
        biases = [
            torch.stack([ls[i].bias.detach() for ls in layers]).to(dev).requires_grad_()
            for i in range(len(sizes) - 1)
        ]
        return cls(
            weights,
            biases,
            act,
            out_act,
            list(seeds) if seeds is not None else list(range(len(nets))),
        )


def _shape(net: nn.Module) -> tuple[tuple[int, ...], str, str | None]:
    """(layer sizes, hidden activation, output activation) of an ``mlp``-built net, or an error."""
    if not isinstance(net, nn.Sequential):
        raise ApproxlabError(
            f"an ensemble stacks nn.Sequential MLPs, got {type(net).__name__}: build nets with approxlab.mlp"
        )
    modules = list(net)
    last_linear = max((i for i, m in enumerate(modules) if isinstance(m, nn.Linear)), default=-1)
    require(
        last_linear >= 0,
        "the net has no Linear layer: an ensemble stacks MLPs built by approxlab.mlp",
    )
    sizes: list[int] = []
    acts: list[str] = []
    tail: list[str] = []
    for i, m in enumerate(modules):
        if isinstance(m, nn.Linear):
            if m.bias is None:
                raise ApproxlabError(
                    "an ensemble stacks Linear layers with biases, as approxlab.mlp builds them"
                )
            sizes += [m.in_features, m.out_features] if not sizes else [m.out_features]
            continue
        name = activation_name(m)
        if name is None:
            raise ApproxlabError(
                f"layer {i} is {type(m).__name__}: an ensemble stacks Linear layers and approxlab "
                "activations only"
            )
        (tail if i > last_linear else acts).append(name)
    require(
        len(tail) <= 1,
        "the net ends in more than one activation: an ensemble takes approxlab.mlp shapes",
    )
    out_act = tail[0] if tail else None
    if len(set(acts)) > 1:
        raise ApproxlabError(
            f"the net mixes activations {sorted(set(acts))}: an ensemble needs one hidden activation"
        )
    return tuple(sizes), (acts[0] if acts else "linear"), out_act


def ensemble(
    in_dim: int,
    widths: Sequence[int] | int,
    out_dim: int = 1,
    activation: str = "relu",
    *,
    seeds: Iterable[int] | int = 1,
    dtype: torch.dtype = torch.float64,
    device: str | torch.device = "cpu",
    out_activation: str | None = None,
) -> Ensemble:
    """K = len(seeds) nets, net k initialised exactly as ``mlp(in_dim, widths, ..., seed=seeds[k])``.

    ``seeds`` may be a count K (seeds 0 … K−1). Parameters are float64 by default
    (``dtype=torch.float32`` for speed) on ``device`` (cpu, cuda or auto).

    >>> ensemble(2, [6], activation="sigmoid", seeds=4).K
    4
    """
    seeds = list(range(seeds)) if isinstance(seeds, int) else [check_seed(s, "seed") for s in seeds]
    require(len(seeds) >= 1, "seeds is empty: give a count (seeds=64) or a list of seeds")
    nets = [
        mlp(
            in_dim,
            widths,
            out_dim,
            activation=activation,
            seed=s,
            dtype=dtype,
            out_activation=out_activation,
        )
        for s in seeds
    ]
    return Ensemble.from_nets(nets, seeds, device)
