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

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .io import atomic_path

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

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

#: Miss-rate ticks of the DET plots (those of Dollar's ``dbEval``, plus 0.01-0.03).
_MISS_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.64, 0.8, 1.0)
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: Per protocol: visible x range and x label of the DET plot.
_PROTOCOLS = {
    "fppw": ((1e-6, 1e-1), "false positives per window (FPPW)"),
    "fppi": ((1e-3, 1e1), "false positives per image (FPPI)"),
}


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


def _below_range(values: np.ndarray, lower_limit: float) -> np.ndarray:
    """Replace values <= 0 by a tenth of the axis limit (off the plot)."""
    return np.where(values > 0, values, lower_limit / 10.0)


class DETCurveDisplay:
    """DET curves: miss rate against FPPW or FPPI, both axes logarithmic.

    Parameters
    ----------
    curves : mapping of str to (x, miss_rate)
        Legend label -> two arrays of shape (n_points,): FPPW and miss rate
        (:func:`hogdet.evaluation.det_curve_fppw`) or FPPI and miss rate
        (:class:`hogdet.evaluation.PerImageResult`). Values <= 0 cannot sit
        on a log axis; they are drawn just below the visible range, so the
        line leaves the plot there.
    protocol : {"fppw", "fppi"}
        Sets the x range (1e-6..1e-1 FPPW, 1e-3..1e1 FPPI) and label.
    reference_points : mapping of str to (x, miss_rate), optional
        Single operating points drawn as markers, e.g. published figures.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    lines_ : dict of str to Line2D
        One line per curve, by label.
    markers_ : dict of str to Line2D
        One marker per reference point, by label.
    """

    def __init__(
        self,
        curves: Mapping[str, tuple[np.ndarray, np.ndarray]],
        protocol: str = "fppw",
        reference_points: Mapping[str, tuple[float, float]] | None = None,
    ) -> None:
        if protocol not in _PROTOCOLS:
            raise ValueError(f"protocol must be one of {', '.join(_PROTOCOLS)}; got {protocol!r}")
        self.curves = dict(curves)
        self.protocol = protocol
        self.reference_points = dict(reference_points or {})

    @classmethod
    def from_evaluations(
        cls,
        evaluations: Sequence[Any],
        protocol: str = "fppw",
        *,
        reference_points: Mapping[str, tuple[float, float]] | None = None,
        ax: Axes | None = None,
        **plot_options: Any,
    ) -> DETCurveDisplay:
        """One curve per :class:`hogdet.evaluation.Evaluation`.

        Per window the label is the evaluation's name; per image it also
        gives the log-average miss rate, ``"name (LAMR 46.0%)"``.
        ``plot_options`` go to :meth:`plot` (``title``, ``figsize``, ``dpi``).
        """
        if protocol == "fppw":
            curves = {e.name: (e.fppw, e.fppw_miss_rate) for e in evaluations}
        else:
            curves = {f"{e.name} (LAMR {100 * e.lamr:.1f}%)": (e.per_image.fppi, e.per_image.miss_rate)
                      for e in evaluations}
        return cls(curves, protocol, reference_points).plot(ax=ax, **plot_options)

    @classmethod
    def from_curves(
        cls,
        curves: Mapping[str, tuple[np.ndarray, np.ndarray]],
        protocol: str = "fppw",
        *,
        reference_points: Mapping[str, tuple[float, float]] | None = None,
        ax: Axes | None = None,
        **plot_options: Any,
    ) -> DETCurveDisplay:
        """The curves given (see the class parameters), drawn by :meth:`plot`."""
        return cls(curves, protocol, reference_points).plot(ax=ax, **plot_options)

    def plot(
        self,
        ax: Axes | None = None,
        *,
        title: str | None = None,
        figsize: tuple[float, float] = (6.4, 5.2),
        dpi: int = 100,
    ) -> DETCurveDisplay:
        """Draw on ``ax`` (a new figure of ``figsize`` inches at ``dpi`` if None); returns self."""
        from matplotlib.ticker import FixedLocator, FormatStrFormatter, NullLocator

        x_limits, x_label = _PROTOCOLS[self.protocol]
        y_limits = (_MISS_TICKS[0], 1.0)
        ax = _axes(ax, figsize, dpi)
        ax.set_xscale("log")
        ax.set_yscale("log")
        self.lines_, self.markers_ = {}, {}
        for label, (x, y) in self.curves.items():
            x = _below_range(np.asarray(x, dtype=float).ravel(), x_limits[0])
            y = _below_range(np.asarray(y, dtype=float).ravel(), y_limits[0])
            if x.shape != y.shape:
                raise ValueError(f"curve {label!r}: x and y lengths differ")
            (self.lines_[label],) = ax.plot(x, y, linewidth=2, label=label)
        for i, (label, (x, y)) in enumerate(self.reference_points.items()):
            (self.markers_[label],) = ax.plot([x], [y], linestyle="none", marker=_MARKERS[i % len(_MARKERS)],
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
        if self.curves or self.reference_points:
            ax.legend(loc="lower left", fontsize=8)
        self.ax_, self.figure_ = ax, ax.figure
        return self


class MiningProgressDisplay:
    """Bar chart of false positives per image after each mining round.

    The y axis is logarithmic when the positive values span a factor of 10
    or more (a value of 0 then has no visible bar, but its number is
    printed); otherwise it is linear from 0. Each bar is labelled with its
    value.

    Parameters
    ----------
    rounds : sequence of int or str, length k
        Bar names, e.g. ``[1, 2, 3]``.
    false_positives_per_image : sequence of float, length k
        Mean number of false positives per negative image, >= 0.

    Attributes
    ----------
    ax_, figure_ : matplotlib Axes and Figure
    bars_ : matplotlib BarContainer
    labels_ : list of matplotlib Text
        The value written over each bar.
    """

    def __init__(self, rounds: Sequence[int | str], false_positives_per_image: Sequence[float]) -> None:
        self.rounds = [str(r) for r in rounds]
        self.values = np.asarray(false_positives_per_image, dtype=float).ravel()
        if len(self.rounds) != self.values.size:
            raise ValueError("rounds and false_positives_per_image must have equal length")

    @classmethod
    def from_metrics(cls, rows: Sequence[Mapping[str, Any]], ax: Axes | None = None,
                     **plot_options: Any) -> MiningProgressDisplay:
        """The rounds of a run's ``metrics.csv`` rows that scanned (round > 0), by round number.

        ``rows`` are mappings with ``round`` and ``false_positives_per_image``
        (:attr:`hogdet.mining.MiningResult.metrics`, or ``csv.DictReader``
        rows). ``plot_options`` go to :meth:`plot`.
        """
        scanned = [row for row in rows if int(row["round"]) > 0]
        display = cls([int(row["round"]) for row in scanned],
                      [float(row["false_positives_per_image"]) for row in scanned])
        return display.plot(ax=ax, **plot_options)

    def plot(
        self,
        ax: Axes | None = None,
        *,
        title: str | None = "Hard-negative mining",
        figsize: tuple[float, float] = (6.4, 4.0),
        dpi: int = 100,
    ) -> MiningProgressDisplay:
        """Draw on ``ax`` (a new figure of ``figsize`` inches at ``dpi`` if None); returns self."""
        values = self.values
        ax = _axes(ax, figsize, dpi)
        positions = np.arange(values.size)
        positive = values[values > 0]
        log_y = positive.size > 0 and positive.max() >= 10 * positive.min()
        if log_y:
            ax.set_yscale("log")
            bottom = positive.min() / 3
            self.bars_ = ax.bar(positions, np.maximum(values, bottom) - bottom, bottom=bottom, color="tab:red")
            ax.set_ylim(bottom, positive.max() * 3)
        else:
            self.bars_ = ax.bar(positions, values, color="tab:red")
            ax.set_ylim(0, (values.max() if values.size and values.max() > 0 else 1) * 1.15)
        self.labels_ = [
            ax.annotate(f"{v:.3g}", (x, max(v, positive.min() / 3) if log_y else v), ha="center", va="bottom",
                        fontsize=8, xytext=(0, 2), textcoords="offset points")
            for x, v in zip(positions, values)
        ]
        ax.set_xticks(positions, self.rounds)
        ax.set_xlabel("mining round")
        ax.set_ylabel("false positives per image")
        if title:
            ax.set_title(title)
        ax.grid(axis="y", which="both", alpha=0.3)
        self.ax_, self.figure_ = ax, ax.figure
        return self


class GlyphGridDisplay:
    """Grid of image crops, e.g. the hardest negatives of a mining round.

    Parameters
    ----------
    crops : sequence of ndarray
        Each ``(rows, cols)`` grey or ``(rows, cols, 3)`` RGB float array.
        Grey crops are shown with their own min..max mapped to black..white
        (so HOG glyph renderings of any range are visible); RGB crops are
        clipped to [0, 1]. Crops may differ in size.
    titles : sequence of str, optional
        One short caption per crop (e.g. the score).
    columns : int
        Crops per row.

    Attributes
    ----------
    figure_ : matplotlib Figure
    axes_ : ndarray of Axes, shape (grid rows, grid columns)
        Empty (shape (0, 0)) for no crops; the figure then says so.
    images_ : list of AxesImage
        One per crop.
    """

    def __init__(self, crops: Sequence[np.ndarray], titles: Sequence[str] | None = None, columns: int = 8) -> None:
        if columns < 1:
            raise ValueError(f"columns must be >= 1, got {columns}")
        if titles is not None and len(titles) != len(crops):
            raise ValueError("titles must have one entry per crop")
        self.crops, self.titles, self.columns = list(crops), titles, columns

    @classmethod
    def from_crops(cls, crops: Sequence[np.ndarray], titles: Sequence[str] | None = None, columns: int = 8,
                   **plot_options: Any) -> GlyphGridDisplay:
        """The crops given (see the class parameters), drawn by :meth:`plot`."""
        return cls(crops, titles, columns).plot(**plot_options)

    def plot(self, figure: Figure | None = None, *, figsize: tuple[float, float] | None = None,
             dpi: int = 100) -> GlyphGridDisplay:
        """Draw the grid on ``figure`` (its own subplots; a new figure if None); returns self.

        ``figsize`` (inches) defaults to 1.2 in per column and 1.2 in *
        (aspect of the first crop) + caption space per row.
        """
        n, titles = len(self.crops), self.titles
        n_columns = max(1, min(self.columns, n))
        n_rows = max(1, math.ceil(n / n_columns))
        if figure is None:
            if figsize is None:
                aspect = 2.0
                if n:
                    first = np.asarray(self.crops[0])
                    aspect = first.shape[0] / max(first.shape[1], 1)
                figsize = (1.2 * n_columns, (1.2 * aspect + (0.3 if titles else 0.1)) * n_rows)
            figure = _new_figure(figsize, dpi, layout=None)
        self.figure_, self.images_ = figure, []
        if n == 0:
            figure.text(0.5, 0.5, "(no crops)", ha="center", va="center")
            self.axes_ = np.empty((0, 0), dtype=object)
            return self
        self.axes_ = figure.subplots(n_rows, n_columns, squeeze=False)
        figure.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.99 if not titles else 0.95,
                               wspace=0.05, hspace=0.15 if titles else 0.05)
        for index, ax in enumerate(self.axes_.ravel()):
            ax.set_axis_off()
            if index >= n:
                continue
            crop = np.asarray(self.crops[index], dtype=float)
            if crop.ndim == 3 and crop.shape[2] == 1:
                crop = crop[:, :, 0]
            if crop.ndim == 2:
                self.images_.append(ax.imshow(crop, cmap="gray", interpolation="nearest"))
            elif crop.ndim == 3 and crop.shape[2] in (3, 4):
                self.images_.append(ax.imshow(np.clip(crop[:, :, :3], 0.0, 1.0), interpolation="nearest"))
            else:
                raise ValueError(f"crop {index}: expected (rows, cols) or (rows, cols, 3), got {crop.shape}")
            if titles is not None:
                ax.set_title(str(titles[index]), fontsize=7, pad=2)
        return self


class DetectionsDisplay:
    """What :func:`draw_detections` drew.

    Attributes
    ----------
    ax_, figure_ : matplotlib Axes and Figure
    image_ : AxesImage
    boxes_ : list of Rectangle
        One per detection, in input order.
    labels_ : list of Text
        The probability written at each detection.
    truths_ : list of Rectangle
        One per ground-truth box (dashed).
    """


def draw_detections(
    image: np.ndarray,
    boxes: np.ndarray,
    probabilities: np.ndarray,
    ax: Axes | str | os.PathLike | None = None,
    *,
    truths: np.ndarray | None = None,
    dpi: int = 100,
) -> DetectionsDisplay | Path:
    """Draw an image with its detected boxes (and optional ground truth).

    Parameters
    ----------
    image : ndarray, shape (rows, cols) or (rows, cols, 3), float in [0, 1]
    boxes : ndarray, shape (n, 4)
        x1, y1, x2, y2 in pixels, drawn solid green.
    probabilities : ndarray, shape (n,)
        Written beside each box.
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure of exactly the image's size
        in pixels at ``dpi``. A path here is the older form: the drawing is
        written there (:func:`save_figure`) and the path returned.
    truths : ndarray, shape (m, 4), optional
        Ground-truth boxes, drawn dashed yellow.
    dpi : int
        Pixels per inch of a new figure.

    Returns
    -------
    DetectionsDisplay
        (a Path in the older form).
    """
    from matplotlib.patches import Rectangle

    if isinstance(ax, (str, os.PathLike)):  # the older form draw_detections(..., path)
        return save_figure(draw_detections(image, boxes, probabilities, truths=truths, dpi=dpi).figure_, ax)
    rows, cols = image.shape[:2]
    if ax is None:
        ax = _new_figure((cols / dpi, rows / dpi), dpi, layout=None).add_axes((0, 0, 1, 1))
    drawn = DetectionsDisplay()
    drawn.image_ = ax.imshow(image, cmap="gray" if image.ndim == 2 else None, vmin=0, vmax=1)
    ax.set_axis_off()
    drawn.truths_ = [
        ax.add_patch(Rectangle(box[:2], box[2] - box[0], box[3] - box[1], fill=False, ec="yellow", ls="--", lw=1.5))
        for box in ([] if truths is None else truths)
    ]
    drawn.boxes_, drawn.labels_ = [], []
    for box, probability in zip(boxes, probabilities):
        drawn.boxes_.append(ax.add_patch(Rectangle(box[:2], box[2] - box[0], box[3] - box[1], fill=False,
                                                   ec="lime", lw=2)))
        drawn.labels_.append(ax.text(box[0], box[1], f"{probability:.2f}", color="black", fontsize=8, va="bottom",
                                     bbox=dict(facecolor="lime", edgecolor="none", pad=1)))
    ax.set_xlim(0, cols)
    ax.set_ylim(rows, 0)
    drawn.ax_, drawn.figure_ = ax, ax.figure
    return drawn


# --------------------------------------------------------------------------
# older file-writing forms: draw, then save_figure
# --------------------------------------------------------------------------


def plot_det_fppw(curves, path, reference_points=None, *, title=None, figsize=(6.4, 5.2), dpi=100) -> Path:
    """Write a per-window DET plot to ``path``: :class:`DETCurveDisplay` ``"fppw"``, then :func:`save_figure`."""
    display = DETCurveDisplay.from_curves(curves, "fppw", reference_points=reference_points, title=title,
                                          figsize=figsize, dpi=dpi)
    return save_figure(display.figure_, path)


def plot_det_fppi(curves, path, reference_points=None, *, title=None, figsize=(6.4, 5.2), dpi=100) -> Path:
    """Write a per-image DET plot to ``path``: :class:`DETCurveDisplay` ``"fppi"``, then :func:`save_figure`."""
    display = DETCurveDisplay.from_curves(curves, "fppi", reference_points=reference_points, title=title,
                                          figsize=figsize, dpi=dpi)
    return save_figure(display.figure_, path)


def plot_mining_progress(rounds, false_positives_per_image, path, *, title="Hard-negative mining",
                         figsize=(6.4, 4.0), dpi=100) -> Path:
    """Write the mining bar chart to ``path``: :class:`MiningProgressDisplay`, then :func:`save_figure`."""
    display = MiningProgressDisplay(rounds, false_positives_per_image).plot(title=title, figsize=figsize, dpi=dpi)
    return save_figure(display.figure_, path)


def plot_glyph_grid(crops, path, titles=None, columns=8, *, figsize=None, dpi=100) -> Path:
    """Write a crop grid to ``path``: :class:`GlyphGridDisplay`, then :func:`save_figure`."""
    display = GlyphGridDisplay.from_crops(crops, titles, columns, figsize=figsize, dpi=dpi)
    return save_figure(display.figure_, path)
