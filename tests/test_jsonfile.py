"""The one JSON writer never writes NaN or Infinity."""

import json
import math

import numpy as np
import torch

from approxlab.jsonfile import dumps, write


def test_non_finite_numbers_become_null_and_arrays_lists(tmp_path):
    value = {
        "a": math.nan,
        "b": [math.inf, -math.inf, 1.5],
        "c": np.array([1.0, np.nan]),
        "d": torch.tensor(2.0),
        "e": np.float64(np.inf),
    }
    text = dumps(value, indent=None)
    assert json.loads(text, parse_constant=lambda c: 1 / 0) == {
        "a": None,
        "b": [None, None, 1.5],
        "c": [1.0, None],
        "d": 2.0,
        "e": None,
    }
    assert write(tmp_path / "x.json", value).read_text().endswith("\n")
