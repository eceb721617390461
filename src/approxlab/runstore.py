"""The run store: one SQLite database holding every finished training run.

A row per run: its settings (JSON), a unique key (SHA-256 of the canonical settings
JSON, so one setting is stored once however often a sweep is rerun), metrics (JSON),
seconds, device, library versions, time, and the trained weights as the bytes of an
approxlab model file (safetensors, architecture in its metadata; read back through
:func:`approxlab.modelfile.load` with all its checks). The database runs in WAL mode and
every write is one ``BEGIN IMMEDIATE`` transaction, so a process killed at any moment
leaves every committed run intact and nothing half-written, and several sweeps may write
one store at once (SQLite serialises writers; readers never block).

A table ``approxlab_store`` names the format and its version: a database without it
(not an approxlab store) or with a newer version is refused with one clear line.
The store is the only module that knows SQLite.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from approxlab.errors import ApproxlabError
from approxlab.jsonfile import dumps, plain

FORMAT = "approxlab-runstore"
VERSION = 1
BUSY_SECONDS = 60.0  # how long a writer waits for another writer's transaction
_SCHEMA = """
CREATE TABLE IF NOT EXISTS approxlab_store (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    settings TEXT NOT NULL,
    metrics TEXT NOT NULL,
    seconds REAL NOT NULL,
    device TEXT NOT NULL,
    versions TEXT NOT NULL,
    created TEXT NOT NULL,
    weights BLOB
);
"""


def run_key(settings: dict[str, Any]) -> str:
    """SHA-256 of the settings as canonical JSON (sorted keys, no spaces): the run's identity.

    >>> run_key({"width": 6, "seed": 0}) == run_key({"seed": 0, "width": 6})
    True
    """
    text = json.dumps(plain(settings), sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


def versions() -> dict[str, str]:
    """The versions that produced a run: approxlab, torch, numpy, python."""
    import platform

    import numpy
    import torch

    import approxlab

    return {
        "approxlab": approxlab.__version__,
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "python": platform.python_version(),
    }


def model_bytes(net) -> bytes | None:
    """The bytes of the approxlab model file of ``net`` (None for non-finite weights, which no file holds)."""
    from approxlab.modelfile import save

    with tempfile.TemporaryDirectory() as folder:
        try:
            path = save(net, Path(folder) / "model.safetensors")
        except ApproxlabError:
            return None
        return path.read_bytes()


class RunStore:
    """A run store at ``path`` (created when absent).

    >>> store = RunStore(tempfile.mkdtemp() + "/runs.db")
    >>> store.add([{"settings": {"width": 2}, "metrics": {"rmse": 0.5}, "seconds": 1.0, "device": "cpu"}])
    1
    >>> store.count()
    1
    """

    def __init__(self, path: str | os.PathLike, create: bool = True):
        self.path = Path(path)
        if not create and not self.path.exists():
            raise ApproxlabError(
                f"no run store at {str(self.path)!r}: run `approxlab sweep ... --store {self.path}` first"
            )
        if self.path.exists() and self.path.is_dir():
            raise ApproxlabError(
                f"--store {str(self.path)!r} is a folder: give a file path such as runs.db"
            )
        if not self.path.parent.exists():
            raise ApproxlabError(
                f"cannot create the store {str(self.path)!r}: folder {str(self.path.parent)!r} "
                "does not exist"
            )
        try:
            self.db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
            self._open()
        except sqlite3.DatabaseError as exc:
            raise ApproxlabError(
                f"{str(self.path)!r} is not an approxlab run store ({exc}): choose another "
                "--store file"
            ) from None

    def _open(self) -> None:
        tables = {
            r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if tables and "approxlab_store" not in tables:
            raise ApproxlabError(
                f"{str(self.path)!r} is an SQLite database but not an approxlab run store (tables: "
                f"{', '.join(sorted(tables))[:80]}): choose another --store file"
            )
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(
            "PRAGMA synchronous=NORMAL"
        )  # WAL + NORMAL: a crash loses no committed transaction's integrity
        if not tables:
            with self._write():
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(
                    "INSERT OR IGNORE INTO approxlab_store VALUES ('format', ?), ('version', ?)",
                    (FORMAT, str(VERSION)),
                )
        info = dict(self.db.execute("SELECT name, value FROM approxlab_store"))
        if info.get("format") != FORMAT:
            raise ApproxlabError(
                f"{str(self.path)!r} is not an approxlab run store (format {info.get('format')!r}): "
                "choose another --store file"
            )
        found = int(info.get("version", "0"))
        if found > VERSION:
            raise ApproxlabError(
                f"run store {str(self.path)!r} has format version {found}, newer than this approxlab "
                f"reads ({VERSION}): upgrade approxlab"
            )

    def _write(self):
        store = self

        class _Transaction:
            def __enter__(self):
                store.db.execute("BEGIN IMMEDIATE")

            def __exit__(self, kind, value, tb):
                store.db.execute("COMMIT" if kind is None else "ROLLBACK")
                return False

        return _Transaction()

    def add(self, records: Iterable[dict[str, Any]]) -> int:
        """Insert finished runs in one transaction; a run whose settings are already stored is skipped.

        Each record has ``settings``, ``metrics``, ``seconds``, ``device`` and optionally
        ``weights`` (model-file bytes). Returns how many rows were new.
        """
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        meta = dumps(versions(), indent=None, sort_keys=True)
        rows = [
            (
                run_key(r["settings"]),
                dumps(r["settings"], indent=None, sort_keys=True),
                dumps(r["metrics"], indent=None, sort_keys=True),
                float(r["seconds"]),
                str(r["device"]),
                meta,
                now,
                r.get("weights"),
            )
            for r in records
        ]
        with self._write():
            before = self.db.total_changes
            self.db.executemany(
                "INSERT OR IGNORE INTO runs (key, settings, metrics, seconds, device, versions, "
                "created, weights) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            return self.db.total_changes - before

    def done(self, keys: Sequence[str]) -> set[str]:
        """Which of ``keys`` are already stored."""
        found: set[str] = set()
        for i in range(0, len(keys), 500):
            part = list(keys[i : i + 500])
            marks = ",".join("?" * len(part))
            found.update(
                r[0] for r in self.db.execute(f"SELECT key FROM runs WHERE key IN ({marks})", part)
            )
        return found

    def count(self) -> int:
        """Number of stored runs."""
        return int(self.db.execute("SELECT COUNT(*) FROM runs").fetchone()[0])

    def runs(self, where: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """Every run as a flat dict (id, settings, metrics, seconds, device, created), filtered on
        settings/metrics fields by their text value, e.g. ``where={"activation": "relu"}``."""
        rows = []
        for rid, settings, metrics, seconds, device, created in self.db.execute(
            "SELECT id, settings, metrics, seconds, device, created FROM runs ORDER BY id"
        ):
            row = {
                "id": rid,
                **json.loads(settings),
                **json.loads(metrics),
                "seconds": seconds,
                "device": device,
                "created": created,
            }
            rows.append(row)
        if where:
            fields = sorted({k for r in rows for k in r}) if rows else []
            for name in where:
                if rows and name not in fields:
                    raise ApproxlabError(
                        f"unknown field {name!r} in --where: use one of {', '.join(fields)}"
                    )
            rows = [r for r in rows if all(_text(r.get(k)) == v for k, v in where.items())]
        return rows

    def net(self, run_id: int):
        """The trained net of run ``run_id`` (read through :func:`approxlab.modelfile.load`)."""
        from approxlab.modelfile import load

        row = self.db.execute("SELECT weights FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise ApproxlabError(
                f"no run with id {run_id} in {str(self.path)!r}: list them with `approxlab runs`"
            )
        if row[0] is None:
            raise ApproxlabError(f"run {run_id} kept no weights (its training diverged)")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "model.safetensors"
            path.write_bytes(row[0])
            return load(path)

    def export_csv(self, rows: list[dict[str, Any]], path: str | os.PathLike) -> Path:
        """Write ``rows`` as CSV (columns: the union of their fields), atomically."""
        path = Path(path)
        columns = _columns(rows)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns)
                writer.writeheader()
                for r in rows:
                    writer.writerow({k: _text(v) for k, v in r.items()})
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return path

    def export_parquet(self, rows: list[dict[str, Any]], path: str | os.PathLike) -> Path:
        """Write ``rows`` as a Parquet file (pyarrow), one typed column per field, atomically.

        A column whose values are all numbers is float64 (int64 when all are integers), all
        booleans is bool, anything else is text (lists and dicts as JSON, as in the CSV);
        a run without the field has a null there. Pandas, Polars or DuckDB read it as is:

        >>> import pyarrow.parquet as pq  # doctest: +SKIP
        >>> pq.read_table("runs.parquet").column("rmse")  # doctest: +SKIP
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = Path(path)
        table = pa.table({c: _arrow_column(pa, [r.get(c) for r in rows]) for c in _columns(rows)})
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
        try:
            pq.write_table(table, tmp)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return path

    def integrity(self) -> str:
        """SQLite's own ``PRAGMA integrity_check`` ('ok' for a sound file)."""
        return str(self.db.execute("PRAGMA integrity_check").fetchone()[0])

    def close(self) -> None:
        self.db.close()


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    columns: list[str] = []
    for r in rows:
        columns += [k for k in r if k not in columns]
    return columns


def _arrow_column(pa: Any, values: list[Any]):
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return pa.array(values, type=pa.bool_())
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        kind = pa.int64() if all(isinstance(v, int) for v in present) else pa.float64()
        return pa.array(values, type=kind)
    return pa.array([None if v is None else _text(v) for v in values], type=pa.string())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return dumps(value, indent=None)
    return str(value)
