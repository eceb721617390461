"""``approxlab qsa``: the qSA separation between FC, RNN and attention, measured, on one page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def _page(result: dict) -> str:
    """The Markdown page: the construction per N, each family's smallest size, the memory bound."""
    lines = [
        f"# qSA: FC vs RNN vs attention (q = {result['q']}, d' = {result['d_prime']}, ε = {result['eps']:g})",
        "",
        "Size m: hidden width (FC), state numbers (RNN) or bits (binary RNN), query/key dimension (attention). "
        "ε is the max over held-out inputs and positions of the ℓ2 error. Trained sizes are the first on the "
        "ladder 1, 2, 4, … whose best of the fair protocol reaches ε.",
        "",
        "![separation](separation.png)",
        "",
        "| N | constructed attention m (measured ε) | "
        + " | ".join(dict.fromkeys(r["architecture"] for r in result["rows"]))
        + " | RNN memory bound (N−1)/2 bits |",
        "",
    ]
    archs = list(dict.fromkeys(r["architecture"] for r in result["rows"]))
    lines[-1] = "|" + "---|" * (len(archs) + 3)
    for c in result["construction"]:
        cells = []
        for a in archs:
            r = next(r for r in result["rows"] if r["architecture"] == a and r["N"] == c["N"])
            best = min(t["error"] for t in r["tried"])
            cells.append(
                f"m = {r['m']}" if r["reached"] else f"> {r['max_tried']} (best {best:.3g})"
            )
        lines.append(
            f"| {c['N']} | {c['m']} ({c['measured']:.2g}) | "
            + " | ".join(cells)
            + f" | {result['memory_lower_bound'][c['N']]:g} |"
        )
    bad = result["beats_memory_bound"]
    lines += [
        "",
        "Binary RNNs below the memory bound: "
        + (
            "none (as Thm 11 says)."
            if not bad
            else ", ".join(f"N = {r['N']}, m = {r['m']}" for r in bad)
            + " — a counterexample to report."
        ),
        "",
    ]
    return "\n".join(lines)


def qsa(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for results.json, separation.png and report.md.")
    ],
    n: Annotated[str, typer.Option("--N", help="Sequence lengths N, comma-separated.")] = "8,16",
    q: Annotated[int, typer.Option(help="Sparsity q (1 ≤ q < N).")] = 1,
    d_prime: Annotated[int, typer.Option("--d-prime", help="Problem dimension d' ≥ 1.")] = 1,
    eps: Annotated[float, typer.Option(help="Accuracy ε in (0, 1).")] = 0.25,
    arch: Annotated[
        str, typer.Option(help="Families: fc, rnn, binary_rnn, attention (comma-separated).")
    ] = "attention,fc,rnn,binary_rnn",
    max_size: Annotated[
        int, typer.Option("--max-size", help="Largest size m tried (ladder 1, 2, 4, …).")
    ] = 32,
    profile: Annotated[
        str, typer.Option(help="quick (seconds per size) or full (the bigger protocol).")
    ] = "quick",
    budget: Annotated[
        float, typer.Option(help="Refuse a size search above this many multiply-adds.")
    ] = 2e12,
    seed: Annotated[
        int, typer.Option(help="Seed of the data, the inits and the sign vectors.")
    ] = 0,
    cache: Annotated[
        bool,
        typer.Option(
            help="Keep each size's result between runs, so a killed search resumes where it stopped "
            "(in $APPROXLAB_CACHE or ~/.cache/approxlab; any change of approxlab's code starts afresh)."
        ),
    ] = True,
) -> None:
    """Train FC, RNN and attention on qSA, find each one's smallest size reaching ε, and put the attention
    construction's m and the RNN memory bound beside them (seed 003; Sanford, Hsu & Telgarsky 2023)."""
    from approxlab import arguments, jsonfile
    from approxlab.cli._progress import console
    from approxlab.errors import choose
    from approxlab.figures.qsa import separation_figure
    from approxlab.figures.save import save_figure
    from approxlab.output import check_output, staged_output
    from approxlab.qsa.models import ARCHITECTURES
    from approxlab.qsa.separation import FULL, QUICK, separation

    check_output(out)
    Ns = arguments.integers(n, "--N")
    families = arguments.names(arch, "architecture", ARCHITECTURES, "--arch")
    protocol = {"quick": QUICK, "full": FULL}[choose("profile", profile, ("quick", "full"))]
    arguments.seed(seed)
    arguments.positive("--budget", budget)
    remember = None
    if cache:
        from approxlab.atlas.cache import Cache, default_folder

        store = Cache(default_folder())

        def remember(key, compute):
            return store.get_or_compute(("approxlab qsa", key), compute)

    result = separation(
        Ns,
        eps,
        families,
        q=q,
        d_prime=d_prime,
        max_size=max_size,
        protocol=protocol,
        seed=seed,
        max_work=budget,
        progress=lambda line: console.print(line),
        remember=remember,
    )
    with staged_output(out) as stage:
        jsonfile.write(stage / "results.json", result)
        save_figure(separation_figure(result), stage / "separation")
        (stage / "report.md").write_text(_page(result), encoding="utf-8")
    console.print(_page(result).split("![separation]")[1].split("\n", 1)[1])
    console.print(f"→ {out}")


def register(app: typer.Typer) -> None:
    app.command()(qsa)
