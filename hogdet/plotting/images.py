"""Image displays: a grid of crops, an image with its detections."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._figures import _new_figure

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


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
    ax: Axes | None = None,
    *,
    truths: np.ndarray | None = None,
    dpi: int = 100,
) -> DetectionsDisplay:
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
        in pixels at ``dpi`` (write it with :func:`save_figure`).
    truths : ndarray, shape (m, 4), optional
        Ground-truth boxes, drawn dashed yellow.
    dpi : int
        Pixels per inch of a new figure.

    Returns
    -------
    DetectionsDisplay
    """
    from matplotlib.patches import Rectangle

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
