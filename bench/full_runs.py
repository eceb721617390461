"""Keep the per-size results of the full profile's longest search in the repository, so a fresh
machine resumes it instead of starting over.

``architectures.qsa_separation``'s full search trains every family at every size up to m = 32
for N = 8 … 64: about 10 CPU-hours on one core. The atlas keeps each size's result in its
cache (:mod:`approxlab.atlas.cache`), addressed by the code version, so a killed run resumes
where it stopped, but only on the machine that holds the cache. This script copies those
entries into a JSON file of the repository and back:

    # on the machine running the search, with the python of the frozen checkout that runs it
    python bench/full_runs.py save --cache CACHE_DIR --out docs/full-runs/qsa_separation.json
    # on a fresh machine: check out the commit the file names, make setup, then
    python bench/full_runs.py restore --records docs/full-runs/qsa_separation.json --cache CACHE_DIR
    APPROXLAB_CACHE=CACHE_DIR approxlab atlas --profile full --only architectures.qsa_separation

``save`` also names each entry (family, N, m) by recomputing its address, and prints the
table of what is measured so far. ``restore`` refuses records measured by other code (the
cache would never read them).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CLAIM = "architectures.qsa_separation"
FAMILIES = ("attention", "binary_rnn", "rnn", "fc")
NS = (8, 16, 32, 64)
SIZES = (1, 2, 4, 8, 16, 32)


def _names(seed: int) -> dict[str, tuple[str, int, int]]:
    """Address → (family, N, m) of every size the full search can train (the claim's key format)."""
    from approxlab.atlas.cache import Cache
    from approxlab.atlas.claims.architectures import SEPARATION_FULL as protocol

    store = Cache(Path("."))
    names = {}
    for family in FAMILIES:
        for N in NS:
            for m in SIZES:
                key = f"qsa {family} N={N} q=1 d'=1 m={m} seed={seed} {protocol}"
                names[store.address((CLAIM, "full", seed, key))] = (family, N, m)
    return names


def save(cache: Path, out: Path, seed: int) -> None:
    import approxlab
    from approxlab.atlas.cache import code_version

    names = _names(seed)
    entries = []
    for path in sorted(cache.glob("*.json")):
        if path.stem in names:
            family, N, m = names[path.stem]
            value = json.loads(path.read_text(encoding="utf-8"))
            entries.append({"address": path.stem, "family": family, "N": N, "m": m, "value": value})
    entries.sort(key=lambda e: (e["N"], FAMILIES.index(e["family"]), e["m"]))
    source = Path(approxlab.__file__).parent
    commit = subprocess.run(
        ["git", "-C", str(source), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    record = {
        "claim": CLAIM,
        "profile": "full",
        "seed": seed,
        "commit": commit,
        "code_version": code_version(),
        "entries": entries,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    _write(out, json.dumps(record, indent=1) + "\n")
    print(f"{len(entries)} sizes measured at {commit[:10]}, written to {out}")
    print("| family | N | m | best max error | spread (min–max) | lr |")
    print("|---|---|---|---|---|---|")
    for e in entries:
        v = e["value"]
        print(
            f"| {e['family']} | {e['N']} | {e['m']} | {v['error']:.3g} | "
            f"{v['min']:.3g}–{v['max']:.3g} | {v['lr']:g} |"
        )


def restore(records: Path, cache: Path) -> None:
    from approxlab.atlas.cache import code_version

    record = json.loads(records.read_text(encoding="utf-8"))
    if record["code_version"] != code_version():
        sys.exit(
            f"these records were measured by the code of commit {record['commit'][:10]}, not by the "
            f"approxlab this python imports: check out {record['commit'][:10]}, run make setup there "
            "and restore with that checkout's python"
        )
    cache.mkdir(parents=True, exist_ok=True)
    for e in record["entries"]:
        _write(cache / f"{e['address']}.json", json.dumps(e["value"]))
    print(f"{len(record['entries'])} sizes restored into {cache}")


def _write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("save", help="copy the search's cache entries into a records file")
    s.add_argument("--cache", type=Path, required=True)
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--seed", type=int, default=0)
    r = sub.add_parser("restore", help="write a records file's entries into a cache folder")
    r.add_argument("--records", type=Path, required=True)
    r.add_argument("--cache", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "save":
        save(args.cache, args.out, args.seed)
    else:
        restore(args.records, args.cache)


if __name__ == "__main__":
    main()
