"""Every example in the package's docstrings runs and shows what it says (the standard library's
doctest, module by module): the docs' snippets are run by test_snippets.py, these are the
functions' own examples."""

import doctest
import importlib
import pkgutil

import pytest

import approxlab

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(approxlab.__path__, "approxlab.")
    if not m.name.endswith("__main__")  # importing it would run the CLI
)


def test_every_module_is_listed():
    # walk_packages finds modules in subpackages too: a short list would mean examples left unrun.
    assert "approxlab.regions.planar" in MODULES and len(MODULES) > 100


@pytest.mark.parametrize("name", MODULES)
def test_the_docstring_examples_run(name):
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(importlib.import_module(name), optionflags=flags)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed"
