"""`approxlab grads` as a user runs it: figures and JSON written, memory guard with exit 2."""

import json


def test_vanishing_writes_figure_and_results(tmp_path, run_cli):
    out = tmp_path / "v"
    code, _, err = run_cli(
        "grads", "vanishing", "--depth", 5, "--width", 8, "--batch", 4, "--out", out
    )
    assert code == 0, err
    assert (out / "delta_norms.png").stat().st_size > 5_000
    results = json.loads((out / "results.json").read_text())
    assert results


def test_memory_guard_refuses_with_the_number(tmp_path, run_cli):
    out = tmp_path / "v"
    code, _, err = run_cli("grads", "vanishing", "--depth", 300, "--width", 8192, "--out", out)
    assert code == 2 and "GiB" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()
