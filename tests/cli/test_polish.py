"""The command line's manners: --version, choices in --help, completion, lazy torch, piped progress."""

import os
import subprocess
import sys
from pathlib import Path

from approxlab import __version__


def _approxlab(*args, **env):
    return subprocess.run(
        [sys.executable, "-m", "approxlab", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )


def test_version_prints_the_package_version():
    done = _approxlab("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"approxlab {__version__}"


def test_help_does_not_import_torch():
    probe = (
        "import sys; sys.argv = ['approxlab', '--help']\n"
        "from approxlab.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('torch' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stderr.strip().splitlines()[-1] == "False"


def test_choices_are_listed_in_help_and_completion_is_offered():
    done = _approxlab("fit", "--help", COLUMNS="200")
    assert "[relu|leaky_relu|sigmoid|tanh|" in done.stdout and "[adam|sgd|lbfgs]" in done.stdout
    assert "--install-completion" in _approxlab("--help", COLUMNS="200").stdout


def test_the_choice_lists_agree_with_the_registries():
    from approxlab.atlas.registry import PROFILES
    from approxlab.cli import _choices
    from approxlab.construct.catalogue import CATALOGUE
    from approxlab.fit import OPTIMIZERS
    from approxlab.nets import ACTIVATIONS
    from approxlab.scratch.activations import ACTIVATIONS as SCRATCH_ACTIVATIONS
    from approxlab.scratch.losses import LOSSES

    assert _choices.ACTIVATIONS == tuple(ACTIVATIONS)
    assert _choices.OPTIMIZERS == tuple(OPTIMIZERS)
    assert _choices.PROFILES == tuple(PROFILES)
    assert _choices.CONSTRUCTIONS == tuple(CATALOGUE)
    assert _choices.SCRATCH_ACTIVATIONS == tuple(SCRATCH_ACTIVATIONS)
    assert _choices.SCRATCH_LOSSES == tuple(LOSSES)


def test_a_bad_choice_is_still_one_line_and_exit_2(run_cli, tmp_path):
    code, _, err = run_cli("construct", "tower", "--out", tmp_path / "o")
    assert code == 2 and err.strip().startswith(
        "error: unknown construction 'tower': use one of barron, bumps,"
    )
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "o").exists()


def test_piped_atlas_prints_a_line_per_claim(tmp_path):
    done = _approxlab("atlas", "--only", "backprop.parameter_count", "--out", str(tmp_path / "a"))
    assert done.returncode == 0, done.stderr
    assert any(
        line.startswith("[1/1]") and line.split()[-3] == "backprop.parameter_count"
        for line in done.stderr.splitlines()
    )


def test_the_shell_completes_choice_values():
    script = Path(sys.executable).parent / "approxlab"
    env = {
        **os.environ,
        "_APPROXLAB_COMPLETE": "complete_bash",
        "COMP_CWORD": "4",
        "COMP_WORDS": "approxlab fit x --activation s",
    }
    done = subprocess.run([str(script)], capture_output=True, text=True, env=env)
    assert done.stdout.split() == ["sigmoid", "step", "sin", "softplus"]


def test_the_fit_report_is_small_rounded_and_shares_plotly_js(run_cli, tmp_path):
    import re

    code, _, err = run_cli("fit", "paraboloid", "--steps", "30", "--out", tmp_path / "run")
    assert code == 0, err
    page = (tmp_path / "run" / "report.html").read_text()
    # measured: 5.3 MB with plotly.js inlined (README run); the inline PNGs are well under 1 MB
    assert len(page) < 1_000_000 and (tmp_path / "run" / "plotly.min.js").stat().st_size > 1_000_000
    # plotly.min.js is loaded once, lazily, by the page; each figure's data is its own script
    assert 'data-plotly="plotly.min.js"' in page and 'data-src="surfaces.js"' in page
    table = page[page.index("<table>") : page.index("</table>")]
    # numbers to at most 6 significant digits (atlas.report.number), never float reprs of 17
    assert not re.search(r"\d\.\d{7,}", table) and "(-1.0, 1.0)" not in table


def test_a_foreign_warning_is_printed_once_and_the_command_ends(capsys):
    # main() prints what catch_warnings(record=True) recorded while still inside it; through
    # warnings.showwarning each print appended to the list being printed, and a torch UserWarning
    # made `approxlab atlas` loop at exit until the OOM killer stopped it at 22 GB.
    import warnings

    from approxlab.cli import _report

    text = "converting a tensor " + "with requires_grad=True"  # not in the echoed source line
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn(text, UserWarning, stacklevel=1)
        _report(list(caught))
    assert len(caught) == 1
    assert capsys.readouterr().err.count(text) == 1
