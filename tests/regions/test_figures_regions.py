"""Region figures: what they draw can be read back from the figure objects."""

import numpy as np

import approxlab
from approxlab.construct.sawtooth import sawtooth_net
from approxlab.figures import regions as figs
from approxlab.regions import partition


def test_the_region_map_has_one_polygon_per_region_and_a_red_level_set():
    p = partition(approxlab.mlp(2, [10, 10], seed=0), [(-1, 1), (-1, 1)])
    fig = figs.region_map(p, level=float(np.median(p.values)))
    ax = fig.axes[0]
    polys = ax.collections[0]
    assert len(polys.get_paths()) == p.count
    labels = [c.get_label() for c in ax.collections]
    assert (
        "layer 1" in labels
        and "layer 2" in labels
        and any(lab.startswith("output =") for lab in labels)
    )


def test_the_html_map_and_surface_hover_each_region_with_its_pattern_and_map():
    p = partition(approxlab.mlp(2, [6, 6], seed=1), [(-1, 1), (-1, 1)])
    page = figs.region_map_html(p)
    hover = [t for t in page.data if t.name == "regions (hover)"][0]
    assert len(hover.text) == p.count and "L1: " in hover.text[0] and "y = " in hover.text[0]
    surface = figs.surface_3d(p)
    mesh = surface.data[0]
    assert len(mesh.i) == int((p.lengths - 2).sum())  # fan triangles of the convex regions
    # The surface's heights are the net's outputs at the region vertices.
    assert np.allclose(mesh.z, p.values[p.face_vertices, 0])


def test_breakpoints_are_drawn_on_the_curve():
    p = partition(sawtooth_net(3), (0, 1))
    fig = figs.breakpoints_1d(p)
    marked = sum(len(c.get_offsets()) for c in fig.axes[0].collections)
    assert marked == p.count - 1 == 7
