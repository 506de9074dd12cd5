"""Boxes: overlap measures, the person's aspect ratio, non-maximum suppression.

The one home of box geometry: detection reports boxes through it, the
per-image metrics match them with it and mining labels windows with it.

Box convention everywhere: float arrays of shape ``(n, 4)`` holding
``x1, y1, x2, y2`` in continuous pixel coordinates with ``x2``/``y2``
exclusive, so width = ``x2 - x1`` and height = ``y2 - y1`` (pixels).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .errors import HogdetError

__all__ = [
    "CALTECH_ASPECT",
    "MEASURES",
    "Suppression",
    "as_boxes",
    "box_iou",
    "box_overlap",
    "intersection_over_detection_area",
    "median_aspect",
    "non_maximum_suppression",
    "person_aspect",
    "resolve_suppression",
    "standardize_aspect",
]

#: Width / height of a person box in the Caltech protocol (Dollar et al. 2012).
CALTECH_ASPECT = 0.41

#: Key of the learnt person aspect in a model's metadata.
ASPECT_KEY = "person_aspect"

#: Overlap measures of :func:`box_overlap`.
MEASURES = ("iou", "smaller")


def as_boxes(boxes: np.ndarray, name: str = "boxes") -> np.ndarray:
    """``boxes`` as a float64 array of shape (..., n, 4).

    One box of shape (4,) becomes shape (1, 4); an empty input gives (0, 4).

    Raises
    ------
    ValueError
        If the last axis does not hold the 4 coordinates.
    """
    boxes = np.asarray(boxes, dtype=np.float64)
    if boxes.ndim == 1 and boxes.size == 4:
        return boxes[np.newaxis]
    if boxes.size == 0 and boxes.ndim <= 2:
        return np.zeros((0, 4))
    if boxes.ndim < 2 or boxes.shape[-1] != 4:
        raise ValueError(f"{name} must have shape (n, 4), got {boxes.shape}")
    return boxes


def _areas(boxes: np.ndarray) -> np.ndarray:
    width = np.clip(boxes[..., 2] - boxes[..., 0], 0.0, None)
    return width * np.clip(boxes[..., 3] - boxes[..., 1], 0.0, None)


def _intersections(boxes_a: np.ndarray, boxes_b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairwise intersection areas (..., n, m) and the areas of both sets."""
    a = as_boxes(boxes_a, "boxes_a")[..., :, np.newaxis, :]
    b = as_boxes(boxes_b, "boxes_b")[..., np.newaxis, :, :]
    width = np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0])
    height = np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1])
    inter = np.clip(width, 0.0, None) * np.clip(height, 0.0, None)
    return inter, _areas(a), _areas(b)


def box_overlap(boxes_a: np.ndarray, boxes_b: np.ndarray, measure: str = "iou") -> np.ndarray:
    """Overlap of every pair of boxes.

    Parameters
    ----------
    boxes_a : ndarray, shape (..., n, 4)
    boxes_b : ndarray, shape (..., m, 4)
        Leading axes broadcast against each other.
    measure : {"iou", "smaller"}
        ``"iou"``: intersection over union. ``"smaller"``: intersection over
        the area of the smaller box of the pair, so a box lying wholly
        inside another overlaps it by 1 whatever their sizes.

    Returns
    -------
    ndarray of float, shape (n, m)
        In [0, 1]; 0 where the denominator has no area.
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}; got {measure!r}")
    inter, area_a, area_b = _intersections(boxes_a, boxes_b)
    if measure == "iou":
        denominator = area_a + area_b - inter
    else:
        denominator = np.minimum(area_a, area_b)
    return np.divide(inter, denominator, out=np.zeros_like(inter), where=denominator > 0)


def box_iou(boxes_a: np.ndarray, boxes_b: np.ndarray) -> np.ndarray:
    """Intersection over union of every pair of boxes.

    Parameters
    ----------
    boxes_a : ndarray, shape (..., n, 4)
    boxes_b : ndarray, shape (..., m, 4)
        Leading axes broadcast against each other: the IoU of each pair of
        rows of two (n, 4) arrays is ``box_iou(a[:, None], b[:, None])[:, 0, 0]``.

    Returns
    -------
    ndarray of float, shape (..., n, m)
        ``iou[i, j]`` of ``boxes_a[i]`` and ``boxes_b[j]``, in [0, 1]; 0
        where the union has no area.
    """
    return box_overlap(boxes_a, boxes_b, "iou")


def intersection_over_detection_area(detections: np.ndarray, regions: np.ndarray) -> np.ndarray:
    """Overlap used for ignore regions: area(det ∩ region) / area(det).

    Dollar's modified PASCAL criterion: a detection may match any
    sub-region of an ignore region (``bbGt>compOa`` with ``ig=1``).

    Parameters
    ----------
    detections : ndarray, shape (n, 4)
    regions : ndarray, shape (m, 4)

    Returns
    -------
    ndarray of float, shape (n, m)
        In [0, 1]; 0 for a detection without area.
    """
    inter, area_d, _ = _intersections(detections, regions)
    denominator = np.broadcast_to(area_d, inter.shape)
    return np.divide(inter, denominator, out=np.zeros_like(inter), where=denominator > 0)


def standardize_aspect(boxes: np.ndarray, aspect: float = CALTECH_ASPECT) -> np.ndarray:
    """Set every box's width to ``aspect * height``, keeping height and centre.

    Parameters
    ----------
    boxes : ndarray, shape (n, 4)
        ``x1, y1, x2, y2`` in pixels.
    aspect : float
        Width / height of the result, > 0; 0.41 is the Caltech standard.

    Returns
    -------
    ndarray of float, shape (n, 4)
        New array; ``y1`` and ``y2`` unchanged.
    """
    if not aspect > 0:
        raise ValueError(f"aspect must be positive, got {aspect}")
    boxes = as_boxes(boxes)
    centre_x = 0.5 * (boxes[..., 0] + boxes[..., 2])
    half_width = 0.5 * aspect * (boxes[..., 3] - boxes[..., 1])
    out = boxes.copy()
    out[..., 0] = centre_x - half_width
    out[..., 2] = centre_x + half_width
    return out


def median_aspect(boxes: np.ndarray, min_height: float = 0.0) -> float:
    """Median width / height of boxes at least ``min_height`` pixels tall.

    What a detector learns as its people's aspect from the annotated boxes
    of its training photographs.

    Raises
    ------
    ValueError
        If no box is tall enough (or has a positive height).
    """
    boxes = as_boxes(boxes).reshape(-1, 4)
    heights = boxes[:, 3] - boxes[:, 1]
    tall = (heights >= min_height) & (heights > 0)
    if not tall.any():
        raise ValueError(f"no box of positive height at least min_height={min_height}")
    return float(np.median((boxes[tall, 2] - boxes[tall, 0]) / heights[tall]))


def person_aspect(metadata: Mapping | None) -> float:
    """The person aspect stored in a model's metadata, else the Caltech 0.41."""
    value = (metadata or {}).get(ASPECT_KEY)
    try:
        value = float(value)
    except (TypeError, ValueError):
        return CALTECH_ASPECT
    return value if value > 0 else CALTECH_ASPECT


class SuppressionError(HogdetError, ValueError):
    """Invalid suppression parameters."""


@dataclass(frozen=True)
class Suppression:
    """How non-maximum suppression removes the weaker of two overlapping boxes.

    Parameters
    ----------
    overlap : float
        A box overlapping a stronger kept one by more than this, in [0, 1],
        is removed.
    measure : {"iou", "smaller"}
        How overlap is measured (:func:`box_overlap`): ``"smaller"``
        (intersection over the smaller box) also removes a box lying mostly
        inside another, but then a strong small box removes the weaker big
        one around it, and neighbours who overlap a little go too.
    inside : float or None
        Also remove a weaker box whose own area lies more than this
        fraction, in [0, 1], inside a stronger kept one: a person's legs or
        upper body found as a second, smaller person, which IoU keeps
        (None or 1: no such rule).

    Notes
    -----
    The default, IoU 0.5 and ``inside=0.5``, measured best of the variants
    of ``benchmarks/box_suppression.py`` on the annotated training
    photographs (choice made without the test photographs); intersection
    over the smaller box measured worse than IoU alone there.
    """

    overlap: float = 0.5
    measure: str = "iou"
    inside: float | None = 0.5

    def __post_init__(self) -> None:
        if not 0.0 <= self.overlap <= 1.0:
            raise SuppressionError(f"overlap must be in [0, 1], got {self.overlap}")
        if self.measure not in MEASURES:
            raise SuppressionError(f"measure must be one of {', '.join(MEASURES)}; got {self.measure!r}")
        if self.inside is not None and not 0.0 <= self.inside <= 1.0:
            raise SuppressionError(f"inside must be in [0, 1] or None, got {self.inside}")

    def keep(self, boxes: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """Indices of the boxes kept, by decreasing score (:func:`non_maximum_suppression`)."""
        return non_maximum_suppression(boxes, scores, self.overlap, self.measure, self.inside)


def resolve_suppression(suppression: Suppression | None, nms_overlap: float | None = None) -> Suppression:
    """The suppression meant by a ``suppression`` argument and the older ``nms_overlap`` one.

    ``nms_overlap`` keeps its old meaning, an IoU threshold; neither given
    means ``Suppression()``.
    """
    if nms_overlap is not None:
        if suppression is not None:
            raise SuppressionError("give suppression or nms_overlap, not both")
        return Suppression(overlap=nms_overlap, measure="iou", inside=None)
    return Suppression() if suppression is None else suppression


def non_maximum_suppression(
    boxes: np.ndarray, scores: np.ndarray, overlap: float = 0.5, measure: str = "iou", inside: float | None = None
) -> np.ndarray:
    """Greedy non-maximum suppression.

    Repeatedly keep the highest-scoring remaining box and drop every other
    box whose overlap with it exceeds ``overlap``.

    Parameters
    ----------
    boxes : ndarray, shape (n, 4)
    scores : ndarray, shape (n,)
    overlap : float
        Overlap above which the lower-scoring box is suppressed.
    measure : {"iou", "smaller"}
        See :func:`box_overlap`.
    inside : float, optional
        Also drop a box whose own area lies more than this fraction inside
        the kept one.

    Returns
    -------
    keep : ndarray of int
        Indices of the kept boxes, by decreasing score (ties: input order).
    """
    boxes = as_boxes(boxes).reshape(-1, 4)
    scores = np.asarray(scores).ravel()
    if scores.size != len(boxes):
        raise ValueError(f"scores must have one entry per box: {scores.size} scores, {len(boxes)} boxes")
    order = np.argsort(-scores, kind="stable")
    keep = []
    # One row of overlaps per kept box: the loop runs once per person found,
    # not once per window.
    while order.size:
        best = order[0]
        keep.append(best)
        rest = order[1:]
        dropped = box_overlap(boxes[best : best + 1], boxes[rest], measure)[0] > overlap
        if inside is not None:
            dropped |= intersection_over_detection_area(boxes[rest], boxes[best : best + 1])[:, 0] > inside
        order = rest[~dropped]
    return np.asarray(keep, dtype=np.intp)
