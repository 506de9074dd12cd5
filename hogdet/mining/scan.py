"""The scan of one mining round: every training image, in parallel workers.

A worker (:func:`scan_one_image`) reads one image, scores every window of its
pyramid (and, for strategies that ask, windows around its annotated people),
labels them by IoU with those people and sends back only the windows the
strategy keeps, as one :class:`ImageScan` (a file that cannot be read comes
back as an :class:`ImageScan` with ``error`` set). :func:`scan_images` runs
the workers and gathers their results into a :class:`RoundScan`.

Randomness: each image's generator is seeded from the run's seed, the round
and the image's name, so the result does not depend on how images are split
among workers.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..detection import ScanParameters, box_iou, detection_features, no_windows, scan_image
from ..errors import ImageReadError
from ..io import read_image
from ..model import Detector
from ..parallel import parallel_map
from ..training import person_window_boxes, person_window_features
from .rules import PERSON_IOU
from .strategies import Strategy
from ..windows import Windows, concatenate_keys, make_keys, relative_name  # noqa: F401 (relative_name: its old home)

#: A window overlapping an annotated person at least PERSON_IOU is a person;
#: below the background IoU it is background; in between it is neither.
BACKGROUND_IOU = 0.3

#: One image to scan: (path, name, truth boxes of shape (m, 4) or None).
ScanItem = tuple[str, str, "np.ndarray | None"]


@dataclass
class ImageScan:
    """What a worker sends back for one image.

    Attributes
    ----------
    name : str
    windows : Windows
        The windows the strategy kept (empty when the image was skipped).
    windows_scanned : int
        Windows scored in the image (pyramid plus windows around people).
    false_positives : int
        Background windows scored above probability 0.5.
    error : str or None
        Why the file was skipped (unreadable), or None.
    """

    name: str
    windows: Windows
    windows_scanned: int = 0
    false_positives: int = 0
    error: str | None = None


@dataclass
class RoundScan:
    """One round's scan: the kept windows of every image, and the counts.

    The windows stay in one record per image (``parts``), so that mining
    can copy the features of the windows it chooses without first making
    one array of every kept window (a round can keep several times the
    features that join the pool); :attr:`windows` is them as one record.
    """

    parts: list[Windows]
    n_features: int
    images_scanned: int
    images_skipped: list[str]
    windows_scanned: int
    false_positives: int

    @property
    def windows(self) -> Windows:
        """Every kept window, in the order of the images (a copy)."""
        return Windows.concatenate(self.parts, self.n_features)

    @property
    def keys(self) -> list[tuple]:
        """The kept windows' keys, as tuples (see :mod:`hogdet.windows`)."""
        return concatenate_keys([part.keys for part in self.parts]).tolist()

    @property
    def features(self) -> np.ndarray:
        """The kept windows' features, shape (n, n_features)."""
        return self.windows.features


def scan_items(dataset, strategy: Strategy) -> list[ScanItem]:
    """What a round scans: the person-free images, and the annotated photographs the strategy uses."""
    items = [(str(path), relative_name(path, dataset.root), None) for path in dataset.train_negative_images]
    if strategy.scan_positive_images or strategy.proposes_person_windows:
        for path in dataset.train_positive_images:
            annotation = dataset.annotation(path)
            if annotation is not None:
                items.append((str(path), relative_name(path, dataset.root), annotation.boxes))
    return items


def image_generator(seed: int, round_index: int, name: str) -> np.random.Generator:
    """One image's random generator: the same whatever worker scans the image."""
    return np.random.default_rng([seed, round_index, zlib.crc32(name.encode("utf-8"))])


def best_overlaps(boxes: np.ndarray, truths: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Largest IoU of each box with an annotated person, and that person's index (-1: none)."""
    if truths is None or len(truths) == 0 or len(boxes) == 0:
        return np.zeros(len(boxes)), np.full(len(boxes), -1, np.intp)
    table = box_iou(truths, boxes)  # (people, boxes)
    people = np.argmax(table, axis=0)
    return table[people, np.arange(len(boxes))], people


def labels_from_ious(ious: np.ndarray) -> np.ndarray:
    """1 person (IoU >= PERSON_IOU), 0 background (< BACKGROUND_IOU), -1 in between."""
    return np.where(ious >= PERSON_IOU, 1, np.where(ious < BACKGROUND_IOU, 0, -1)).astype(np.int8)


def _scanned_windows(image, truths, detector: Detector, strategy: Strategy, scan: ScanParameters, name: str):
    """The pyramid's windows above the strategy's minimum score, as candidates, and what to cut them with."""
    called_person = detector.decision_at(0.5)
    if truths is None or strategy.scan_positive_images:
        min_score = min(strategy.minimum_score(detector), called_person)
        found, n_windows, grids = scan_image(image, detector, scan, min_score=min_score, keep_grids=True,
                                             image_name=name)
    else:  # a photograph visited only for the windows around its people
        found, n_windows, grids = no_windows(name), 0, {}
    ious, people = best_overlaps(found.boxes, truths)
    labels = labels_from_ious(ious)
    false_positives = int(np.sum((labels == 0) & (found.scores > called_person)))
    keys = found.keys.copy()
    keys["person"] = people
    candidates = found.with_columns(labels=labels, keys=keys, ious=np.asarray(ious, np.float64))
    return candidates, grids, n_windows, false_positives


def _person_windows(image, truths, detector: Detector, strategy: Strategy, name: str, rng) -> Windows:
    """Windows around the annotated people that the strategy proposes, with their features."""
    hog = detector.hog
    proposed, owners = np.zeros((0, 4)), np.zeros(0, np.intp)
    if truths is not None and len(truths) and strategy.proposes_person_windows:
        proposed, owners = strategy.person_windows(truths, rng)
    boxes = person_window_boxes(proposed, hog)
    features = person_window_features(image, boxes, hog)
    scores = detector.decision_function(features)
    ious = np.zeros(0)
    if len(owners):  # IoU of each person window with its own person: pairs of rows
        ious = box_iou(boxes[:, None], np.asarray(truths, np.float64)[owners][:, None])[:, 0, 0]
    # A window off the pyramid grid: its top-left corner, in tenths of a pixel, stands for it.
    corners = np.round(np.asarray(boxes, np.float64).reshape(-1, 4)[:, :2] * 10).astype(np.int64)
    return Windows.make(
        features=features.reshape(len(boxes), hog.n_features),
        labels=np.ones(len(boxes), np.int8),
        keys=make_keys(name, -1, corners[:, 1], corners[:, 0], "person", owners),
        boxes=boxes,
        scores=scores,
        probabilities=detector.probability(scores),
        ious=ious,
    )


def scan_one_image(
    item: ScanItem, detector: Detector, strategy: Strategy, scan: ScanParameters, seed: int = 0, round_index: int = 0
) -> ImageScan:
    """Scan one image; keep the windows the strategy keeps (see the module documentation)."""
    path, name, truths = item
    try:
        image = read_image(path)
    except ImageReadError as error:
        return ImageScan(name, Windows.empty(detector.hog.n_features), error=str(error))
    rng = image_generator(seed, round_index, name)
    scanned, grids, n_windows, false_positives = _scanned_windows(image, truths, detector, strategy, scan, name)
    people = _person_windows(image, truths, detector, strategy, name, rng)
    candidates = Windows.concatenate([scanned, people.with_columns(features=np.zeros((len(people), 0), np.float32))])
    kept = strategy.keep_in_image(candidates, rng)
    from_scan = kept < len(scanned)
    features = np.empty((len(kept), detector.hog.n_features), np.float32)
    features[from_scan] = detection_features(scanned.take(kept[from_scan]), grids, detector.hog)
    features[~from_scan] = people.features[kept[~from_scan] - len(scanned)]
    windows = candidates.take(kept).with_columns(features=features)
    return ImageScan(name, windows, n_windows + len(people), false_positives)


def _scan_batch(items: Sequence[ScanItem], *arguments) -> list[ImageScan]:
    """Worker task: :func:`scan_one_image` over a batch of images."""
    return [scan_one_image(item, *arguments) for item in items]


def scan_images(
    items: Sequence[ScanItem],
    detector: Detector,
    strategy: Strategy,
    scan: ScanParameters = ScanParameters(),
    n_jobs: int = 1,
    backend: str | None = None,
    progress: bool = False,
    description: str = "scanning",
    seed: int = 0,
    round_index: int = 0,
) -> RoundScan:
    """Scan images in parallel and gather the windows the strategy keeps.

    Parameters
    ----------
    items : sequence of (path, name, truth boxes or None)
        ``name`` identifies the image in keys and CSV files; truth boxes,
        shape (m, 4), label windows of photographs with people.
    detector : Detector
        Travels with each batch of images (it is small).
    strategy : Strategy
    scan : ScanParameters
    n_jobs, backend : joblib workers and backend
    progress : bool
    description : str
        Label of the progress bar.
    seed, round_index : int
        Seed the generator each image's random choices use (with its name).

    Returns
    -------
    RoundScan
        In the order of ``items``, whatever ``n_jobs``.
    """
    results: list[ImageScan] = parallel_map(
        _scan_batch, list(items), detector, strategy, scan, seed, round_index,
        n_jobs=n_jobs, backend=backend, progress=progress, description=description,
    )
    read = [result for result in results if result.error is None]
    return RoundScan(
        parts=[result.windows for result in read],
        n_features=detector.hog.n_features,
        images_scanned=len(read),
        images_skipped=[result.error for result in results if result.error is not None],
        windows_scanned=sum(result.windows_scanned for result in read),
        false_positives=sum(result.false_positives for result in read),
    )
