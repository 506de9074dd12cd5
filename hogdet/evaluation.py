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
    (:func:`hogdet.metrics.evaluate_images`). Result: miss rate against
    false positives per image, the log-average miss rate over nine FPPI
    points in [1e-2, 1e0], and PASCAL average precision.

A detector enters through the small interface of :mod:`hogdet.peers`, so a
hogdet model and OpenCV's shipped detector are measured by the same code.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Sequence

import numpy as np

from .boxes import Suppression, person_aspect, resolve_suppression
from .detection import ScanParameters, suppress
from .errors import HogdetError, ImageReadError
from .io import read_image, write_text_atomic
from .metrics import (
    PerImageResult,
    average_precision,
    det_curve_fppw,
    evaluate_images,
    log_average_miss_rate,
    miss_rate_at_fppw,
)
from .parallel import parallel_map

#: Published INRIA Person figures, drawn on the plots for context only:
#: they were measured on the full INRIA test set, not on the data here.
PUBLISHED_FPPW = {"Dalal & Triggs 2005, linear R-HOG (published, INRIA, not measured here)": (1e-4, 0.10)}
PUBLISHED_FPPI = {"HOG, Dollar et al. 2012 (published LAMR 46%, INRIA, not measured here)": (1e-1, 0.46)}


@dataclass
class Evaluation:
    """Both protocols' results for one detector.

    Attributes
    ----------
    name : str
    lamr : float
        Log-average miss rate (per image), in [0, 1].
    mr_at_1e4_fppw : float
        Miss rate at 1e-4 false positives per window.
    ap : float
        PASCAL (all-point) average precision, per image.
    seconds_per_image : float
        Median detection time per test photograph (one process).
    per_image : PerImageResult
    fppw, fppw_miss_rate : ndarray
        The per-window DET curve.
    counts : dict
        Images, windows and people evaluated.
    """

    name: str
    lamr: float
    mr_at_1e4_fppw: float
    ap: float
    seconds_per_image: float
    per_image: PerImageResult
    fppw: np.ndarray
    fppw_miss_rate: np.ndarray
    counts: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The ``metrics.json`` content (curves included, as lists)."""
        return {
            "name": self.name,
            "lamr": self.lamr,
            "mr_at_1e-4_fppw": self.mr_at_1e4_fppw,
            "ap": self.ap,
            "seconds_per_image": self.seconds_per_image,
            "counts": self.counts,
            "curves": {
                "fppw": {"fppw": _thin(self.fppw).tolist(), "miss_rate": _thin(self.fppw_miss_rate).tolist()},
                "fppi": {
                    "fppi": self.per_image.fppi.tolist(),
                    "miss_rate": self.per_image.miss_rate.tolist(),
                    "precision": self.per_image.precision.tolist(),
                    "recall": self.per_image.recall.tolist(),
                },
            },
        }


def _thin(values: np.ndarray, points: int = 2000) -> np.ndarray:
    """At most ``points`` evenly spread samples of a long curve (for JSON)."""
    if len(values) <= points:
        return np.asarray(values)
    return np.asarray(values)[np.linspace(0, len(values) - 1, points).round().astype(int)]


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
    scorer : detector with ``scan`` (see :mod:`hogdet.peers`)
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
    scorer : HogdetScorer, OpenCVPeopleDetector or alike (:mod:`hogdet.peers`)
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


def read_evaluation(out_dir: str | os.PathLike) -> Evaluation:
    """The :class:`Evaluation` that :func:`write_evaluation` wrote into ``out_dir``.

    The per-window curve comes back thinned as it was saved, and the
    per-image thresholds are not saved (empty).
    """
    path = Path(out_dir) / "metrics.json"
    try:
        saved = json.loads(path.read_text())
        per_image = saved["curves"]["fppi"]
        counts = saved["counts"]
        return Evaluation(
            name=saved["name"],
            lamr=saved["lamr"],
            mr_at_1e4_fppw=saved["mr_at_1e-4_fppw"],
            ap=saved["ap"],
            seconds_per_image=saved["seconds_per_image"],
            per_image=PerImageResult(
                fppi=np.asarray(per_image["fppi"]),
                miss_rate=np.asarray(per_image["miss_rate"]),
                recall=np.asarray(per_image["recall"]),
                precision=np.asarray(per_image["precision"]),
                thresholds=np.zeros(0),
                n_images=counts.get("test_images", 0),
                n_truths=counts.get("people", 0),
            ),
            fppw=np.asarray(saved["curves"]["fppw"]["fppw"]),
            fppw_miss_rate=np.asarray(saved["curves"]["fppw"]["miss_rate"]),
            counts=counts,
        )
    except (OSError, ValueError, KeyError) as error:
        raise HogdetError(f"{path}: not a readable hogdet evaluation ({type(error).__name__})") from None


def write_evaluation(evaluation: Evaluation, out_dir: str | os.PathLike) -> Path:
    """Write ``metrics.json``, ``det_fppw.png`` and ``det_fppi.png`` into ``out_dir``."""
    from .plotting import plot_det_fppi, plot_det_fppw

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out_dir / "metrics.json", json.dumps(evaluation.to_dict(), indent=1) + "\n")
    plot_det_fppw({evaluation.name: (evaluation.fppw, evaluation.fppw_miss_rate)}, out_dir / "det_fppw.png", PUBLISHED_FPPW)
    label = f"{evaluation.name} (LAMR {100 * evaluation.lamr:.1f}%)"
    plot_det_fppi({label: (evaluation.per_image.fppi, evaluation.per_image.miss_rate)}, out_dir / "det_fppi.png", PUBLISHED_FPPI)
    return out_dir


def results_table(evaluations: Sequence[Evaluation], extra_columns: dict[str, Sequence] | None = None) -> tuple[str, str]:
    """A Markdown table and the same rows as CSV text.

    Columns: detector, LAMR, MR at 1e-4 FPPW, AP, seconds per test image,
    then ``extra_columns`` (name -> one value per evaluation).
    """
    extra_columns = extra_columns or {}
    header = ["detector", "LAMR", "MR at 1e-4 FPPW", "AP", "s/image"] + list(extra_columns)
    rows = []
    for index, evaluation in enumerate(evaluations):
        rows.append(
            [
                evaluation.name,
                f"{100 * evaluation.lamr:.1f}%",
                f"{100 * evaluation.mr_at_1e4_fppw:.1f}%",
                f"{evaluation.ap:.3f}",
                f"{evaluation.seconds_per_image:.3f}",
            ]
            + [str(values[index]) for values in extra_columns.values()]
        )
    markdown = "\n".join(
        ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(row) + " |" for row in rows]
    )
    csv_lines = [",".join(header)] + [",".join(value.replace(",", ";") for value in row) for row in rows]
    return markdown + "\n", "\n".join(csv_lines) + "\n"


def write_comparison(
    evaluations: Sequence[Evaluation], out_dir: str | os.PathLike, extra_columns: dict[str, Sequence] | None = None
) -> str:
    """Write ``results.md``, ``results.csv`` and DET plots with one curve per detector.

    Returns
    -------
    str
        The Markdown table.
    """
    from .plotting import plot_det_fppi, plot_det_fppw

    out_dir = Path(out_dir)
    markdown, csv_text = results_table(evaluations, extra_columns)
    write_text_atomic(out_dir / "results.md", markdown)
    write_text_atomic(out_dir / "results.csv", csv_text)
    plot_det_fppw(
        {e.name: (e.fppw, e.fppw_miss_rate) for e in evaluations}, out_dir / "det_fppw.png", PUBLISHED_FPPW
    )
    plot_det_fppi(
        {f"{e.name} (LAMR {100 * e.lamr:.1f}%)": (e.per_image.fppi, e.per_image.miss_rate) for e in evaluations},
        out_dir / "det_fppi.png",
        PUBLISHED_FPPI,
    )
    return markdown
