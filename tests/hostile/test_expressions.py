"""Hostile target expressions: nothing outside the whitelist ever runs, nothing hangs, no traceback;
every target that is accepted is finite on its domain."""

import ast
import builtins
import itertools
import os
from datetime import timedelta

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from approxlab.errors import ApproxlabError
from approxlab.targets import parse, target
from approxlab.targets.domain import dense_points

ATOMS = [
    "x",
    "x1",
    "x2",
    "x25",
    "x64",
    "x65",
    "x0",
    "x01",
    "X",
    "0",
    "1",
    "2.5",
    "-0.0",
    "1e308",
    "1e400",
    "1e-400",
    "1" * 310,
    "0x" + "f" * 300,
    "1_000" * 80,
    "0b101",
    "pi",
    "e",
    "nan",
    "inf",
    "True",
    "None",
    "'a'",
    "b'x'",
    "1j",
    "...",
    "[]",
    "()",
    "{}",
    "__builtins__",
    "self",
    "os",
]
OPERATORS = ["+", "-", "*", "/", "**", "%", "//", "@", "<<", "and", "or", "<", "==", "|", "&", "^"]
FUNCTIONS = [
    "abs",
    "sin",
    "cos",
    "tan",
    "exp",
    "log",
    "sqrt",
    "tanh",
    "sigmoid",
    "relu",
    "min",
    "max",
    "__import__",
    "eval",
    "exec",
    "open",
    "getattr",
    "print",
    "math.sin",
    "np.sin",
    "os.system",
    "compile",
    "globals",
    "type",
    "input",
]
TEMPLATES = [
    "{a} {op} {b}",
    "{f}({a})",
    "{f}({a}, {b})",
    "{f}({a})({b})",
    "{a}.__class__",
    "({a})[0]",
    "lambda: {a}",
    "[{a} for x in y]",
    "{a} if {b} else {a}",
    "f'{{{a}}}'",
    "{a}; {b}",
    "{a}\n{b}",
    "(y := {a})",
    "{f}(*{a})",
    "{f}(x={a})",
    "-{a} {op} +{b}",
    "{f}({f}({a}))",
    "{a} {op} {b} {op} {a}",
    "not {a}",
    "~{a}",
    "{a}[::{b}]",
    "{{{a}: {b}}}",
    "await {a}",
    "yield {a}",
]

ISSUE_CASES = [
    "1" * 310,
    "0x" + "f" * 300,
    "1_000" * 80,
    "1/0",
    "0.0/0",
    "min(1,0)/0",
    "log(x)",
    "1/x",
    "x**-1",
    "x1/x2",
    "sqrt(x)",
    "sqrt(-1)",
    "log(0)",
    "exp(1000)",
    "exp(710*x)",
    "tan(pi/2*x)",
    "x**0.5",
    "(-8)**(1/3)",
    "1/(x1-x2)",
    "log(abs(x))",
    "1/sin(pi*x)",
    "x25",
    "x64",
    "x1 + x64",
    "x65",
    "x2**2 + x25",
    "__import__('os').system('touch CANARY')",
    "().__class__.__bases__[0].__subclasses__()",
    "open('/etc/passwd')",
    "eval('1')",
    "x" * 600,
    "(" * 300 + "x" + ")" * 300,
    "-" * 450 + "x",
    "1+" * 250 + "1",
    "x\x00",
    "9" * 5000,
    "2**2**2**2**2**2",
    "1e308*10",
    "max(1e308, x)*1e308",
]


def _generated():
    for t, op, f in itertools.product(TEMPLATES, OPERATORS[:6], FUNCTIONS):
        for a, b in (("x", "1"), ("x1", "x2"), ("1e308", "x"), ("0", "x25")):
            yield t.format(a=a, b=b, op=op, f=f)
    for a, op, b in itertools.product(ATOMS, OPERATORS, ATOMS[:4]):
        yield f"{a} {op} {b}"


def _finite_on_domain(t):
    X = dense_points(t.domain, limit=2000)
    y = t(X)
    assert np.isfinite(y).all() and len(y) == len(X)
    assert torch.isfinite(t(torch.as_tensor(X[:50]))).all()


class Forbidden(BaseException):
    """Raised by the trapped builtins: something tried to run code outside the whitelist."""


@pytest.fixture
def trapped(monkeypatch, tmp_path):
    """eval, exec, compile, open, __import__ and os.system raise Forbidden while the corpus runs."""
    _finite_on_domain(
        target("x1 + x64")
    )  # lazy imports (numpy.random …) happen before the trap is set
    calls = []

    def trap(name):
        def raiser(*args, **kwargs):
            calls.append(name)
            raise Forbidden(name)

        return raiser

    real_import, real_compile = builtins.__import__, builtins.compile

    def parse_only(source, filename, mode, flags=0, *args, **kwargs):
        if (
            not flags & ast.PyCF_ONLY_AST
        ):  # ast.parse compiles to a tree; anything else would make code
            calls.append("compile")
            raise Forbidden("compile")
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    for name in ("eval", "exec", "open", "input"):
        monkeypatch.setattr(builtins, name, trap(name))
    monkeypatch.setattr(builtins, "compile", parse_only)
    monkeypatch.setattr(os, "system", trap("os.system"))
    monkeypatch.setattr(
        builtins,
        "__import__",
        lambda name, *a, **k: calls.append(f"import {name}") or real_import(name, *a, **k),
    )
    monkeypatch.chdir(tmp_path)
    yield calls


def test_the_expression_corpus_gives_clear_errors_or_finite_targets(trapped, tally, tmp_path):
    t = tally("expression corpus")
    cases = list(dict.fromkeys([*ISSUE_CASES, *_generated()]))
    for source in cases:
        t.run(source[:60], lambda: target(source), _finite_on_domain)
    assert t.counts["tried"] >= 1000
    assert t.counts["traceback"] == 0, "\n".join(t.tracebacks)
    assert [c for c in trapped if not c.startswith("import ")] == []
    assert not (tmp_path / "CANARY").exists()


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("1" * 310, "beyond float64's range"),
        ("0x" + "f" * 300, "beyond float64's range"),
        ("1_000" * 80, "beyond float64's range"),
        ("1/0", r"not finite on the domain \[\(-1, 1\)\]: f = inf"),
        ("0.0/0", "f = nan"),
        ("min(1,0)/0", "f = nan"),
        ("log(x)", r"f = nan at x = -1 \(2001 of 4001"),
        ("1/x", r"f = inf at x = 0 \(1 of 4001"),
        ("x**-1", "f = inf at x = 0"),
        ("x1/x2", r"at x = \(-1, 0\)"),
        ("exp(710*x)", "not finite"),
        ("exp(400*x)", "beyond ±1e\\+150 where its square overflows"),
    ],
)
def test_issue_17_targets_say_where_they_are_not_finite(source, message):
    with pytest.raises(ApproxlabError, match=message):
        target(source)


def test_a_finite_domain_makes_log_a_target():
    t = target("log(x)", domain=(0.5, 2))
    assert abs(float(t(np.array([[1.0]]))[0])) < 1e-15


def test_high_variables_are_checked_against_the_domain_first():
    with pytest.raises(ApproxlabError, match="uses x25 but the domain is 2-dimensional"):
        target("x25", domain=[(0, 1), (0, 1)])
    assert target("x1 + x64").dim == 64  # 64-D: sup errors use a sample, not a 2^64 grid


_names = st.sampled_from(
    ["x", "x1", "x2", "x3", "pi", "e", "y", "os", "__import__", "open", "exec"]
)
_numbers = st.one_of(
    st.integers(-(10**400), 10**400).map(str),
    st.floats(allow_nan=False).map(repr),
    st.sampled_from(["1e308", "1e-320", "0", "-0.0"]),
)
_unary = st.sampled_from(
    ["abs", "sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "eval", "getattr"]
)


def _expr(children):
    return st.one_of(
        st.tuples(
            children,
            st.sampled_from(["+", "-", "*", "/", "**", "%", "//", "<", "and", "@"]),
            children,
        ).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(_unary, children).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(["min", "max", "pow"]), children, children).map(
            lambda t: f"{t[0]}({t[1]}, {t[2]})"
        ),
        children.map(lambda c: f"-{c}"),
        children.map(lambda c: f"{c}.__class__"),
        children.map(lambda c: f"[{c}][0]"),
        children.map(lambda c: f"(lambda: {c})()"),
    )


EXPRESSIONS = st.recursive(st.one_of(_names, _numbers), _expr, max_leaves=40)


@settings(max_examples=300, deadline=timedelta(seconds=5))  # the deadline is the hang bound
@given(source=EXPRESSIONS)
def test_property_generated_expressions_never_escape_hang_or_traceback(source):
    calls = []
    real = {n: getattr(builtins, n) for n in ("eval", "exec", "open")}
    try:
        for n in real:
            setattr(builtins, n, lambda *a, _n=n, **k: calls.append(_n))
        try:
            f = parse(source)
        except ApproxlabError as exc:
            assert str(exc) and "\n" not in str(exc)
            return
        X = np.linspace(-1, 1, 7 * f.dim).reshape(7, f.dim)
        with np.errstate(all="raise"):  # evaluation must silence its own floating-point warnings
            y = f(X)
        yt = f(torch.as_tensor(X))
        assert y.shape == (7,) and tuple(yt.shape) == (7,)
        assert np.allclose(y, yt.numpy(), equal_nan=True, rtol=1e-12, atol=0)
    finally:
        for n, fn in real.items():
            setattr(builtins, n, fn)
    assert calls == []
