"""Other detectors behind the interface the evaluation uses.

The evaluation (:mod:`hogdet.evaluation`) asks a detector for two things:
``scan(image, scan, min_score)`` (every window of the pyramid scoring at
least ``min_score``, as person boxes) and ``score_crops(crops)`` (the score
of the window centred in each person crop). :class:`HogdetScorer` wraps a
hogdet model; :class:`OpenCVPeopleDetector` wraps OpenCV's shipped
``HOGDescriptor_getDefaultPeopleDetector``, so both go through the same
pyramid settings, padding, matching and metrics.

OpenCV is a comparison peer only (the ``dev`` extra), never a runtime
dependency of hogdet.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Sequence

import numpy as np

from ..detection import ScanParameters, no_windows, pad_image, scan_image
from ..errors import HogdetError
from ..model import Detector
from ..training import crop_window_features
from ..windows import Windows, make_keys

__all__ = ["HogdetScorer", "OpenCVPeopleDetector"]


class HogdetScorer:
    """A hogdet model behind the evaluation interface."""

    def __init__(self, detector: Detector, name: str = "hogdet") -> None:
        self.detector = detector
        self.name = name

    def decision_at(self, probability: float) -> float:
        return self.detector.decision_at(probability)

    def scan(self, image: np.ndarray, scan: ScanParameters, min_score: float) -> tuple[Windows, int]:
        found, n_windows, _ = scan_image(image, self.detector, scan, min_score=min_score)
        return found, n_windows

    def score_crops(self, crops: Sequence[np.ndarray]) -> np.ndarray:
        if not crops:
            return np.zeros(0, np.float32)
        features = np.stack([crop_window_features(crop, self.detector.hog) for crop in crops])
        return self.detector.decision_function(features)


class OpenCVPeopleDetector:
    """OpenCV's default people detector (Dalal & Triggs weights shipped with OpenCV).

    Windows are scored by ``cv2.HOGDescriptor.detectMultiScale`` with the
    same scale step and an 8-pixel stride, no grouping; the image is first
    padded by reflection exactly as hogdet pads it, and each window is
    reported as its person box (the central 96 of its 128 rows). Its scores
    are raw SVM values; a logistic with slope 1 stands in for calibration.
    """

    name = "OpenCV default people detector"

    def __init__(self) -> None:
        try:
            import cv2
        except ImportError:
            raise HogdetError(
                "OpenCV is not installed: pip install 'opencv-python-headless<5' (or hogdet[dev])"
            ) from None
        if not hasattr(cv2, "HOGDescriptor_getDefaultPeopleDetector"):
            raise HogdetError("this OpenCV has no HOGDescriptor people detector (OpenCV 5 removed it); use < 5")
        self._cv2 = cv2
        self._hog = cv2.HOGDescriptor()
        self._weights = cv2.HOGDescriptor_getDefaultPeopleDetector().ravel()
        self._hog.setSVMDetector(self._weights)

    @contextmanager
    def _one_thread(self) -> Iterator[None]:
        # One OpenCV thread per scan (evaluation runs one scan per joblib
        # worker), and the caller's OpenCV thread count back afterwards.
        previous = self._cv2.getNumThreads()
        self._cv2.setNumThreads(1)
        try:
            yield
        finally:
            self._cv2.setNumThreads(previous)

    def __getstate__(self) -> dict:
        return {}  # OpenCV objects do not pickle; workers rebuild them

    def __setstate__(self, state: dict) -> None:
        self.__init__()

    def decision_at(self, probability: float) -> float:
        return float(np.log(probability / (1.0 - probability)))

    def _as_bgr8(self, image: np.ndarray) -> np.ndarray:
        pixels = np.clip(np.round(image * 255.0), 0, 255).astype(np.uint8)
        if pixels.ndim == 2:
            return np.ascontiguousarray(np.repeat(pixels[:, :, None], 3, axis=2))
        return np.ascontiguousarray(pixels[:, :, ::-1])

    def scan(self, image: np.ndarray, scan: ScanParameters, min_score: float) -> tuple[Windows, int]:
        padded = self._as_bgr8(pad_image(image, scan.padding))
        if padded.shape[0] < 128 or padded.shape[1] < 64:
            return no_windows(), 0
        # detectMultiScale compares the full SVM value (bias included) with
        # hitThreshold and reports that value as the weight.
        threshold = float(min_score) if np.isfinite(min_score) else -1e9
        with self._one_thread():
            rects, weights = self._hog.detectMultiScale(
                padded, hitThreshold=threshold, winStride=(8 * scan.stride, 8 * scan.stride), padding=(0, 0),
                scale=scan.scale_step, groupThreshold=0,
            )
        rects = np.asarray(rects, dtype=np.float64).reshape(-1, 4)
        scores = np.asarray(weights, dtype=np.float32).ravel()
        height = rects[:, 3]
        boxes = np.column_stack(
            [rects[:, 0], rects[:, 1] + height / 8, rects[:, 0] + rects[:, 2], rects[:, 1] + height * 7 / 8]
        ) - scan.padding
        n_windows = self._count_windows(padded.shape[:2], scan)
        detections = Windows.make(
            labels=np.full(len(scores), -1, np.int8),
            keys=make_keys("", 0, 0, 0, "scan", count=len(scores)),  # OpenCV does not report the level
            boxes=boxes,
            scores=scores,
            probabilities=1.0 / (1.0 + np.exp(-scores.astype(np.float64))),
        )
        return detections, n_windows

    def _count_windows(self, shape: tuple[int, int], scan: ScanParameters) -> int:
        # OpenCV's levels: keep dividing by the step while the rounded level
        # size still holds a window, at most ``nlevels`` levels.
        rows, cols = shape
        total, scale, level = 0, 1.0, 0
        while round(rows / scale) >= 128 and round(cols / scale) >= 64 and level < self._hog.nlevels:
            level_rows, level_cols = int(round(rows / scale)), int(round(cols / scale))
            total += ((level_rows - 128) // (8 * scan.stride) + 1) * ((level_cols - 64) // (8 * scan.stride) + 1)
            scale *= scan.scale_step
            level += 1
        return total

    def score_crops(self, crops: Sequence[np.ndarray]) -> np.ndarray:
        scores = []
        with self._one_thread():
            for crop in crops:
                bgr = self._as_bgr8(crop)
                top = (bgr.shape[0] - 128) // 2
                left = (bgr.shape[1] - 64) // 2
                descriptor = self._hog.compute(bgr, winStride=(8, 8), padding=(0, 0), locations=[(left, top)])
                scores.append(float(descriptor.ravel() @ self._weights[:-1] + self._weights[-1]))
        return np.asarray(scores, np.float32)
