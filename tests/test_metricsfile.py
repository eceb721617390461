"""metrics.json: versioned, validated on read, rounded for people."""

import json

import pytest

from approxlab.errors import ApproxlabError
from approxlab.metricsfile import VERSION, read_metrics, write_metrics

RUN = {
    "target": "paraboloid",
    "width": 6,
    "depth": 1,
    "activation": "sigmoid",
    "optimizer": "adam",
    "seed": 0,
    "params": 25,
    "steps": 3000,
    "seconds": 4.2,
    "rmse": 0.011031017305445555,
    "max_error": 0.07136013418768883,
    "domain": [(-1.0, 1.0), (-1.0, 1.0)],
}


def test_written_metrics_carry_the_version_and_read_back_exactly(tmp_path):
    path = write_metrics(tmp_path / "metrics.json", RUN)
    raw = json.loads(path.read_text())
    assert raw["version"] == VERSION == 1
    back = read_metrics(path)
    assert (
        back.rmse == RUN["rmse"]
        and back.max_error == RUN["max_error"]
        and back.domain == RUN["domain"]
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 0}, "metrics version 0, this approxlab reads version 1"),
        ({"width": "six"}, "width"),
        ({"params": -1}, "params"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_a_file_that_does_not_match_the_schema_is_one_line_naming_the_field(
    tmp_path, change, message
):
    path = tmp_path / "metrics.json"
    path.write_text(json.dumps({"version": 1, **RUN, **change}))
    with pytest.raises(ApproxlabError, match=message) as err:
        read_metrics(path)
    assert "\n" not in str(err.value)


def test_a_run_missing_a_setting_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(Exception, match="target"):
        write_metrics(tmp_path / "metrics.json", {k: v for k, v in RUN.items() if k != "target"})
    assert not (tmp_path / "metrics.json").exists()
