"""Max pooling and maxout (issue 10): regions are the cells of each window's argmax.

Counted against an independent exact enumeration (Fraction clipping of argmax cells,
tests/regions/exact_reference.py), a dense grid of the torch module's own argmax patterns, and
regioncam's max_pool (a max over all units of a layer: regioncam has no windows, so only
MaxPool1d over the whole layer is compared with it).
"""

from fractions import Fraction

import numpy as np
import pytest
import regioncam
import torch
import torch.nn.functional as F
from torch import nn

from approxlab.errors import ApproxlabError
from approxlab.nets import Maxout
from approxlab.regions import partition, plane
from approxlab.regions.checks import check, sampled
from approxlab.regions.layers import output, stages

from .exact_reference import regions_of_layers, seeded

BOX = (-1.0, 1.0, -1.0, 1.0)


def _exact(matrix) -> list[list[Fraction]]:
    return [[Fraction(float(v)) for v in row] for row in np.atleast_2d(matrix).tolist()]


def _vector(v) -> list[Fraction]:
    return [Fraction(float(u)) for u in np.ravel(v).tolist()]


def _linear(m: nn.Linear) -> tuple:
    return _exact(m.weight.detach().numpy()), _vector(m.bias.detach().numpy())


def _maxout_reference(net: nn.Sequential) -> list:
    """[(W, b, kind)] of a Maxout/Linear chain, read from the torch modules directly."""
    layers = []
    for m in net:
        if isinstance(m, Maxout):
            groups = np.arange(m.out_features * m.pieces).reshape(m.out_features, m.pieces)
            layers.append((*_linear(m.linear), ("max", groups.tolist())))
        else:
            layers.append((*_linear(m), None))
    return layers


def _argmax_patterns(net: nn.Sequential, x: np.ndarray) -> np.ndarray:
    """Each point's argmax of every maxout unit, from the torch module's own forward."""
    found, h = [], torch.as_tensor(x)
    with torch.no_grad():
        for m in net:
            if isinstance(m, Maxout):
                z = m.linear(h).unflatten(-1, (m.out_features, m.pieces))
                found.append(z.argmax(-1))
                h = z.amax(-1)
            else:
                h = m(h)
    return torch.cat(found, dim=1).numpy()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_maxout_net_has_the_regions_of_an_exact_argmax_enumeration(seed):
    net = seeded(
        nn.Sequential(Maxout(2, 4, pieces=3), Maxout(4, 3, pieces=2), nn.Linear(3, 1)), seed
    )
    p = partition(net, [BOX[:2], BOX[2:]])
    truth = regions_of_layers(_maxout_reference(net), BOX)
    assert p.count == len(truth)
    # The same argmax patterns: each region's, read by torch at a point inside it (the reference
    # names entries of the whole layer, torch within the unit).
    pieces = [m.pieces for m in net if isinstance(m, Maxout)]
    found = {tuple(row.tolist()) for row in _argmax_patterns(net, p.centroids())}
    assert found == {
        tuple(a % k for part, k in zip(pattern, pieces) for a in part) for pattern in truth
    }
    assert check(p, net)["ok"]
    found = sampled(p, net, 2000)
    assert found["misplaced"] == 0 and found["relative_error"] <= 1e-9


@pytest.mark.parametrize("kind", ["zero-biases", "duplicated-pieces", "both"])
def test_degenerate_maxout_units_are_counted_exactly(kind):
    # Zero biases put every argmax boundary through the origin (several lines through one vertex);
    # a duplicated piece ties with its copy everywhere (one cell, never a cut between them).
    net = seeded(nn.Sequential(Maxout(2, 5, pieces=4), Maxout(5, 3, pieces=3), nn.Linear(3, 1)), 4)
    with torch.no_grad():
        if kind != "duplicated-pieces":
            for m in net.modules():
                if isinstance(m, nn.Linear):
                    m.bias.zero_()
        if kind != "zero-biases":
            net[0].linear.weight[1] = net[0].linear.weight[0]
            net[0].linear.bias[1] = net[0].linear.bias[0]
            net[1].linear.weight[4] = net[1].linear.weight[3]
            net[1].linear.bias[4] = net[1].linear.bias[3]
    p = partition(net, [BOX[:2], BOX[2:]])
    assert p.count == len(regions_of_layers(_maxout_reference(net), BOX))
    assert check(p, net)["ok"]
    if kind == "zero-biases":  # positively homogeneous: every region is a cone from the origin
        apex = np.abs(p.vertices).max(axis=1) < 1e-12
        face = np.repeat(np.arange(p.count), p.lengths)
        assert set(face[apex[p.face_vertices]]) == set(range(p.count))


def test_a_max_over_a_whole_layer_equals_regioncams_max_pool():
    for seed in range(4):
        net = seeded(
            nn.Sequential(
                nn.Linear(2, 16),
                nn.ReLU(),
                nn.Linear(16, 6),
                nn.Unflatten(1, (1, 6)),
                nn.MaxPool1d(6),
                nn.Flatten(),
            ),
            seed,
        ).float()
        cam = regioncam.Regioncam(1.0)  # the square [-1, 1]^2
        cam.linear(net[0].weight.detach().numpy().T, net[0].bias.detach().numpy())
        cam.relu()
        cam.linear(net[2].weight.detach().numpy().T, net[2].bias.detach().numpy())
        cam.max_pool()
        p = partition(net.double(), [BOX[:2], BOX[2:]])
        assert p.count == cam.num_faces
        assert check(p, net)["ok"]


def _digits_cnn(seed: int) -> nn.Sequential:
    return seeded(
        nn.Sequential(
            nn.Unflatten(1, (1, 8, 8)),
            nn.Conv2d(1, 2, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(32, 3),
        ),
        seed,
    )


def _digits_plane():
    from sklearn.datasets import load_digits

    data = load_digits()
    x = data.data / 16.0
    picks = [int(np.flatnonzero(data.target == c)[0]) for c in (0, 1, 7)]
    a, b, c = x[picks]
    return plane(a, [b - a, c - a], box=((-0.5, 0.5), (-0.5, 0.5)))


def _cnn_patterns(net: nn.Sequential, x: np.ndarray) -> np.ndarray:
    """ReLU signs and each pooling window's argmax, from the torch module's own forward."""
    with torch.no_grad():
        z = net[1](net[0](torch.as_tensor(x)))
        _, where = F.max_pool2d(torch.relu(z), 2, return_indices=True)
    return np.concatenate([(z > 0).flatten(1).numpy(), where.flatten(1).numpy()], axis=1)


def _cnn_reference(net: nn.Sequential, piece) -> list:
    """[(W, b, kind)] of the CNN on the slice: the convolution's matrix from its weights (the image of
    each basis image, no bias: exact in float64), the 2×2 windows by index arithmetic."""
    conv = net[1]
    eye = torch.eye(64, dtype=torch.float64).reshape(64, 1, 8, 8)
    toeplitz = F.conv2d(eye, conv.weight.detach(), None, padding=1).reshape(64, -1).T.numpy()
    bias = np.repeat(conv.bias.detach().numpy(), 64)
    windows = [
        [ch * 64 + (2 * i + di) * 8 + 2 * j + dj for di in (0, 1) for dj in (0, 1)]
        for ch in range(2)
        for i in range(4)
        for j in range(4)
    ]
    identity = [[Fraction(int(i == j)) for j in range(128)] for i in range(128)]
    return [
        (_exact(piece.basis), _vector(piece.origin), "affine"),
        (_exact(toeplitz), _vector(bias), "relu"),
        (identity, [Fraction(0)] * 128, ("max", windows)),
        (*_linear(net[5]), None),
    ]


def test_a_cnn_with_max_pooling_on_a_digits_slice_matches_exact_enumeration_and_a_dense_grid():
    net, piece = _digits_cnn(seed=3), _digits_plane()
    p = partition(net, piece)
    assert check(p, net)["ok"]
    found = sampled(p, net, 3000)
    assert found["misplaced"] == 0 and found["relative_error"] <= 1e-9
    truth = regions_of_layers(_cnn_reference(net, piece), (-0.5, 0.5, -0.5, 0.5))
    assert p.count == len(truth)
    # Dense grid (step h, offset so no point lies on a boundary line): each point's torch pattern
    # is its region's; a region the grid misses holds no disk of radius h/√2, so its inradius,
    # at least area/perimeter for a convex set, is below h/√2.
    h = 1 / 300
    u = np.arange(-0.5 + h / 3, 0.5, h)
    t = np.stack(np.meshgrid(u, u), axis=-1).reshape(-1, 2)
    on_grid = {tuple(row) for row in _cnn_patterns(net, p.inputs(t))}
    at_regions = [tuple(row) for row in _cnn_patterns(net, p.inputs(p.centroids()))]
    assert len(set(at_regions)) == p.count and on_grid <= set(at_regions)
    perimeter = np.add.reduceat(
        np.linalg.norm(
            p.vertices[p.face_vertices] - p.vertices[p.face_vertices[p.next_slot()]], axis=1
        ),
        p.offsets[:-1],
    )
    missed = np.array([pattern not in on_grid for pattern in at_regions])
    assert np.all(p.areas()[missed] / perimeter[missed] < h / np.sqrt(2))
    assert len(on_grid) > 0.9 * p.count


@pytest.mark.parametrize(
    "pool, shape",
    [
        (nn.MaxPool2d(3, stride=2, padding=1), (2, 5, 5)),  # overlapping windows, padding
        (nn.MaxPool2d((2, 3), dilation=(1, 2)), (2, 4, 7)),
        (nn.AdaptiveMaxPool2d((2, 3)), (2, 5, 5)),  # windows of different sizes
        (nn.MaxPool1d(3, stride=2, padding=1), (3, 7)),
        (nn.AdaptiveMaxPool1d(3), (3, 7)),
    ],
    ids=["overlap", "dilated", "adaptive2d", "1d", "adaptive1d"],
)
def test_every_max_pool_is_read_as_the_function_it_is(pool, shape):
    size = int(np.prod(shape))
    net = seeded(
        nn.Sequential(
            nn.Linear(2, size), nn.Unflatten(1, shape), pool, nn.Flatten(), nn.LazyLinear(1)
        ),
        5,
    )
    net(torch.zeros(1, 2, dtype=torch.float64))  # materialise the lazy layer
    net = seeded(net, 5)
    x = np.random.default_rng(0).uniform(-1, 1, (50, 2))
    with torch.no_grad():
        assert np.abs(output(stages(net), x) - net(torch.as_tensor(x)).numpy()).max() < 1e-12
    p = partition(net, [BOX[:2], BOX[2:]])
    assert check(p, net)["ok"]
    assert sampled(p, net, 1500)["misplaced"] == 0


class _Functional(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 12)
        self.b = nn.Linear(6, 1)

    def forward(self, x):
        h = self.a(x).view(x.size(0), 2, 6)
        return self.b(F.max_pool1d(h, 2).flatten(1) + x.sum(dim=1, keepdim=True))


def test_a_functional_max_pool_in_a_forward_with_a_skip():
    net = seeded(_Functional(), 6)
    x = np.random.default_rng(1).uniform(-1, 1, (50, 2))
    with torch.no_grad():
        assert np.abs(output(stages(net), x) - net(torch.as_tensor(x)).numpy()).max() < 1e-12
    p = partition(net, [BOX[:2], BOX[2:]])
    assert check(p, net)["ok"]


def test_a_one_input_maxout_net_on_an_interval_matches_a_dense_grid():
    net = seeded(nn.Sequential(Maxout(1, 6, pieces=3), Maxout(6, 4, pieces=3), nn.Linear(4, 1)), 1)
    p = partition(net, (-2.0, 2.0))
    assert check(p, net)["ok"]
    x = np.linspace(-2, 2, 400_001)[:, None]
    pattern = _argmax_patterns(net, x)
    changes = np.flatnonzero(np.any(pattern[1:] != pattern[:-1], axis=1))
    # Every change of the argmax between grid points is a breakpoint, and no breakpoint is missing
    # (the grid's step 1e-5 is far below the shortest region, measured 0.18).
    assert p.count == len(changes) + 1
    assert np.all(np.abs(p.points[1:-1] - x[changes, 0]) <= 1e-5 + 1e-12)


def test_max_pool_with_ceil_mode_is_refused_in_one_line():
    net = nn.Sequential(nn.Linear(2, 8), nn.Unflatten(1, (2, 4)), nn.MaxPool1d(3, ceil_mode=True))
    with pytest.raises(ApproxlabError, match="return_indices or ceil_mode") as err:
        stages(net)
    assert "\n" not in str(err.value)
