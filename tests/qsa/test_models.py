"""The three families: shapes, declared input width, the binary state, bad names."""

import numpy as np
import pytest
import torch

from approxlab.errors import ApproxlabError
from approxlab.nets import count_params, in_features
from approxlab.qsa.models import ARCHITECTURES, Attention, make
from approxlab.qsa.task import encode, sample


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_every_family_maps_N_tokens_to_N_answers(arch):
    N, dp = 5, 2
    net = make(arch, N, dp, 3, seed=1)
    x = torch.as_tensor(encode(sample(4, N, 1, dp, 0), 1).reshape(4, -1))
    assert in_features(net) == x.shape[1]
    assert net(x).shape == (4, N * dp)
    assert all(p.dtype == torch.float64 for p in net.parameters())


def test_attention_is_the_seed_formula():
    N, dp, m = 4, 1, 2
    net = Attention(N, dp, m, seed=0)
    X = torch.as_tensor(encode(sample(1, N, 1, dp, 0), 1))[0]
    with torch.no_grad():
        A = X @ net.Q @ net.K.T @ X.T
        expected = torch.softmax(A, dim=1) @ X @ net.V
        assert torch.allclose(net(X.reshape(1, -1)).reshape(N, dp), expected, atol=1e-14)
    assert count_params(net) == 2 * (dp + 2 * N) * m + (dp + 2 * N) * dp


def test_binary_rnn_state_is_bits_and_gradients_flow():
    net = make("binary_rnn", 6, 1, 8, seed=0)
    x = torch.as_tensor(encode(sample(5, 6, 1, 1, 0), 1).reshape(5, -1))
    h = net.memory(x)
    assert set(np.unique(h.detach().numpy())) <= {0.0, 1.0}
    net(x).sum().backward()
    assert net.W.grad is not None and float(net.W.grad.abs().sum()) > 0  # straight-through


def test_unknown_architecture_and_zero_size_are_refused():
    with pytest.raises(ApproxlabError, match="unknown architecture 'lstm'"):
        make("lstm", 4, 1, 2)
    with pytest.raises(ApproxlabError):
        make("fc", 4, 1, 0)
