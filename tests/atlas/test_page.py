"""The atlas page as a reader gets it: Debian's Chromium, driven by Playwright, network blocked.

A tiny atlas (two fast real claims and one with side-by-side 3D surfaces and a maths
statement) is written, opened from file://, every claim section opened and every figure
scrolled into view. No request may leave file://, none may fail, every Plotly figure
must draw, every image decode and every maths span typeset.
"""

import time

import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from approxlab.atlas.registry import Claim, Evidence, claims
from approxlab.atlas.run import run_atlas
from approxlab.headless import CHROMIUM

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (make chromium)"
)

# Two fast claims with PNG figures: 2.8 s and 3.4 s on the quick profile at load average 7 on 2 cores.
FAST_CLAIMS = ["backprop.batchnorm", "regions.zaslavsky"]

# Load event of this index page (no figure is drawn before its section opens, so plotly.js
# is not loaded yet), measured on the 2-core machine at load average 7-10: 0.33-0.55 s once
# Chromium is running, 0.7-1.5 s for the very first page of a fresh browser. The bound is the
# issue's goal for "interactive", 2 s, on the second load (the first adds Chromium's start-up).
LOAD_BOUND_MS = 2000


def _surfaces(ctx):
    fig = make_subplots(rows=1, cols=2, specs=[[{"type": "surface"}] * 2])
    for col in (1, 2):
        fig.add_trace(go.Surface(z=[[0, 1, 2], [1, 2, 3 * col]], showscale=False), row=1, col=col)
    fig.update_layout(height=420, width=1600)
    ctx.figure(fig, "surfaces", "two 3D subplots side by side")
    return Evidence(holds=True, metrics={"nested": {"a": [1, 2], "b": {"c": 0.5}}})


@pytest.fixture(scope="module")
def atlas(tmp_path_factory):
    out = tmp_path_factory.mktemp("page") / "atlas"
    synthetic = Claim(
        "page.surfaces",
        "Error 2^{−2m−2} at depth m+1, and Σ_{j≤n} a_j σ(w_j x).",
        "seed 000",
        "t",
        _surfaces,
    )
    full_only = Claim(
        "page.slow",
        "A claim too costly for the quick profile.",
        "seed 003",
        "t",
        _surfaces,
        profiles=("full",),
    )
    results = run_atlas([*claims(FAST_CLAIMS), synthetic, full_only], "quick", out, jobs=1)
    assert [r["verdict"] for r in results] != ["error"] * len(results)
    return out


def _open(browser, url):
    blocked, failed, errors = [], [], []

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page = browser.new_page()
    page.route("**/*", route)
    page.on("requestfailed", lambda req: failed.append(req.url))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    start = time.perf_counter()
    page.goto(url, wait_until="load")
    wall_ms = (time.perf_counter() - start) * 1000
    return page, blocked, failed, errors, wall_ms


def test_index_loads_fast_offline_and_draws_every_figure(atlas, browser):
    page, blocked, failed, errors, wall_ms = _open(browser, (atlas / "index.html").as_uri())
    first_ms = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    page.reload(wait_until="load")
    load_ms = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    print(f"index.html: load event {first_ms:.0f} ms (first), {load_ms:.0f} ms (again)")
    assert load_ms < LOAD_BOUND_MS
    assert page.evaluate("typeof Plotly") == "undefined", "plotly.js waits for the first figure"

    page.click("button[data-open=all]")
    figures = page.locator(".plotly-figure")
    assert figures.count() >= 1
    for i in range(figures.count()):
        figures.nth(i).scroll_into_view_if_needed()
        page.wait_for_function(
            "d => d.dataset.rendered", arg=figures.nth(i).element_handle(), timeout=30_000
        )
    assert (
        page.evaluate(
            "[...document.querySelectorAll('.plotly-figure')].map(d => d.dataset.rendered)"
        )
        == ["yes"] * figures.count()
    )
    assert (
        page.evaluate("document.querySelectorAll('.plotly-figure .main-svg').length")
        >= figures.count()
    )
    assert page.evaluate("document.querySelectorAll('script[src$=\"plotly.min.js\"]').length") == 1

    images = page.locator("figure img")
    assert images.count() >= 2
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()
    page.wait_for_function(
        "[...document.querySelectorAll('figure img')].every(i => i.complete)", timeout=30_000
    )
    assert (
        page.evaluate(
            "[...document.querySelectorAll('figure img')].filter(i => i.naturalWidth === 0).length"
        )
        == 0
    )

    assert page.evaluate("document.querySelectorAll('.tex').length") >= 3
    assert page.evaluate("document.querySelectorAll('.tex:not(.typeset)').length") == 0
    page.wait_for_timeout(300)  # let font and late requests settle before counting
    assert blocked == [] and failed == [] and errors == []


def test_3d_subplots_fit_the_page_each_with_a_colour_bar(atlas, browser):
    page, *_ = _open(browser, (atlas / "index.html").as_uri() + "#page.surfaces")
    div = page.locator("#page\\.surfaces .plotly-figure")
    div.scroll_into_view_if_needed()
    page.wait_for_function("d => d.dataset.rendered", arg=div.element_handle(), timeout=30_000)
    box = page.evaluate(
        "d => [d.getBoundingClientRect().width, d.querySelector('.main-svg').getBoundingClientRect().width]",
        div.element_handle(),
    )
    assert box[1] <= box[0] + 1, "the figure follows the page's width instead of its own 1600 px"
    assert page.evaluate("d => d.querySelectorAll('.colorbar').length", div.element_handle()) == 2


def test_a_figure_opens_on_its_own_page_offline(atlas, browser):
    page, blocked, failed, errors, _ = _open(
        browser, (atlas / "figures" / "page.surfaces" / "surfaces.html").as_uri()
    )
    page.wait_for_selector("#figure .main-svg", timeout=30_000)
    assert blocked == [] and failed == [] and errors == []


def test_a_source_link_opens_the_text(atlas, browser):
    page, blocked, failed, errors, _ = _open(browser, (atlas / "index.html").as_uri())
    href = page.locator("a.source").first.get_attribute("href")
    assert (atlas / href).read_text().startswith("TLDR: This research paper explores")


def test_a_claim_not_run_in_this_profile_says_so_and_how_to_run_it(atlas, browser):
    page, blocked, failed, errors, _ = _open(browser, (atlas / "index.html").as_uri())
    assert "1 not run in this profile" in page.locator("p", has_text="errors").inner_text()
    row = page.locator("table.summary tr", has_text="page.slow")
    assert "not run" in row.inner_text() and "full profile only" in row.inner_text()
    page.click("#page\\.slow summary")
    section = page.locator("#page\\.slow")
    assert "Not run in the quick profile: this claim runs in the full profile only" in (
        section.inner_text()
    )
    command = section.locator("code.command").inner_text()
    assert " atlas --only page.slow --profile full --out " in command
    assert not (atlas / "figures" / "page.slow").exists(), "nothing of it was computed"
    assert blocked == [] and failed == [] and errors == []
