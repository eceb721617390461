"""Running claims and writing the atlas: ``index.html``, ``results.json`` and what they load.

Claims run in parallel worker processes (joblib), longest first by the times the last
atlas in the folder measured, so the slowest claim does not start last. What a claim
trains may be kept between runs through ``ctx.cached`` (:mod:`approxlab.atlas.cache`).
"""

from __future__ import annotations

import platform
import shlex
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from approxlab.atlas import results as schema
from approxlab.atlas.cache import Cache
from approxlab.atlas.registry import PROFILES, Claim, Context
from approxlab.atlas.report import render, write_assets
from approxlab.errors import ApproxlabError
from approxlab.output import staged_output


def versions() -> dict[str, str]:
    """Versions of Python and the libraries that produced the numbers."""
    import numpy
    import torch

    import approxlab

    return {
        "approxlab": approxlab.__version__,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": numpy.__version__,
    }


def program() -> str:
    """The ``approxlab`` executable running now (absolute path), so that a printed command runs as is.

    From Python (a notebook, a test) it is the one installed beside the interpreter.
    """
    if sys.argv and Path(sys.argv[0]).name == "approxlab":
        return str(Path(sys.argv[0]).absolute())
    beside = Path(sys.executable).parent / "approxlab"
    return str(beside) if beside.is_file() else "approxlab"


def rerun_command(claim_id: str, profile: str, out: Path) -> str:
    """The full command that recomputes one claim into the same atlas folder.

    >>> rerun_command("seed001.width", "quick", Path("/tmp/atlas")).split()[1:]
    ['atlas', '--only', 'seed001.width', '--profile', 'quick', '--out', '/tmp/atlas']
    """
    return shlex.join(
        [
            program(),
            "atlas",
            "--only",
            claim_id,
            "--profile",
            profile,
            "--out",
            str(Path(out).absolute()),
        ]
    )


def _jsonable(value: Any) -> Any:
    """Turn NumPy/torch scalars and arrays into plain JSON values."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist"):
        return _jsonable(value.tolist())
    if isinstance(value, float) and value != value:
        return None
    return value


def run_claim(
    claim: Claim, profile: str, root: Path, out: Path, seed: int = 0, cache: Cache | None = None
) -> dict[str, Any]:
    """Run one claim with figures under ``root``; a crash becomes verdict ``error`` with its message, never a silent pass.

    ``out`` is the atlas folder the result will live in (for its rerun command). A claim not
    registered for ``profile`` is not run: verdict ``"not run"``, and its command runs it in
    its own profile.
    """
    if profile not in claim.profiles:
        return _not_run(claim, profile, out, seed)
    ctx = Context(profile=profile, seed=seed, root=root, claim_id=claim.id, cache=cache)
    start, cpu = time.perf_counter(), time.process_time()
    try:
        evidence = claim.run(ctx)
        verdict = "holds" if evidence.holds else "fails"
        metrics, notes, table, key = evidence.metrics, evidence.notes, evidence.table, evidence.key
    except Exception as exc:  # a claim's bug must show up in the report, not stop the others
        verdict = "error"
        metrics, table, key = {}, None, None
        notes = f"{type(exc).__name__}: {exc}\n" + "".join(traceback.format_exc(limit=6))
    return _jsonable(
        {
            "id": claim.id,
            "statement": claim.statement,
            "source": claim.source,
            "threshold": claim.threshold,
            "falsifiable_by": claim.falsifiable_by,
            "verdict": verdict,
            "metrics": metrics,
            "key": key,
            "table": table,
            "notes": notes,
            "figures": [vars(f) for f in ctx.figures],
            "command": rerun_command(claim.id, profile, out),
            "seconds": round(time.perf_counter() - start, 3),
            "cpu_seconds": round(time.process_time() - cpu, 3),
            "profile": profile,
            "seed": seed,
            "profiles": list(claim.profiles),
        }
    )


def _not_run(claim: Claim, profile: str, out: Path, seed: int) -> dict[str, Any]:
    """The record of a claim skipped under ``profile``: its statement, no numbers, and the
    command that measures it in the first profile it is registered for."""
    return {
        "id": claim.id,
        "statement": claim.statement,
        "source": claim.source,
        "threshold": claim.threshold,
        "falsifiable_by": claim.falsifiable_by,
        "verdict": schema.NOT_RUN,
        "metrics": {},
        "key": None,
        "table": None,
        "notes": f"Registered for the {' and '.join(claim.profiles)} profile only, so not run in "
        f"the {profile} profile.",
        "figures": [],
        "command": rerun_command(claim.id, claim.profiles[0], out),
        "seconds": 0.0,
        "cpu_seconds": None,
        "profile": profile,
        "seed": seed,
        "profiles": list(claim.profiles),
    }


def _previous(out: Path, merge: bool) -> list[dict[str, Any]]:
    """Claims of the atlas already in ``out``: they must validate when they will be merged;
    otherwise they only order the claims, and an unreadable file is ignored (it is rewritten)."""
    if not (out / "results.json").is_file():
        return []
    try:
        return schema.read(out / "results.json").model_dump()["claims"]
    except ApproxlabError:
        if merge:
            raise
        return []


def run_atlas(
    claims: list[Claim],
    profile: str,
    out: Path,
    *,
    merge: bool = False,
    progress: Callable[[int, dict[str, Any]], None] | None = None,
    jobs: int = 1,
    cache: Cache | None = None,
) -> list[dict[str, Any]]:
    """Run ``claims`` under ``profile`` on ``jobs`` processes and write the atlas into ``out``.

    ``progress(done, result)`` is called as each claim finishes (in finishing order).
    ``out`` receives ``index.html``, ``results.json`` (schema :mod:`approxlab.atlas.results`),
    ``figures/``, ``plotly.min.js``, ``katex/`` and ``sources/``. Everything is written
    into a staging folder first and swapped into ``out`` at the end
    (:func:`approxlab.output.staged_output`), so an interrupted run leaves no half-written
    atlas. With ``merge`` the results replace same-id entries of ``out/results.json`` as it
    is when the run finishes (it must validate), read under the folder's lock, so
    concurrent ``--only`` runs on one folder all land; a "not run" result never replaces a
    measured one (a quick ``--only`` run keeps the full profile's verdict).
    """
    from joblib import Parallel, delayed

    if profile not in PROFILES:
        raise ApproxlabError(f"unknown profile {profile!r}: use quick or full")
    if jobs < 1:
        raise ApproxlabError(f"--jobs must be a positive integer, got {jobs}")
    out = Path(out)
    last_seconds = {c["id"]: c["seconds"] for c in _previous(out, merge=False)}
    ordered = sorted(claims, key=lambda c: -last_seconds.get(c.id, 0.0))
    results: list[dict[str, Any]] = []

    def finish(stage: Path) -> None:
        _write_document(stage, out, results, profile, merge)

    with staged_output(out, finish=finish) as stage:
        tasks = (delayed(run_claim)(c, profile, stage, out, cache=cache) for c in ordered)
        for result in Parallel(
            n_jobs=min(jobs, max(len(ordered), 1)), return_as="generator_unordered"
        )(tasks):
            results.append(result)
            if progress is not None:
                progress(len(results), result)
    return sorted(results, key=lambda r: r["id"])


def _write_document(
    stage: Path, out: Path, results: list[dict[str, Any]], profile: str, merge: bool
) -> None:
    """results.json, index.html and their assets in ``stage``, merged with ``out``'s current
    results when ``merge`` (called under the folder's lock, just before the swap)."""
    previous = _previous(out, merge) if merge else []
    measured = {r["id"] for r in previous if r["verdict"] != schema.NOT_RUN}
    fresh = [r for r in results if r["verdict"] != schema.NOT_RUN or r["id"] not in measured]
    ran = {r["id"] for r in fresh}
    kept = [r for r in previous if r["id"] not in ran]
    for old in kept:
        if (out / "figures" / old["id"]).is_dir():
            shutil.copytree(
                out / "figures" / old["id"], stage / "figures" / old["id"], dirs_exist_ok=True
            )
    merged = sorted(kept + fresh, key=lambda r: r["id"])
    # A quick atlas with a full-only claim merged in says so ("quick + full"), not just the last run's profile.
    held = [p for p in PROFILES if any(r["profile"] == p for r in merged)] or [profile]
    atlas = schema.Atlas.model_validate(
        {
            "version": schema.VERSION,
            "profile": " + ".join(held),
            "command": shlex.join([program(), *sys.argv[1:]])
            if Path(sys.argv[0]).name == "approxlab"
            else None,
            "versions": versions(),
            "created": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "claims": merged,
        }
    )
    (stage / "results.json").write_text(atlas.model_dump_json(indent=2), encoding="utf-8")
    write_assets(stage, plotly=any(f.kind == "html" for c in atlas.claims for f in c.figures))
    (stage / "index.html").write_text(render(atlas), encoding="utf-8")
