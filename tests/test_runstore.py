"""The run store: one row per settings, WAL, refuses foreign or newer databases, weights round-trip."""

import sqlite3

import pytest
import torch

from approxlab.errors import ApproxlabError
from approxlab.nets import mlp
from approxlab.runstore import VERSION, RunStore, model_bytes, run_key


def _record(width=2, seed=0, weights=None):
    return {
        "settings": {"width": width, "seed": seed},
        "metrics": {"rmse": 0.1 * width},
        "seconds": 0.5,
        "device": "cpu",
        "weights": weights,
    }


def test_a_run_is_stored_once_however_often_it_is_added(tmp_path):
    store = RunStore(tmp_path / "r.db")
    assert store.add([_record(2), _record(4)]) == 2
    assert store.add([_record(2), _record(6)]) == 1
    assert store.count() == 3
    assert store.done([run_key({"width": 2, "seed": 0}), run_key({"width": 8, "seed": 0})]) == {
        run_key({"seed": 0, "width": 2})
    }
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_weights_round_trip_bit_exact_through_the_model_file_reader(tmp_path):
    net = mlp(2, [3], activation="tanh", seed=7)
    store = RunStore(tmp_path / "r.db")
    store.add([_record(weights=model_bytes(net))])
    back = store.net(store.runs()[0]["id"])
    assert all(
        torch.equal(a, b) for a, b in zip(net.state_dict().values(), back.state_dict().values())
    )


def test_nan_weights_are_not_stored_and_say_why(tmp_path):
    net = mlp(1, [2])
    with torch.no_grad():
        net[0].weight.fill_(float("nan"))
    assert model_bytes(net) is None
    store = RunStore(tmp_path / "r.db")
    store.add([_record(weights=None)])
    with pytest.raises(ApproxlabError, match="diverged"):
        store.net(1)


def test_filter_and_csv(tmp_path):
    store = RunStore(tmp_path / "r.db")
    store.add([_record(w, s) for w in (2, 4) for s in range(3)])
    rows = store.runs({"width": "4"})
    assert len(rows) == 3 and {r["seed"] for r in rows} == {0, 1, 2}
    with pytest.raises(ApproxlabError, match="unknown field 'wdth'.*width"):
        store.runs({"wdth": "4"})
    text = store.export_csv(rows, tmp_path / "o.csv").read_text().splitlines()
    assert len(text) == 4 and "width" in text[0].split(",")


def test_parquet_keeps_each_field_typed_and_every_value(tmp_path):
    import pyarrow.parquet as pq

    store = RunStore(tmp_path / "r.db")
    store.add([_record(w, s) for w in (2, 4) for s in range(3)])
    rows = store.runs()
    rows[0]["note"] = {"why": "a dict becomes JSON text"}
    table = pq.read_table(store.export_parquet(rows, tmp_path / "o.parquet"))
    assert table.num_rows == 6
    assert str(table.schema.field("width").type) == "int64"
    assert str(table.schema.field("rmse").type) == "double"
    back = table.to_pylist()
    assert [r["rmse"] for r in back] == [r["rmse"] for r in rows]
    assert [r["seed"] for r in back] == [r["seed"] for r in rows]
    assert back[0]["note"] == '{"why": "a dict becomes JSON text"}' and back[1]["note"] is None
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_foreign_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE people (name TEXT)")
    with pytest.raises(ApproxlabError, match="not an approxlab run store.*people"):
        RunStore(path)


def test_a_non_database_file_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("hello")
    with pytest.raises(ApproxlabError, match="not an approxlab run store"):
        RunStore(path)
    assert path.read_text() == "hello"


def test_a_store_from_a_newer_version_is_refused(tmp_path):
    RunStore(tmp_path / "r.db").close()
    with sqlite3.connect(tmp_path / "r.db") as db:
        db.execute(
            "UPDATE approxlab_store SET value = ? WHERE name = 'version'", (str(VERSION + 1),)
        )
    with pytest.raises(ApproxlabError, match="newer.*upgrade approxlab"):
        RunStore(tmp_path / "r.db")
