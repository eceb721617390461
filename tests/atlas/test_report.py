"""The atlas page's text: sources named in words, maths marked for KaTeX, metrics as tables."""

import re
from html import unescape

from approxlab.atlas import results as schema
from approxlab.atlas.report import key_number, maths, number, prose, render, sources, tex


def _claim(**changes):
    base = dict(
        id="t.claim",
        statement="s",
        source="seed 001",
        threshold="t",
        verdict="holds",
        metrics={},
        key=None,
        table=None,
        notes="",
        figures=[],
        command="approxlab atlas --only t.claim",
        seconds=1.0,
        profile="quick",
        seed=0,
    )
    return base | changes


def _page(*claims):
    atlas = schema.Atlas(
        version=schema.VERSION,
        profile="quick",
        command=None,
        versions={"approxlab": "0"},
        created="now",
        claims=list(claims),
    )
    return render(atlas)


def test_seeds_are_named_in_words_and_linked_to_their_text():
    html = unescape(str(sources("seed 003, 'Width vs depth' (Telgarsky 2016); seed 002 answer 2")))
    assert '<a class="source" href="sources/seed003.txt"' in html and ">Zhang's slides</a>" in html
    assert ">UAT and backprop notes</a> answer 2" in html
    assert "seed 00" not in re.sub(r"<[^>]+>", "", html)
    assert ">Huang 2025</a>" in str(sources("seed 000 (Taylor series)"))
    assert ">StackExchange: visualising one hidden layer</a>" in str(sources("seed 001"))


def test_a_possessive_after_a_plural_name_keeps_english():
    assert ">UAT and backprop notes'</a> δ recursion" in unescape(
        str(sources("Seed 002's δ recursion"))
    )
    assert ">Huang 2025</a>'s knots" in unescape(str(sources("seed 000's knots")))


def test_unknown_seeds_and_markup_are_left_as_escaped_text():
    assert str(sources("seed 999 <b>")) == "seed 999 &lt;b&gt;"


def test_pseudo_latex_tokens_are_marked_for_katex_and_prose_is_not():
    html = str(
        maths("f_m(x) = x − Σ_{s≤m} g_s(x)/2^{2s} has sup error 2^{−2m−2}, see count_params.")
    )
    marked = re.findall(r'data-tex="([^"]*)"', html)
    assert marked == ["f_m(x)", r"\sum _{s\le m}", "g_s(x)/2^{2s}", "2^{-2m-2}"]
    assert "count_params." in html and "error <span" in html


def test_dollar_delimited_maths_is_passed_through():
    assert re.findall(r'data-tex="([^"]*)"', str(maths(r"ratio $\frac{a}{b}$ here"))) == [
        r"\frac{a}{b}"
    ]


def test_unicode_in_maths_is_spelled_for_katex():
    assert tex("x̂_i") == r"\hat{x}_i"
    assert tex("σ²_ε") == "σ^2_ε"
    assert tex("0.25^10") == "0.25^{10}" and tex("Var(w)=2/n_in") == "Var(w)=2/n_{in}"
    assert tex("max|σ'|·sup_x") == r"\max |σ'|\cdot \sup _x"


def test_sources_and_maths_together_escape_everything_else():
    html = str(prose("seed 002's δ^{(l)} <script>"))
    assert (
        "UAT and backprop notes&#39;</a>" in html
        and 'data-tex="δ^{(l)}"' in html
        and html.endswith(" &lt;script&gt;")
    )


def test_key_number_is_the_named_metric_else_the_first_number():
    assert key_number(_claim(metrics={"a": "x", "b": 2.5, "c": 1}, key="c")) == ("c", 1)
    assert key_number(_claim(metrics={"a": "x", "flag": True, "b": 2.5})) == ("b", 2.5)
    assert key_number(_claim(metrics={"batch": 32, "worst_error": 1e-9})) == ("worst_error", 1e-9)
    assert key_number(_claim(metrics={"a": "x"})) is None


def test_numbers_are_short():
    assert [number(v) for v in (1234567, 0.000123456, 3.14159265, 0.0, None)] == [
        "1,234,567",
        "0.0001235",
        "3.14159",
        "0",
        "—",
    ]


def test_nested_metrics_are_tables_not_json():
    page = _page(
        _claim(
            metrics={
                "errors": {
                    "sigmoid": {"rmse": 0.0123456789, "units": 6},
                    "relu": {"rmse": 0.2, "units": 6},
                },
                "rows": [{"n": 1, "err": 0.5}, {"n": 2, "err": 0.25}],
                "losses": [float(k) for k in range(40)],
            }
        )
    )
    assert '{"' not in page and "[{" not in page
    assert "<th>sigmoid</th>" in page and "0.0123457" in page
    assert "<th>n</th><th>err</th>" in page
    assert "(40 values)" in page


def test_summary_has_statement_verdict_key_number_and_source_per_claim():
    page = _page(
        _claim(id="a.one", statement="width 2^{n} wins", metrics={"gap": 0.5}, source="seed 000"),
        _claim(id="b.two", verdict="fails", metrics={"n": 3}, source="Zaslavsky 1975"),
    )
    summary = page[
        page.index('<table class="summary">') : page.index(
            "</table>", page.index('<table class="summary">')
        )
    ]
    rows = summary.split("<tr>")[2:]
    assert len(rows) == 2
    assert 'href="#a.one"' in rows[0] and 'data-tex="2^{n}"' in rows[0] and "gap = 0.5" in rows[0]
    assert ">Huang 2025</a>" in rows[0] and "holds" in rows[0]
    assert "fails" in rows[1] and "n = 3" in rows[1] and "Zaslavsky 1975" in rows[1]
    assert page.count('<details class="claim"') == 2
    assert 'href="sources/seed000.txt">Huang 2025</a> — Changcun Huang' in page


def test_plotly_figures_are_lazy_divs_and_the_page_loads_no_plotly_up_front():
    figure = {
        "path": "figures/t.claim/s.html",
        "caption": "surface",
        "kind": "html",
        "data": "figures/t.claim/s.js",
    }
    page = _page(_claim(figures=[figure]))
    assert '<div class="plotly-figure" data-src="figures/t.claim/s.js"' in page
    assert "<iframe" not in page and 'src="plotly.min.js"' not in page
