"""Running the atlas: a versioned, validated results.json, runnable rerun lines, parallel claims, a cache."""

import json
import shlex
import sys
import time
from pathlib import Path

import plotly.graph_objects as go
import pytest
import torch
from plotly.subplots import make_subplots

from approxlab.atlas import cache as cache_module
from approxlab.atlas import results as schema
from approxlab.atlas.cache import Cache
from approxlab.atlas.registry import Claim, Context, Evidence
from approxlab.atlas.run import program, run_atlas
from approxlab.errors import ApproxlabError
from approxlab.nets import mlp


def _claim(id, run):
    return Claim(id=id, statement="s", source="seed 001", threshold="t", run=run)


def _square(ctx):
    return Evidence(holds=True, metrics={"value": ctx.seed + len(ctx.claim_id) ** 2}, key="value")


def test_results_json_has_a_version_and_validates(tmp_path):
    run_atlas([_claim("t.a", _square)], "quick", tmp_path / "atlas")
    doc = json.loads((tmp_path / "atlas" / "results.json").read_text())
    assert doc["version"] == schema.VERSION == 2
    atlas = schema.read(tmp_path / "atlas" / "results.json")
    assert atlas.claims[0].metrics == {"value": 9} and atlas.claims[0].key == "value"


def test_the_rerun_line_is_a_full_command_into_the_same_folder(tmp_path):
    out = tmp_path / "my atlas"
    run_atlas([_claim("t.a", _square)], "full", out)
    command = schema.read(out / "results.json").claims[0].command
    words = shlex.split(command)
    assert words[0] == program() and Path(words[0]).is_absolute()
    assert words[1:] == [
        "atlas",
        "--only",
        "t.a",
        "--profile",
        "full",
        "--out",
        str(out.absolute()),
    ]


def test_merging_refuses_a_results_file_without_the_schema(tmp_path):
    out = tmp_path / "atlas"
    out.mkdir()
    (out / "results.json").write_text(json.dumps({"profile": "quick", "claims": []}))
    with pytest.raises(
        ApproxlabError, match=r"not an atlas results file of version 2 \(version: Field required\)"
    ):
        run_atlas([_claim("t.a", _square)], "quick", out, merge=True)
    assert json.loads((out / "results.json").read_text()) == {"profile": "quick", "claims": []}
    run_atlas([_claim("t.a", _square)], "quick", out)  # a full run rebuilds it
    assert schema.read(out / "results.json").version == 2


def test_a_version_1_atlas_is_refused_for_merging_with_the_way_to_rebuild_it(tmp_path):
    out = tmp_path / "atlas"
    run_atlas([_claim("t.a", _square)], "quick", out)
    doc = json.loads((out / "results.json").read_text())
    doc["version"] = 1  # version 1 had no "not run" verdict and no per-claim profiles
    (out / "results.json").write_text(json.dumps(doc))
    with pytest.raises(ApproxlabError, match="of version 2 .*rebuild it by running the atlas"):
        run_atlas([_claim("t.a", _square)], "quick", out, merge=True)


def _full_only(run):
    return Claim("t.slow", "s", "seed 001", "t", run, profiles=("full",))


def test_merging_a_full_only_claim_keeps_working_both_ways(tmp_path):
    out = tmp_path / "atlas"
    measured = _full_only(lambda ctx: Evidence(holds=True, metrics={"value": 7}))
    run_atlas([_claim("t.a", _square), measured], "quick", out)
    assert [c.verdict for c in schema.read(out / "results.json").claims] == ["holds", "not run"]
    assert schema.read(out / "results.json").profile == "quick"
    run_atlas([measured], "full", out, merge=True)  # the lead's `--profile full --only t.slow`
    first = schema.read(out / "results.json").claims
    assert [(c.id, c.verdict, c.profile) for c in first] == [
        ("t.a", "holds", "quick"),
        ("t.slow", "holds", "full"),
    ]
    assert schema.read(out / "results.json").profile == "quick + full"
    assert "approxlab atlas (quick + full)" in (out / "index.html").read_text()
    run_atlas([measured], "quick", out, merge=True)  # a quick --only run measures nothing new
    again = schema.read(out / "results.json").claims
    assert [(c.id, c.verdict, c.metrics) for c in again] == [
        ("t.a", "holds", {"value": 9}),
        ("t.slow", "holds", {"value": 7}),
    ]


def test_claims_in_parallel_give_the_results_of_one_process_and_report_each(tmp_path):
    claims = [_claim(f"t.{name}", _square) for name in ("a", "bb", "ccc", "dddd")]
    seen = []
    parallel = run_atlas(
        claims,
        "quick",
        tmp_path / "p",
        jobs=2,
        progress=lambda done, r: seen.append((done, r["id"])),
    )
    serial = run_atlas(claims, "quick", tmp_path / "s", jobs=1)
    assert (
        [r["metrics"] for r in parallel]
        == [r["metrics"] for r in serial]
        == [{"value": v} for v in (9, 16, 25, 36)]
    )
    assert [done for done, _ in seen] == [1, 2, 3, 4]
    assert {claim_id for _, claim_id in seen} == {c.id for c in claims}


def test_figures_of_parallel_claims_all_arrive(tmp_path):
    def surfaces(ctx):
        fig = make_subplots(rows=1, cols=2, specs=[[{"type": "surface"}] * 2])
        for col in (1, 2):
            fig.add_trace(go.Surface(z=[[0, 1], [1, col]], showscale=False), row=1, col=col)
        ctx.figure(fig, "s", "two surfaces")
        return Evidence(holds=True, metrics={})

    run_atlas(
        [_claim("t.a", surfaces), _claim("t.b", surfaces)], "quick", tmp_path / "atlas", jobs=2
    )
    out = tmp_path / "atlas"
    for claim_id in ("t.a", "t.b"):
        data = (out / "figures" / claim_id / "s.js").read_text()
        figure = json.loads(data[data.index("{") : data.rindex("}") + 1])
        bars = [t["colorbar"]["x"] for t in figure["data"] if t.get("showscale")]
        assert len(bars) == 2 and bars[0] < bars[1], "each 3D subplot gets its own colour bar"
        assert "width" not in figure["layout"]
        eyes = [figure["layout"][s]["camera"]["eye"] for s in ("scene", "scene2")]
        assert all(e["x"] > 1.25 for e in eyes), (
            "narrow scenes are seen from farther than Plotly's default, uncropped"
        )
    assert (out / "plotly.min.js").stat().st_size > 1_000_000
    assert (out / "katex" / "katex.min.js").is_file() and (
        out / "sources" / "seed001.txt"
    ).is_file()


def test_cached_values_are_computed_once_per_claim_profile_seed_and_key(tmp_path):
    store = Cache(tmp_path / "cache")
    calls = []

    def compute():
        calls.append(1)
        return {"rmse": 0.125}

    def ctx(**kw):
        return Context(
            **(
                {"profile": "quick", "seed": 0, "root": tmp_path, "claim_id": "t.a", "cache": store}
                | kw
            )
        )

    assert ctx().cached("fit", compute) == {"rmse": 0.125}
    assert ctx().cached("fit", compute) == {"rmse": 0.125}
    assert len(calls) == 1
    ctx(seed=1).cached("fit", compute)
    ctx(profile="full").cached("fit", compute)
    ctx(claim_id="t.b").cached("fit", compute)
    ctx().cached("other", compute)
    assert len(calls) == 5
    ctx(cache=None).cached("fit", compute)
    assert len(calls) == 6


def test_claims_naming_one_scope_share_its_entry(tmp_path):
    store = Cache(tmp_path)
    calls = []

    def compute():
        calls.append(1)
        return [1.5]

    for claim_id in ("t.a", "t.b"):
        ctx = Context("quick", 0, tmp_path, claim_id, cache=store)
        assert ctx.cached("run", compute, scope="t.shared") == [1.5]
    assert len(calls) == 1
    Context("quick", 0, tmp_path, "t.a", cache=store).cached("run", compute)
    assert len(calls) == 2, "without the scope the entry is the claim's own"


def _slow_entry(folder: str, marks: str) -> list:
    def compute():
        with open(marks, "a") as handle:
            handle.write("x")
        time.sleep(0.5)
        return [2.0]

    return Cache(Path(folder)).get_or_compute(("t.shared", "quick", 0, "run"), compute)


def test_an_entry_asked_for_by_two_processes_at_once_is_computed_once(tmp_path):
    from concurrent.futures import ProcessPoolExecutor

    marks = tmp_path / "marks"
    with ProcessPoolExecutor(2) as pool:
        got = list(pool.map(_slow_entry, [str(tmp_path / "c")] * 2, [str(marks)] * 2))
    assert got == [[2.0], [2.0]] and marks.read_text() == "x"


def test_a_cached_net_comes_back_with_the_same_weights_and_dtype(tmp_path):
    store = Cache(tmp_path)
    trained = store.get_or_compute(
        ("t.a", "quick", 0, "net"), lambda: mlp(2, [5], activation="sigmoid", seed=3)
    )
    again = store.get_or_compute(
        ("t.a", "quick", 0, "net"), lambda: pytest.fail("should be cached")
    )
    x = torch.rand(7, 2, dtype=torch.float64)
    assert torch.equal(trained(x), again(x)) and next(again.parameters()).dtype == torch.float64


@pytest.mark.parametrize("damage", [b'{"m": 1, "par', b"\xff\xfe not json", b""])
def test_a_damaged_entry_is_computed_again_and_replaced(tmp_path, damage):
    store = Cache(tmp_path)
    assert store.get_or_compute(("k",), lambda: {"m": 1}) == {"m": 1}
    (entry,) = tmp_path.glob("*.json")
    entry.write_bytes(damage)
    assert store.get_or_compute(("k",), lambda: {"m": 2}) == {"m": 2}
    assert store.get_or_compute(("k",), lambda: "not called") == {"m": 2}


def test_a_damaged_net_entry_is_trained_again(tmp_path):
    store = Cache(tmp_path)
    store.get_or_compute(("n",), lambda: mlp(2, [3], seed=0))
    (entry,) = tmp_path.glob("*.safetensors")
    entry.write_bytes(entry.read_bytes()[:40])
    again = store.get_or_compute(("n",), lambda: mlp(2, [4], seed=1))
    assert again[0].out_features == 4


def test_a_change_of_code_misses_the_cache(tmp_path, monkeypatch):
    store = Cache(tmp_path)
    assert store.get_or_compute(("k",), lambda: 1) == 1
    monkeypatch.setattr(cache_module, "code_version", lambda: "another version")
    assert store.get_or_compute(("k",), lambda: 2) == 2


def test_code_version_changes_with_any_source_file(tmp_path, monkeypatch):
    import approxlab

    first = cache_module.code_version()
    assert len(first) == 64
    fake = tmp_path / "approxlab"
    fake.mkdir()
    (fake / "__init__.py").write_text("x = 1\n")
    monkeypatch.setattr(approxlab, "__file__", str(fake / "__init__.py"))
    cache_module.code_version.cache_clear()
    try:
        one = cache_module.code_version()
        (fake / "__init__.py").write_text("x = 2\n")
        cache_module.code_version.cache_clear()
        assert cache_module.code_version() not in (one, first)
    finally:
        cache_module.code_version.cache_clear()


def test_piped_cli_prints_a_line_per_claim_and_its_rerun_line_runs(tmp_path):
    import subprocess

    out = tmp_path / "atlas"
    exe = str(Path(sys.executable).parent / "approxlab")
    first = subprocess.run(
        [exe, "atlas", "--only", "backprop.parameter_count", "--out", str(out), "--no-cache"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert first.returncode == 0, first.stderr
    assert "[1/1] holds  backprop.parameter_count" in first.stderr
    command = schema.read(out / "results.json").claims[0].command
    (out / "index.html").unlink()
    again = subprocess.run(
        shlex.split(command), capture_output=True, text=True, timeout=600, cwd=tmp_path.anchor
    )
    assert again.returncode == 0, again.stderr
    assert f"atlas: {out / 'index.html'}\n" in again.stderr
    assert (out / "index.html").is_file(), (
        "the rerun line writes into the same atlas, from any folder"
    )
    assert [c.id for c in schema.read(out / "results.json").claims] == ["backprop.parameter_count"]
