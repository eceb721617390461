"""Running claims and writing the atlas: ``index.html`` and ``results.json``."""

from __future__ import annotations

import json
import platform
import shutil
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from approxlab.atlas.registry import PROFILES, Claim, Context
from approxlab.atlas.report import render
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


def run_claim(claim: Claim, profile: str, root: Path, seed: int = 0) -> dict[str, Any]:
    """Run one claim; a crash becomes verdict ``error`` with its message, never a silent pass."""
    ctx = Context(profile=profile, seed=seed, root=root, claim_id=claim.id)
    start = time.perf_counter()
    try:
        evidence = claim.run(ctx)
        verdict = "holds" if evidence.holds else "fails"
        metrics, notes, table = evidence.metrics, evidence.notes, evidence.table
    except Exception as exc:  # a claim's bug must show up in the report, not stop the others
        verdict = "error"
        metrics, table = {}, None
        notes = f"{type(exc).__name__}: {exc}\n" + "".join(traceback.format_exc(limit=6))
    return _jsonable({
        "id": claim.id,
        "statement": claim.statement,
        "source": claim.source,
        "threshold": claim.threshold,
        "falsifiable_by": claim.falsifiable_by,
        "verdict": verdict,
        "metrics": metrics,
        "table": table,
        "notes": notes,
        "figures": [vars(f) for f in ctx.figures],
        "command": claim.command(profile),
        "seconds": round(time.perf_counter() - start, 3),
        "profile": profile,
        "seed": seed,
    })


def run_atlas(
    claims: list[Claim], profile: str, out: Path, *, merge: bool = False, progress: Any = None
) -> list[dict[str, Any]]:
    """Run ``claims`` under ``profile`` and write ``out/index.html`` and ``out/results.json``.

    ``progress(done, claim_id)`` is called before each claim.

    Everything is written into a staging folder first and swapped into ``out`` at the
    end (:func:`approxlab.output.staged_output`), so an interrupted run leaves no
    half-written atlas. With ``merge`` the results replace same-id entries of
    ``out/results.json`` as it is when the run finishes, read under the folder's lock,
    so concurrent ``--only`` runs on one folder all land.
    """
    if profile not in PROFILES:
        raise ApproxlabError(f"unknown profile {profile!r}: use quick or full")
    out = Path(out)
    results: list[dict[str, Any]] = []

    def finish(stage: Path) -> None:
        _write_document(stage, out, results, profile, merge)

    with staged_output(out, finish=finish) as stage:
        for done, claim in enumerate(claims):
            if progress is not None:
                progress(done, claim.id)
            results.append(run_claim(claim, profile, stage))
    return results


def _write_document(stage: Path, out: Path, results: list[dict[str, Any]], profile: str, merge: bool) -> None:
    """results.json and index.html in ``stage``, merged with ``out``'s current results when ``merge``."""
    from approxlab import jsonfile

    previous: list[dict[str, Any]] = []
    if merge and (out / "results.json").is_file():
        try:
            previous = json.loads((out / "results.json").read_text())["claims"]
        except (json.JSONDecodeError, KeyError, TypeError, OSError):
            previous = []
        if not isinstance(previous, list):
            previous = []
        previous = [r for r in previous if isinstance(r, dict) and isinstance(r.get("id"), str)]
    ran = {r["id"] for r in results}
    for old in previous:
        if old["id"] not in ran and (out / "figures" / old["id"]).is_dir():
            shutil.copytree(out / "figures" / old["id"], stage / "figures" / old["id"], dirs_exist_ok=True)
    merged = sorted([r for r in previous if r["id"] not in ran] + results, key=lambda r: r["id"])
    document = {
        "profile": profile,
        "command": " ".join(["approxlab", *sys.argv[1:]]) if sys.argv and "approxlab" in sys.argv[0] else None,
        "versions": versions(),
        "created": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "claims": merged,
    }
    jsonfile.write(stage / "results.json", document)
    (stage / "index.html").write_text(render(document), encoding="utf-8")
    if any(f["kind"] == "html" for r in merged for f in r.get("figures", [])):
        from approxlab.figures.save import write_plotly_js

        write_plotly_js(stage / "plotly.min.js")
