"""Real model layers on a slice: convolutions, batch norm, pooling, residual sums (issue 10).

Each model is checked against dense sampling of the torch module itself: every sample lies in
exactly one region, and that region's affine map (from its pattern) gives the module's output
to round-off. Degenerate convolutions (zero biases, duplicated channels) are counted against
the independent exact reference (Fraction clipping) on the same function written as an MLP.
"""

import numpy as np
import pytest
import torch
from torch import nn

from approxlab.errors import ApproxlabError
from approxlab.regions import partition, through_points
from approxlab.regions.checks import check, sampled
from approxlab.regions.layers import output, stages

from .exact_reference import patterns_of, regions, seeded

SQUARE = [(-1.0, 1.0), (-1.0, 1.0)]

BOX = (-1.0, 1.0, -1.0, 1.0)


def _with_statistics(net: nn.Module, dim: int, seed: int) -> nn.Module:
    """Batch norms with non-trivial running statistics (a few training-mode passes), then eval."""
    g = torch.Generator().manual_seed(seed)
    net.train()
    with torch.no_grad():
        for _ in range(3):
            net(torch.randn(32, dim, generator=g, dtype=torch.float64) * 2 + 0.5)
    return net.eval()


def _located(p, net: nn.Module, samples: int = 1500, seed: int = 0) -> None:
    """Every random sample of the domain lies in exactly one region, and that region's A t + c
    equals the torch module's output there (relative 1e-9: float64 round-off, measured ≤ 1e-14)."""
    found = sampled(p, net, samples, seed)
    assert found["samples"] == samples and found["misplaced"] == 0
    assert found["relative_error"] <= 1e-9


def _as_mlp(net: nn.Module) -> nn.Sequential:
    """The same function as Linear/ReLU layers (from its stages), for the exact reference."""
    mods = []
    for s in stages(net):
        lin = nn.Linear(s.weight.shape[1], s.width).double()
        with torch.no_grad():
            lin.weight.copy_(torch.as_tensor(s.weight))
            lin.bias.copy_(torch.as_tensor(s.bias))
        mods += [lin, nn.ReLU()] if s.activation is not None else [lin]
    return nn.Sequential(*mods)


def _slice(dim: int, seed: int):
    return through_points(np.random.default_rng(seed).normal(size=(3, dim)))


CONV2D = lambda: nn.Sequential(  # noqa: E731
    nn.Unflatten(1, (1, 5, 5)),
    nn.Conv2d(1, 3, 3, padding=1),
    nn.ReLU(),
    nn.Conv2d(3, 2, 2, stride=2),
    nn.ReLU(),
    nn.Flatten(),
    nn.Linear(8, 1),
)
CONV1D_BN_AVG = lambda: nn.Sequential(  # noqa: E731
    nn.Unflatten(1, (2, 6)),
    nn.Conv1d(2, 4, 3),
    nn.BatchNorm1d(4),
    nn.ReLU(),
    nn.AvgPool1d(2),
    nn.Flatten(),
    nn.Linear(8, 2),
)
BN2D_AVG_LEAKY = lambda: nn.Sequential(  # noqa: E731
    nn.Unflatten(1, (1, 6, 6)),
    nn.Conv2d(1, 3, 3),
    nn.BatchNorm2d(3),
    nn.LeakyReLU(0.1),
    nn.AvgPool2d(2),
    nn.Flatten(),
    nn.Linear(12, 6),
    nn.ReLU6(),
    nn.Linear(6, 2),
)


@pytest.mark.parametrize(
    "build, dim",
    [(CONV2D, 25), (CONV1D_BN_AVG, 12), (BN2D_AVG_LEAKY, 36)],
    ids=["conv2d", "conv1d-batchnorm-avgpool", "batchnorm2d-avgpool-leaky-relu6"],
)
def test_conv_batchnorm_and_pooling_layers_give_the_modules_own_regions(build, dim):
    net = _with_statistics(seeded(build(), 1), dim, 2)
    x = np.random.default_rng(3).normal(size=(100, dim))
    with torch.no_grad():
        assert np.abs(output(stages(net), x) - net(torch.as_tensor(x)).numpy()).max() < 1e-12
    p = partition(net, _slice(dim, 4))
    assert p.count > 20  # the slice really crosses bends (measured 40–200)
    assert check(p, net)["ok"]
    _located(p, net)


class _Residual(nn.Module):
    """A ResNet-style MLP: relu(x + f(x)) with f = W relu(V x), then a read-out."""

    def __init__(self, dim: int = 2, width: int = 5):
        super().__init__()
        self.inp, self.f1, self.f2, self.out = (
            nn.Linear(dim, width),
            nn.Linear(width, width),
            nn.Linear(width, width),
            nn.Linear(width, 1),
        )

    def forward(self, x):
        h = torch.relu(self.inp(x))
        h = torch.relu(h + self.f2(torch.relu(self.f1(h))))
        return self.out(h)


class _ConvResidual(nn.Module):
    """A residual conv block with a scaled skip and a concatenation."""

    def __init__(self):
        super().__init__()
        self.shape = nn.Unflatten(1, (2, 4, 4))
        self.c1, self.c2 = nn.Conv2d(2, 2, 3, padding=1), nn.Conv2d(2, 2, 3, padding=1)
        self.head = nn.Linear(64, 1)

    def forward(self, x):
        x = self.shape(x)
        y = self.c2(nn.functional.relu(self.c1(x)))
        z = torch.relu(0.5 * x + y - 0.1)
        return self.head(torch.cat([z, x], dim=1).flatten(1))


@pytest.mark.parametrize(
    "build, dim", [(_Residual, 2), (_ConvResidual, 32)], ids=["mlp-block", "conv-block"]
)
def test_residual_sums_are_read_with_torch_fx_and_carried_through_activations(build, dim):
    net = seeded(build(), 5)
    layers = stages(net)
    carried = [
        int(s.activation.passes.sum())
        for s in layers
        if s.activation is not None and s.activation.passes is not None
    ]
    assert carried  # the skip's x crosses the activations of f as pass-through neurons
    x = np.random.default_rng(6).normal(size=(100, dim))
    with torch.no_grad():
        assert np.abs(output(layers, x) - net(torch.as_tensor(x)).numpy()).max() < 1e-12
    p = partition(net, [BOX[:2], BOX[2:]] if dim == 2 else _slice(dim, 7))
    assert check(p, net)["ok"]
    _located(p, net)
    # Pass-through neurons never bend: the recorded piece there is the identity's (m + 1 = 2).
    for s, q in zip([s for s in layers if s.activation is not None], p.patterns()):
        if s.activation.passes is not None:
            assert np.all(q[:, s.activation.passes] == 2)


def _tiny_conv(zero_bias: bool, duplicate: bool, seed: int) -> nn.Sequential:
    net = seeded(
        nn.Sequential(
            nn.Linear(2, 9),
            nn.Unflatten(1, (1, 3, 3)),
            nn.Conv2d(1, 3, 2),
            nn.ReLU(),
            nn.Conv2d(3, 2, 2),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(2, 1),
        ),
        seed,
    )
    with torch.no_grad():
        if zero_bias:
            for m in net.modules():
                if isinstance(m, (nn.Linear, nn.Conv2d)):
                    m.bias.zero_()
        if duplicate:
            net[2].weight[1] = net[2].weight[0]
            net[2].bias[1] = net[2].bias[0]
    return net


@pytest.mark.parametrize(
    "zero_bias, duplicate",
    [(False, False), (True, False), (False, True), (True, True)],
    ids=["random", "zero-biases", "duplicated-channel", "both"],
)
def test_degenerate_convolutions_match_the_exact_reference(zero_bias, duplicate):
    net = _tiny_conv(zero_bias, duplicate, seed=8)
    p = partition(net, [BOX[:2], BOX[2:]])
    truth = regions(_as_mlp(net), BOX)
    assert p.count == len(truth) and patterns_of(p) == set(truth)
    assert check(p, net)["ok"]
    _located(p, net, samples=800)


def test_a_zero_bias_conv_net_bends_only_through_the_origin():
    # With every bias zero the net is positively homogeneous: every region is a cone with its apex at
    # the origin, so the origin is a vertex of every region and the only vertex inside the box.
    p = partition(_tiny_conv(True, False, seed=9), [BOX[:2], BOX[2:]])
    assert p.count > 4
    # (float64 interpolation puts the apex within ~1e-16 of 0, not exactly on it)
    apex = np.abs(p.vertices).max(axis=1) < 1e-12
    face = np.repeat(np.arange(p.count), p.lengths)
    assert set(face[apex[p.face_vertices]]) == set(range(p.count))
    inner = np.abs(p.vertices).max(axis=1) < 1 - 1e-12
    assert np.all(apex[inner])


class _Gated(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 3)

    def forward(self, x):
        h = self.a(x)
        return torch.sigmoid(h).sum(dim=1)


class _Product(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 3)

    def forward(self, x):
        h = self.a(x)
        return (h * h).sum(dim=1)


@pytest.mark.parametrize(
    "net, message",
    [
        (_Gated(), r"the operation sigmoid \(node 'sigmoid'\) is not supported"),
        (_Product(), r"the operation mul \(node 'mul'\) is not supported"),
        (
            nn.Sequential(
                nn.Unflatten(1, (1, 4, 4)),
                nn.Conv2d(1, 2, 3),
                nn.Tanh(),
                nn.Flatten(),
                nn.Linear(8, 1),
            ),
            r"layer Tanh \(module '2'\) is not supported",
        ),
        (
            nn.Sequential(
                nn.Unflatten(1, (1, 4, 4)),
                nn.Conv2d(1, 2, 3),
                nn.MaxPool2d(2, return_indices=True),
                nn.Flatten(),
                nn.Linear(2, 1),
            ),
            r"layer 2 \(MaxPool2d\) has return_indices or ceil_mode set",
        ),
        (
            nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8, 1)),
            r"start the model with nn.Unflatten",
        ),
    ],
)
def test_an_operation_that_is_not_piecewise_linear_is_named_in_one_line(net, message):
    with pytest.raises(ApproxlabError, match=message) as err:
        stages(net)
    assert "\n" not in str(err.value)


def test_the_sampling_check_catches_a_wrong_net_and_a_missing_region():
    net = seeded(CONV2D(), 1)
    p = partition(net, _slice(25, 4))
    other = seeded(CONV2D(), 2)
    assert sampled(p, other, 500)["relative_error"] > 1e-3
    biggest = int(np.argmax(p.areas()))
    p.offsets = np.delete(
        p.offsets, biggest + 1
    )  # merge the biggest region with the next: a non-convex mess
    assert sampled(p, net, 500)["misplaced"] > 0


def test_a_zero_bias_residual_net_needs_exact_signs_through_its_pass_through_neurons():
    # Every bend passes through the origin: signs there are decided exactly, reading the affine maps of
    # regions whose patterns include pass-through neurons (piece m + 1, slope 1).
    net = seeded(_Residual(width=6), 11)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.Linear):
                m.bias.zero_()
    p = partition(net, [BOX[:2], BOX[2:]])
    assert check(p, net)["ok"]
    _located(p, net, samples=800)
    apex = np.abs(p.vertices).max(axis=1) < 1e-12
    assert np.all(
        apex[np.abs(p.vertices).max(axis=1) < 1 - 1e-12]
    )  # every inner vertex is the origin


def test_a_one_input_residual_net_on_an_interval():
    net = seeded(_Residual(dim=1, width=7), 12)
    p = partition(net, (-2.0, 3.0))
    # check(): adjacent intervals have distinct patterns, so a cut at a pass-through neuron would fail it.
    assert check(p, net, per_region=4)["ok"]
    x = np.linspace(-2.0, 3.0, 20001)[:, None]
    with torch.no_grad():
        y = net(torch.as_tensor(x)).numpy()[:, 0]
    # Where the sampled slope changes there must be a breakpoint within one grid step.
    slope = np.diff(y) / np.diff(x[:, 0])
    bends = x[1:-1, 0][np.abs(np.diff(slope)) > 1e-6 * max(np.abs(slope).max(), 1.0)]
    assert all(np.min(np.abs(p.points - b)) <= 2.5e-4 for b in bends)


class _Functional(nn.Module):
    """Every operation the reader knows, written in a forward: activations as functions and methods,
    slices, a view through x.size(0), a difference, scalings on either side, a sum over a dimension."""

    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(3, 8), nn.Linear(8, 6)
        self.c = nn.Conv1d(1, 2, 3)
        self.out = nn.Linear(9, 2)

    def forward(self, x):
        h = nn.functional.leaky_relu(self.a(x), negative_slope=0.3)
        g = nn.functional.hardtanh(self.b(h), -0.5, 0.8)
        k = nn.functional.relu6(3.0 * g[:, :4]).abs()
        u = self.c(h.view(h.size(0), 1, -1)).relu()  # (N, 2, 6)
        s = u.sum(dim=1) - 0.5 * g + 1.0  # (N, 6)
        z = torch.cat([k / 2, 1 - s[:, :4], x[:, 2:]], dim=1)  # (N, 9)
        return self.out(torch.flatten(z, 1))


def test_functional_activations_slices_views_and_scalings_in_a_forward():
    net = seeded(_Functional(), 13)
    layers = stages(net)
    assert [s.activation.name for s in layers if s.activation is not None] == [
        "leaky_relu",
        "hardtanh",
        "hardtanh",
        "abs",
        "relu",
    ]
    x = np.random.default_rng(14).normal(size=(200, 3)) * 2
    with torch.no_grad():
        assert np.abs(output(layers, x) - net(torch.as_tensor(x)).numpy()).max() < 1e-12
    p = partition(net, _slice(3, 15))
    assert check(p, net)["ok"]
    _located(p, net, samples=800)


def test_the_exact_line_through_two_corners_with_tiny_coordinates():
    # Slice corners like 1e-17 are dyadic with 2^109 denominators: clearing them once overflowed
    # (np.gcd on Python ints) and crashed the exact sign test of a vertex on the slice's boundary.
    from fractions import Fraction

    from approxlab.regions.exact import boundary_line

    a, b = np.array([1e-17, 1.7]), np.array([0.3, -1.2e-16])
    p, q, r = boundary_line(a, b)
    for x, y in (a, b):
        assert p * Fraction(float(x)) + q * Fraction(float(y)) + r == 0


class _UserAbs(nn.Module):
    def forward(self, x):
        return x.abs()


class _UserSin(nn.Module):
    def forward(self, x):
        return torch.sin(x)


def test_a_users_own_activation_module_is_read_from_its_forward():
    # A user's `class Abs(nn.Module)` returning x.abs() inside an nn.Sequential was a leaf layer
    # refused as "layer Abs … not supported … use only …, Abs, …"; it is read from its forward
    # now, and gives the regions of approxlab.nets.Abs in the same net, exactly.
    from approxlab.nets import Abs

    torch.manual_seed(0)
    lin = [nn.Linear(2, 8), nn.Linear(8, 6), nn.Linear(6, 1)]
    mine = nn.Sequential(lin[0], _UserAbs(), lin[1], _UserAbs(), lin[2]).double()
    ours = nn.Sequential(lin[0], Abs(), lin[1], Abs(), lin[2]).double()
    assert [s.activation.name for s in stages(mine) if s.activation] == ["abs", "abs"]
    p, q = partition(mine, SQUARE), partition(ours, SQUARE)
    assert p.count == q.count > 8
    assert patterns_of(p) == patterns_of(q)
    assert check(p, mine)["ok"]
    with pytest.raises(ApproxlabError, match=r"the operation sin \(node 'sin'\) is not supported"):
        stages(nn.Sequential(lin[0], _UserSin(), lin[1]).double())
