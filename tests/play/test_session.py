"""A tab's run without the server: deterministic, trains, reads its units and regions with the library."""

import base64

import numpy as np
import pytest
import torch

from approxlab.errors import ApproxlabError
from approxlab.nets import mlp
from approxlab.play.construct import construct
from approxlab.play.schema import Settings
from approxlab.play.session import Session
from approxlab.regions import partition
from approxlab.regions.bounds import zaslavsky


def unpack(text):
    return np.frombuffer(base64.b64decode(text), dtype="<f4")


def test_same_settings_give_the_same_frames():
    a, b = Session(Settings(batch=32, seed=3)), Session(Settings(batch=32, seed=3))
    a.advance(25)
    b.advance(25)
    fa, fb = a.frame(), b.frame()
    assert fa["loss"] == fb["loss"] and fa["output"] == fb["output"]
    c = Session(Settings(batch=32, seed=4))
    c.advance(25)
    assert c.frame()["loss"] != fa["loss"]


def test_six_sigmoid_units_build_the_paraboloid():
    # Seed 001's example at the page's defaults (6 sigmoid units, Adam lr 0.1, 250 training points):
    # measured train MSE 15.4 at step 0 and 0.0032 after 500 steps (test 0.0036); the target's
    # variance on [-1, 1]² is 8/45 ≈ 0.18, so 0.01 means the bowl is built, not its mean.
    s = Session(Settings())
    first = s.frame()["loss"]
    s.advance(500)
    f = s.frame()
    assert f["loss"] < 0.01 < first
    assert f["test_loss"] < 0.01


def test_contributions_and_bias_sum_to_the_output():
    s = Session(Settings(widths=[5], activation="tanh"))
    s.advance(10)
    f = s.frame()
    parts = unpack(f["seed001"]["contributions"]).reshape(5, -1)
    small = torch.as_tensor(s.problem.grid(False))
    with torch.no_grad():
        out = s.net(small).reshape(-1).numpy()
    # float32 transport of float64 contributions: relative error ~1e-7 per term
    assert np.allclose(parts.sum(0) + f["seed001"]["c"], out, rtol=1e-5, atol=1e-5)
    assert (
        len(f["seed001"]["widths"]) == 5 and f["seed001"]["knots"] is None
    )  # 2D: knot lines, not points


def test_hidden_unit_pictures_are_the_activations():
    s = Session(Settings(widths=[3, 2], activation="relu"))
    f = s.frame()
    small = torch.as_tensor(s.problem.grid(False))
    with torch.no_grad():
        first = s.net[1](s.net[0](small)).numpy()
    assert [layer["width"] for layer in f["layers"]] == [3, 2]
    assert np.allclose(
        unpack(f["layers"][0]["values"]).reshape(3, -1), first.T, rtol=1e-6, atol=1e-6
    )
    assert (
        f["layers"][0]["w"] == s.net[0].weight.tolist()
        and f["layers"][0]["a"] == s.net[2].weight.T.tolist()
    )


def test_regions_are_the_exact_partition_under_zaslavskys_bound():
    s = Session(Settings(widths=[7], activation="relu"))
    s.regions_on = True
    s.advance(20)
    r = s.frame()["regions"]
    assert r["count"] == partition(s.net, s.problem.domain).count
    assert r["count"] <= int(r["bound"]) == zaslavsky(7, 2) == 29
    edges = unpack(r["segments"]).reshape(-1, 4)
    lo, hi = s.problem.domain[0]
    assert len(edges) > 0 and edges.min() >= lo - 1e-6 and edges.max() <= hi + 1e-6


def test_regions_in_1d_are_breakpoints_and_smooth_nets_say_why_not():
    s = Session(Settings(target="sin(2*pi*x)", widths=[4], activation="relu"))
    s.regions_on = True
    r = s.frame()["regions"]
    assert len(unpack(r["breakpoints"])) == r["count"] - 1 <= 4
    s.configure(Settings(widths=[4], activation="sigmoid"))
    s.regions_on = True
    assert "error" in s.frame()["regions"]


def test_divergence_stops_with_a_note_and_reset_recovers():
    s = Session(Settings(optimizer="sgd", lr=10.0, widths=[16, 16], activation="relu"))
    s.advance(200)
    assert s.diverged and "lower the learning rate" in s.diverged
    stopped = s.step
    s.advance(5)
    assert s.step == stopped < 200
    assert s.frame()["diverged"] == s.diverged
    s.reset()
    assert s.diverged is None and s.step == 0


def test_classification_trains_on_a_named_set():
    s = Session(Settings(kind="classification", dataset="circle", widths=[8], activation="tanh"))
    first = s.frame()
    s.advance(300)
    f = s.frame()
    probs = unpack(f["output"])
    assert probs.min() >= 0 and probs.max() <= 1
    # measured: BCE 0.70 → 0.003 on the circle set in 300 Adam steps; 0.2 is far below chance (ln 2)
    assert f["loss"] < 0.2 < first["loss"]


def test_bad_targets_are_refused_with_the_parsers_message():
    with pytest.raises(ApproxlabError, match="unsafe or malformed"):
        Session(Settings(target="__import__('os')"))
    with pytest.raises(ApproxlabError, match="1D and 2D"):
        Session(Settings(target="x1 + x2 + x3"))


def test_adopt_checks_the_shape_and_keeps_degenerate_nets():
    s = Session(Settings())
    with pytest.raises(ApproxlabError, match="takes 1 inputs"):
        s.adopt(mlp(1, [3]))
    net = mlp(2, [4], activation="relu")
    with torch.no_grad():
        net[0].bias.zero_()
        net[0].weight[1] = net[0].weight[0]  # duplicated unit, zero biases
    s.adopt(net)
    s.regions_on = True
    r = s.frame()["regions"]
    assert (
        r["count"] == partition(net, s.problem.domain).count
    )  # three distinct lines through 0: 6 regions
    assert r["count"] == 6


def test_construct_yarotsky_error_is_the_certificate_and_sliders_move_it():
    s = Session(Settings())
    cert = construct(s, "yarotsky", 3)
    f = s.frame()
    bound = 2.0 ** (-2 * 3 - 2)  # Yarotsky: sup |f_m − x²| = 2^(−2m−2) on [0, 1]
    assert cert["bound"] == bound and cert["holds"]
    assert f["error"] <= bound + 1e-15
    # the page's grid (201 points) misses the exact maxima at odd multiples of 1/16 by at most ~1/400
    assert f["error"] >= 0.95 * bound
    w = s.net[0].weight[0, 0].item()
    s.set_parameter(0, "weight", 0, 0, w + 0.5)
    assert s.frame()["error"] > 10 * bound
    s.set_parameter(0, "weight", 0, 0, w)
    assert s.frame()["error"] == f["error"]
    with pytest.raises(ApproxlabError, match="shape"):
        s.set_parameter(0, "weight", 99, 0, 1.0)
    s.advance(5)  # "train from here": plain training from the constructed weights
    assert s.step == 5


def test_construct_refuses_sizes_the_page_cannot_draw():
    s = Session(Settings())
    with pytest.raises(ApproxlabError, match="up to"):
        construct(s, "towers", 40)
    with pytest.raises(ApproxlabError, match="1D and 2D"):
        construct(s, "barron", None)


def test_knot_lines_are_where_each_unit_switches():
    s = Session(Settings(widths=[4], activation="sigmoid"))
    s.advance(5)
    lines = np.array(s.frame()["seed001"]["lines"])
    W, b = s.net[0].weight.detach().numpy(), s.net[0].bias.detach().numpy()
    foot = lines[:, :2] * lines[:, 2:]  # the point of {n·x = offset} nearest the origin (‖n‖ = 1)
    assert np.allclose(np.linalg.norm(lines[:, :2], axis=1), 1.0)
    assert np.allclose(np.einsum("jd,jd->j", W, foot) + b, 0.0, atol=1e-12)


def test_steepness_keeps_the_knots_and_k_1_restores_the_construction():
    s = Session(Settings())
    construct(s, "bumps", 10)
    built = s.frame()
    knots = built["seed001"]["knots"]
    s.steepen(0.01)  # sigmoids 100× wider: the bumps melt into one another
    soft = s.frame()
    assert soft["seed001"]["knots"] == pytest.approx(knots, rel=1e-12)
    # measured: sup error 0.309 as built (bound π/10 = 0.314), 0.403 at k = 0.01
    assert soft["error"] > built["error"] + 0.05
    s.steepen(1.0)
    assert s.frame()["error"] == built["error"]
