"""The user's own data for the playground: a small numeric CSV file, checked before it is used.

The first row names the columns; every other cell must be a finite number. At most
:data:`MAX_ROWS` rows and :data:`MAX_COLUMNS` columns (the page draws 1D and 2D inputs and
trains on at most 5000 points); the upload itself is capped by the server. Every problem is
one line naming the row and column and the fix.
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np

from approxlab.errors import ApproxlabError, require

MAX_ROWS = 5000
MAX_COLUMNS = 32


def read_csv(data: bytes) -> tuple[list[str], np.ndarray]:
    """Column names and the (rows, columns) float64 values of a CSV file's bytes.

    >>> read_csv(b"x,y\\n0,1\\n0.5,2\\n")[1].shape
    (2, 2)
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApproxlabError(
            "the data file is not UTF-8 text: upload a CSV file (comma-separated numbers, "
            "a header row with the column names)"
        ) from None
    rows = list(csv.reader(io.StringIO(text)))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    require(len(rows) >= 3, "the CSV file needs a header row and at least 2 rows of numbers")
    names = [c.strip() or f"column {i + 1}" for i, c in enumerate(rows[0])]
    require(
        len(names) <= MAX_COLUMNS,
        f"the CSV file has {len(names)} columns, more than {MAX_COLUMNS}: keep the "
        "columns you want to train on",
    )
    require(
        len(rows) - 1 <= MAX_ROWS,
        f"the CSV file has {len(rows) - 1} rows, more than {MAX_ROWS}: sample it down",
    )
    values = np.empty((len(rows) - 1, len(names)))
    for i, row in enumerate(rows[1:], start=2):
        require(
            len(row) == len(names),
            f"row {i} of the CSV file has {len(row)} cells but the header has "
            f"{len(names)}: give every row one number per column",
        )
        for j, cell in enumerate(row):
            try:
                v = float(cell)
            except ValueError:
                raise ApproxlabError(
                    f"row {i}, column {names[j]!r} of the CSV file: {cell.strip()[:20]!r} is not a "
                    "number: the file must hold numbers only, below one header row"
                ) from None
            require(
                math.isfinite(v),
                f"row {i}, column {names[j]!r} of the CSV file is {cell.strip()}: give finite numbers",
            )
            values[i - 2, j] = v
    return names, values
