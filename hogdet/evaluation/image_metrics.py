"""Per-image metrics (Dollar, Wojek, Schiele & Perona, PAMI 2012): matching, FPPI curve, LAMR, AP.

Detections on full images are matched to ground truth with the PASCAL
overlap criterion extended by "ignore" regions, and the detector is
summarised by miss rate against false positives per image (FPPI), its
log-average miss rate over FPPI in [1e-2, 1e0], and PASCAL average
precision. The details follow ``bbGt.m`` (``evalRes``, ``compRoc``) and
``dbEval.m`` of Piotr Dollar's toolbox / Caltech evaluation code; every
deliberate difference is written down where it is made. Pure functions on
numpy arrays; the protocol that produces the detections is
:func:`hogdet.evaluation.protocols.evaluate_per_image`.

Box convention everywhere: float arrays of shape ``(n, 4)`` holding
``x1, y1, x2, y2`` in continuous pixel coordinates with ``x2``/``y2``
exclusive, so width = ``x2 - x1`` and height = ``y2 - y1`` (pixels).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..boxes import as_boxes, box_iou, intersection_over_detection_area, standardize_aspect

__all__ = [
    "LAMR_POINTS",
    "PerImageResult",
    "average_precision",
    "evaluate_images",
    "log_average_miss_rate",
    "match_image",
]

#: Reference FPPI points of the log-average miss rate: 9 points evenly
#: spaced in log space over [1e-2, 1e0] (Dollar et al. 2012, ``dbEval.m``).
LAMR_POINTS = np.logspace(-2.0, 0.0, 9)


# --------------------------------------------------------------------------
# Per-image protocol (Dollar et al. 2012)
# --------------------------------------------------------------------------


def match_image(
    detections: np.ndarray,
    scores: np.ndarray,
    truths: np.ndarray,
    ignore: np.ndarray,
    iou_threshold: float = 0.5,
) -> tuple[np.ndarray, np.ndarray]:
    """Greedily match one image's detections to its ground truth.

    Follows ``bbGt>evalRes`` (without multiple matches). Detections are
    taken by decreasing score (ties keep input order). Each detection goes
    to the still-unmatched non-ignored truth with the highest IoU, if that
    IoU is ``>= iou_threshold`` (a true positive, label 1); non-ignored
    truths are preferred over ignored ones whatever the overlaps. Failing
    that, a detection with ``area(det ∩ truth) / area(det) >= iou_threshold``
    for some ignored truth is labelled ignored (-1): it counts neither as a
    hit nor as a false positive, and an ignored truth can absorb any number
    of detections. Any other detection is a false positive (0). Each
    non-ignored truth is matched at most once, so a second detection on an
    already matched person is a false positive.

    Parameters
    ----------
    detections : ndarray, shape (n, 4)
        Detected boxes ``x1, y1, x2, y2``.
    scores : ndarray, shape (n,)
        Detection scores; higher is more confident.
    truths : ndarray, shape (m, 4)
        Ground-truth boxes.
    ignore : ndarray of bool, shape (m,)
        True for truths that are ignore regions.
    iou_threshold : float
        Overlap needed for a match (PASCAL: 0.5).

    Returns
    -------
    det_label : ndarray of int, shape (n,)
        In input order: 1 true positive, 0 false positive, -1 ignored.
    truth_matched : ndarray of bool, shape (m,)
        True for non-ignored truths hit by a detection; always False for
        ignored truths.
    """
    detections = _as_boxes(detections, "detections")
    truths = _as_boxes(truths, "truths")
    scores = np.asarray(scores, dtype=float).ravel()
    ignore = np.asarray(ignore, dtype=bool).ravel()
    if scores.size != len(detections):
        raise ValueError("scores must have one entry per detection")
    if ignore.size != len(truths):
        raise ValueError("ignore must have one entry per truth")

    det_label = np.zeros(len(detections), dtype=int)
    truth_matched = np.zeros(len(truths), dtype=bool)
    if len(detections) == 0 or len(truths) == 0:
        return det_label, truth_matched

    iou = box_iou(detections, truths)
    iou[:, ignore] = -1.0  # never a candidate for a true positive
    absorbed = (
        intersection_over_detection_area(detections, truths[ignore]) >= iou_threshold
    ).any(axis=1)

    for d in np.argsort(-scores, kind="stable"):
        candidates = np.where(truth_matched, -1.0, iou[d])
        best = int(np.argmax(candidates))
        if candidates[best] >= iou_threshold:
            truth_matched[best] = True
            det_label[d] = 1
        elif absorbed[d]:
            det_label[d] = -1
    return det_label, truth_matched


@dataclass(frozen=True)
class PerImageResult:
    """Per-image evaluation of a detector over a set of images.

    All curve arrays have shape ``(n_points,)``, one entry per distinct
    score of a non-ignored detection, ordered by decreasing threshold (so
    increasing FPPI and recall). Point ``i`` describes keeping the
    detections with score ``>= thresholds[i]``.

    Attributes
    ----------
    fppi : ndarray of float
        False positives per image.
    miss_rate : ndarray of float
        ``1 - recall``.
    recall : ndarray of float
        Matched non-ignored truths / ``n_truths`` (NaN if ``n_truths == 0``).
    precision : ndarray of float
        True positives / (true + false positives).
    thresholds : ndarray of float
        Score thresholds, decreasing.
    n_images : int
        Number of images evaluated.
    n_truths : int
        Number of non-ignored ground-truth boxes.
    """

    fppi: np.ndarray
    miss_rate: np.ndarray
    recall: np.ndarray
    precision: np.ndarray
    thresholds: np.ndarray
    n_images: int
    n_truths: int


def evaluate_images(
    per_image_detections: Sequence[np.ndarray],
    per_image_scores: Sequence[np.ndarray],
    per_image_truths: Sequence[np.ndarray],
    min_height: float = 50.0,
    aspect: float = 0.41,
    iou_threshold: float = 0.5,
    height_expansion: float = 1.25,
    per_image_ignore: Sequence[np.ndarray] | None = None,
) -> PerImageResult:
    """Evaluate detections on full images (Caltech "reasonable" protocol).

    Steps, following ``dbEval.m`` and ``bbGt.m`` of Dollar's code:

    1. Truths shorter than ``min_height`` pixels (``y2 - y1 < min_height``)
       are ignore regions (as are those flagged in ``per_image_ignore``):
       neither a hit nor a miss, but they absorb detections on them
       (``dbEval`` ``filterGtFun``: a person is kept when ``h >= hr(1)``).
    2. Non-ignored truths are standardised to width ``aspect * height``
       about their centre. Ignored truths keep their annotated extent: the
       toolbox squarifies only non-ignored boxes (``bbGt>bbLoad``,
       ``dbEval>loadGt``), since an ignore region may absorb any
       sub-region of itself.
    3. All detections are standardised the same way (``dbEval>loadDt``).
    4. Detections shorter than ``min_height / height_expansion`` are dropped
       before matching ("expanded filtering", PAMI 2012 sec. 3.3, factor
       1.25 in ``dbEval``): a detection a bit smaller than the smallest
       evaluated person may still hit one that is just tall enough, while
       much smaller detections, which could only ever hit ignored people,
       cost nothing. There is no upper height limit (``hr(2) = inf``).
    5. Each image is matched with :func:`match_image`; ignored detections
       are removed and the rest pooled over images and sorted by decreasing
       score (``bbGt>compRoc``).

    One deliberate difference from ``compRoc``: it emits one point per
    detection, so detections with equal scores give intermediate points
    whose order is arbitrary; here there is one point per distinct score
    (the point after all detections of that score are counted).

    Parameters
    ----------
    per_image_detections : sequence of ndarray, each of shape (n_i, 4)
        Detected boxes per image.
    per_image_scores : sequence of ndarray, each of shape (n_i,)
        Scores of those detections.
    per_image_truths : sequence of ndarray, each of shape (m_i, 4)
        Ground-truth person boxes per image (pixels).
    min_height : float
        Smallest evaluated person height in pixels (Caltech: 50).
    aspect : float
        Standard width / height (Caltech: 0.41).
    iou_threshold : float
        PASCAL overlap threshold (0.5).
    height_expansion : float
        Detections shorter than ``min_height / height_expansion`` are
        dropped (Caltech: 1.25; 1.0 disables the slack).
    per_image_ignore : sequence of bool ndarray, each of shape (m_i,), optional
        Extra ignore flags from the annotation (e.g. crowds); ORed with the
        height rule.

    Returns
    -------
    PerImageResult
        Curves along a decreasing score threshold. With no non-ignored
        detection at all the curve arrays are empty (the log-average miss
        rate of an empty curve is 1).
    """
    n_images = len(per_image_truths)
    if len(per_image_detections) != n_images or len(per_image_scores) != n_images:
        raise ValueError("detections, scores and truths must list the same images")
    if per_image_ignore is not None and len(per_image_ignore) != n_images:
        raise ValueError("per_image_ignore must list the same images")

    labels, kept_scores = [], []
    n_truths = 0
    for i in range(n_images):
        truths = _as_boxes(per_image_truths[i], "truths")
        ignore = (truths[:, 3] - truths[:, 1]) < min_height
        if per_image_ignore is not None:
            ignore |= np.asarray(per_image_ignore[i], dtype=bool).ravel()
        truths = truths.copy()
        truths[~ignore] = standardize_aspect(truths[~ignore], aspect)

        detections = standardize_aspect(per_image_detections[i], aspect)
        scores = np.asarray(per_image_scores[i], dtype=float).ravel()
        if scores.size != len(detections):
            raise ValueError(f"image {i}: scores must have one entry per detection")
        tall_enough = (detections[:, 3] - detections[:, 1]) >= (
            min_height / height_expansion
        )
        label, _ = match_image(
            detections[tall_enough], scores[tall_enough], truths, ignore, iou_threshold
        )
        labels.append(label)
        kept_scores.append(scores[tall_enough])
        n_truths += int((~ignore).sum())

    label = np.concatenate(labels) if labels else np.zeros(0, dtype=int)
    score = np.concatenate(kept_scores) if kept_scores else np.zeros(0)
    counted = label != -1
    label, score = label[counted], score[counted]
    order = np.argsort(-score, kind="stable")
    label, score = label[order], score[order]

    tp = np.cumsum(label == 1).astype(float)
    fp = np.cumsum(label == 0).astype(float)
    # last detection of every run of equal scores = one point per threshold
    last_of_run = np.r_[score[1:] != score[:-1], True] if score.size else np.zeros(0, bool)
    tp, fp, thresholds = tp[last_of_run], fp[last_of_run], score[last_of_run]

    if n_truths > 0:
        recall = tp / n_truths
    else:
        recall = np.full(tp.shape, np.nan)
    return PerImageResult(
        fppi=fp / max(n_images, 1),
        miss_rate=1.0 - recall,
        recall=recall,
        precision=tp / np.maximum(tp + fp, 1.0),
        thresholds=thresholds.astype(float),
        n_images=n_images,
        n_truths=n_truths,
    )


def log_average_miss_rate(
    fppi: np.ndarray,
    miss_rate: np.ndarray,
    points: np.ndarray = LAMR_POINTS,
) -> float:
    """Log-average miss rate (Dollar et al. 2012).

    Geometric mean of the miss rate sampled at the reference FPPI
    ``points`` (default: 9 points evenly spaced in log space over
    [1e-2, 1e0]), as ``bbGt>compRoc`` and ``dbEval>plotExps`` compute it:

    * at each reference point ``r`` the sample is the miss rate at the
      largest FPPI ``<= r``, and among several points at that FPPI the
      smallest miss rate (the last one along the curve, as ``compRoc``
      takes ``j(end)``). It is computed as the smallest miss rate of all
      points with FPPI ``<= r``, which is the same for a proper curve
      (miss rate non-increasing in FPPI) and does not depend on the order
      of the input;
    * if the curve has no point with FPPI ``<= r`` the sample is 1: the
      toolbox prepends ``(fppi=-inf, recall=0)`` to the curve;
    * each sample is clamped to at least 1e-10 before the log
      (``exp(mean(log(max(1e-10, 1 - recall))))``).

    Parameters
    ----------
    fppi : ndarray, shape (n_points,)
        False positives per image, any order.
    miss_rate : ndarray, shape (n_points,)
        Miss rate at each point, in [0, 1].
    points : ndarray, shape (k,)
        Reference FPPI values.

    Returns
    -------
    float
        In [1e-10, 1]; 1 for an empty curve.
    """
    fppi = np.asarray(fppi, dtype=float).ravel()
    miss_rate = np.asarray(miss_rate, dtype=float).ravel()
    points = np.asarray(points, dtype=float).ravel()
    if fppi.shape != miss_rate.shape:
        raise ValueError("fppi and miss_rate must have equal length")
    order = np.argsort(fppi, kind="stable")
    sorted_fppi = fppi[order]
    best_so_far = np.minimum.accumulate(miss_rate[order]) if fppi.size else miss_rate
    # number of curve points with fppi <= r; 0 means none -> miss rate 1
    count = np.searchsorted(sorted_fppi, points, side="right")
    samples = np.ones(points.shape)
    has_point = count > 0
    samples[has_point] = best_so_far[count[has_point] - 1]
    return float(np.exp(np.mean(np.log(np.maximum(samples, 1e-10)))))


def average_precision(recall: np.ndarray, precision: np.ndarray) -> float:
    """PASCAL VOC average precision, all-point interpolation (VOC2010+).

    The definition of the VOC devkit from 2010 on (``VOCevaldet``/
    ``VOCap``), not the 11-point interpolation of VOC2007: the curve is
    padded with ``(recall 0, precision 0)`` in front and
    ``(recall 1, precision 0)`` behind, the precision is replaced by its
    envelope ``p_interp(r) = max_{r' >= r} p(r')`` (made monotone from the
    right), and AP is the area under that step function,
    ``sum_i (r_{i+1} - r_i) * p_interp(r_{i+1})``.

    Parameters
    ----------
    recall : ndarray, shape (n_points,)
        Recall along a decreasing score threshold (non-decreasing).
    precision : ndarray, shape (n_points,)
        Precision at each point.

    Returns
    -------
    float
        In [0, 1]; 0 for an empty curve.
    """
    recall = np.asarray(recall, dtype=float).ravel()
    precision = np.asarray(precision, dtype=float).ravel()
    if recall.shape != precision.shape:
        raise ValueError("recall and precision must have equal length")
    r = np.concatenate([[0.0], recall, [1.0]])
    p = np.concatenate([[0.0], precision, [0.0]])
    envelope = np.maximum.accumulate(p[::-1])[::-1]
    return float(np.sum(np.diff(r) * envelope[1:]))


_as_boxes = as_boxes
