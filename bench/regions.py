"""Benchmark: exact 2D linear regions, approxlab (float64) against regioncam (Rust, float32).

Random nets 2 → w^d → 1 with PyTorch's default init (drawn in float32 so both tools see
the very same weights; approxlab reads them in float64) on [-1, 1]², w ∈ {32, 64, 128,
256}, d ∈ {1, 3, 6}, seeds 0–2. Each (tool, case) runs in its own process so that its
peak memory (peak RSS minus the RSS before the computation) is its own; each tool is warmed
up on a small net first and the time is the best of up to 5 runs within 2 s. Also times the
1D partition of the sawtooth (breakpoints per second).

    python bench/regions.py                      # the full table (several minutes)
    python bench/regions.py --widths 32,64 --depths 1,3 --seeds 1
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def worker(tool: str, width: int, depth: int, seed: int, max_regions: int, budget: float = 2.0) -> dict:
    """Timed partitions in this process: best seconds of up to 5 runs within ``budget`` seconds
    (after a warm-up on a small net, for both tools), regions, peak memory."""
    import torch

    import approxlab

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
            return partition(stages(model.double()), [(-1.0, 1.0), (-1.0, 1.0)], max_regions=max_regions).count

    run(warm)
    before = _rss_mb()
    times, spent = [], 0.0
    while len(times) < 5 and spent < budget:
        start = time.perf_counter()
        try:
            count = run(net)
        except approxlab.ApproxlabError:
            return {"seconds": time.perf_counter() - start, "regions": None, "capped": True,
                    "peak_mb": _rss_mb() - before, "runs": 1}
        times.append(time.perf_counter() - start)
        spent += times[-1]
    return {"seconds": min(times), "regions": count, "capped": False, "peak_mb": _rss_mb() - before,
            "runs": len(times)}


def run_case(tool: str, width: int, depth: int, seed: int, max_regions: int, timeout: float) -> dict:
    cmd = [sys.executable, __file__, "--worker", tool, str(width), str(depth), str(seed), str(max_regions)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True).stdout
        return json.loads(out.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        return {"seconds": timeout, "regions": None, "capped": False, "timeout": True, "peak_mb": None}


def sawtooth_rate(n: int = 20) -> dict:
    from approxlab.construct.sawtooth import sawtooth_net
    from approxlab.regions import partition

    net = sawtooth_net(n)
    best = min((partition(net, (0.0, 1.0), max_regions=2**n + 1) for _ in range(3)), key=lambda p: p.seconds)
    return {"n": n, "breakpoints": best.count - 1, "seconds": best.seconds,
            "breakpoints_per_second": (best.count - 1) / best.seconds}


def explain_difference(width: int, depth: int, seed: int) -> dict:
    """Regions approxlab finds that regioncam lacks: patterns of approxlab's regions that no
    regioncam face has (its faces' patterns read in float64 at their centroids), and their areas."""
    import numpy as np
    import regioncam
    import torch

    import approxlab
    from approxlab.regions import partition
    from approxlab.regions.layers import forward

    net = approxlab.mlp(2, [width] * depth, seed=seed, dtype=torch.float32)
    cam = regioncam.Regioncam(1.0)
    cam.add(net)
    inputs = np.asarray(cam.vertex_inputs)
    centres = np.array([inputs[list(f.vertex_ids)].mean(axis=0) for f in cam.faces])
    p = partition(approxlab.regions.stages(net.double()), [(-1.0, 1.0), (-1.0, 1.0)], max_regions=10**7)
    ours = np.concatenate(p.patterns(), axis=1).astype(np.int8)
    theirs = {r.tobytes() for r in np.concatenate([z > 0 for z in forward(p.layers, centres)[:-1]], axis=1)
              .astype(np.int8)}
    lacking = [f for f in range(p.count) if ours[f].tobytes() not in theirs]
    areas = p.areas()[lacking]
    return {"regions_regioncam_lacks": len(lacking), "their_largest_area": float(areas.max()) if len(areas) else None,
            "smallest_area_overall": float(p.areas().min())}


def _fmt(v, spec):
    return "—" if v is None else format(v, spec)


def table(rows: list[dict]) -> str:
    head = ("| w | d | seed | approxlab s | regioncam s | approxlab regions/s | regioncam regions/s | speed-up | "
            "approxlab MB | regioncam MB | approxlab regions | regioncam regions |")
    lines = [head, "|" + "---|" * 12]
    for r in rows:
        a, c = r["approxlab"], r["regioncam"]
        rate_a = a["regions"] / a["seconds"] if a["regions"] else None
        rate_c = c["regions"] / c["seconds"] if c["regions"] else None
        speed = c["seconds"] / a["seconds"] if (a["regions"] and c["regions"]) else None
        count_a = "capped" if a.get("capped") else ("timeout" if a.get("timeout") else a["regions"])
        count_c = "timeout" if c.get("timeout") else c["regions"]
        lines.append(f"| {r['width']} | {r['depth']} | {r['seed']} | {_fmt(a['seconds'], '.4f')} | "
                     f"{_fmt(c['seconds'], '.4f')} | {_fmt(rate_a, ',.0f')} | {_fmt(rate_c, ',.0f')} | "
                     f"{_fmt(speed, '.2f')} | {_fmt(a['peak_mb'], '.0f')} | {_fmt(c['peak_mb'], '.0f')} | "
                     f"{count_a} | {count_c} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--widths", default="32,64,128,256")
    parser.add_argument("--depths", default="1,3,6")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--max-regions", type=int, default=3_000_000)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per tool and case")
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--from-json", action="store_true",
                        help="re-write the table from bench/results/regions.json without timing again")
    args = parser.parse_args()
    if args.worker:
        tool, w, d, s, m = args.worker
        print(json.dumps(worker(tool, int(w), int(d), int(s), int(m))))
        return
    import numpy
    import regioncam
    import torch

    import approxlab

    if args.from_json:
        saved = json.loads((RESULTS / "regions.json").read_text())
        write(saved["cases"], saved["sawtooth"], saved["meta"])
        return
    rows = []
    for width in map(int, args.widths.split(",")):
        for depth in map(int, args.depths.split(",")):
            for seed in range(args.seeds):
                row = {"width": width, "depth": depth, "seed": seed}
                for tool in ("approxlab", "regioncam"):
                    row[tool] = run_case(tool, width, depth, seed, args.max_regions, args.timeout)
                a, c = row["approxlab"]["regions"], row["regioncam"]["regions"]
                row["count_difference"] = None if a is None or c is None else a - c
                rows.append(row)
                print(table([row]).splitlines()[-1], flush=True)
    meta = {"python": platform.python_version(), "numpy": numpy.__version__, "torch": torch.__version__,
            "regioncam": regioncam.__version__, "approxlab": approxlab.__version__, "machine": platform.machine(),
            "cpus": __import__("os").cpu_count(), "max_regions": args.max_regions, "timeout": args.timeout}
    write(rows, sawtooth_rate(), meta)


def write(rows: list[dict], saw: dict, meta: dict) -> None:
    """Explain count differences, print the table and write regions.json and regions.md."""
    for r in rows:
        if r.get("count_difference") and "explained" not in r:
            r["explained"] = explain_difference(r["width"], r["depth"], r["seed"])
    text = table(rows)
    summary = (f"\n1D: sawtooth h^(∘{saw['n']}) on [0, 1]: {saw['breakpoints']:,} breakpoints in "
               f"{saw['seconds']:.3f} s = {saw['breakpoints_per_second']:,.0f} breakpoints/s (best of 3)\n")
    wide = [r for r in rows if r["width"] >= 64 and r["approxlab"]["regions"] and r["regioncam"]["regions"]]
    faster = sum(r["regioncam"]["seconds"] >= r["approxlab"]["seconds"] for r in wide)
    summary += f"\nw ≥ 64: approxlab at least as fast as regioncam in {faster} of {len(wide)} cases.\n"
    for r in rows:
        if r.get("explained"):
            e = r["explained"]
            summary += (f"\nw={r['width']} d={r['depth']} seed={r['seed']}: counts differ by {r['count_difference']}; "
                        f"{e['regions_regioncam_lacks']} of approxlab's regions have a pattern no regioncam face has, "
                        f"all of area ≤ {e['their_largest_area']:.2g} (float32 cannot resolve them).")
    print("\n" + text + summary)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "regions.json").write_text(json.dumps({"meta": meta, "cases": rows, "sawtooth": saw}, indent=1))
    (RESULTS / "regions.md").write_text(
        "# Exact 2D regions: approxlab (float64) vs regioncam (float32)\n\n"
        f"Nets 2 → w^d → 1, PyTorch default init, [-1, 1]²; seconds are the best of up to 5 warm runs; "
        f"MB is peak RSS growth. {meta}\n\n" + text + "\n" + summary)


if __name__ == "__main__":
    main()
