"""Multi-scale sliding-window detection: pyramid, dense scoring, NMS.

Each pyramid level's HOG block grid is computed once; the score of every
window position is then a correlation of the weight template with that grid
(one matrix product with BLAS and a few shifted sums), never a Python loop
over windows.
"""

from __future__ import annotations

import warnings

import numpy as np

from ._hog_kernels import KERNELS_AVAILABLE, window_sums_kernel
# box_iou and non_maximum_suppression moved to hogdet.boxes; importable from here too.
from .boxes import (  # noqa: F401 (re-exported)
    Suppression,
    box_iou,
    non_maximum_suppression,
    person_aspect,
    resolve_suppression,
    standardize_aspect,
)
from .features import HOGParameters, window_features
from .model import Detector
from .pyramid import Level, ScanParameters, pad_image, pyramid, pyramid_scales, resize_planes  # noqa: F401 (re-exported)
from .windows import Windows, make_keys


def score_grid(grid: np.ndarray, template: np.ndarray, bias: float = 0.0, stride: int = 1) -> np.ndarray:
    """Decision value of every window position of a block grid.

    Parameters
    ----------
    grid : ndarray, shape (block_rows, block_cols, block_length)
    template : ndarray, shape (window_block_rows, window_block_cols, block_length)
    bias : float
    stride : int
        Window stride in cells.

    Returns
    -------
    scores : ndarray of float32, shape (positions_rows, positions_cols)
        ``scores[r, c]`` is the decision value of the window whose top-left
        cell is ``(r * stride, c * stride)``.
    """
    template_rows, template_cols, length = template.shape
    out_rows = grid.shape[0] - template_rows + 1
    out_cols = grid.shape[1] - template_cols + 1
    if out_rows < 1 or out_cols < 1:
        return np.zeros((0, 0), np.float32)
    # Each block of the grid dotted with every block of the template at once:
    # one BLAS product, then the window sums are shifted additions of it.
    products = grid.reshape(-1, length) @ template.reshape(-1, length).T
    products = products.reshape(grid.shape[0], grid.shape[1], template_rows, template_cols)
    if KERNELS_AVAILABLE:
        scores = np.empty((out_rows, out_cols), np.float32)
        window_sums_kernel(products, np.float32(bias), scores)
        return scores[::stride, ::stride]
    scores = np.full((out_rows, out_cols), bias, dtype=np.float32)
    for row in range(template_rows):
        for col in range(template_cols):
            scores += products[row : row + out_rows, col : col + out_cols, row, col]
    return scores[::stride, ::stride]


def window_boxes(
    level: Level, positions: np.ndarray, hog: HOGParameters, person: bool = True
) -> np.ndarray:
    """Boxes in original-image coordinates of windows at cell positions.

    Parameters
    ----------
    level : Level
    positions : ndarray of int, shape (n, 2)
        Top-left cell (row, col) of each window.
    hog : HOGParameters
    person : bool
        Report the person box (the window less ``hog.margin``) rather than
        the whole window.

    Returns
    -------
    boxes : ndarray of float64, shape (n, 4)
        x1, y1, x2, y2; continuous coordinates, x2 and y2 exclusive.
    """
    positions = np.asarray(positions, dtype=np.float64).reshape(-1, 2)
    cell_rows, cell_cols = hog.pixels_per_cell
    top = positions[:, 0] * cell_rows
    left = positions[:, 1] * cell_cols
    height, width = hog.window_size
    margin_rows, margin_cols = hog.margin if person else (0, 0)
    boxes = np.column_stack(
        [
            (left + margin_cols) * level.scale_cols,
            (top + margin_rows) * level.scale_rows,
            (left + width - margin_cols) * level.scale_cols,
            (top + height - margin_rows) * level.scale_rows,
        ]
    )
    boxes -= level.padding
    return boxes


def no_windows(image_name: str = "") -> Windows:
    """An empty detection result (scores float32, as :func:`score_grid` gives them)."""
    return Windows.make(0, scores=np.zeros(0, np.float32), keys=make_keys(image_name, count=0))


def _level_windows(level: Level, positions: np.ndarray, scores: np.ndarray, detector: Detector,
                   image_name: str) -> Windows:
    """The windows kept at one level, as a detection result: keys, person boxes, scores, probabilities."""
    return Windows.make(
        labels=np.full(len(scores), -1, np.int8),  # not labelled
        keys=make_keys(image_name, level.index, positions[:, 0], positions[:, 1], "scan"),
        boxes=window_boxes(level, positions, detector.hog),
        scores=scores,
        probabilities=detector.probability(scores),
    )


def __getattr__(name: str):
    # Detections was the detection result before Windows was the one record.
    if name == "Detections":
        warnings.warn("hogdet.detection.Detections is deprecated: detection returns hogdet.windows.Windows",
                      DeprecationWarning, stacklevel=2)
        return Windows
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def scan_image(
    image: np.ndarray,
    detector: Detector,
    scan: ScanParameters = ScanParameters(),
    min_score: float = -np.inf,
    keep_grids: bool = False,
    *,
    image_name: str = "",
) -> tuple[Windows, int, dict[int, np.ndarray] | None]:
    """Score every window of every pyramid level; keep those at or above ``min_score``.

    Parameters
    ----------
    image : ndarray, shape (rows, cols) or (rows, cols, 3), float in [0, 1]
    detector : Detector
    scan : ScanParameters
    min_score : float
        Decision-value threshold (no NMS is applied here).
    keep_grids : bool
        Also return the block grid of every level that kept a window, so
        that features of kept windows can be read with
        :func:`hogdet.features.window_features`.
    image_name : str
        The image's name in the windows' keys.

    Returns
    -------
    detections : Windows
        Keys (``image_name``, level, cell row and column, source
        ``"scan"``), person boxes, scores and probabilities; labels -1 (not
        labelled) and no features.
    n_windows : int
        Number of windows scored.
    grids : dict of int to ndarray, or None
        Level index -> block grid, when ``keep_grids``.
    """
    hog = detector.hog
    template = detector.template
    parts, grids, n_windows = [], {}, 0
    for level in pyramid(image, hog, scan):
        scores = score_grid(level.grid, template, detector.bias, scan.stride)
        n_windows += scores.size
        rows, cols = np.nonzero(scores >= min_score)
        if rows.size == 0:
            continue
        positions = np.column_stack([rows, cols]) * scan.stride
        kept = scores[rows, cols]
        parts.append(_level_windows(level, positions, kept, detector, image_name))
        if keep_grids:
            grids[level.index] = level.grid
    found = Windows.concatenate(parts) if parts else no_windows(image_name)
    return found, n_windows, grids if keep_grids else None


def detection_features(detections: Windows, grids: dict[int, np.ndarray], hog: HOGParameters) -> np.ndarray:
    """Feature vectors of detections, read from the grids :func:`scan_image` kept.

    Returns
    -------
    features : ndarray of float32, shape (len(detections), hog.n_features)
    """
    features = np.empty((len(detections), hog.n_features), np.float32)
    for level in np.unique(detections.levels):
        at_level = detections.levels == level
        features[at_level] = window_features(grids[int(level)], detections.positions[at_level], hog)
    return features


def suppress(found: Windows, suppression: Suppression = Suppression(), aspect: float | None = None) -> Windows:
    """Person boxes of the windows found, then non-maximum suppression.

    Parameters
    ----------
    found : Windows
        Windows as :func:`scan_image` reports them (the window less its margin).
    suppression : Suppression
    aspect : float or None
        Width / height of the reported person boxes (same centre and
        height); None keeps the boxes as they are.

    Returns
    -------
    Windows
        The kept detections, by decreasing score, with person boxes.
    """
    if aspect is not None:
        found = found.with_columns(boxes=standardize_aspect(found.boxes, aspect))
    return found.take(suppression.keep(found.boxes, found.scores))


def detect(
    image: np.ndarray,
    detector: Detector,
    threshold: float = 0.5,
    scan: ScanParameters = ScanParameters(),
    nms_overlap: float | None = None,
    *,
    suppression: Suppression | None = None,
    aspect: float | None = None,
    image_name: str = "",
) -> Windows:
    """Find people in an image.

    Parameters
    ----------
    image : ndarray, shape (rows, cols) or (rows, cols, 3), float in [0, 1]
        See :func:`hogdet.io.read_image`.
    detector : Detector
    threshold : float
        Minimum calibrated probability of a reported box, in (0, 1).
    scan : ScanParameters
    nms_overlap : float, optional
        Older spelling of ``suppression=Suppression(nms_overlap, "iou")``.
    suppression : Suppression, optional
        How overlapping boxes are suppressed; default ``Suppression()``.
    aspect : float, optional
        Width / height of a reported box (a person's, not the window's).
        Default: the aspect learnt from the training annotations
        (``detector.metadata["person_aspect"]``), else 0.41 (Caltech).
    image_name : str
        The image's name in the windows' keys.

    Returns
    -------
    Windows
        After non-maximum suppression, by decreasing score: ``boxes``,
        ``scores``, ``probabilities``, and ``keys`` (level, row, column) as
        :func:`scan_image` gives them. An image smaller than the window
        (after padding) yields none.

    Examples
    --------
    >>> from hogdet import load_model, read_image, detect   # doctest: +SKIP
    >>> found = detect(read_image("street.jpg"), load_model("model.npz"))  # doctest: +SKIP
    >>> found.boxes, found.probabilities                    # doctest: +SKIP
    """
    suppression = resolve_suppression(suppression, nms_overlap)
    if aspect is None:
        aspect = person_aspect(detector.metadata)
    found, _, _ = scan_image(image, detector, scan, min_score=detector.decision_at(threshold), image_name=image_name)
    return suppress(found, suppression, aspect)
