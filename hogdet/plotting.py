"""Figures for the evaluation: DET curves, hard-negative mining, crop grids.

Every function draws on its own :class:`matplotlib.figure.Figure` with the
Agg canvas (never pyplot, so no global state, no window, no ``plt.show``),
writes the image atomically (to a temporary file in the target folder, then
:func:`os.replace`), releases the figure and returns the path written.
The output format follows the suffix of ``path`` (``.png``, ``.pdf``,
``.svg``, ...; PNG when there is no suffix).

matplotlib is imported inside the functions so that importing hogdet stays
cheap.
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = [
    "draw_detections",
    "plot_det_fppi",
    "plot_det_fppw",
    "plot_glyph_grid",
    "plot_mining_progress",
]

#: Miss-rate ticks of the DET plots (those of Dollar's ``dbEval``, plus 0.01-0.03).
_MISS_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.64, 0.8, 1.0)
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def plot_det_fppw(
    curves: Mapping[str, tuple[np.ndarray, np.ndarray]],
    path: str | os.PathLike,
    reference_points: Mapping[str, tuple[float, float]] | None = None,
    *,
    title: str | None = None,
    figsize: tuple[float, float] = (6.4, 5.2),
    dpi: int = 100,
) -> Path:
    """Per-window DET plot: miss rate against FPPW, both axes logarithmic.

    Parameters
    ----------
    curves : mapping of str to (fppw, miss_rate)
        Legend label -> two arrays of shape (n_points,), as returned by
        :func:`hogdet.metrics.det_curve_fppw`. Values <= 0 (FPPW 0 or miss
        rate 0) cannot be placed on a log axis; they are drawn just below
        the visible range, so the line leaves the plot there.
    path : str or path-like
        Output file.
    reference_points : mapping of str to (fppw, miss_rate), optional
        Single operating points drawn as markers, e.g.
        ``{"Dalal & Triggs 2005 (published, not measured here)": (1e-4, 0.11)}``.
    title : str, optional
    figsize : (float, float)
        Figure size in inches; the image is ``figsize * dpi`` pixels.
    dpi : int
        Pixels per inch.

    Returns
    -------
    Path
        ``path``.
    """
    return _det_plot(
        curves,
        path,
        reference_points,
        x_limits=(1e-6, 1e-1),
        x_label="false positives per window (FPPW)",
        title=title,
        figsize=figsize,
        dpi=dpi,
    )


def plot_det_fppi(
    curves: Mapping[str, tuple[np.ndarray, np.ndarray]],
    path: str | os.PathLike,
    reference_points: Mapping[str, tuple[float, float]] | None = None,
    *,
    title: str | None = None,
    figsize: tuple[float, float] = (6.4, 5.2),
    dpi: int = 100,
) -> Path:
    """Per-image DET plot: miss rate against FPPI, both axes logarithmic.

    Parameters
    ----------
    curves : mapping of str to (fppi, miss_rate)
        Legend label -> arrays of shape (n_points,), e.g. the ``fppi`` and
        ``miss_rate`` of :class:`hogdet.metrics.PerImageResult`. The caller
        puts the log-average miss rate into the label if wanted, e.g.
        ``f"{lamr:.0%} HOG (ours)"`` as in Dollar et al. Non-positive
        values are drawn just below the visible range.
    path : str or path-like
        Output file.
    reference_points : mapping of str to (fppi, miss_rate), optional
        Single operating points drawn as markers.
    title : str, optional
    figsize : (float, float)
        Figure size in inches; the image is ``figsize * dpi`` pixels.
    dpi : int
        Pixels per inch.

    Returns
    -------
    Path
        ``path``.
    """
    return _det_plot(
        curves,
        path,
        reference_points,
        x_limits=(1e-3, 1e1),
        x_label="false positives per image (FPPI)",
        title=title,
        figsize=figsize,
        dpi=dpi,
    )


def plot_mining_progress(
    rounds: Sequence[int | str],
    false_positives_per_image: Sequence[float],
    path: str | os.PathLike,
    *,
    title: str | None = "Hard-negative mining",
    figsize: tuple[float, float] = (6.4, 4.0),
    dpi: int = 100,
) -> Path:
    """Bar chart of false positives per image after each mining round.

    The y axis is logarithmic when the positive values span a factor of 10
    or more (a value of 0 then has no visible bar, but its number is
    printed); otherwise it is linear from 0. Each bar is labelled with its
    value.

    Parameters
    ----------
    rounds : sequence of int or str, length k
        Round names, e.g. ``[0, 1, 2]`` (0 = initial detector).
    false_positives_per_image : sequence of float, length k
        Mean number of false positives per negative image, >= 0.
    path : str or path-like
        Output file.
    title : str, optional
    figsize : (float, float)
        Inches; the image is ``figsize * dpi`` pixels.
    dpi : int
        Pixels per inch.

    Returns
    -------
    Path
        ``path``.
    """
    values = np.asarray(false_positives_per_image, dtype=float).ravel()
    labels = [str(r) for r in rounds]
    if len(labels) != values.size:
        raise ValueError("rounds and false_positives_per_image must have equal length")

    fig = _new_figure(figsize, dpi)
    ax = fig.add_subplot()
    positions = np.arange(values.size)
    positive = values[values > 0]
    log_y = positive.size > 0 and positive.max() >= 10 * positive.min()
    if log_y:
        ax.set_yscale("log")
        bottom = positive.min() / 3
        ax.bar(positions, np.maximum(values, bottom) - bottom, bottom=bottom, color="tab:red")
        ax.set_ylim(bottom, positive.max() * 3)
    else:
        ax.bar(positions, values, color="tab:red")
        ax.set_ylim(0, (values.max() if values.size and values.max() > 0 else 1) * 1.15)
    for x, v in zip(positions, values):
        y = max(v, positive.min() / 3) if log_y else v
        ax.annotate(f"{v:.3g}", (x, y), ha="center", va="bottom", fontsize=8,
                    xytext=(0, 2), textcoords="offset points")
    ax.set_xticks(positions, labels)
    ax.set_xlabel("mining round")
    ax.set_ylabel("false positives per image")
    if title:
        ax.set_title(title)
    ax.grid(axis="y", which="both", alpha=0.3)
    return _save(fig, path)


def plot_glyph_grid(
    crops: Sequence[np.ndarray],
    path: str | os.PathLike,
    titles: Sequence[str] | None = None,
    columns: int = 8,
    *,
    figsize: tuple[float, float] | None = None,
    dpi: int = 100,
) -> Path:
    """Grid of image crops, e.g. the hardest negatives of a mining round.

    Parameters
    ----------
    crops : sequence of ndarray
        Each ``(rows, cols)`` grey or ``(rows, cols, 3)`` RGB float array.
        Grey crops are shown with their own min..max mapped to black..white
        (so HOG glyph renderings of any range are visible); RGB crops are
        clipped to [0, 1]. Crops may differ in size. An empty sequence gives
        a figure that says so.
    path : str or path-like
        Output file.
    titles : sequence of str, optional
        One short caption per crop (e.g. the score).
    columns : int
        Crops per row.
    figsize : (float, float), optional
        Inches; by default 1.2 in per column and 1.2 in * (aspect of the
        first crop) + caption space per row.
    dpi : int
        Pixels per inch; the image is ``figsize * dpi`` pixels.

    Returns
    -------
    Path
        ``path``.
    """
    if columns < 1:
        raise ValueError(f"columns must be >= 1, got {columns}")
    if titles is not None and len(titles) != len(crops):
        raise ValueError("titles must have one entry per crop")
    n = len(crops)
    n_columns = max(1, min(columns, n))
    n_rows = max(1, math.ceil(n / n_columns))
    if figsize is None:
        aspect = 2.0
        if n:
            first = np.asarray(crops[0])
            aspect = first.shape[0] / max(first.shape[1], 1)
        cell = 1.2
        figsize = (cell * n_columns, (cell * aspect + (0.3 if titles else 0.1)) * n_rows)

    fig = _new_figure(figsize, dpi, layout=None)
    if n == 0:
        fig.text(0.5, 0.5, "(no crops)", ha="center", va="center")
        return _save(fig, path)
    axes = fig.subplots(n_rows, n_columns, squeeze=False)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.99 if not titles else 0.95,
                        wspace=0.05, hspace=0.15 if titles else 0.05)
    for index, ax in enumerate(axes.ravel()):
        ax.set_axis_off()
        if index >= n:
            continue
        crop = np.asarray(crops[index], dtype=float)
        if crop.ndim == 3 and crop.shape[2] == 1:
            crop = crop[:, :, 0]
        if crop.ndim == 2:
            ax.imshow(crop, cmap="gray", interpolation="nearest")
        elif crop.ndim == 3 and crop.shape[2] in (3, 4):
            ax.imshow(np.clip(crop[:, :, :3], 0.0, 1.0), interpolation="nearest")
        else:
            raise ValueError(f"crop {index}: expected (rows, cols) or (rows, cols, 3), got {crop.shape}")
        if titles is not None:
            ax.set_title(str(titles[index]), fontsize=7, pad=2)
    return _save(fig, path)


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def _det_plot(
    curves: Mapping[str, tuple[np.ndarray, np.ndarray]],
    path: str | os.PathLike,
    reference_points: Mapping[str, tuple[float, float]] | None,
    *,
    x_limits: tuple[float, float],
    x_label: str,
    title: str | None,
    figsize: tuple[float, float],
    dpi: int,
) -> Path:
    from matplotlib.ticker import FixedLocator, FormatStrFormatter, NullLocator

    y_limits = (_MISS_TICKS[0], 1.0)
    fig = _new_figure(figsize, dpi)
    ax = fig.add_subplot()
    ax.set_xscale("log")
    ax.set_yscale("log")
    for label, (x, y) in curves.items():
        x = _below_range(np.asarray(x, dtype=float).ravel(), x_limits[0])
        y = _below_range(np.asarray(y, dtype=float).ravel(), y_limits[0])
        if x.shape != y.shape:
            raise ValueError(f"curve {label!r}: x and y lengths differ")
        ax.plot(x, y, linewidth=2, label=label)
    for i, (label, (x, y)) in enumerate((reference_points or {}).items()):
        ax.plot([x], [y], linestyle="none", marker=_MARKERS[i % len(_MARKERS)],
                markersize=8, markeredgecolor="black", color="white", label=label)
    ax.set_xlim(*x_limits)
    ax.set_ylim(*y_limits)
    ax.yaxis.set_major_locator(FixedLocator(_MISS_TICKS))
    ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_xlabel(x_label)
    ax.set_ylabel("miss rate")
    ax.grid(True, which="major", alpha=0.4)
    if title:
        ax.set_title(title)
    if curves or reference_points:
        ax.legend(loc="lower left", fontsize=8)
    return _save(fig, path)


def _below_range(values: np.ndarray, lower_limit: float) -> np.ndarray:
    """Replace values <= 0 by a tenth of the axis limit (off the plot)."""
    return np.where(values > 0, values, lower_limit / 10.0)


def _new_figure(figsize: tuple[float, float], dpi: int, layout: str | None = "constrained") -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi, layout=layout)
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, path: str | os.PathLike) -> Path:
    """Write ``fig`` to ``path`` atomically and release it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    file_format = path.suffix[1:].lower() or "png"
    # a unique name in the same folder, so os.replace is atomic; created by
    # savefig itself so the file gets the usual permissions (umask)
    temporary = path.parent / f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp"
    try:
        fig.savefig(temporary, format=file_format, dpi=fig.dpi)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    finally:
        fig.clear()  # the figure is not registered with pyplot; drop its artists
    return path


def draw_detections(
    image: np.ndarray,
    boxes: np.ndarray,
    probabilities: np.ndarray,
    path: str | os.PathLike,
    *,
    truths: np.ndarray | None = None,
    dpi: int = 100,
) -> Path:
    """Write an image with its detected boxes (and optional ground truth) drawn.

    Parameters
    ----------
    image : ndarray, shape (rows, cols) or (rows, cols, 3), float in [0, 1]
    boxes : ndarray, shape (n, 4)
        x1, y1, x2, y2 in pixels.
    probabilities : ndarray, shape (n,)
        Written beside each box.
    path : str or path-like
    truths : ndarray, shape (m, 4), optional
        Ground-truth boxes, drawn dashed.

    Returns
    -------
    Path
    """
    from matplotlib.patches import Rectangle

    rows, cols = image.shape[:2]
    fig = _new_figure((cols / dpi, rows / dpi), dpi, layout=None)
    axes = fig.add_axes((0, 0, 1, 1))
    axes.imshow(image, cmap="gray" if image.ndim == 2 else None, vmin=0, vmax=1)
    axes.set_axis_off()
    for box in [] if truths is None else truths:
        axes.add_patch(Rectangle(box[:2], box[2] - box[0], box[3] - box[1], fill=False, ec="yellow", ls="--", lw=1.5))
    for box, probability in zip(boxes, probabilities):
        axes.add_patch(Rectangle(box[:2], box[2] - box[0], box[3] - box[1], fill=False, ec="lime", lw=2))
        axes.text(box[0], box[1], f"{probability:.2f}", color="black", fontsize=8, va="bottom",
                  bbox=dict(facecolor="lime", edgecolor="none", pad=1))
    axes.set_xlim(0, cols)
    axes.set_ylim(rows, 0)
    return _save(fig, path)
