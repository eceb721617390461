"""Benchmark: training many small nets — a plain per-net PyTorch loop, approxlab.fit, approxlab.ensemble.

The issue-13 setting: 2 → 6 → 1 sigmoid nets on the paraboloid x1² + x2² + 3 (2000 samples
drawn once with seed 0, shared), full-batch Adam with cosine decay, float32, on the CPU.
Rows:

- ``loop``: the plain PyTorch loop a user writes (nn.Sequential, torch.optim.Adam,
  CosineAnnealingLR), one net after the other;
- ``fit``: approxlab.fit on each net;
- ``ensemble K``: approxlab.ensemble.train on K stacked nets, with the fused two-layer kernel
  (eager, and through torch.compile where a C++ compiler is present) and the generic
  autograd path for comparison.

Throughput is net-steps per second (nets × steps / training seconds; setup, data sampling
and final metrics excluded for every row alike). Each row is timed in ``--rounds`` alternating
rounds (the rows' order rotates), the median and range are reported, and the load average
(``uptime``) before and after each round is recorded, because the machine may be shared.

    python bench/ensemble.py                 # default: 3 rounds
    python bench/ensemble.py --rounds 1 --quick

Writes results/ensemble.json (every measurement) and results/ensemble.md (the README table,
generated: never edit it by hand).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

RESULTS = Path(__file__).parent / "results"
WIDTH, N = 6, 2000


def _data():
    from approxlab.targets import sample, target

    f = target("paraboloid")
    X = sample(f.domain, N, 0)
    return X, f(X)


def loop(X, y, nets: int, steps: int) -> float:
    """Seconds for the plain per-net loop over ``nets`` nets × ``steps`` Adam steps."""
    from approxlab.nets import mlp

    Xt = torch.as_tensor(X, dtype=torch.float32)
    yt = torch.as_tensor(y, dtype=torch.float32)[:, None]
    total = 0.0
    for s in range(nets):
        net = mlp(2, [WIDTH], activation="sigmoid", seed=s, dtype=torch.float32)
        opt = torch.optim.Adam(net.parameters(), lr=0.05)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
        start = time.perf_counter()
        for _ in range(steps):
            opt.zero_grad()
            loss = torch.mean((net(Xt) - yt) ** 2)
            loss.backward()
            opt.step()
            sched.step()
        total += time.perf_counter() - start
    return total


def fit_rows(X, y, nets: int, steps: int) -> float:
    from approxlab.fit import fit
    from approxlab.nets import mlp

    return sum(
        fit(
            mlp(2, [WIDTH], activation="sigmoid", seed=s, dtype=torch.float32),
            (X, y),
            steps=steps,
            lr=0.05,
            seed=s,
        ).seconds
        for s in range(nets)
    )


def ensemble_rows(X, y, K: int, steps: int, kernel: str, compile: bool) -> float:
    from approxlab.ensemble import ensemble, train

    def run(n_steps):
        e = ensemble(2, [WIDTH], activation="sigmoid", seeds=K, dtype=torch.float32)
        return train(e, (X, y), steps=n_steps, lr=0.05, kernel=kernel, compile=compile).seconds

    if compile:
        run(2)  # compiles (per chunk shape); the compiled code is cached for the timed run
    return run(steps)


def _load() -> float:
    return os.getloadavg()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--quick", action="store_true", help="fewer steps (a smoke run, not for the README)"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="torch intra-op threads for every row"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    scale = 0.2 if args.quick else 1.0
    X, y = _data()
    try:
        compiler = subprocess.run(["c++", "--version"], capture_output=True).returncode == 0
    except OSError:
        compiler = False
    # (name, nets, steps, function): steps chosen so each row takes a few seconds on one busy core
    rows = [
        ("loop", 1, lambda k, s: loop(X, y, k, s), 4, int(500 * scale)),
        ("fit", 1, lambda k, s: fit_rows(X, y, k, s), 4, int(500 * scale)),
        (
            "ensemble K=1",
            1,
            lambda k, s: ensemble_rows(X, y, k, s, "auto", False),
            1,
            int(2000 * scale),
        ),
        (
            "ensemble K=64",
            64,
            lambda k, s: ensemble_rows(X, y, k, s, "auto", False),
            64,
            int(200 * scale),
        ),
        (
            "ensemble K=1024",
            1024,
            lambda k, s: ensemble_rows(X, y, k, s, "auto", False),
            1024,
            int(20 * scale) or 2,
        ),
        (
            "ensemble K=1024 generic (autograd)",
            1024,
            lambda k, s: ensemble_rows(X, y, k, s, "generic", False),
            1024,
            int(10 * scale) or 2,
        ),
    ]
    if compiler:
        rows += [
            (
                "ensemble K=64 compiled",
                64,
                lambda k, s: ensemble_rows(X, y, k, s, "auto", True),
                64,
                int(400 * scale),
            ),
            (
                "ensemble K=1024 compiled",
                1024,
                lambda k, s: ensemble_rows(X, y, k, s, "auto", True),
                1024,
                int(40 * scale) or 2,
            ),
        ]
    measured: dict[str, list[float]] = {name: [] for name, *_ in rows}
    loads = []
    for r in range(args.rounds):
        before = _load()
        order = rows[r % len(rows) :] + rows[: r % len(rows)]
        for name, _, fn, nets, steps in order:
            seconds = fn(nets, steps)
            measured[name].append(nets * steps / seconds)
            print(f"round {r}: {name:38s} {nets * steps / seconds:12.0f} net-steps/s", flush=True)
        loads.append({"round": r, "load_before": before, "load_after": _load()})
    base = statistics.median(measured["loop"])
    table = []
    for name, *_ in rows:
        v = measured[name]
        table.append(
            {
                "row": name,
                "net_steps_per_s": statistics.median(v),
                "min": min(v),
                "max": max(v),
                "ratio_to_loop": statistics.median(v) / base,
            }
        )
    import approxlab

    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "approxlab": approxlab.__version__,
        "cpu_cores": os.cpu_count(),
        "threads": args.threads,
        "rounds": args.rounds,
        "quick": args.quick,
        "device": "cpu (no GPU on this machine: the GPU rows of the issue are not measured)",
        "setting": f"2→{WIDTH}→1 sigmoid, paraboloid, {N} samples, full-batch Adam, cosine, float32",
        "loads": loads,
        "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ensemble.json").write_text(
        json.dumps({"meta": meta, "table": table, "measured": measured}, indent=2) + "\n"
    )
    lo = min(min(x["load_before"], x["load_after"]) for x in loads)
    hi = max(max(x["load_before"], x["load_after"]) for x in loads)
    lines = [
        "<!-- generated by bench/ensemble.py; do not edit by hand -->",
        f"{meta['setting']}; CPU only, {args.threads} thread(s), {os.cpu_count()} cores; median (min–max) over "
        f"{args.rounds} alternating rounds; {meta['date']}, torch {torch.__version__}; 1-minute load average "
        f"{lo:.1f}–{hi:.1f} (a shared machine: absolute numbers vary with it).",
        "",
        "| row | net-steps/s | ratio to the per-net loop |",
        "|---|---|---|",
    ]
    for t in table:
        lines.append(
            f"| {t['row']} | {t['net_steps_per_s']:,.0f} ({t['min']:,.0f}–{t['max']:,.0f}) | "
            f"{t['ratio_to_loop']:.1f}× |"
        )
    (RESULTS / "ensemble.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
