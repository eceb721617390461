"""``approxlab sweep`` and ``approxlab runs`` from the command line: results, resume, one-line errors."""

import sqlite3


def test_sweep_then_runs_lists_filters_exports_and_plots(run_cli, tmp_path):
    db = tmp_path / "r.db"
    code, _, err = run_cli(
        "sweep",
        "sine",
        "--width",
        "2,4",
        "--activation",
        "tanh",
        "--seeds",
        "3",
        "--steps",
        "30",
        "--n-train",
        "50",
        "--store",
        db,
        "--device",
        "cpu",
    )
    assert code == 0, err
    assert "6 runs trained" in err.replace("\n", " ")
    code, _, err = run_cli(
        "sweep",
        "sine",
        "--width",
        "2,4",
        "--activation",
        "tanh",
        "--seeds",
        "3",
        "--steps",
        "30",
        "--n-train",
        "50",
        "--store",
        db,
    )
    assert code == 0 and "0 runs trained, 6 already in" in err.replace("\n", " ")
    code, _, err = run_cli(
        "runs",
        "--store",
        db,
        "--where",
        "width=4",
        "--csv",
        tmp_path / "o.csv",
        "--parquet",
        tmp_path / "o.parquet",
        "--plot",
        "rmse-vs-width",
        "--out",
        tmp_path / "fig",
    )
    assert code == 0, err
    assert len((tmp_path / "o.csv").read_text().splitlines()) == 1 + 3
    import pyarrow.parquet as pq

    assert pq.read_table(tmp_path / "o.parquet").column("width").to_pylist() == [4, 4, 4]
    assert (tmp_path / "fig" / "rmse-vs-width.png").stat().st_size > 1000


def test_sweep_from_a_toml_file(run_cli, tmp_path):
    (tmp_path / "s.toml").write_text(
        'target = "sine"\nwidth = [3]\nseeds = 2\nsteps = 20\nn_train = 40\n'
    )
    code, _, err = run_cli(
        "sweep", "--config", tmp_path / "s.toml", "--store", tmp_path / "r.db", "--device", "cpu"
    )
    assert code == 0, err and "2 runs trained" in err


def test_bad_input_is_one_line_and_exit_2(run_cli, tmp_path):
    cases = [
        (
            ("sweep", "--activation", "relux", "--store", tmp_path / "a.db"),
            "unknown activation 'relux'",
        ),
        (("sweep", "--seeds", "6000", "--store", tmp_path / "a.db"), "add --yes"),
        (
            ("sweep", "--device", "tpu", "--seeds", "1", "--store", tmp_path / "a.db"),
            "unknown device",
        ),
        (("runs", "--store", tmp_path / "missing.db"), "no run store"),
        (("runs", "--store", tmp_path / "a.db", "--plot", "loss"), "unknown plot"),
        (
            ("runs", "--store", tmp_path / "a.db", "--parquet", tmp_path / "no" / "o.parquet"),
            "cannot write --parquet",
        ),
    ]
    (tmp_path / "s.toml").write_text("seed = 3\n")
    cases.append(
        (
            ("sweep", "--config", tmp_path / "s.toml", "--store", tmp_path / "a.db"),
            "unknown key 'seed'",
        )
    )
    with sqlite3.connect(tmp_path / "foreign.db") as db:
        db.execute("CREATE TABLE t (x)")
    cases.append((("runs", "--store", tmp_path / "foreign.db"), "not an approxlab run store"))
    for args, message in cases:
        code, _, err = run_cli(*args)
        assert code == 2 and message in err and err.count("\n") == 1, (args, err)
