"""The two INRIA Person evaluation protocols, run on any detector.

Per window (Dalal & Triggs 2005)
    Positives are the test crops with the 64x128 window centred; negatives
    are every window of a dense scan (the detection pyramid, stride 8, no
    border padding) of the person-free test images. Result: a DET curve of
    miss rate against false positives per window (FPPW), and the miss rate
    at 1e-4 FPPW.
Per image (Dollar, Wojek, Schiele & Perona, PAMI 2012)
    Detect on every test photograph with people (optionally also on the
    person-free ones), match by IoU >= 0.5 after standardising boxes to
    width 0.41 x height, people under 50 px ignored
    (:func:`hogdet.evaluation.evaluate_images`). Result: miss rate against
    false positives per image, the log-average miss rate over nine FPPI
    points in [1e-2, 1e0], and PASCAL average precision.

A detector enters through the small interface of :mod:`hogdet.evaluation.peers`, so a
hogdet model and OpenCV's shipped detector are measured by the same code.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Sequence

import numpy as np

from ..boxes import Suppression, person_aspect, resolve_suppression
from ..detection import ScanParameters, suppress
from ..errors import HogdetError, ImageReadError
from ..io import read_image
from ..parallel import parallel_map
from .image_metrics import PerImageResult, average_precision, evaluate_images, log_average_miss_rate
from .reports import Evaluation
from .window_metrics import det_curve_fppw, miss_rate_at_fppw

__all__ = ["evaluate", "evaluate_per_image", "evaluate_per_window"]


def _crop_batch(paths: Sequence[Path], scorer) -> list[float | str]:
    crops, results = [], []
    for path in paths:
        try:
            crops.append(read_image(path))
            results.append(None)
        except ImageReadError as error:
            results.append(str(error))
    scores = iter(scorer.score_crops(crops).tolist())
    return [next(scores) if result is None else result for result in results]


def _negative_window_batch(paths: Sequence[Path], scorer, scan: ScanParameters) -> list[np.ndarray | str]:
    results = []
    for path in paths:
        try:
            image = read_image(path)
        except ImageReadError as error:
            results.append(str(error))
            continue
        found, n_windows = scorer.scan(image, scan, -np.inf)
        if len(found) != n_windows:
            raise RuntimeError(f"{scorer.name}: scan returned {len(found)} of {n_windows} windows")
        results.append(found.scores.astype(np.float32))
    return results


def evaluate_per_window(
    scorer, crops: Sequence[Path], negative_images: Sequence[Path], scan: ScanParameters,
    n_jobs: int = 1, progress: bool = False,
) -> tuple[np.ndarray, np.ndarray, dict]:
    """Per-window DET curve (Dalal & Triggs 2005).

    Returns
    -------
    fppw, miss_rate : ndarray
        The DET curve, by increasing FPPW.
    counts : dict
        ``positive_windows``, ``negative_windows``, ``negative_images``, ``skipped``.
    """
    if not crops or not negative_images:
        raise HogdetError("per-window evaluation needs test crops and person-free test images")
    dense = replace(scan, padding=0, min_scale=1.0, max_scale=None)
    positive = parallel_map(_crop_batch, list(crops), scorer, n_jobs=n_jobs, progress=progress, description="test crops")
    negative = parallel_map(
        _negative_window_batch, list(negative_images), scorer, dense, n_jobs=n_jobs, progress=progress,
        description="test negatives",
    )
    skipped = [r for r in positive + negative if isinstance(r, str)]
    positive_scores = np.array([r for r in positive if not isinstance(r, str)], np.float32)
    negative_scores = np.concatenate([r for r in negative if not isinstance(r, str)] or [np.zeros(0, np.float32)])
    fppw, miss_rate, _ = det_curve_fppw(positive_scores, negative_scores)
    counts = {
        "positive_windows": int(positive_scores.size),
        "negative_windows": int(negative_scores.size),
        "negative_images": len(negative) - sum(isinstance(r, str) for r in negative),
        "skipped": skipped,
    }
    return fppw, miss_rate, counts


def _detect_batch(
    items: Sequence[tuple[Path, np.ndarray]], scorer, scan: ScanParameters, min_score: float,
    suppression: Suppression, aspect: float | None,
) -> list[dict]:
    operating_score = scorer.decision_at(0.5)
    results = []
    for path, truths in items:
        try:
            image = read_image(path)
        except ImageReadError as error:
            results.append({"error": str(error)})
            continue
        start = time.perf_counter()
        found, _ = scorer.scan(image, scan, min_score)
        scan_seconds = time.perf_counter() - start
        kept = suppress(found, suppression, aspect)
        # Speed is reported for detection at p > 0.5 (the CLI default): the
        # scan, plus NMS of the boxes above 0.5 only. The curves need every
        # box down to min_score, whose NMS would dominate the time.
        start = time.perf_counter()
        confident = found.take(np.flatnonzero(found.scores >= operating_score))
        suppress(confident, suppression, aspect)
        seconds = scan_seconds + time.perf_counter() - start
        results.append({"boxes": kept.boxes, "scores": kept.scores, "truths": truths, "seconds": seconds})
    return results


def evaluate_per_image(
    scorer, images: Sequence[Path], truths: Sequence[np.ndarray], scan: ScanParameters,
    nms_overlap: float | None = None, min_probability: float = 1e-3, n_jobs: int = 1, progress: bool = False,
    *, suppression: Suppression | None = None, aspect: float | None = None,
) -> tuple[PerImageResult, float, list[str]]:
    """Per-image evaluation (Dollar et al. 2012).

    Parameters
    ----------
    scorer : detector with ``scan`` (see :mod:`hogdet.evaluation.peers`)
    images : sequence of Path
    truths : sequence of ndarray, shape (m_i, 4)
        Person boxes of each image (empty for person-free images).
    scan : ScanParameters
    nms_overlap : float, optional
        Older spelling of ``suppression=Suppression(nms_overlap, "iou")``.
    min_probability : float
        Detections below this calibrated probability are not reported
        (low enough for the curve to pass 1 FPPI).
    suppression : Suppression, optional
        As :func:`hogdet.detection.detect` (default ``Suppression()``).
    aspect : float, optional
        Width / height of the boxes suppressed (:func:`hogdet.detection.suppress`);
        default the scorer's model's learnt aspect, else 0.41. The matching
        itself standardises every box to 0.41 (Caltech), so this changes
        only which boxes suppression keeps.

    Returns
    -------
    result : PerImageResult
    seconds_per_image : float
        Median time per image of detection at probability 0.5 (scan + NMS).
    skipped : list of str
    """
    if not images:
        raise HogdetError("per-image evaluation needs test photographs with annotations (Test/pos)")
    suppression = resolve_suppression(suppression, nms_overlap)
    if aspect is None:
        aspect = person_aspect(getattr(getattr(scorer, "detector", None), "metadata", None))
    results = parallel_map(
        _detect_batch, list(zip(images, truths)), scorer, scan, scorer.decision_at(min_probability), suppression, aspect,
        n_jobs=n_jobs, progress=progress, description="test images",
    )
    read = [r for r in results if "error" not in r]
    result = evaluate_images([r["boxes"] for r in read], [r["scores"] for r in read], [r["truths"] for r in read])
    seconds = float(np.median([r["seconds"] for r in read])) if read else float("nan")
    return result, seconds, [r["error"] for r in results if "error" in r]


def evaluate(
    scorer,
    dataset,
    scan: ScanParameters = ScanParameters(),
    nms_overlap: float | None = None,
    include_negative_images: bool = False,
    n_jobs: int = 1,
    progress: bool = False,
    *,
    suppression: Suppression | None = None,
    aspect: float | None = None,
) -> Evaluation:
    """Evaluate a detector on a data set's test split with both protocols.

    Parameters
    ----------
    scorer : HogdetScorer, OpenCVPeopleDetector or alike (:mod:`hogdet.evaluation.peers`)
    dataset : hogdet.datasets.Dataset
        Uses ``test_positive_crops`` and ``test_negative_images`` (per window)
        and the annotated ``test_positive_images`` (per image).
    scan : ScanParameters
        Pyramid and padding for the per-image protocol (the per-window scan
        uses the same scale step, without padding).
    nms_overlap : float, optional
        Older spelling of ``suppression=Suppression(nms_overlap, "iou")``.
    include_negative_images : bool
        Also run the per-image protocol on ``Test/neg`` (extra false positives).
    n_jobs : int
    suppression, aspect : optional
        How detections are suppressed, as :func:`evaluate_per_image`.

    Returns
    -------
    Evaluation
    """
    fppw, fppw_miss, window_counts = evaluate_per_window(
        scorer, dataset.test_positive_crops, dataset.test_negative_images, scan, n_jobs, progress
    )
    images = [path for path in dataset.test_positive_images if dataset.annotation(path) is not None]
    truths = [dataset.annotation(path).boxes for path in images]
    if include_negative_images:
        images += list(dataset.test_negative_images)
        truths += [np.zeros((0, 4))] * len(dataset.test_negative_images)
    per_image, seconds, skipped = evaluate_per_image(
        scorer, images, truths, scan, nms_overlap, n_jobs=n_jobs, progress=progress,
        suppression=suppression, aspect=aspect,
    )
    counts = {
        **window_counts,
        "test_images": per_image.n_images,
        "people": per_image.n_truths,
        "skipped": window_counts["skipped"] + skipped,
    }
    return Evaluation(
        name=scorer.name,
        lamr=log_average_miss_rate(per_image.fppi, per_image.miss_rate),
        mr_at_1e4_fppw=miss_rate_at_fppw(fppw, fppw_miss, 1e-4),
        ap=average_precision(per_image.recall, per_image.precision),
        seconds_per_image=seconds,
        per_image=per_image,
        fppw=fppw,
        fppw_miss_rate=fppw_miss,
        counts=counts,
    )
