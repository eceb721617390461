"""The user's CSV data: read with checks, then trained on like any problem."""

import numpy as np
import pytest

from approxlab.errors import ApproxlabError
from approxlab.play.problem import problem
from approxlab.play.schema import Settings
from approxlab.play.session import Session
from approxlab.play.table import MAX_ROWS, read_csv


def csv(rows):
    return ("\n".join(",".join(map(str, r)) for r in rows) + "\n").encode()


def test_a_table_trains_like_a_target():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (200, 2))
    data = csv([["a", "b", "y"], *np.column_stack([X, X[:, 0] ** 2 + X[:, 1]]).tolist()])
    names, values = read_csv(data)
    assert names == ["a", "b", "y"] and values.shape == (200, 3)
    s = Session(Settings())
    s.table = (names, values)
    s.configure(Settings(source="csv", widths=[8], activation="tanh", train_fraction=0.75))
    assert s.problem.X.shape == (150, 2) and s.problem.X_test.shape == (50, 2)
    lo, hi = s.problem.domain[0]
    assert lo < X[:, 0].min() and hi > X[:, 0].max()  # the box holds every point, 5% margin
    first = s.frame()["loss"]
    s.advance(200)
    assert s.frame()["loss"] < first / 10  # measured: 1.06 → 0.00046


def test_columns_choose_inputs_and_label():
    names, values = read_csv(
        csv([["x", "noise", "label"], [0, 5, 1], [1, 6, 0], [2, 7, 1], [3, 8, 0]])
    )
    p = problem(
        Settings(source="csv", kind="classification", columns=[0, 2], train_fraction=0.5),
        table=(names, values),
    )
    assert p.dim == 1 and set(p.y.tolist() + p.y_test.tolist()) == {0.0, 1.0}
    with pytest.raises(ApproxlabError, match="labels 0 or 1"):
        problem(
            Settings(source="csv", kind="classification", columns=[0, 1]), table=(names, values)
        )
    with pytest.raises(ApproxlabError, match="does not exist"):
        problem(Settings(source="csv", columns=[0, 7]), table=(names, values))
    with pytest.raises(ApproxlabError, match="upload it again"):
        problem(Settings(source="csv"))


@pytest.mark.parametrize(
    "data, message",
    [
        (b"x,y\n1,2\n", "at least 2 rows"),
        (b"x,y\n1,2\n3,abc\n", "row 3, column 'y' of the CSV file: 'abc' is not a number"),
        (b"x,y\n1,2\n3\n", "row 3 of the CSV file has 1 cells but the header has 2"),
        (b"x,y\n1,2\n3,nan\n", "give finite numbers"),
        (b"\xff\xfe\x00binary", "not UTF-8 text"),
        (b"x,y\n" + b"1,2\n" * (MAX_ROWS + 1), "sample it down"),
        (b"x,y,z\n1,2,3\n1,5,6\n", None),
    ],
)
def test_bad_files_get_one_line_naming_the_row_and_the_fix(data, message):
    if message is None:
        names, values = read_csv(data)
        with pytest.raises(ApproxlabError, match="'x' is constant"):
            problem(Settings(source="csv"), table=(names, values))
        return
    with pytest.raises(ApproxlabError, match=message):
        read_csv(data)
