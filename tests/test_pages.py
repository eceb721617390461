"""Pages for people: one Jinja2 path, numbers rounded, no Python reprs."""

from approxlab.pages import render, rounded


def test_rounded_gives_four_significant_digits_and_no_python_reprs():
    assert rounded(0.07136013418768883) == "0.07136"
    assert rounded(1234567.0) == "1.235e+06"
    assert rounded([(-1.0, 1.0), (0.0, 2.5)]) == "[-1, 1] × [0, 2.5]"
    assert rounded(False) == "no" and rounded(25) == "25" and rounded(float("nan")) == "nan"


def test_the_fit_report_escapes_text_and_references_plotly_once():
    page = render(
        "fit_report.html.j2",
        title="<x1>",
        rows=[("rmse", 0.011031017305445555)],
        images=[],
        plots=["<div>a</div>", "<div>b</div>"],
        plotly_js="plotly.min.js",
    )
    assert "&lt;x1&gt;" in page and "<x1>" not in page
    assert '<td class="value">0.01103</td>' in page and "0.011031017305445555" not in page
    assert page.count("<script src=") == 1 and "<div>a</div>" in page and "<div>b</div>" in page
