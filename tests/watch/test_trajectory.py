"""Weight-space trajectories and knots over training, read from the history's snapshots."""

import numpy as np
import pytest

import approxlab
from approxlab.errors import ApproxlabError
from approxlab.fit import fit
from approxlab.watch import History, Knots, Watch, log_steps
from approxlab.watch.trajectory import knot_animation, knot_trajectory, pca_trajectory, returns


def _watched_fit(tmp_path, dim=1, steps=60):
    net = approxlab.mlp(dim, [5], seed=0)
    h = History.create(tmp_path / "h", {})
    data = "sine" if dim == 1 else "paraboloid"
    fit(
        net,
        data,
        steps=steps,
        lr=0.05,
        n_train=64,
        n_test=16,
        observe=Watch(h, [Knots()], log_steps(steps, 8)),
    )
    return h


def test_knot_tracking_reads_minus_b_over_w_at_every_snapshot(tmp_path):
    h = _watched_fit(tmp_path)
    k = knot_trajectory(h)
    assert list(k["steps"]) == h.steps == log_steps(60, 8)
    for i, s in enumerate(h.steps):
        w = h.weights(s)
        expected = -w["0.bias"].numpy() / w["0.weight"].numpy()[:, 0]
        assert np.allclose(k["knots"][i], expected, rtol=0, atol=0)
        assert np.allclose(
            h.records[i]["knots"], expected, rtol=0, atol=0
        )  # the observer saw the same net
    assert not np.array_equal(k["knots"][0], k["knots"][-1])  # training moved them


def test_fit_with_an_observer_trains_exactly_as_without(tmp_path):
    a, b = approxlab.mlp(1, [5], seed=0), approxlab.mlp(1, [5], seed=0)
    ra = fit(a, "sine", steps=30, n_train=64, n_test=16)
    rb = fit(
        b,
        "sine",
        steps=30,
        n_train=64,
        n_test=16,
        observe=Watch(History.create(tmp_path / "h", {}), [Knots()], [0, 30]),
    )
    assert ra.losses == rb.losses


def test_knot_lines_of_a_2d_net_animate_one_frame_per_snapshot(tmp_path):
    h = _watched_fit(tmp_path, dim=2, steps=20)
    fig = knot_animation(h)
    assert len(fig.frames) == len(h.steps)
    assert fig.frames[-1].name == "20"


def test_knots_of_a_deep_net_are_refused(tmp_path):
    h = History.create(tmp_path / "h", {})
    h.append(0, approxlab.mlp(1, [3, 3]), {})
    with pytest.raises(ApproxlabError, match="two-layer nets"):
        knot_trajectory(h)


def test_pca_of_a_straight_path_has_one_component(tmp_path):
    h = History.create(tmp_path / "h", {})
    net = approxlab.mlp(1, [2], seed=0)
    direction = [p.detach().clone().normal_() for p in net.parameters()]
    for s in range(5):
        for p, d in zip(net.parameters(), direction):
            p.data.add_(d)
        h.append(s, net, {})
    pca = pca_trajectory(h, 2)
    assert pca["explained"][0] == pytest.approx(1.0)
    assert pca["explained"][1] == pytest.approx(0.0, abs=1e-12)


def test_returns_find_a_loop_and_not_a_line():
    t = np.linspace(0, 4 * np.pi, 33)
    loop = np.stack([np.cos(t), np.sin(t)], axis=1)
    assert returns(loop)[0] == (0, 16)  # back at the start after one turn
    assert returns(np.stack([t, t], axis=1)) == []


def _late_path(tmp_path, lr):
    """Full-batch gradient descent on sin x with 16 tanh units; the weights at every step from 360 to 400."""
    import torch

    from approxlab.watch import train
    from approxlab.watch.trajectory import weight_matrix

    X = torch.linspace(-3, 3, 64, dtype=torch.float64)[:, None]
    net = approxlab.mlp(1, [16], activation="tanh", seed=0)
    h = History.create(tmp_path / f"lr{lr}", {})
    train(
        net,
        X,
        torch.sin(X[:, 0]),
        steps=400,
        loss="mse",
        optimizer="sgd",
        lr=lr,
        watch=Watch(h, [], range(360, 401)),
    )
    return weight_matrix(h)[1]


def test_large_step_gradient_descent_cycles_with_period_two_and_small_steps_do_not(tmp_path):
    from approxlab.watch.trajectory import cycle_period

    # Measured: lr 0.05 and 0.15 converge (no returns), lr 0.25 and 0.35 settle into a period-2 cycle
    # (edge of stability: the step exceeds 2/λ_max of the loss's Hessian), lr ≥ 0.45 diverges.
    assert cycle_period(_late_path(tmp_path, 0.35)) == 2
    assert cycle_period(_late_path(tmp_path, 0.05)) is None
