"""A small CNN trained on sklearn's bundled 8×8 digits, for exact slices of an image classifier.

SplineCam (Humayun et al. 2023) draws a trained classifier's linear regions on the plane
through three training images. :func:`digits_cnn` trains such a classifier in a few seconds
(nothing downloaded: ``sklearn.datasets.load_digits`` ships with scikit-learn), seeded, and
returns it in float64 and eval mode; :func:`digits_slice` is the plane through three images.

>>> net, x, y, accuracy = digits_cnn(seed=0, epochs=1)
>>> x.shape, net(torch.as_tensor(x[:2])).shape
((1797, 64), torch.Size([2, 10]))
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from approxlab.regions.slices import Slice, through_points


def digits_architecture(channels: tuple[int, int] = (4, 8)) -> nn.Sequential:
    """Unflatten → Conv 3×3 → ReLU → AvgPool 2 → Conv 3×3 → ReLU → AvgPool 2 → Flatten → Linear (10 logits).
    Flat 64-pixel inputs (values in [0, 1]); every layer piecewise linear."""
    a, b = channels
    return nn.Sequential(
        nn.Unflatten(1, (1, 8, 8)),
        nn.Conv2d(1, a, 3, padding=1),
        nn.ReLU(),
        nn.AvgPool2d(2),
        nn.Conv2d(a, b, 3, padding=1),
        nn.ReLU(),
        nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * b, 10),
    )


def digits_cnn(
    seed: int = 0, epochs: int = 15, channels: tuple[int, int] = (4, 8)
) -> tuple[nn.Sequential, np.ndarray, np.ndarray, float]:
    """(net, x (1797, 64) in [0, 1], labels (1797,), held-out accuracy) for a CNN trained with Adam
    (lr 1e-2, batches of 128, cross-entropy) on a seeded 80 % of the digits; the other 20 % give
    the accuracy. Trained in float32 without touching the global RNG, returned in float64, eval mode."""
    from sklearn.datasets import load_digits

    data = load_digits()
    x = (data.data / 16.0).astype(np.float64)
    y = data.target.astype(np.int64)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(x))
    cut = int(0.8 * len(x))
    train, test = order[:cut], order[cut:]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = digits_architecture(channels)
        opt = torch.optim.Adam(net.parameters(), lr=1e-2)
        xt, yt = torch.as_tensor(x[train], dtype=torch.float32), torch.as_tensor(y[train])
        g = torch.Generator().manual_seed(seed)
        for _ in range(epochs):
            for idx in torch.randperm(len(xt), generator=g).split(128):
                opt.zero_grad()
                nn.functional.cross_entropy(net(xt[idx]), yt[idx]).backward()
                opt.step()
    net = net.double().eval()
    with torch.no_grad():
        accuracy = float((net(torch.as_tensor(x[test])).argmax(1).numpy() == y[test]).mean())
    return net, x, y, accuracy


def digits_slice(x: np.ndarray, y: np.ndarray, classes: tuple[int, int, int] = (0, 1, 7)) -> Slice:
    """The plane through the first training image of each of three classes, and their triangle."""
    picks = [int(np.flatnonzero(y == c)[0]) for c in classes]
    return through_points(x[picks])
