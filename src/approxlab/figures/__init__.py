"""Figures: pure functions from results to matplotlib or Plotly figures, and their writers."""

from approxlab.figures.save import save_figure, write_plotly_js

__all__ = ["save_figure", "write_plotly_js"]
