"""Figures for the evaluation: DET curves, hard-negative mining, crop grids, detections.

In the style of scikit-learn's ``Display`` objects
(:class:`sklearn.calibration.CalibrationDisplay`): each figure is drawn on
the axes passed as ``ax=`` (or on a new :class:`matplotlib.figure.Figure`
when ``ax`` is None) and the call returns a display holding what it drew
(``ax_``, ``figure_`` and the artists). Writing a file is the caller's one
line, :func:`save_figure`::

    display = DETCurveDisplay.from_evaluations(evaluations, protocol="fppi")
    save_figure(display.figure_, "det_fppi.png")

A new figure is a plain :class:`~matplotlib.figure.Figure` with the Agg
canvas, never pyplot: nothing here changes matplotlib's global state
(rcParams, backend) or opens a window. matplotlib is imported inside the
functions, so importing this module does not import it.

``plot_det_fppw``, ``plot_det_fppi``, ``plot_mining_progress`` and
``plot_glyph_grid`` are the older file-writing forms (draw, then
:func:`save_figure`), kept for their callers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ._figures import save_figure
from .curves import DETCurveDisplay, MiningProgressDisplay
from .images import DetectionsDisplay, GlyphGridDisplay, draw_detections

__all__ = [
    "DETCurveDisplay",
    "DetectionsDisplay",
    "GlyphGridDisplay",
    "MiningProgressDisplay",
    "draw_detections",
    "plot_det_fppi",
    "plot_det_fppw",
    "plot_glyph_grid",
    "plot_mining_progress",
    "save_figure",
]


# --------------------------------------------------------------------------
# older file-writing forms: draw, then save_figure
# --------------------------------------------------------------------------


Curves = Mapping[str, tuple[np.ndarray, np.ndarray]]
Points = Mapping[str, tuple[float, float]]


def plot_det_fppw(curves: Curves, path: str | os.PathLike, reference_points: Points | None = None, *,
                  title: str | None = None, figsize: tuple[float, float] = (6.4, 5.2), dpi: int = 100) -> Path:
    """Write a per-window DET plot to ``path``: :class:`DETCurveDisplay` ``"fppw"``, then :func:`save_figure`."""
    display = DETCurveDisplay.from_curves(curves, "fppw", reference_points=reference_points, title=title,
                                          figsize=figsize, dpi=dpi)
    return save_figure(display.figure_, path)


def plot_det_fppi(curves: Curves, path: str | os.PathLike, reference_points: Points | None = None, *,
                  title: str | None = None, figsize: tuple[float, float] = (6.4, 5.2), dpi: int = 100) -> Path:
    """Write a per-image DET plot to ``path``: :class:`DETCurveDisplay` ``"fppi"``, then :func:`save_figure`."""
    display = DETCurveDisplay.from_curves(curves, "fppi", reference_points=reference_points, title=title,
                                          figsize=figsize, dpi=dpi)
    return save_figure(display.figure_, path)


def plot_mining_progress(rounds: Sequence[int | str], false_positives_per_image: Sequence[float],
                         path: str | os.PathLike, *, title: str | None = "Hard-negative mining",
                         figsize: tuple[float, float] = (6.4, 4.0), dpi: int = 100) -> Path:
    """Write the mining bar chart to ``path``: :class:`MiningProgressDisplay`, then :func:`save_figure`."""
    display = MiningProgressDisplay(rounds, false_positives_per_image).plot(title=title, figsize=figsize, dpi=dpi)
    return save_figure(display.figure_, path)


def plot_glyph_grid(crops: Sequence[np.ndarray], path: str | os.PathLike, titles: Sequence[str] | None = None,
                    columns: int = 8, *, figsize: tuple[float, float] | None = None, dpi: int = 100) -> Path:
    """Write a crop grid to ``path``: :class:`GlyphGridDisplay`, then :func:`save_figure`."""
    display = GlyphGridDisplay.from_crops(crops, titles, columns, figsize=figsize, dpi=dpi)
    return save_figure(display.figure_, path)
