"""``approxlab curse``: units one hidden layer needs per dimension d, a Lipschitz field against a Barron bump."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def _page(result: dict, checks: dict[str, bool]) -> str:
    """The Markdown page: fitted exponent per (target, d) beside the theory's, the units the fit needs for a
    fixed ε, and the verdicts."""
    from approxlab.universality.curse import UNITS_EPS, units_for

    lines = [
        "# The curse of dimensionality, one hidden layer",
        "",
        f"Random ReLU units, least-squares output weights, best of {result['seeds']} seeds; inputs uniform in "
        f"the unit ball ({result['n_train']} training, {result['n_test']} test points). Error: RMS over the "
        "test points (the bump's divided by its Barron constant C_f).",
        "",
        "![curse](curse.png)",
        "",
        "| d | Lipschitz α (interval) | theory 1/d | units for err/std f = "
        f"{UNITS_EPS['lipschitz']:g} (fit) | bump α (interval) | theory ≥ ½ | units for err/C_f = "
        f"{UNITS_EPS['barron']:g} (fit) |",
        "|---|---|---|---|---|---|---|",
    ]
    for d in result["dims"]:
        lip, bump = result["laws"][f"lipschitz {d}"], result["laws"][f"barron {d}"]
        lines.append(
            f"| {d} | {lip['alpha']:.3f} ({lip['alpha_low']:.2f}–{lip['alpha_high']:.2f}) | {1 / d:.3f} | "
            f"{units_for(lip, UNITS_EPS['lipschitz']):.3g} | "
            f"{bump['alpha']:.3f} ({bump['alpha_low']:.2f}–{bump['alpha_high']:.2f}) | 0.5 | "
            f"{units_for(bump, UNITS_EPS['barron']):.3g} |"
        )
    lines += ["", *(f"- {name}: {'holds' if ok else 'fails'}" for name, ok in checks.items()), ""]
    return "\n".join(lines)


def curse(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for results.json, curse.png and report.md.")
    ],
    d: Annotated[str, typer.Option("--d", help="Dimensions d, comma-separated (1 … 8).")] = "1,2,3",
    units: Annotated[
        str, typer.Option("--units", help="Hidden unit counts n, comma-separated.")
    ] = "16,32,64,128",
    seeds: Annotated[int, typer.Option(help="Seeds of the random units; the best is kept.")] = 3,
    train: Annotated[
        int, typer.Option("--train", help="Least-squares points (at least 2 × the largest n).")
    ] = 2048,
    test: Annotated[
        int, typer.Option("--test", help="Fresh points the RMS error is taken on.")
    ] = 1024,
    seed: Annotated[int, typer.Option(help="Seed of the points, the field and the units.")] = 0,
    budget: Annotated[
        float, typer.Option(help="Refuse a study above this many multiply-adds.")
    ] = 2e12,
) -> None:
    """Measure error against hidden units per d for a generic Lipschitz target and a Barron-class one, fit the
    rates and judge them against the theory's n^(−1/d) and n^(−1/2) (seed 003; Barron 1993)."""
    from approxlab import arguments, jsonfile
    from approxlab.cli._progress import console
    from approxlab.figures.curse import curse_figure
    from approxlab.figures.save import save_figure
    from approxlab.output import check_output, staged_output
    from approxlab.universality.curse import judge, rate_study

    check_output(out)
    arguments.seed(seed)
    arguments.count("--test", test, 10_000_000, low=16)
    arguments.positive("--budget", budget)
    result = rate_study(
        arguments.integers(d, "--d"),
        arguments.integers(units, "--units"),
        seeds=seeds,
        n_train=train,
        n_test=test,
        seed=seed,
        max_work=budget,
    )
    checks = judge(result)
    page = _page(result, checks)
    with staged_output(out) as stage:
        jsonfile.write(stage / "results.json", {**result, "checks": checks})
        save_figure(curse_figure(result), stage / "curse")
        (stage / "report.md").write_text(page, encoding="utf-8")
    console.print(page.split("![curse](curse.png)\n\n", 1)[1])
    console.print(f"→ {out}")


def register(app: typer.Typer) -> None:
    app.command()(curse)
