"""The atlas: claims are discovered, run into index.html + results.json, and errors are visible."""

import json

import matplotlib.pyplot as plt
import pytest

from approxlab.atlas import registry
from approxlab.atlas.registry import Claim, Evidence, claims
from approxlab.atlas.run import run_atlas
from approxlab.errors import ApproxlabError

REQUIRED = {"id", "statement", "source", "verdict", "metrics", "threshold", "command", "seconds"}


def _claim(id, run):
    return Claim(id=id, statement="s", source="test", threshold="t", run=run)


def test_seed_001_claims_are_registered_with_ids_sources_and_thresholds():
    ids = [c.id for c in claims()]
    assert {"seed001.width", "seed001.classification", "seed001.relu_patterns"} <= set(ids)
    assert len(ids) == len(set(ids))
    for c in claims():
        assert c.statement and c.source and c.threshold


def test_only_selects_by_id_or_prefix_and_refuses_unknown_ids():
    assert [c.id for c in claims(["seed001.width"])] == ["seed001.width"]
    assert {c.id for c in claims(["seed001"])} >= {"seed001.width", "seed001.relu_patterns"}
    with pytest.raises(ApproxlabError, match="no atlas claim 'nope'"):
        claims(["nope"])


def test_run_writes_results_and_page_with_figures(tmp_path):
    def good(ctx):
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, ctx.pick(quick=1, full=2)])
        ctx.figure(fig, "line", "a line")
        return Evidence(holds=True, metrics={"x": 1.5}, table=[{"a": 1, "b": 2.0}])

    def bad(ctx):
        return Evidence(holds=False, metrics={"x": 9})

    def broken(ctx):
        raise RuntimeError("bug in claim")

    out = tmp_path / "atlas"
    run_atlas(
        [_claim("t.good", good), _claim("t.bad", bad), _claim("t.broken", broken)], "quick", out
    )
    doc = json.loads((out / "results.json").read_text())
    by_id = {c["id"]: c for c in doc["claims"]}
    assert {c["id"] for c in doc["claims"]} == {"t.good", "t.bad", "t.broken"}
    assert all(REQUIRED <= set(c) for c in doc["claims"])
    assert [by_id[i]["verdict"] for i in ("t.good", "t.bad", "t.broken")] == [
        "holds",
        "fails",
        "error",
    ]
    assert "bug in claim" in by_id["t.broken"]["notes"]
    assert by_id["t.good"]["command"].endswith(f"atlas --only t.good --profile quick --out {out}")
    assert (out / by_id["t.good"]["figures"][0]["path"]).is_file()
    page = (out / "index.html").read_text()
    assert "t.good" in page and "a line" in page and "1 hold" not in page
    assert not list(tmp_path.glob(".atlas.*"))


def test_rerunning_one_claim_merges_into_the_existing_atlas(tmp_path):
    out = tmp_path / "atlas"
    first = _claim("t.a", lambda ctx: Evidence(holds=True, metrics={"v": 1}))
    second = _claim("t.b", lambda ctx: Evidence(holds=True, metrics={"v": 2}))
    run_atlas([first, second], "quick", out)
    again = _claim("t.b", lambda ctx: Evidence(holds=False, metrics={"v": 3}))
    run_atlas([again], "quick", out, merge=True)
    doc = json.loads((out / "results.json").read_text())
    assert [(c["id"], c["metrics"]["v"]) for c in doc["claims"]] == [("t.a", 1), ("t.b", 3)]


def test_interrupted_run_leaves_nothing_behind(tmp_path):
    def interrupt(ctx):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_atlas([_claim("t.stop", interrupt)], "quick", tmp_path / "atlas")
    assert list(tmp_path.iterdir()) == []


def _must_not_run(ctx):
    pytest.fail("a full-only claim ran in the quick profile")


def test_a_full_only_claim_is_listed_as_not_run_in_quick_with_the_command_that_runs_it(tmp_path):
    full_only = Claim("t.slow", "s", "test", "t", _must_not_run, "x", profiles=("full",))
    cheap = _claim("t.cheap", lambda ctx: Evidence(holds=True, metrics={"x": 1}))
    out = tmp_path / "atlas"
    run_atlas([full_only, cheap], "quick", out)
    by_id = {c["id"]: c for c in json.loads((out / "results.json").read_text())["claims"]}
    slow = by_id["t.slow"]
    assert slow["verdict"] == "not run" and slow["metrics"] == {} and slow["profiles"] == ["full"]
    assert slow["command"].endswith(f"atlas --only t.slow --profile full --out {out}")
    assert by_id["t.cheap"]["verdict"] == "holds"
    assert by_id["t.cheap"]["profiles"] == ["quick", "full"]
    page = (out / "index.html").read_text()
    assert (
        "<b>1</b> hold, <b>0</b> fail, <b>0</b> errors,\n<b>1</b> not run in this profile" in page
    )
    assert '<span class="verdict not-run">not run</span>' in page
    assert "Not run in the quick profile</b>: this claim runs in the full profile only" in page
    assert "full profile only</td>" in page, "the summary's key-number cell says why"


def test_a_full_only_claim_runs_in_the_full_profile(tmp_path):
    full_only = Claim(
        "t.slow", "s", "test", "t", lambda ctx: Evidence(False, {"x": 2}), profiles=("full",)
    )
    (result,) = run_atlas([full_only], "full", tmp_path / "atlas")
    assert result["verdict"] == "fails" and result["metrics"] == {"x": 2}


def test_claim_profiles_default_to_both_and_unknown_ones_are_refused():
    assert all(c.profiles in (("quick", "full"), ("full",), ("quick",)) for c in claims())
    with pytest.raises(RuntimeError, match="profiles must be a non-empty subset"):
        registry.claim(id="t.bad", statement="s", source="x", threshold="t", profiles=("fast",))
    with pytest.raises(RuntimeError, match="profiles must be a non-empty subset"):
        registry.claim(id="t.bad", statement="s", source="x", threshold="t", profiles=())
    registry.claim(
        id="t.order", statement="s", source="x", threshold="t", profiles=("full", "quick")
    )(_must_not_run)
    assert registry._CLAIMS.pop("t.order").profiles == ("quick", "full")


def test_duplicate_claim_id_is_a_programming_error():
    registry.claim(id="t.dup", statement="s", source="x", threshold="t")(lambda ctx: None)
    with pytest.raises(RuntimeError, match="registered twice"):
        registry.claim(id="t.dup", statement="s", source="x", threshold="t")(lambda ctx: None)
    del registry._CLAIMS["t.dup"]
