"""Every command and snippet in README.md and docs/*.md runs as written, and prints what the doc says.

A newcomer reads a doc top to bottom in one shell, with the venv's ``bin`` first on PATH
(the README's ``. .venv/bin/activate``). So, per doc, in one fresh temporary folder:

- each ```` ```sh ````/```` ```bash ```` block runs with ``bash -e`` (later blocks may use the
  files earlier ones wrote);
- each ```` ```python ```` block runs as a script on its own; a block of ``>>>`` lines runs
  as a doctest;
- a ```` ```text output ```` block right after a runnable block is what it must print
  (stdout and stderr together; ``...`` stands for anything, whitespace is normalised);
- ``<!-- snippet: skip (reason) -->`` right above a block skips it; every skip is reported
  as a skipped test with its reason, so they stay few and visible;
- every fence names its language, so no command can hide from this test in an untagged block.
"""

from __future__ import annotations

import doctest
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
RUNNABLE = {"sh": "sh", "bash": "sh", "python": "python"}
SKIP = re.compile(r"<!--\s*snippet:\s*skip\s*\((?P<reason>[^)]+)\)\s*-->")
TIMEOUT_S = 900  # one block; the longest measured (README's fit of 3000 steps) takes ~20 s on a busy 2-core machine


@dataclass
class Block:
    doc: Path
    line: int  # 1-based line of the opening fence
    kind: str  # "sh", "python" or "doctest"
    code: str
    expected: str | None = None
    skip: str | None = None

    @property
    def id(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


def blocks(doc: Path) -> list[Block]:
    """The runnable blocks of one doc, each with its expected output and skip reason."""
    tokens = MarkdownIt("commonmark").parse(doc.read_text(encoding="utf-8"))
    found: list[Block] = []
    for i, token in enumerate(tokens):
        if token.type != "fence":
            continue
        words = token.info.split()
        language = words[0] if words else ""
        if language == "text" and words[1:2] == ["output"]:
            assert found, (
                f"{doc.name}:{token.map[0] + 1}: an output block must come after a runnable block"
            )
            found[-1].expected = token.content
        elif language in RUNNABLE:
            kind = RUNNABLE[language]
            if kind == "python" and token.content.lstrip().startswith(">>>"):
                kind = "doctest"
            above = tokens[i - 1] if i and tokens[i - 1].type == "html_block" else None
            reason = SKIP.search(above.content) if above is not None else None
            found.append(
                Block(
                    doc,
                    token.map[0] + 1,
                    kind,
                    token.content,
                    skip=reason["reason"] if reason else None,
                )
            )
    return found


ALL = [b for doc in DOCS for b in blocks(doc)]


def untagged_fences(doc: Path) -> list[int]:
    return [
        t.map[0] + 1
        for t in MarkdownIt("commonmark").parse(doc.read_text(encoding="utf-8"))
        if t.type == "fence" and not t.info.strip()
    ]


def environment() -> dict[str, str]:
    """The user's shell after ``. .venv/bin/activate``: the venv's bin first on PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(MPLBACKEND="Agg", OMP_NUM_THREADS="1", PYTHONHASHSEED="0")
    return env


def run(block: Block, cwd: Path) -> str | None:
    """Run one block in ``cwd``; return None if it ran and printed what the doc says, else what went wrong."""
    if block.kind == "sh":
        command = ["bash", "-e", "-c", block.code]
    elif block.kind == "python":
        command = [sys.executable, "-c", block.code]
    else:
        script = cwd / f".doctest-{block.line}.txt"
        script.write_text(block.code, encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "doctest",
            "-o",
            "ELLIPSIS",
            "-o",
            "NORMALIZE_WHITESPACE",
            str(script),
        ]
    done = subprocess.run(
        command,
        cwd=cwd,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT_S,
    )
    if done.returncode != 0:
        return f"{block.id} exits {done.returncode}:\n{block.code}--- output ---\n{done.stdout[-2000:]}"
    if block.expected is not None and not matches(block.expected, done.stdout):
        return f"{block.id} prints something else than the doc says.\n--- doc ---\n{block.expected}--- printed ---\n{done.stdout[-2000:]}"
    return None


def matches(expected: str, output: str) -> bool:
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    return doctest.OutputChecker().check_output(expected, output, flags)


@pytest.mark.slow
@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT)) for d in DOCS])
def test_doc_runs_as_written(doc, tmp_path):
    runnable = [b for b in ALL if b.doc == doc and b.skip is None]
    failures = [f for f in (run(b, tmp_path) for b in runnable) if f is not None]
    print(f"{doc.name}: {len(runnable)} blocks run, {len(failures)} failed")
    assert not failures, f"{len(failures)} of {len(runnable)} blocks fail:\n\n" + "\n\n".join(
        failures
    )


SKIPPED = [b for b in ALL if b.skip is not None]


@pytest.mark.parametrize("block", SKIPPED, ids=[b.id for b in SKIPPED])
def test_skipped_block_is_reported(block):
    pytest.skip(f"{block.id}: {block.skip}")


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT)) for d in DOCS])
def test_every_fence_names_its_language(doc):
    assert untagged_fences(doc) == [], (
        f"{doc.name}: give these fences a language (sh, python, text): {untagged_fences(doc)}"
    )


def test_the_readme_puts_the_venv_on_path_before_any_bare_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    activate = readme.find(". .venv/bin/activate")
    first_bare = min(m.start() for m in re.finditer(r"^approxlab ", readme, flags=re.M))
    assert 0 <= activate < first_bare


def test_the_extractor_sees_outputs_and_skips(tmp_path):
    doc = tmp_path / "d.md"
    doc.write_text(
        "<!-- snippet: skip (too long) -->\n```sh\nsleep 1000\n```\n\n```python\nprint(1 + 1)\n```\n\n"
        "```text output\n2\n```\n\n```python\n>>> 2 * 3\n6\n```\n",
        encoding="utf-8",
    )
    found = blocks(doc)
    assert [(b.kind, b.skip, b.expected) for b in found] == [
        ("sh", "too long", None),
        ("python", None, "2\n"),
        ("doctest", None, None),
    ]
    assert matches("...4 regions...", "wrote out: 1024 regions in 0.1 s") and not matches(
        "0.06", "0.07"
    )
