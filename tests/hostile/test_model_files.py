"""Hostile model files: every mutated header, metadata entry and tensor is a clear one-line error or a
correct load — never a traceback, never an allocation the file does not justify."""

import json
import math
import random

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors.torch import save as to_bytes
from torch import nn

from approxlab.errors import ApproxlabError
from approxlab.modelfile import architecture, extra, load, save
from approxlab.nets import in_features, mlp

ARCH = "approxlab.architecture"


def _bases():
    torch.manual_seed(0)
    mixed = nn.Sequential(
        nn.Linear(3, 4),
        nn.BatchNorm1d(4),
        nn.LeakyReLU(0.2),
        nn.Dropout(0.1),
        nn.Hardtanh(-2, 2),
        nn.Linear(4, 4),
        nn.Softplus(2.0, 10.0),
        nn.Linear(4, 1),
    ).double()
    nested = nn.Sequential(
        nn.Linear(2, 3), nn.Sequential(nn.Tanh(), nn.Linear(3, 2)), nn.ReLU(), nn.Linear(2, 1)
    ).double()
    return {
        "sigmoid-2-6-1": (
            mlp(2, [6], activation="sigmoid", seed=1),
            {"target": "paraboloid", "domain": [[-1, 1], [-1, 1]]},
        ),
        "relu-1-4-3-1": (mlp(1, [4, 3], seed=2), {"target": "sine", "domain": [[0, 1]]}),
        "mixed": (mixed.eval(), None),
        "nested": (nested, {"note": "x"}),
    }


def _raw(state: dict, metadata: dict) -> bytes:
    return to_bytes(state, metadata=metadata)


def _state(net):
    return {k: v.detach().clone().contiguous() for k, v in net.state_dict().items()}


def _meta(net, extra_value):
    meta = {"format": "approxlab/1", ARCH: json.dumps(architecture(net))}
    if extra_value is not None:
        meta["approxlab.extra"] = json.dumps(extra_value)
    return meta


HOSTILE_ARCHITECTURES = [
    "[1, 2, 3]",
    '["Linear", "relu"]',
    "[{}]",
    "[]",
    "{}",
    "null",
    "3",
    '"Linear"',
    "not json",
    "",
    "[",
    '[{"type": "Linear", "out": 6}]',
    '[{"type": "Linear", "in": "2", "out": 6}]',
    '[{"type": "Linear", "in": -2, "out": 6}]',
    '[{"type": "Linear", "in": 0, "out": 6}]',
    '[{"type": "Linear", "in": 2.5, "out": 6}]',
    '[{"type": "Linear", "in": true, "out": 6}]',
    '[{"type": "Linear", "in": 1e400, "out": 6}]',
    '[{"type": "Linear", "in": NaN, "out": 6}]',
    '[{"type": "Linear", "in": 100000000000, "out": 6}]',
    '[{"type": "Linear", "in": 2, "out": 6, "bias": "yes"}]',
    '[{"type": "Linear", "in": 2, "out": 6, "extra": 1}]',
    '[{"type": 5}]',
    '[{"type": "Conv2d"}]',
    '[{"type": "__import__"}]',
    '[{"type": "Dropout", "p": 1.5}]',
    '[{"type": "Dropout", "p": -0.1}]',
    '[{"type": "Dropout", "p": "x"}]',
    '[{"type": "Dropout", "p": NaN}]',
    '[{"type": "Hardtanh", "min": 2, "max": -2}]',
    '[{"type": "Hardtanh", "min": 1, "max": 1}]',
    '[{"type": "Hardtanh", "min": -Infinity, "max": 1}]',
    '[{"type": "softplus", "beta": 0}]',
    '[{"type": "softplus", "beta": -1}]',
    '[{"type": "leaky_relu", "negative_slope": "a"}]',
    '[{"type": "BatchNorm1d", "features": 4, "eps": 0, "momentum": 0.1, "affine": true}]',
    '[{"type": "BatchNorm1d", "features": 4, "eps": 1e-5, "momentum": 2, "affine": true}]',
    '[{"type": "Sequential"}]',
    '[{"type": "Sequential", "layers": []}]',
    '[{"type": "Sequential", "layers": 3}]',
    '[{"type": "relu", "inplace": true}]',
    '[{"type": "Linear", "in": 30000, "out": 30000}]',
    '[{"type": "Linear", "in": 100000, "out": 100000}]',
    '[{"type": "Linear", "in": 2, "out": 6}, {"type": "Linear", "in": 5, "out": 1}]',
    '[{"type": "Linear", "in": 2, "out": 6}, {"type": "sigmoid"}, {"type": "Linear", "in": 6, "out": 1}, {"type": "Linear", "in": 1, "out": 1}]',
    "[" * 100_000 + "]" * 100_000,
    '[{"type": "Sequential", "layers": ' * 40 + '[{"type": "relu"}]' + "}]" * 40,
    "[" + ", ".join(['{"type": "relu"}'] * 20_000) + "]",
    '"' + "x" * 2_000_000 + '"',
]

HOSTILE_EXTRAS = [
    "not json",
    "[1, 2]",
    "3",
    '"paraboloid"',
    "null",
    '{"domain": [["a", "b"], [0, 1]]}',
    '{"domain": 5}',
    '{"domain": [[1, -1], [0, 1]]}',
    '{"domain": [[NaN, 1], [0, 1]]}',
    '{"domain": [[-1e308, 1e308], [-1, 1]]}',
    '{"domain": [[0, 1, 2]]}',
    '{"domain": [[0, 1]]}',
    '{"target": 5}',
    '{"target": ["x"]}',
    '{"target": "x' + "1" * 600 + '"}',
    "{\"target\": \"__import__('os').system('true')\"}",
    '{"domain": []}',
    '{"domain": ' + "[" * 50_000 + "]" * 50_000 + "}",
    '{"domain": ' + json.dumps([[0, 1]] * 100) + "}",
    '{"a": ' + "1" * 1_100_000 + "}",
]

HOSTILE_FORMATS = [
    "approxlab/2",
    "approxlab/999999999999",
    "approxlab/x",
    "foo",
    "",
    "approxlab/0",
    None,
]

TENSOR_VALUES = [math.nan, math.inf, -math.inf, 1e308, 1e200, 1e103, 1e50, -0.0, 5e-324]


def _cases():
    """(label, bytes) of every deterministic mutation: ≥ 1000 in all."""
    rng = random.Random(11)
    for name, (net, extra_value) in _bases().items():
        state, meta = _state(net), _meta(net, extra_value)
        yield f"{name}/valid", _raw(state, meta)
        for i, text in enumerate(HOSTILE_ARCHITECTURES):
            yield f"{name}/architecture {i} {text[:40]}", _raw(state, {**meta, ARCH: text})
        for i, text in enumerate(HOSTILE_EXTRAS):
            yield f"{name}/extra {i} {text[:40]}", _raw(state, {**meta, "approxlab.extra": text})
        for fmt in HOSTILE_FORMATS:
            m = {k: v for k, v in meta.items() if k != "format"}
            if fmt is not None:
                m["format"] = fmt
            yield f"{name}/format {fmt}", _raw(state, m)
        yield f"{name}/no architecture", _raw(state, {"format": "approxlab/1"})
        yield f"{name}/no metadata", _raw(state, {})
        for key in state:
            for value in TENSOR_VALUES:
                mutated = dict(state)
                t = mutated[key].clone()
                if t.is_floating_point() and t.numel():
                    t.view(-1)[rng.randrange(t.numel())] = value
                    mutated[key] = t
                    yield f"{name}/{key}={value}", _raw(mutated, meta)
            for dtype in (
                torch.int32,
                torch.uint8,
                torch.bool,
                torch.float32,
                torch.float16,
                torch.complex64,
            ):
                mutated = dict(state)
                mutated[key] = state[key].to(dtype)
                yield f"{name}/{key} as {dtype}", _raw(mutated, meta)
            for label, mutated in (
                ("missing", {k: v for k, v in state.items() if k != key}),
                (
                    "reshaped",
                    {
                        **state,
                        key: state[key].reshape(-1)[:-1]
                        if state[key].numel() > 1
                        else state[key].reshape(1, 1, -1),
                    },
                ),
                (
                    "transposed",
                    {
                        **state,
                        key: state[key].T.contiguous()
                        if state[key].ndim == 2
                        else state[key].repeat(2),
                    },
                ),
                ("extra tensor", {**state, key + "_x": state[key].clone()}),
                ("empty", {**state, key: torch.empty(0, dtype=state[key].dtype)}),
            ):
                yield f"{name}/{key} {label}", _raw(mutated, meta)
        good = _raw(state, meta)
        n = int.from_bytes(good[:8], "little")
        for bad_n in (0, 1, 7, n - 1, n + 1, len(good), 2**40, 2**63, 2**64 - 1):
            yield f"{name}/header length {bad_n}", bad_n.to_bytes(8, "little") + good[8:]
        for cut in sorted(
            {0, 1, 7, 8, 9, n // 2, n + 7, n + 8, len(good) - 1}
            | {rng.randrange(len(good)) for _ in range(20)}
        ):
            yield f"{name}/truncated at {cut}", good[:cut]
        for _ in range(60):
            data = bytearray(good)
            for _ in range(rng.choice([1, 1, 2, 5])):
                pos = rng.randrange(8, 8 + n)
                data[pos] = rng.randrange(256)
            yield f"{name}/header bytes flipped", bytes(data)
        for _ in range(20):
            data = bytearray(good)
            pos = rng.randrange(8 + n, len(good))
            data[pos] = rng.randrange(256)
            yield f"{name}/data byte flipped at {pos}", bytes(data)
        header = json.loads(good[8 : 8 + n])
        for label, change in (
            ("offsets past the end", lambda h, k: h[k].update(data_offsets=[0, 10**12])),
            ("offsets reversed", lambda h, k: h[k].update(data_offsets=h[k]["data_offsets"][::-1])),
            ("shape negative", lambda h, k: h[k].update(shape=[-1])),
            ("shape huge", lambda h, k: h[k].update(shape=[2**40, 2**40])),
            ("dtype unknown", lambda h, k: h[k].update(dtype="X99")),
            ("entry not an object", lambda h, k: h.update({k: 5})),
            ("metadata not strings", lambda h, k: h.update({"__metadata__": {ARCH: [1, 2]}})),
        ):
            key = sorted(k for k in header if k != "__metadata__")[0]
            h = json.loads(json.dumps(header))
            change(h, key)
            text = json.dumps(h).encode()
            text += b" " * (-len(text) % 8)
            yield f"{name}/header {label}", len(text).to_bytes(8, "little") + text + good[8 + n :]
    for i in range(30):
        yield (
            f"random bytes {i}",
            bytes(rng.randrange(256) for _ in range(rng.choice([0, 5, 8, 64, 1000]))),
        )
    yield "pickle", b"\x80\x04\x95" + b"cos\nsystem\n(S'true'\ntR." * 3


def _correct(net):
    assert isinstance(net, nn.Module)
    out = net(torch.zeros(3, in_features(net), dtype=next(net.parameters()).dtype))
    assert out.shape[0] == 3


def test_the_model_file_corpus_gives_clear_errors_or_correct_loads(tmp_path, tally):
    t = tally("model-file corpus")
    for i, (label, data) in enumerate(_cases()):
        path = tmp_path / f"m{i}.safetensors"
        path.write_bytes(data)
        t.run(label, lambda: load(path), _correct)
        t.run(
            label + " (extra)",
            lambda: extra(path),
            lambda v: isinstance(v, dict) or (_ for _ in ()).throw(AssertionError),
        )
        path.unlink()
    assert t.counts["tried"] >= 1000
    assert t.counts["traceback"] == 0, "\n".join(t.tracebacks)


@pytest.mark.parametrize(
    "text",
    [
        '[{"type": "Linear", "in": 30000, "out": 30000}]',
        '[{"type": "Linear", "in": 100000, "out": 100000}]',
    ],
)
def test_a_1kb_file_declaring_a_huge_layer_is_refused_from_its_header(tmp_path, text):
    # The header's shapes are compared with the architecture built on the meta device: nothing is allocated.
    path = tmp_path / "m.safetensors"
    path.write_bytes(
        _raw(
            {
                "0.weight": torch.zeros(2, 2, dtype=torch.float64),
                "0.bias": torch.zeros(2, dtype=torch.float64),
            },
            {"format": "approxlab/1", ARCH: text},
        )
    )
    assert path.stat().st_size < 1024
    with pytest.raises(
        ApproxlabError, match=r"tensor '0.weight' has shape \[2, 2\] but the architecture needs"
    ):
        load(path)


def test_the_memory_limit_refuses_a_consistent_but_large_model_and_can_be_raised(
    tmp_path, monkeypatch
):
    path = save(nn.Sequential(nn.Linear(200, 200)).double(), tmp_path / "m.safetensors")
    monkeypatch.setenv("APPROXLAB_MAX_MEMORY", "100K")
    with pytest.raises(
        ApproxlabError,
        match=r"needs about 628\.\d KiB, above the memory limit of 100\.0 KiB.*APPROXLAB_MAX_MEMORY=",
    ):
        load(path)
    monkeypatch.setenv("APPROXLAB_MAX_MEMORY", "1M")
    assert load(path)[0].in_features == 200


def test_nan_weights_are_named(tmp_path):
    net = mlp(2, [3], seed=0)
    state = _state(net)
    state["2.weight"][0, 1] = math.nan
    path = tmp_path / "m.safetensors"
    path.write_bytes(_raw(state, _meta(net, None)))
    with pytest.raises(
        ApproxlabError, match=r"tensor '2.weight' holds NaN values \(1 of 3 entries\)"
    ):
        load(path)


def test_a_newer_format_says_to_upgrade(tmp_path):
    net = mlp(1, [2])
    path = tmp_path / "m.safetensors"
    path.write_bytes(_raw(_state(net), {**_meta(net, None), "format": "approxlab/2"}))
    with pytest.raises(ApproxlabError, match="newer than approxlab/1.*upgrade approxlab"):
        load(path)


def test_a_directory_and_a_device_are_not_model_files(tmp_path):
    with pytest.raises(ApproxlabError, match="is a directory"):
        load(tmp_path)
    with pytest.raises(ApproxlabError, match="not a regular file"):
        load("/dev/zero")
    with pytest.raises(ApproxlabError, match="does not exist"):
        load(tmp_path / "nope.safetensors")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_property_any_mutation_of_header_metadata_or_tensor_is_clear_or_correct(tmp_path, data):
    net = mlp(2, [3], seed=0)
    state, meta = _state(net), _meta(net, {"target": "paraboloid", "domain": [[-1, 1], [-1, 1]]})
    json_values = st.recursive(
        st.none()
        | st.booleans()
        | st.integers(-(10**20), 10**20)
        | st.floats()
        | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    ["type", "in", "out", "p", "layers", "bias", "min", "max", "domain", "target"]
                )
                | st.text(max_size=4),
                inner,
                max_size=4,
            )
        ),
        max_leaves=20,
    )
    kind = data.draw(st.sampled_from(["architecture", "layer field", "extra", "tensor", "bytes"]))
    if kind == "architecture":
        meta[ARCH] = json.dumps(data.draw(json_values))
    elif kind == "layer field":
        specs = architecture(net)
        i = data.draw(st.integers(0, len(specs) - 1))
        specs[i][data.draw(st.sampled_from(["type", "in", "out", "bias", "p"]))] = data.draw(
            json_values
        )
        meta[ARCH] = json.dumps(specs)
    elif kind == "extra":
        meta["approxlab.extra"] = json.dumps(data.draw(json_values))
    elif kind == "tensor":
        key = data.draw(st.sampled_from(sorted(state)))
        values = data.draw(
            st.lists(
                st.floats(allow_nan=True, allow_infinity=True, width=64),
                min_size=state[key].numel(),
                max_size=state[key].numel(),
            )
        )
        state[key] = torch.tensor(values, dtype=torch.float64).reshape(state[key].shape)
    raw = bytearray(_raw(state, meta))
    if kind == "bytes":
        for _ in range(data.draw(st.integers(1, 4))):
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    path = tmp_path / "m.safetensors"
    path.write_bytes(bytes(raw))
    try:
        back = load(path)
    except ApproxlabError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    _correct(back)
    if kind == "tensor":
        for k, v in back.state_dict().items():
            assert torch.equal(v, state[k]) and bool(torch.isfinite(v).all())


def test_same_net_same_bytes_and_keys_are_sorted(tmp_path):
    a = save(
        mlp(2, [5], seed=3),
        tmp_path / "a.safetensors",
        extra={"z": 1, "target": "x1", "domain": [[0, 1], [0, 1]]},
    )
    b = save(
        mlp(2, [5], seed=3),
        tmp_path / "b.safetensors",
        extra={"domain": [[0, 1], [0, 1]], "target": "x1", "z": 1},
    )
    assert a.read_bytes() == b.read_bytes()
    n = int.from_bytes(a.read_bytes()[:8], "little")
    header = json.loads(a.read_bytes()[8 : 8 + n])
    assert list(header["__metadata__"]) == sorted(header["__metadata__"])
    assert np.array_equal(
        load(a)[0].weight.detach().numpy(), mlp(2, [5], seed=3)[0].weight.detach().numpy()
    )


def test_model_files_respect_the_umask(tmp_path):
    import os

    old = os.umask(0o022)
    try:
        path = save(mlp(1, [2]), tmp_path / "m.safetensors")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644


def test_saving_nan_weights_is_refused():
    net = mlp(1, [2])
    with torch.no_grad():
        net[0].weight[0, 0] = math.nan
    with pytest.raises(ApproxlabError, match="tensor '0.weight' holds NaN"):
        save(net, "/tmp/never-written.safetensors")
