"""Bringing a plain PyTorch model in: state_dicts by order and shape, module forwards by torch.fx."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import approxlab
from approxlab.adopt import adopt, from_module, from_state_dict, read_torch_file
from approxlab.errors import ApproxlabError, ApproxlabWarning
from approxlab.regions import partition
from approxlab.units import two_layer


class ThreeNamed(nn.Module):
    """The classic tutorial shape: fc1, fc2, out with functional activations."""

    def __init__(self, d=1, m=16):
        super().__init__()
        self.fc1, self.fc2, self.out = nn.Linear(d, m), nn.Linear(m, m), nn.Linear(m, 1)

    def forward(self, x):
        x = torch.tanh(self.fc1(x))
        x = F.tanh(self.fc2(x))
        return self.out(x)


class BodyHead(nn.Module):
    """A Sequential body and a named head, ReLU as a module inside the body."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU())
        self.head = nn.Linear(8, 3)

    def forward(self, x):
        return self.head(self.body(x))


class Methods(nn.Module):
    """Tensor methods as activations and a last layer without bias."""

    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 5)
        self.readout = nn.Linear(5, 1, bias=False)

    def forward(self, x):
        return self.readout(self.hidden(x).sigmoid())


class Leaky(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(2, 4), nn.Linear(4, 1)

    def forward(self, x):
        return self.b(F.leaky_relu(self.a(x), negative_slope=0.2))


SHAPES = [ThreeNamed, BodyHead, Methods, Leaky]


def _same_function(original: nn.Module, adopted: nn.Module, d: int) -> float:
    X = torch.randn(64, d, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    with torch.no_grad():
        return float((original.double()(X) - adopted(X)).abs().max())


@pytest.mark.parametrize("cls", SHAPES, ids=[c.__name__ for c in SHAPES])
def test_a_module_forward_becomes_a_sequential_computing_the_same_function(cls):
    torch.manual_seed(1)
    module = cls()
    net = from_module(module)
    assert isinstance(net, nn.Sequential) and next(net.parameters()).dtype == torch.float64
    d = next(m for m in net if isinstance(m, nn.Linear)).in_features
    # float32 weights widen to float64 exactly, so both compute the same float64 function
    assert _same_function(module, net, d) < 1e-14


@pytest.mark.parametrize("cls", SHAPES, ids=[c.__name__ for c in SHAPES])
def test_a_state_dict_with_any_key_names_loads_by_order_and_shape(cls, tmp_path):
    torch.manual_seed(2)
    module = cls()
    torch.save(module.state_dict(), tmp_path / "model.pt")
    net = read_torch_file(
        tmp_path / "model.pt", arch=cls()
    )  # the architecture as an untrained instance
    d = next(m for m in net if isinstance(m, nn.Linear)).in_features
    assert _same_function(module, net, d) < 1e-14
    saved = approxlab.save(net, tmp_path / "model.safetensors")
    assert _same_function(module, approxlab.load(saved), d) < 1e-14


def test_a_one_hidden_layer_state_dict_reads_as_units_and_exact_regions():
    g = torch.Generator().manual_seed(3)
    sd = {
        "fc1.weight": torch.randn(6, 1, generator=g),
        "fc1.bias": torch.randn(6, generator=g),
        "out.weight": torch.randn(1, 6, generator=g),
        "out.bias": torch.randn(1, generator=g),
    }
    assert two_layer(from_state_dict(sd, "tanh")).width == 6
    p = partition(from_state_dict(sd, "relu"), (-3.0, 3.0))
    w, b = sd["fc1.weight"][:, 0].double(), sd["fc1.bias"].double()
    knots = sorted(float(k) for k in -b / w if -3 < k < 3)
    # a ReLU unit bends exactly at its knot −b/w: the partition's interior points are the knots
    assert len(knots) >= 2 and [float(x) for x in p.points[1:-1]] == pytest.approx(knots, abs=1e-12)


def test_sizes_and_activations_in_arch_must_match_the_weights_and_the_message_lists_the_keys(
    tmp_path,
):
    sd = ThreeNamed(d=1, m=16).state_dict()
    net = from_state_dict(sd, "1,16,tanh,16,tanh,1")
    assert [type(m).__name__ for m in net] == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    with pytest.raises(
        ApproxlabError,
        match=r"expected weights 16×2, 1×16.*fc1.weight \(16, 1\), .*out.bias \(1,\)",
    ):
        from_state_dict(sd, "2,16,tanh,1")
    with pytest.raises(ApproxlabError, match="cannot read 'tahn'"):
        from_state_dict(sd, "tahn")


def test_no_arch_assumes_relu_and_says_so():
    sd = ThreeNamed().state_dict()
    with pytest.warns(ApproxlabWarning, match="assuming ReLU"):
        net = from_state_dict(sd)
    assert [type(m).__name__ for m in net].count("ReLU") == 2


def test_keys_that_are_not_linear_layers_are_named():
    sd = nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1)).state_dict()
    with pytest.raises(
        ApproxlabError, match=r"keys under '1' \(bias, num_batches_tracked, running_mean"
    ):
        from_state_dict(sd, "relu")


def test_a_chain_broken_by_a_skip_or_a_reshape_is_refused_by_name():
    class Skip(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)

        def forward(self, x):
            return x + torch.relu(self.fc(x))

    class Reshape(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 1)

        def forward(self, x):
            return self.fc(x.view(-1, 4))

    with pytest.raises(ApproxlabError, match="does not just continue the chain"):
        from_module(Skip())
    with pytest.raises(ApproxlabError, match="uses 'view'"):
        from_module(Reshape())


def test_data_dependent_control_flow_cannot_be_traced_and_says_what_to_do():
    class Branchy(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(1, 1)

        def forward(self, x):
            return self.fc(x) if x.sum() > 0 else -self.fc(x)

    with pytest.raises(ApproxlabError, match="cannot trace Branchy.forward.*state_dict"):
        from_module(Branchy())


def test_a_pickled_module_is_refused_without_running_its_code(tmp_path):
    torch.save(ThreeNamed(), tmp_path / "full.pt")
    with pytest.raises(ApproxlabError, match=r"holds pickled Python objects.*model.state_dict\(\)"):
        read_torch_file(tmp_path / "full.pt", "tanh")


def test_a_checkpoint_dict_is_opened_at_its_state_dict(tmp_path):
    module = ThreeNamed()
    torch.save(
        {"epoch": 7, "model_state_dict": module.state_dict(), "lr": 0.1}, tmp_path / "ckpt.pt"
    )
    assert _same_function(module, read_torch_file(tmp_path / "ckpt.pt", "tanh"), 1) < 1e-14
    torch.save({"epoch": 7}, tmp_path / "empty.pt")
    with pytest.raises(ApproxlabError, match="no state_dict of tensors"):
        read_torch_file(tmp_path / "empty.pt", "tanh")


def test_degenerate_weights_come_through_unchanged_and_nan_weights_are_refused():
    sd = {"a.weight": torch.zeros(3, 2), "a.bias": torch.zeros(3), "b.weight": torch.ones(1, 3)}
    net = from_state_dict(sd, "relu")
    assert net[2].bias is None and float(net[0].weight.detach().abs().sum()) == 0.0
    with pytest.raises(ApproxlabError, match=r"'b.weight' holds NaN values \(3 of 3 entries\)"):
        from_state_dict({**sd, "b.weight": torch.full((1, 3), float("nan"))}, "relu")


def test_load_and_adopt_accept_a_state_dict_file_where_a_model_file_is_expected(tmp_path):
    module = BodyHead()
    torch.save(module.state_dict(), tmp_path / "m.pt")
    with pytest.warns(ApproxlabWarning):
        net = approxlab.load(tmp_path / "m.pt")
    assert _same_function(module, net, 2) < 1e-14
    assert _same_function(module, adopt(module), 2) < 1e-14
    assert approxlab.modelfile.extra(tmp_path / "m.pt") == {}
