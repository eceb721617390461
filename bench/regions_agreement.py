"""Agreement: approxlab's region counts against regioncam's on random and degenerate nets, and
both against the exact ``Fraction`` enumeration wherever they differ.

Nets 2 → w₁ (→ w₂ → w₃) → 1, PyTorch's default init drawn in float32 (both tools read the same
weights; approxlab in float64), on [-1, 1]², in six families taken in turn:

- ``random``: as drawn;
- ``duplicated``: every odd first-layer neuron a copy of the one before it (pruning and merging
  make such rows; the copies' lines coincide, so they add no region);
- ``near-parallel``: every first-layer line within about 10⁻³ of one direction;
- ``scaled``: the first layer × 10⁶;
- ``zero biases``: every hidden layer's biases 0 (a common initialisation): every line of every
  layer passes through the origin, and every region is a cone from it;
- ``zero first-layer biases``: the first layer's lines through the origin, the rest as drawn.

Where the counts differ, the exact enumeration (``tests/regions/exact_reference.py``: every
region's pattern from rational arithmetic) decides, on nets of at most 130 neurons (its cost grows
fast with them: 18 s at 2 → 63 → 10 → 24 → 1). Every approxlab partition also passes ``check()``.

    python bench/regions_agreement.py               # 390 nets, a minute plus the references
    python bench/regions_agreement.py --nets 40

Prints a table per family and writes bench/results/regions_agreement.json (every net).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

RESULTS = Path(__file__).parent / "results"
FAMILIES = (
    "random",
    "duplicated",
    "near-parallel",
    "scaled",
    "zero biases",
    "zero first-layer biases",
)


def net_of(index: int, rng: np.random.Generator) -> tuple[torch.nn.Sequential, list[int], str]:
    """The index-th net of the sweep: its widths drawn from ``rng``, its family index mod 6."""
    import approxlab

    widths = [int(rng.integers(1, 160))]
    widths += [int(rng.integers(2, 40)) for _ in range(int(rng.integers(1, 4)) - 1)]
    family = FAMILIES[index % len(FAMILIES)]
    net = approxlab.mlp(2, widths, seed=index, dtype=torch.float32)
    first = net[0]
    with torch.no_grad():
        if family == "duplicated":
            copies = len(first.weight[1::2])
            first.weight[1::2] = first.weight[0:-1:2][:copies]
            first.bias[1::2] = first.bias[0:-1:2][:copies]
        elif family == "near-parallel":
            noise = torch.randn(len(first.weight), generator=torch.Generator().manual_seed(index))
            first.weight[:, 1] = first.weight[:, 0] * 0.999 + 1e-7 * noise
        elif family == "scaled":
            first.weight *= 1e6
            first.bias *= 1e6
        elif family == "zero biases":
            for layer in list(net)[:-1]:
                if isinstance(layer, torch.nn.Linear):
                    layer.bias.zero_()
        elif family == "zero first-layer biases":
            first.bias.zero_()
    return net, widths, family


def measure(index: int, rng: np.random.Generator) -> dict:
    """Both tools' counts of net ``index``, ``check()``, and the enumeration's where they differ."""
    import regioncam

    from approxlab.regions import partition, stages
    from approxlab.regions.checks import check

    net, widths, family = net_of(index, rng)
    part = partition(stages(net), [(-1.0, 1.0), (-1.0, 1.0)])
    try:
        cam = regioncam.Regioncam(1.0)
        cam.add(net)
        theirs = cam.num_faces
    except BaseException as exc:  # regioncam panics (a Rust unwrap) on some layouts
        theirs = f"error: {str(exc)[:60]}"
    row = {
        "net": index,
        "family": family,
        "widths": widths,
        "approxlab": part.count,
        "regioncam": theirs,
        "check": bool(check(part, net)["ok"]),
        "exact": None,
    }
    if theirs != part.count and sum(widths) <= 130:
        from tests.regions.exact_reference import regions

        row["exact"] = len(regions(net.double(), (-1, 1, -1, 1)))
    return row


def table(rows: list[dict]) -> str:
    """Per family: how many nets, equal counts, regioncam failures, differences, and who was right."""
    lines = [
        "| family | nets | equal counts | regioncam failed | differ | exact decided | "
        "approxlab exact | regioncam exact | check() ok |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for family in FAMILIES:
        mine = [r for r in rows if r["family"] == family]
        failed = [r for r in mine if isinstance(r["regioncam"], str)]
        differ = [r for r in mine if not isinstance(r["regioncam"], str)]
        differ = [r for r in differ if r["regioncam"] != r["approxlab"]]
        decided = [r for r in differ if r["exact"] is not None]
        lines.append(
            f"| {family} | {len(mine)} | {len(mine) - len(failed) - len(differ)} | "
            f"{len(failed)} | {len(differ)} | {len(decided)} | "
            f"{sum(r['approxlab'] == r['exact'] for r in decided)} | "
            f"{sum(r['regioncam'] == r['exact'] for r in decided)} | "
            f"{sum(r['check'] for r in mine)} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nets", type=int, default=390)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.regions' reference
    rng = np.random.default_rng(args.seed)
    rows = []
    for index in range(args.nets):
        rows.append(measure(index, rng))
        r = rows[-1]
        if r["regioncam"] != r["approxlab"]:
            print(
                f"net {index} {r['family']} {r['widths']}: approxlab {r['approxlab']}, "
                f"regioncam {r['regioncam']}, exact {r['exact']}",
                flush=True,
            )
    print("\n" + table(rows))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "regions_agreement.json").write_text(
        json.dumps({"nets": args.nets, "seed": args.seed, "rows": rows}, indent=1)
    )


if __name__ == "__main__":
    main()
