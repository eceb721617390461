"""``approxlab decompose``: the table, the JSON and the figure; bad input is one line, exit 2."""

import json


def test_decompose_writes_json_and_figure(run_cli, tmp_path):
    out = tmp_path / "dec"
    code, stdout, err = run_cli(
        "decompose",
        "sine",
        "--width",
        "1,2",
        "--n-train",
        "8",
        "--samples",
        "2",
        "--steps",
        "30",
        "--lbfgs-steps",
        "5",
        "--out",
        out,
    )
    assert code == 0, err
    assert "theta1" in stdout + err  # Rich tables go to the console (stderr)
    rows = json.loads((out / "decomposition.json").read_text())["rows"]
    assert [(r["width"], r["n_train"]) for r in rows] == [(1, 8), (2, 8)]
    assert (out / "theta_decomposition.png").stat().st_size > 0


def test_bad_input_is_one_line_and_exit_2(run_cli, tmp_path):
    for args, words in [
        (("--width", "0,2"), "width must be a positive integer"),
        (("--n-train", "a"), "--n-train"),
        (("--activation", "cos"), "unknown activation"),
    ]:
        code, _, err = run_cli("decompose", "sine", *args, "--out", tmp_path / "x")
        assert code == 2 and words in err and len(err.strip().splitlines()) == 1, err
        assert not (tmp_path / "x").exists()
