"""``approxlab import``: a model trained in plain PyTorch as an approxlab model file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def import_model(
    model: Annotated[
        Path,
        typer.Argument(
            help="A torch.save file: model.state_dict() or a checkpoint dict holding it."
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", help="The model file to write, e.g. model.safetensors.")
    ],
    arch: Annotated[
        str | None,
        typer.Option(
            help="The activation between the Linear layers (sizes read from the weights), e.g. tanh, or sizes and "
            "activations in order, e.g. 2,16,tanh,16,tanh,1. Default: relu, with a warning."
        ),
    ] = None,
    box: Annotated[
        str | None,
        typer.Option(
            help="The input domain the model was trained on, low,high per axis, e.g. -3,3; stored in the file "
            "for units, anatomy and regions."
        ),
    ] = None,
) -> None:
    """Turn a PyTorch state_dict (any key names: fc1, hidden.0, out, …) into an approxlab model file.

    Linear layers are matched to --arch by order and shape; the weights are read with
    torch.load(weights_only=True), so no pickled code runs.
    """
    from approxlab.adopt import read_torch_file
    from approxlab.cli._progress import console
    from approxlab.errors import ApproxlabError
    from approxlab.modelfile import save
    from approxlab.nets import in_features
    from approxlab.targets import parse_box

    if not model.is_file():
        raise ApproxlabError(
            f"model file {str(model)!r} does not exist: pass the file torch.save wrote"
        )
    if out.is_dir():
        raise ApproxlabError(
            f"--out {str(out)!r} is a folder: give the file to write, e.g. {out / 'model.safetensors'}"
        )
    net = read_torch_file(model, arch)
    extra = {"source": model.name}
    if box is not None:
        domain = parse_box(box)
        if len(domain) != in_features(net):
            raise ApproxlabError(
                f"--box {box!r} has {len(domain)} axes but the net takes {in_features(net)} inputs: "
                "give low,high per input"
            )
        extra["domain"] = domain
    save(net, out, extra=extra)
    kinds = " → ".join(type(m).__name__ for m in net)
    console.print(
        f"{model} → {out}: {kinds}"
        + ("" if box else "; no --box given, so commands will assume [-1, 1] per input")
    )


def register(app: typer.Typer) -> None:
    app.command("import")(import_model)
