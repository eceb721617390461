"""Model files: safetensors with the architecture in metadata, bit-exact, no pickle."""

import pytest
import torch
from torch import nn

from approxlab.errors import ApproxlabError
from approxlab.modelfile import extra, import_state_dict, load, save
from approxlab.nets import ACTIVATIONS, mlp


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_round_trip_is_bit_exact(tmp_path, name):
    net = mlp(2, [7, 3], activation=name, seed=4)
    back = load(save(net, tmp_path / "m.safetensors"))
    for (k, p), (k2, q) in zip(net.state_dict().items(), back.state_dict().items()):
        assert k == k2 and p.dtype == q.dtype and torch.equal(p, q)
    x = torch.randn(9, 2, dtype=torch.float64)
    assert torch.equal(net(x), back(x))


def test_round_trip_keeps_float32_batchnorm_dropout_and_layer_settings(tmp_path):
    net = nn.Sequential(
        nn.Linear(3, 4),
        nn.BatchNorm1d(4),
        nn.LeakyReLU(0.2),
        nn.Dropout(0.1),
        nn.Hardtanh(-2, 2),
        nn.Linear(4, 1),
    )
    net.train()
    net(torch.randn(16, 3))
    net.eval()
    back = load(save(net, tmp_path / "m.safetensors", extra={"target": "x1"}))
    assert back[0].weight.dtype == torch.float32
    assert back[2].negative_slope == 0.2 and back[4].min_val == -2
    assert torch.equal(back[1].running_mean, net[1].running_mean)
    x = torch.randn(5, 3)
    assert torch.equal(net(x), back(x))
    assert extra(tmp_path / "m.safetensors") == {"target": "x1"}


def test_unsupported_layer_is_named(tmp_path):
    with pytest.raises(ApproxlabError, match="cannot save layer GRU: supported layers are"):
        save(nn.Sequential(nn.GRU(1, 1)), tmp_path / "m.safetensors")


@pytest.mark.parametrize("content", [b"", b"garbage", b"\x08\x00\x00\x00\x00\x00\x00\x00{}junk"])
def test_corrupt_file_gives_one_line(tmp_path, content):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(content)
    with pytest.raises(ApproxlabError) as err:
        load(path)
    assert "\n" not in str(err.value)


def test_missing_file_and_foreign_safetensors(tmp_path):
    with pytest.raises(ApproxlabError, match="does not exist"):
        load(tmp_path / "nope.safetensors")
    from safetensors.torch import save_file

    save_file({"w": torch.zeros(2)}, tmp_path / "plain.safetensors")
    with pytest.raises(ApproxlabError, match="no approxlab architecture metadata"):
        load(tmp_path / "plain.safetensors")


def test_truncated_file_is_refused(tmp_path):
    path = save(mlp(2, [50]), tmp_path / "m.safetensors")
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ApproxlabError, match="corrupt"):
        load(path)


def test_state_dict_import_goes_through_weights_only(tmp_path):
    net = mlp(2, [5], activation="tanh", seed=1)
    torch.save(net.state_dict(), tmp_path / "sd.pt")
    back = import_state_dict(tmp_path / "sd.pt", mlp(2, [5], activation="tanh", seed=9))
    assert torch.equal(back[0].weight, net[0].weight)


def test_state_dict_import_refuses_pickled_objects(tmp_path):
    torch.save({"w": torch.zeros(1), "obj": nn.ReLU()}, tmp_path / "evil.pt")
    with pytest.raises(ApproxlabError, match="weights_only=True"):
        import_state_dict(tmp_path / "evil.pt", mlp(2, [5]))


def test_state_dict_import_checks_shapes(tmp_path):
    torch.save(mlp(2, [5]).state_dict(), tmp_path / "sd.pt")
    with pytest.raises(ApproxlabError, match="do not match the architecture"):
        import_state_dict(tmp_path / "sd.pt", mlp(2, [6]))


def _with_metadata(tmp_path, **meta):
    from safetensors.torch import save as to_bytes

    net = mlp(2, [6], activation="sigmoid")
    base = {
        "format": "approxlab/1",
        "approxlab.architecture": '[{"type": "Linear", "in": 2, "out": 6}, {"type": "sigmoid"}, '
        '{"type": "Linear", "in": 6, "out": 1}]',
    }
    path = tmp_path / "m.safetensors"
    path.write_bytes(
        to_bytes(
            {k: v.contiguous() for k, v in net.state_dict().items()}, metadata={**base, **meta}
        )
    )
    return path


@pytest.mark.parametrize(
    ("architecture", "message"),
    [
        ("[1, 2, 3]", "layer 0 is 1, not a layer spec"),
        ('["Linear"]', "layer 0 is 'Linear', not a layer spec"),
        ('[{"type": "Linear", "out": 6}]', r"layer 0 \(Linear\) is invalid \(in: Field required\)"),
        ('[{"type": "Linear", "in": "2", "out": 6}]', r"\(in: Input should be a valid integer\)"),
        (
            '[{"type": "Linear", "in": -2, "out": 6}]',
            r"\(in: Input should be greater than or equal to 1\)",
        ),
        ('[{"type": "Dropout", "p": 1.5}]', r"\(p: Input should be less than or equal to 1\)"),
        ('[{"type": "Hardtanh", "min": 2, "max": -2}]', "min 2.0 must be below max -2.0"),
        ("[" * 5000 + "]" * 5000, "nests 5000 levels deep, the limit is 32"),
        ("{bad json", "corrupt architecture metadata"),
    ],
)
def test_the_architecture_schema_names_the_field_and_the_fix(tmp_path, architecture, message):
    with pytest.raises(ApproxlabError, match=message):
        load(_with_metadata(tmp_path, **{"approxlab.architecture": architecture}))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{garbled", "corrupt extra metadata"),
        ("[1, 2]", "extra metadata is list, not a JSON object"),
        ('{"domain": [["a", "b"]]}', r"domain.0.0: Input should be a valid number"),
        ("7", "extra metadata is int, not a JSON object"),
        ('{"domain": [[-1e300, 1e300]]}', "reaches beyond ±1e\\+12"),
    ],
)
def test_the_extra_schema_names_the_field_and_the_fix(tmp_path, value, message):
    path = _with_metadata(tmp_path, **{"approxlab.extra": value})
    with pytest.raises(ApproxlabError, match=message):
        extra(path)
    with pytest.raises(ApproxlabError, match=message):
        load(path)


def test_weights_past_the_overflow_cap_are_refused_with_the_reason(tmp_path):
    net = mlp(2, [3])
    with torch.no_grad():
        net[2].weight[0, 0] = 1e200
    import json

    from safetensors.torch import save as to_bytes

    from approxlab.modelfile import architecture

    path = tmp_path / "m.safetensors"
    path.write_bytes(
        to_bytes(
            {k: v.contiguous() for k, v in net.state_dict().items()},
            metadata={
                "format": "approxlab/1",
                "approxlab.architecture": json.dumps(architecture(net)),
            },
        )
    )
    with pytest.raises(
        ApproxlabError,
        match=r"tensor '2.weight' has a weight of magnitude 1e\+200, above 5.64e\+102 where products of three overflow float64",
    ):
        load(path)
