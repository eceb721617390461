"""Pictures of exact linear regions (pure functions of a partition).

- :func:`region_map`: each region its own colour, edges coloured by the layer whose
  neuron made them, the output's level set in red (SplineCam style), matplotlib;
- :func:`region_map_html`: the same map in Plotly; hovering a region shows its
  activation pattern and affine map;
- :func:`surface_3d`: the net's output over the plane as a Plotly surface made of its
  flat pieces, with the region edges drawn on it;
- :func:`breakpoints_1d`: the output on a segment with its breakpoints marked;
- :func:`slope_map`: regions coloured by the norm of their slope, decision boundary drawn
  (SplineCam's figures).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402

from approxlab.regions.partition1d import Partition1D  # noqa: E402
from approxlab.regions.partition2d import Partition2D  # noqa: E402

HOVER_LIMIT = 20_000  # regions beyond this get no per-region hover text (page size)
LEVEL_COLOUR = "#d62728"


def _face_colours(n: int, seed: int = 0) -> np.ndarray:
    """Pastel colours, shuffled so neighbouring regions rarely look alike."""
    rng = np.random.default_rng(seed)
    hue = rng.random(n)
    rgb = matplotlib.colors.hsv_to_rgb(
        np.stack([hue, 0.2 + 0.3 * rng.random(n), 0.98 * np.ones(n)], axis=1)
    )
    return rgb


LAYER_COLOURS = [
    "#202020",
    "#1f4e9c",
    "#1a7f37",
    "#7b2cbf",
    "#b35c00",
    "#0f7c8c",
    "#6b4226",
    "#c2185b",
]


def _layer_colours(n_layers: int) -> np.ndarray:
    """Dark, distinct colours per layer (red is kept for the level set), cycling after eight."""
    return np.array(
        [
            matplotlib.colors.to_rgba(LAYER_COLOURS[i % len(LAYER_COLOURS)])
            for i in range(max(n_layers, 1))
        ]
    )


def _polygons(p: Partition2D) -> list[np.ndarray]:
    return np.split(p.vertices[p.face_vertices], p.offsets[1:-1])


def _n_layers(p: Partition2D) -> int:
    return sum(s.activation is not None for s in p.layers)


def _axis_names(p: Partition2D) -> tuple[str, str]:
    """x1, x2 for a 2-input net's own plane; t1, t2 (slice coordinates) otherwise."""
    own = p.basis.shape == (2, 2) and np.array_equal(p.basis, np.eye(2)) and not np.any(p.origin)
    return ("x1", "x2") if own else ("t1", "t2")


def region_map(
    p: Partition2D, level: float | None = 0.0, output: int = 0, title: str | None = None, ax=None
):
    """Matplotlib map of the regions: random face colours, edges by layer, level set ``level`` in red
    (``None``: no level set).

    >>> import approxlab
    >>> from approxlab.regions import partition
    >>> fig = region_map(partition(approxlab.mlp(2, [6, 6]), [(-1, 1), (-1, 1)]))

    With ``ax`` it draws into that matplotlib axes (e.g. one panel of a larger figure).
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 6.0))
    fig = ax.figure
    ax.add_collection(
        PolyCollection(_polygons(p), facecolors=_face_colours(p.count), edgecolors="none")
    )
    pairs, _, _ = p.edges()
    layer = p.edge_layers()
    colours = _layer_colours(_n_layers(p))
    width = 0.9 if p.count < 2000 else 0.4
    for li in range(_n_layers(p)):
        pick = layer == li
        if pick.any():
            ax.add_collection(
                LineCollection(
                    p.vertices[pairs[pick]],
                    colors=[colours[li]],
                    linewidths=width,
                    label=f"layer {li + 1}",
                )
            )
    outline = np.vstack([p.polygon, p.polygon[:1]])
    ax.plot(outline[:, 0], outline[:, 1], color="black", lw=1.0)
    if level is not None:
        seg = p.level_set(level, output)
        if len(seg):
            ax.add_collection(
                LineCollection(
                    seg, colors=LEVEL_COLOUR, linewidths=2.0, label=f"output = {level:g}"
                )
            )
    ax.set_aspect("equal")
    ax.autoscale_view()
    names = _axis_names(p)
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_title(title or f"{p.count} linear regions")
    if _n_layers(p) > 0 or level is not None:
        ax.legend(loc="upper right", fontsize=8, framealpha=0.85)
    return fig


def slope_map(
    p: Partition2D,
    anchors: np.ndarray | None = None,
    labels: list[str] | None = None,
    title: str | None = None,
):
    """SplineCam's picture: each region coloured by ‖A_ω‖ (:meth:`Partition2D.slope_norms`, log scale),
    thin region edges, the decision boundary (where the top output changes) in red, and the anchor
    points (plane coordinates, e.g. three training images) marked with their ``labels``.

    >>> import approxlab
    >>> from approxlab.regions import partition
    >>> fig = slope_map(partition(approxlab.mlp(2, [6, 6], out_dim=3), [(-1, 1), (-1, 1)]))
    """
    fig, ax = plt.subplots(figsize=(6.8, 6.0))
    norms = p.slope_norms()
    shown = np.log10(np.maximum(norms, 1e-12 * max(float(norms.max()), 1e-300)))
    tiles = PolyCollection(
        _polygons(p),
        array=shown,
        cmap="viridis",
        edgecolors="white",
        linewidths=0.15 if p.count < 5000 else 0.0,
    )
    ax.add_collection(tiles)
    fig.colorbar(tiles, ax=ax, label="log10 ‖A_ω‖ (slope within the plane)")
    outline = np.vstack([p.polygon, p.polygon[:1]])
    ax.plot(outline[:, 0], outline[:, 1], color="black", lw=1.0)
    boundary = p.decision_boundary()
    if len(boundary):
        ax.add_collection(
            LineCollection(boundary, colors=LEVEL_COLOUR, linewidths=1.6, label="decision boundary")
        )
        ax.legend(loc="upper right", fontsize=8, framealpha=0.85)
    if anchors is not None:
        ax.scatter(anchors[:, 0], anchors[:, 1], s=30, color="black", zorder=3)
        for (u, v), text in zip(anchors, labels or []):
            ax.annotate(text, (u, v), textcoords="offset points", xytext=(5, 5), fontsize=10)
    ax.set_aspect("equal")
    ax.autoscale_view()
    names = _axis_names(p)
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_title(title or f"{p.count} linear regions, coloured by slope")
    return fig


def _pattern_text(patterns: list[np.ndarray], f: int, limit: int = 48) -> str:
    rows = []
    for li, pat in enumerate(patterns):
        bits = "".join(map(str, pat[f].tolist()))
        rows.append(f"L{li + 1}: {bits[:limit]}{'…' if len(bits) > limit else ''}")
    return "<br>".join(rows)


def _affine_text(a: np.ndarray, c: np.ndarray, f: int, output: int, names: tuple[str, ...]) -> str:
    terms = " ".join(f"{v:+.4g}·{name}" for v, name in zip(a[f, output], names))
    return f"y = {terms} {c[f, output]:+.4g}"


def hover_texts(p: Partition2D | Partition1D, output: int = 0) -> list[str]:
    """Per region: its number, activation pattern (piece index per neuron, per layer) and affine map."""
    patterns = p.patterns()
    a, c = p.affine_maps()
    areas = p.areas()
    names = _axis_names(p) if isinstance(p, Partition2D) else ("t",)
    return [
        f"region {f}  (size {areas[f]:.3g})<br>{_affine_text(a, c, f, output, names)}<br>{_pattern_text(patterns, f)}"
        for f in range(p.count)
    ]


def region_map_html(
    p: Partition2D, level: float | None = 0.0, output: int = 0, title: str | None = None
):
    """Plotly map of the regions; hovering shows each region's pattern and affine map."""
    import plotly.graph_objects as go

    fig = go.Figure()
    colours = _face_colours(p.count)
    buckets = 24
    group = np.arange(p.count) % buckets
    polys = _polygons(p)
    for g in range(buckets):
        idx = np.flatnonzero(group == g)
        if not len(idx):
            continue
        xs, ys = [], []
        for f in idx:
            q = polys[f]
            xs += [*q[:, 0], q[0, 0], None]
            ys += [*q[:, 1], q[0, 1], None]
        rgb = (colours[idx[0]] * 255).astype(int)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                fill="toself",
                mode="lines",
                line=dict(width=0),
                fillcolor=f"rgb({rgb[0]},{rgb[1]},{rgb[2]})",
                hoverinfo="skip",
                showlegend=False,
            )
        )
    pairs, _, _ = p.edges()
    layer = p.edge_layers()
    layer_colours = _layer_colours(_n_layers(p))
    for li in range(_n_layers(p)):
        seg = p.vertices[pairs[layer == li]]
        if not len(seg):
            continue
        xs = np.column_stack([seg[:, :, 0], np.full(len(seg), np.nan)]).ravel()
        ys = np.column_stack([seg[:, :, 1], np.full(len(seg), np.nan)]).ravel()
        colour = matplotlib.colors.to_hex(layer_colours[li])
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line=dict(color=colour, width=1),
                name=f"layer {li + 1}",
                hoverinfo="skip",
            )
        )
    if level is not None:
        seg = p.level_set(level, output)
        if len(seg):
            xs = np.column_stack([seg[:, :, 0], np.full(len(seg), np.nan)]).ravel()
            ys = np.column_stack([seg[:, :, 1], np.full(len(seg), np.nan)]).ravel()
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    line=dict(color=LEVEL_COLOUR, width=3),
                    name=f"output = {level:g}",
                    hoverinfo="skip",
                )
            )
    if p.count <= HOVER_LIMIT:
        centre = p.centroids()
        fig.add_trace(
            go.Scatter(
                x=centre[:, 0],
                y=centre[:, 1],
                mode="markers",
                marker=dict(size=6, color="rgba(0,0,0,0.05)"),
                text=hover_texts(p, output),
                hovertemplate="%{text}<extra></extra>",
                name="regions (hover)",
            )
        )
    fig.update_layout(
        title=title or f"{p.count} linear regions (hover a region's centre)",
        xaxis=dict(title=_axis_names(p)[0], constrain="domain"),
        yaxis=dict(title=_axis_names(p)[1], scaleanchor="x"),
        width=760,
        height=720,
        plot_bgcolor="white",
    )
    return fig


def surface_3d(p: Partition2D, output: int = 0, title: str | None = None):
    """Plotly 3D surface of the output built from its flat pieces (one colour each), with the
    region edges drawn on it; hovering a piece shows its pattern and affine map."""
    import plotly.graph_objects as go

    # Fan-triangulate each convex region over its own copy of its vertices, so every
    # vertex of a triangle carries its region's colour and hover text.
    lengths = p.lengths
    tri_face = np.repeat(np.arange(p.count), lengths - 2)
    local = np.arange(len(tri_face)) - np.repeat(
        np.cumsum(lengths - 2) - (lengths - 2), lengths - 2
    )
    first = p.offsets[:-1][tri_face]
    i, j, k = first, first + local + 1, first + local + 2
    xy = p.vertices[p.face_vertices]
    z = p.values[p.face_vertices, output]
    colours = _face_colours(p.count)
    owner = np.repeat(np.arange(p.count), lengths)
    vertex_colour = [matplotlib.colors.to_hex(c) for c in colours[owner]]
    mesh = dict(
        x=xy[:, 0],
        y=xy[:, 1],
        z=z,
        i=i,
        j=j,
        k=k,
        vertexcolor=vertex_colour,
        flatshading=True,
        name="output",
        showscale=False,
    )
    if p.count <= HOVER_LIMIT:
        texts = np.array(hover_texts(p, output), dtype=object)[owner]
        mesh.update(text=texts, hovertemplate="%{text}<extra></extra>")
    else:
        mesh.update(hoverinfo="skip")
    fig = go.Figure(go.Mesh3d(**mesh))
    pairs, _, _ = p.edges()
    layer = p.edge_layers()
    layer_colours = _layer_colours(_n_layers(p))
    lift = 1e-3 * (float(np.ptp(p.values[:, output])) or 1.0)
    for li in range(-1, _n_layers(p)):
        pick = pairs[layer == li]
        if not len(pick):
            continue
        nan = np.full(len(pick), np.nan)
        xs = np.column_stack([p.vertices[pick, 0], nan]).ravel()
        ys = np.column_stack([p.vertices[pick, 1], nan]).ravel()
        zs = np.column_stack([p.values[pick, output] + lift, nan]).ravel()
        colour = "black" if li < 0 else matplotlib.colors.to_hex(layer_colours[li])
        fig.add_trace(
            go.Scatter3d(
                x=xs,
                y=ys,
                z=zs,
                mode="lines",
                line=dict(color=colour, width=2),
                name="domain edge" if li < 0 else f"layer {li + 1} edges",
                hoverinfo="skip",
            )
        )
    fig.update_layout(
        title=title or f"output over {p.count} flat pieces",
        scene=dict(
            xaxis_title=_axis_names(p)[0], yaxis_title=_axis_names(p)[1], zaxis_title="output"
        ),
        width=900,
        height=760,
    )
    return fig


def breakpoints_1d(
    p: Partition1D, output: int = 0, title: str | None = None, max_marked: int = 4096
):
    """Matplotlib plot of the output along the segment with its breakpoints marked by layer."""
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    ax.plot(p.points, p.values[:, output], color="black", lw=1.0, label="output")
    inner = np.arange(1, len(p.points) - 1)
    if len(inner) <= max_marked:
        colours = _layer_colours(int(p.point_layer.max()) + 1 if len(inner) else 1)
        for li in np.unique(p.point_layer[inner]):
            pick = inner[p.point_layer[inner] == li]
            ax.scatter(
                p.points[pick],
                p.values[pick, output],
                s=10,
                color=colours[li],
                zorder=3,
                label=f"breakpoints, layer {li + 1}",
            )
    ax.set_xlabel("t")
    ax.set_ylabel("output")
    ax.set_title(title or f"{p.count} linear regions, {len(inner)} breakpoints")
    ax.legend(fontsize=8)
    return fig
