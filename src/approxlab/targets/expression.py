"""A safe expression language for target functions.

``"x1**2 + x2**2 + 3"`` is parsed with :mod:`ast` and checked node by node against a
whitelist: numbers, the variables ``x`` (1D) or ``x1 … xd``, ``+ - * / **``, unary
minus, the functions abs, sin, cos, tan, exp, log, sqrt, tanh, sigmoid, relu, min,
max and the constants pi and e. Nothing is ever passed to ``eval``/``exec``: the
checked tree is turned into nested closures that call NumPy or torch. All
evaluation is float64.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from approxlab.errors import ApproxlabError

MAX_LENGTH = 500
MAX_NODES = 400
MAX_VARIABLE = 64

_VARIABLE = re.compile(r"^x([1-9][0-9]*)?$")
_CONSTANTS = {"pi": math.pi, "e": math.e}
_UNARY = ("abs", "sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sigmoid", "relu")
_BINARY = ("min", "max")
_FUNCTIONS = ", ".join(_UNARY + _BINARY)

_NUMPY: dict[str, Callable[..., Any]] = {
    "abs": np.abs,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "tanh": np.tanh,
    "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),
    "relu": lambda z: np.maximum(z, 0.0),
    "min": np.minimum,
    "max": np.maximum,
}
_TORCH: dict[str, Callable[..., Any]] = {
    "abs": torch.abs,
    "sin": torch.sin,
    "cos": torch.cos,
    "tan": torch.tan,
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    "min": lambda a, b: torch.minimum(
        torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64)
    ),
    "max": lambda a, b: torch.maximum(
        torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64)
    ),
}
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_SCALAR = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.divide,
    ast.Pow: np.power,
}


def _reject(source: str, why: str) -> ApproxlabError:
    return ApproxlabError(
        f"unsafe or malformed expression {_shorten(source)!r}: {why}; "
        f"write arithmetic in x or x1..xd with + - * / ** and {_FUNCTIONS}, pi, e"
    )


def _shorten(source: str) -> str:
    return source if len(source) <= 60 else source[:57] + "..."


@dataclass(frozen=True)
class Expression:
    """A parsed, whitelisted target expression; call it on an ``(n, d)`` array or tensor.

    ``dim`` is inferred from the variables (``x`` → 1, highest ``xk`` → k).

    >>> f = parse("x1**2 + x2**2 + 3")
    >>> f.dim, float(f(np.array([[1.0, 2.0]]))[0])
    (2, 8.0)
    """

    source: str
    dim: int
    variables: tuple[str, ...]
    _node: ast.AST = field(repr=False, compare=False)

    def __call__(self, X):
        """Evaluate at the rows of ``X`` (shape ``(n, d)``, or ``(n,)`` in 1D) in float64."""
        if isinstance(X, torch.Tensor):
            X = X.to(torch.float64)
            lib, ops = torch, _TORCH
        else:
            X = np.asarray(X, dtype=np.float64)
            lib, ops = np, _NUMPY
        if X.ndim == 1 and self.dim == 1:
            X = X.reshape(-1, 1)
        if X.ndim != 2 or X.shape[1] < self.dim:
            raise ApproxlabError(
                f"expression {_shorten(self.source)!r} needs points with {self.dim} coordinates, "
                f"got shape {tuple(X.shape)}: pass an (n, {self.dim}) array"
            )
        with np.errstate(all="ignore"):
            value = _evaluate(self._node, X, ops)
        if isinstance(value, float):
            value = (
                np.full(X.shape[0], value)
                if lib is np
                else torch.full((X.shape[0],), value, dtype=torch.float64)
            )
        return value


def parse(source: str, dim: int | None = None) -> Expression:
    """Parse ``source`` into a safe :class:`Expression`; ``dim`` checks the variables fit.

    Raises :class:`ApproxlabError` (one line, with the fix) for anything outside the
    whitelist, e.g. ``parse("__import__('os')")`` or ``parse("x3", dim=2)``.

    >>> parse("sin(2*pi*x)").dim
    1
    """
    if not isinstance(source, str):
        raise ApproxlabError(f"an expression must be a string, got {type(source).__name__}")
    if len(source) > MAX_LENGTH:
        raise _reject(source, f"it is {len(source)} characters long, the limit is {MAX_LENGTH}")
    if not source.strip():
        raise _reject(source, "it is empty")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise _reject(source, f"syntax error ({exc.msg})") from None
    except (
        ValueError,
        RecursionError,
        MemoryError,
    ) as exc:  # null bytes, nesting beyond the parser's stack
        raise _reject(source, f"it cannot be parsed ({type(exc).__name__})") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise _reject(source, f"it has {len(nodes)} syntax nodes, the limit is {MAX_NODES}")
    variables: set[str] = set()
    _check(tree.body, source, variables)
    if "x" in variables and len(variables) > 1:
        raise _reject(
            source, "it mixes x with x1..xd; use x alone in 1D or x1, x2, ... in several dimensions"
        )
    inferred = 1 if variables in (set(), {"x"}) else max(int(v[1:]) for v in variables)
    if dim is not None:
        if inferred > dim:
            raise ApproxlabError(
                f"expression {_shorten(source)!r} uses x{inferred} but the domain is {dim}-dimensional: "
                f"use variables x1..x{dim} or give a {inferred}-dimensional domain"
            )
        if "x" in variables and dim != 1:
            raise ApproxlabError(
                f"expression {_shorten(source)!r} uses x but the domain is {dim}-dimensional: use x1..x{dim}"
            )
        inferred = dim
    return Expression(
        source=source, dim=inferred, variables=tuple(sorted(variables)), _node=tree.body
    )


def _check(node: ast.AST, source: str, variables: set[str]) -> None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise _reject(source, f"the literal {_shorten(repr(node.value))} is not a number")
        try:
            value = float(node.value)
        except OverflowError:
            value = math.inf
        if not math.isfinite(value):
            raise _reject(
                source,
                f"the literal {_shorten(str(node.value))} is beyond float64's range (±1.8e308)",
            )
        return
    if isinstance(node, ast.Name):
        if node.id in _CONSTANTS:
            return
        match = _VARIABLE.match(node.id)
        if match is None:
            raise _reject(source, f"unknown name {node.id!r}")
        if match.group(1) is not None and int(match.group(1)) > MAX_VARIABLE:
            raise _reject(source, f"variable {node.id} is beyond x{MAX_VARIABLE}")
        variables.add(node.id)
        return
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        _check(node.left, source, variables)
        _check(node.right, source, variables)
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        _check(node.operand, source, variables)
        return
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in _UNARY + _BINARY:
            name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise _reject(source, f"{name!r} is not an allowed function")
        if node.keywords:
            raise _reject(source, "keyword arguments are not allowed")
        wanted = 1 if node.func.id in _UNARY else 2
        if len(node.args) != wanted:
            raise _reject(
                source, f"{node.func.id} takes {wanted} argument{'s' if wanted > 1 else ''}"
            )
        for arg in node.args:
            _check(arg, source, variables)
        return
    raise _reject(source, f"{type(node).__name__} is not allowed")


def _evaluate(node: ast.AST, X, ops):
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id in _CONSTANTS:
            return _CONSTANTS[node.id]
        return X[:, 0] if node.id == "x" else X[:, int(node.id[1:]) - 1]
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand, X, ops)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        a, b = _evaluate(node.left, X, ops), _evaluate(node.right, X, ops)
        op = type(node.op)
        if isinstance(a, float) and isinstance(b, float):
            # Python floats raise on 1/0 and overflow where arrays give ±inf/NaN; keep array
            # semantics so that the finiteness check on the domain reports where it happens.
            return float(_SCALAR[op](np.float64(a), np.float64(b)))
        if op is ast.Add:
            return a + b
        if op is ast.Sub:
            return a - b
        if op is ast.Mult:
            return a * b
        if op is ast.Div:
            return a / b
        return a**b
    args = [_evaluate(arg, X, ops) for arg in node.args]
    if all(isinstance(a, float) for a in args):
        return float(_NUMPY[node.func.id](*[np.float64(a) for a in args]))
    return ops[node.func.id](*args)
