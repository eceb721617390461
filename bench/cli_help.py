"""How long ``approxlab --help`` and friends take, beside the cost they avoid (importing torch).

Each command runs as a fresh process ``--repeats`` times; the table gives the median and
the minimum wall time, and whether the process imported torch. Baselines: an empty
``python -c pass`` and ``python -c "import torch"``. Writes bench/results/cli_help.json
(or --out). Record the machine's load (printed) beside any number you quote.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROBE = (
    "import runpy, sys; sys.argv = {argv!r}; sys.exit_code = 0\n"
    "try:\n    runpy.run_module('approxlab', run_name='__main__')\nexcept SystemExit:\n    pass\n"
    "print('TORCH' if 'torch' in sys.modules else 'NOTORCH', file=sys.stderr)"
)

CASES = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -c 'import torch'": [sys.executable, "-c", "import torch"],
    "approxlab --help": ["approxlab", "--help"],
    "approxlab --version": ["approxlab", "--version"],
    "approxlab fit --help": ["approxlab", "fit", "--help"],
    "approxlab regions --help": ["approxlab", "regions", "--help"],
}


def imports_torch(argv: list[str]) -> bool | None:
    if argv[0] != "approxlab":
        return None
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv)], capture_output=True, text=True
    )
    return "NOTORCH" not in done.stderr


def timings(command: list[str], repeats: int) -> list[float]:
    env = dict(
        os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    )
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
        )
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "cli_help.json"
    )
    args = parser.parse_args()
    load = os.getloadavg()
    rows = []
    for name, command in CASES.items():
        t = timings(command, args.repeats)
        rows.append(
            {
                "command": name,
                "median_s": statistics.median(t),
                "min_s": min(t),
                "imports_torch": imports_torch(command),
            }
        )
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {args.repeats} runs each")
    print(f"| {'command':<28} | median s | min s | imports torch |")
    print(f"|{'-' * 30}|----------|-------|---------------|")
    for r in rows:
        flag = "—" if r["imports_torch"] is None else ("yes" if r["imports_torch"] else "no")
        print(f"| {r['command']:<28} | {r['median_s']:8.3f} | {r['min_s']:5.3f} | {flag:<13} |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "load_average": load,
                "repeats": args.repeats,
                "python": sys.version.split()[0],
                "rows": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
