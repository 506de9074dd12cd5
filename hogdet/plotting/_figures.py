"""The figure every display draws on when given no axes, and the one way a figure is written to a file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..io import atomic_path

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def save_figure(figure: Figure, path: str | os.PathLike) -> Path:
    """Write ``figure`` to ``path`` atomically (:func:`hogdet.io.atomic_path`).

    The format follows the suffix of ``path`` (``.png``, ``.pdf``, ``.svg``,
    ...; PNG when there is none); the image is ``figsize * dpi`` pixels of
    the figure (its own dpi, not ``rcParams["savefig.dpi"]``).

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format=path.suffix[1:].lower() or "png", dpi=figure.dpi)
    return path


def _new_figure(figsize: tuple[float, float], dpi: int, layout: str | None = "constrained") -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize, dpi=dpi, layout=layout)
    FigureCanvasAgg(figure)
    return figure


def _axes(ax: Axes | None, figsize: tuple[float, float], dpi: int) -> Axes:
    return _new_figure(figsize, dpi).add_subplot() if ax is None else ax
