"""Benchmark: exact 2D linear regions, approxlab (float64) against regioncam (Rust, float32).

Random nets 2 → w^d → 1 with PyTorch's default init (drawn in float32 so both tools see
the very same weights; approxlab reads them in float64) on [-1, 1]². Every measurement
runs in a fresh process (warm-up on a small net first), so its peak memory (peak RSS
minus RSS before the timed run) is its own. Rounds alternate the tools' order
(approxlab first in even rounds, regioncam first in odd ones) and interleave the shapes,
so slow spells of a shared machine hit both tools alike; the table reports the median
and the range (min–max) over the rounds, and the machine's load average (``uptime``)
before and after each round. Also times the 1D partition of the sawtooth.

    python bench/regions.py                          # default shapes, 5 rounds
    python bench/regions.py --shapes 32x1,64x3 --rounds 3
    python bench/regions.py --from-json              # re-write the tables from results/regions.json

Writes results/regions.json (every measurement), results/regions.md (the full table) and
results/regions_readme.md (the README's table, generated here: never edit it by hand).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
SHAPES = "32x1,64x1,32x4,96x2,64x3,50x8,128x3,64x6,256x3"
TOOLS = ("approxlab", "regioncam")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def worker(tool: str, width: int, depth: int, seed: int, max_regions: int) -> dict:
    """One timed partition in this process after a warm-up: seconds, regions, peak memory (MB)."""
    import torch

    import approxlab

    torch.set_num_threads(1)
    net = approxlab.mlp(2, [width] * depth, seed=seed, dtype=torch.float32)
    warm = approxlab.mlp(2, [16, 16], seed=0, dtype=torch.float32)
    if tool == "regioncam":
        import regioncam

        def run(model):
            cam = regioncam.Regioncam(1.0)
            cam.add(model)
            return cam.num_faces
    else:
        from approxlab.regions import partition, stages

        def run(model):
            return partition(
                stages(model.double()), [(-1.0, 1.0), (-1.0, 1.0)], max_regions=max_regions
            ).count

    run(warm)
    before = _rss_mb()
    start = time.perf_counter()
    try:
        count = run(net)
    except approxlab.ApproxlabError:
        return {
            "seconds": time.perf_counter() - start,
            "regions": None,
            "capped": True,
            "peak_mb": _rss_mb() - before,
        }
    return {
        "seconds": time.perf_counter() - start,
        "regions": count,
        "capped": False,
        "peak_mb": _rss_mb() - before,
    }


def run_case(
    tool: str, width: int, depth: int, seed: int, max_regions: int, timeout: float
) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        tool,
        str(width),
        str(depth),
        str(seed),
        str(max_regions),
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    try:
        out = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, check=True, env=env
        ).stdout
        return json.loads(out.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        return {"seconds": timeout, "regions": None, "timeout": True, "peak_mb": None}


def sawtooth_rate(n: int = 20) -> dict:
    from approxlab.construct.sawtooth import sawtooth_net
    from approxlab.regions import partition

    net = sawtooth_net(n)
    best = min(
        (partition(net, (0.0, 1.0), max_regions=2**n + 1) for _ in range(3)),
        key=lambda p: p.seconds,
    )
    return {
        "n": n,
        "breakpoints": best.count - 1,
        "seconds": best.seconds,
        "breakpoints_per_second": (best.count - 1) / best.seconds,
    }


def _stats(values: list[float]) -> tuple[float, float, float]:
    return statistics.median(values), min(values), max(values)


def _fmt_range(values: list[float], spec: str) -> str:
    med, lo, hi = _stats(values)
    return f"{format(med, spec)} ({format(lo, spec)}–{format(hi, spec)})"


def summarise(cases: list[dict]) -> list[dict]:
    """Per shape: seconds, speed-up (regioncam / approxlab, per round), peak MB and counts over the rounds."""
    rows = []
    for case in cases:
        runs = case["runs"]
        ok = [r for r in runs if r["approxlab"].get("regions") and r["regioncam"].get("regions")]
        rows.append(
            {
                "width": case["width"],
                "depth": case["depth"],
                "seed": case["seed"],
                "rounds": len(ok),
                "approxlab_s": [r["approxlab"]["seconds"] for r in ok],
                "regioncam_s": [r["regioncam"]["seconds"] for r in ok],
                "speedup": [r["regioncam"]["seconds"] / r["approxlab"]["seconds"] for r in ok],
                "approxlab_mb": [r["approxlab"]["peak_mb"] for r in ok],
                "regioncam_mb": [r["regioncam"]["peak_mb"] for r in ok],
                "approxlab_regions": sorted(
                    {r["approxlab"]["regions"] for r in runs if r["approxlab"].get("regions")}
                ),
                "regioncam_regions": sorted(
                    {r["regioncam"]["regions"] for r in runs if r["regioncam"].get("regions")}
                ),
            }
        )
    return rows


def table(rows: list[dict]) -> str:
    head = (
        "| w | d | approxlab s | regioncam s | speed-up | approxlab MB | regioncam MB | regions "
        "(approxlab / regioncam) |"
    )
    lines = [head, "|" + "---|" * 8]
    for r in rows:
        if not r["rounds"]:
            lines.append(
                f"| {r['width']} | {r['depth']} | — | — | — | — | — | capped or timed out |"
            )
            continue
        counts = (
            "/".join(map(str, r["approxlab_regions"]))
            + " / "
            + "/".join(map(str, r["regioncam_regions"]))
        )
        lines.append(
            f"| {r['width']} | {r['depth']} | {_fmt_range(r['approxlab_s'], '.3g')} | "
            f"{_fmt_range(r['regioncam_s'], '.3g')} | {_fmt_range(r['speedup'], '.2f')} | "
            f"{_fmt_range(r['approxlab_mb'], '.0f')} | {_fmt_range(r['regioncam_mb'], '.0f')} | {counts} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shapes", default=SHAPES, help="comma-separated WIDTHxDEPTH")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-regions", type=int, default=1_000_000)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per tool and case")
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument(
        "--from-json", action="store_true", help="re-write the tables from results/regions.json"
    )
    args = parser.parse_args()
    if args.worker:
        tool, w, d, s, m = args.worker
        print(json.dumps(worker(tool, int(w), int(d), int(s), int(m))))
        return
    if args.from_json:
        saved = json.loads((RESULTS / "regions.json").read_text())
        write(saved["cases"], saved["sawtooth"], saved["meta"], saved["load"])
        return
    import numpy
    import regioncam
    import torch

    import approxlab

    shapes = [tuple(map(int, s.split("x"))) for s in args.shapes.split(",")]
    cases = [{"width": w, "depth": d, "seed": args.seed, "runs": []} for w, d in shapes]
    load = []
    for rnd in range(args.rounds):
        before = os.getloadavg()
        order = TOOLS if rnd % 2 == 0 else TOOLS[::-1]
        for case in cases:
            run = {
                tool: run_case(
                    tool, case["width"], case["depth"], case["seed"], args.max_regions, args.timeout
                )
                for tool in order
            }
            case["runs"].append(run)
            print(
                f"round {rnd + 1}: {case['width']}x{case['depth']} "
                + "  ".join(f"{t} {run[t]['seconds']:.4f}s {run[t].get('regions')}" for t in TOOLS),
                flush=True,
            )
        load.append({"round": rnd + 1, "before": list(before), "after": list(os.getloadavg())})
    meta = {
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "torch": torch.__version__,
        "regioncam": regioncam.__version__,
        "approxlab": approxlab.__version__,
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "max_regions": args.max_regions,
        "rounds": args.rounds,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    write(cases, sawtooth_rate(), meta, load)


def write(cases: list[dict], saw: dict, meta: dict, load: list[dict]) -> None:
    """Print the table and write regions.json, regions.md and regions_readme.md."""
    rows = summarise(cases)
    text = table(rows)
    loads = [v for entry in load for v in (entry["before"][0], entry["after"][0])]
    load_line = (
        f"1-minute load average over the rounds: {min(loads):.1f}–{max(loads):.1f} on {meta['cpus']} cores "
        "(other work was running: absolute seconds vary with it, the tools were timed alternately)"
    )
    wins = sum(statistics.median(r["speedup"]) >= 1 for r in rows if r["rounds"])
    mismatched = [
        f"{r['width']}x{r['depth']}"
        for r in rows
        if r["approxlab_regions"] != r["regioncam_regions"]
    ]
    summary = (
        f"\napproxlab's median at least as fast as regioncam's on {wins} of {len(rows)} shapes. "
        f"Region counts differ on: {', '.join(mismatched) or 'none'}.\n"
        f"1D: sawtooth h^(∘{saw['n']}) on [0, 1]: {saw['breakpoints']:,} breakpoints in {saw['seconds']:.3f} s "
        f"= {saw['breakpoints_per_second']:,.0f} breakpoints/s (best of 3).\n{load_line}.\n"
    )
    print("\n" + text + "\n" + summary)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "regions.json").write_text(
        json.dumps({"meta": meta, "cases": cases, "sawtooth": saw, "load": load}, indent=1)
    )
    intro = (
        f"Nets 2 → w^d → 1 (PyTorch default init, seed {cases[0]['seed']}), [-1, 1]²; each cell is the median "
        f"(min–max) over {meta['rounds']} alternating rounds, every run in a fresh process after a warm-up; "
        "speed-up = regioncam s / approxlab s within a round; MB = peak RSS growth of the timed run. "
        f"{meta['date']}, Python {meta['python']}, NumPy {meta['numpy']}, torch {meta['torch']}, "
        f"regioncam {meta['regioncam']}."
    )
    (RESULTS / "regions.md").write_text(
        "# Exact 2D regions: approxlab (float64) vs regioncam (float32)\n\n"
        + intro
        + "\n\n"
        + text
        + "\n"
        + summary
    )
    (RESULTS / "regions_readme.md").write_text(
        "<!-- generated by bench/regions.py; do not edit by hand -->\n"
        + intro
        + "\n\n"
        + text
        + "\n"
        + summary
    )


if __name__ == "__main__":
    main()
