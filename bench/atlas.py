"""Benchmark the atlas: wall time of a run, seconds per claim, page size and load time in Chromium.

    .venv/bin/python bench/atlas.py --out /tmp/atlas --run --profile quick --json /tmp/atlas-bench.json

Without ``--run`` it measures an atlas folder that exists. The page is opened from file://
in Debian's Chromium (Playwright) with every non-file request aborted; "load" is the
load event, "all figures" the time to open every claim and draw every Plotly figure.
Record ``uptime`` beside any number: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from approxlab.headless import CHROMIUM, launch


def run(out: Path, profile: str, jobs: int | None, cache: bool) -> float:
    exe = Path(sys.executable).parent / "approxlab"
    command = [str(exe), "atlas", "--profile", profile, "--out", str(out)]
    command += ["--jobs", str(jobs)] if jobs else []
    command += [] if cache else ["--no-cache"]
    start = time.perf_counter()
    subprocess.run(command, check=False)
    return time.perf_counter() - start


def page(out: Path) -> dict:
    from playwright.sync_api import sync_playwright

    blocked = []
    with sync_playwright() as p:
        context = launch(p, tempfile.mkdtemp())
        tab = context.new_page()
        tab.route(
            "**/*",
            lambda r: (
                r.continue_()
                if r.request.url.startswith("file://")
                else (blocked.append(r.request.url), r.abort())
            ),
        )
        tab.goto((out / "index.html").as_uri(), wait_until="load", timeout=300_000)
        load_ms = tab.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
        height_closed = tab.evaluate("document.body.scrollHeight")
        if (
            tab.locator("button[data-open=all]").count() == 0
        ):  # an atlas of the older, iframe layout
            context.close()
            return {
                "load_ms": load_ms,
                "height_px": height_closed,
                "blocked_requests": len(blocked),
            }
        start = time.perf_counter()
        tab.click("button[data-open=all]")
        for div in tab.locator(".plotly-figure").all():
            div.scroll_into_view_if_needed()
            tab.wait_for_function(
                "d => d.dataset.rendered", arg=div.element_handle(), timeout=120_000
            )
        figures_s = time.perf_counter() - start
        rendered = tab.evaluate(
            "[...document.querySelectorAll('.plotly-figure')].filter(d => d.dataset.rendered === 'yes').length"
        )
        total = tab.evaluate("document.querySelectorAll('.plotly-figure').length")
        context.close()
    return {
        "load_ms": load_ms,
        "height_px_closed": height_closed,
        "all_figures_s": round(figures_s, 2),
        "plotly_figures": total,
        "rendered": rendered,
        "blocked_requests": len(blocked),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--run", action="store_true")
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    report: dict = {"load_average": os.getloadavg(), "cores": len(os.sched_getaffinity(0))}
    if args.run:
        report["wall_s"] = round(run(args.out, args.profile, args.jobs, not args.no_cache), 1)
    doc = json.loads((args.out / "results.json").read_text())
    report["claims"] = {
        c["id"]: c["seconds"] for c in sorted(doc["claims"], key=lambda c: -c["seconds"])
    }
    report["claim_seconds_sum"] = round(sum(report["claims"].values()), 1)
    cpu = {c["id"]: c.get("cpu_seconds") for c in doc["claims"]}
    report["claim_cpu_seconds"] = cpu
    report["claim_cpu_seconds_sum"] = round(sum(v for v in cpu.values() if v is not None), 1)
    report["index_html_bytes"] = (args.out / "index.html").stat().st_size
    report["folder_bytes"] = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    if CHROMIUM.exists():
        report["page"] = page(args.out)
    for key, value in report.items():
        if key not in ("claims", "claim_cpu_seconds"):
            print(f"{key:>20}  {value}")
    print("slowest claims:")
    for claim_id, seconds in list(report["claims"].items())[:8]:
        print(f"{seconds:>10.1f} s wall  {cpu[claim_id] or float('nan'):>8.1f} s CPU  {claim_id}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
