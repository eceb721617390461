"""The project's sources ("seeds"), named in words for the atlas page.

Claims cite their source as ``seed 00N`` (the files in the project's ``seeds/``
folder). The page names each one — "Huang 2025", not "seed 000" — and links a copy of
its text shipped with the package (``approxlab/atlas/seeds/seedN.txt``), so the
link works offline.

>>> SOURCES["000"].name
'Huang 2025'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path


@dataclass(frozen=True)
class Source:
    number: str
    name: str
    title: str

    @property
    def file(self) -> str:
        return f"seed{self.number}.txt"


SOURCES = {
    s.number: s
    for s in (
        Source(
            "000",
            "Huang 2025",
            "Changcun Huang, 'Understanding Two-Layer Neural Networks with Smooth Activation Functions' "
            "(2025), as summarised in a review article",
        ),
        Source(
            "001",
            "StackExchange: visualising one hidden layer",
            "Question and answer on Stack Exchange (2016): how does one hidden layer approximate "
            "x1² + x2² + 3, and how can it be visualised?",
        ),
        Source(
            "002",
            "UAT and backprop notes",
            "Notes 'Neural Networks: Universal Approximation & Backpropagation', with practice problems "
            "and answers",
        ),
        Source(
            "003",
            "Zhang's slides",
            "Haiyu Zhang (SUSTech), 'Understanding Neural Networks: A Perspective on Representability "
            "and Interpretability', slides, May 2025",
        ),
    )
}

SEED = re.compile(r"\b[Ss]eed (\d{3})\b")


def cited(text: str) -> list[Source]:
    """The sources a citation names, in order of first mention.

    >>> [s.name for s in cited("seed 003, 'Width vs depth'; seed 002 answer 2")]
    ["Zhang's slides", 'UAT and backprop notes']
    """
    seen: dict[str, Source] = {}
    for number in SEED.findall(text):
        if number in SOURCES:
            seen.setdefault(number, SOURCES[number])
    return list(seen.values())


def copy_texts(folder: Path) -> None:
    """Write the texts of all sources into ``folder`` (the atlas's ``sources/``)."""
    folder.mkdir(parents=True, exist_ok=True)
    shipped = files("approxlab.atlas") / "seeds"
    for source in SOURCES.values():
        (folder / source.file).write_bytes((shipped / source.file).read_bytes())
