"""Training a detector: the round-0 detector of a data set and hogdet's fit policy.

The round-0 samples themselves (person windows, random negatives, the
initial training set, a :class:`hogdet.windows.Windows`) are drawn by
:mod:`hogdet.sampling`; their names stay importable from here.
"""

from __future__ import annotations

import warnings

import numpy as np

from .errors import TrainingError
from .features import HOGParameters
from .model import DEFAULT_C, HOGDetector
from .sampling import (  # noqa: F401  (re-exported: the names' old home)
    NEGATIVE_SCAN,
    annotated_images,
    annotated_positive_features,
    crop_window_features,
    initial_training_set,
    person_window_boxes,
    person_window_features,
    positive_features,
    random_negative_features,
    window_person_aspect,
)


def fit_detector(
    features: np.ndarray,
    labels: np.ndarray,
    hog: HOGParameters = HOGParameters(),
    C: float = DEFAULT_C,
    sample_weight: np.ndarray | None = None,
    seed: int = 0,
    calibration_folds: int = 3,
    metadata: dict | None = None,
    calibration: str = "holdout",
) -> HOGDetector:
    """``HOGDetector.from_hog(hog, C=C, ...).fit(features, labels, sample_weight, metadata)``.

    hogdet's own training (``hogdet train``, mining) goes through here: a
    detector whose held-out scores do not rank the classes is refused
    (:class:`TrainingError`) instead of getting a flat sigmoid.
    """
    detector = HOGDetector.from_hog(hog, C=C, seed=seed, calibration_folds=calibration_folds, calibration=calibration)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "the SVM's held-out scores", UserWarning)
        detector.fit(features, labels, sample_weight=sample_weight, metadata=metadata)
    if not detector.metadata_["calibrated"]:
        raise TrainingError(
            "the trained SVM's held-out scores do not rise with the person class: too few or too "
            "inconsistent samples, or sample weights too extreme"
        )
    return detector


def learnt_person_aspect(dataset, min_height: float = 50.0) -> float | None:
    """Median width / height of the annotated people of ``Train/pos`` at least ``min_height`` tall.

    The aspect a detector trained on this data set reports its boxes in
    (stored as ``metadata["person_aspect"]``); None without annotations.
    """
    from .boxes import median_aspect

    boxes = [people for _, people in annotated_images(dataset)]
    try:
        return median_aspect(np.concatenate(boxes), min_height) if boxes else None
    except ValueError:
        return None


def train_detector(
    training_set,
    hog: HOGParameters = HOGParameters(),
    C: float = DEFAULT_C,
    seed: int = 0,
    sample_weight: np.ndarray | None = None,
    metadata: dict | None = None,
    calibration: str = "holdout",
) -> HOGDetector:
    """``HOGDetector.from_hog(hog, ...).fit(...)`` on a training set's features and labels.

    ``training_set`` is a :class:`hogdet.windows.Windows` (anything with ``features`` and ``labels``).
    """
    return fit_detector(training_set.features, training_set.labels, hog, C, sample_weight, seed,
                        metadata=metadata, calibration=calibration)


def train(
    dataset,
    hog: HOGParameters = HOGParameters(),
    negatives_per_image: int = 10,
    C: float = DEFAULT_C,
    seed: int = 0,
    n_jobs: int = 1,
    progress: bool = False,
    annotated_positives: bool = False,
) -> HOGDetector:
    """Train the round-0 detector on a data set (what ``hogdet train`` does).

    Parameters
    ----------
    dataset : hogdet.datasets.Dataset
        Its ``train_positive_crops`` and ``train_negative_images`` are used.
    hog : HOGParameters
    negatives_per_image : int
        Random negative windows drawn from each person-free image.
    C : float
        SVM regularisation.
    seed : int
    n_jobs : int
        joblib workers for feature extraction (-1: all cores).
    progress : bool
    annotated_positives : bool
        Also use the annotated people of ``Train/pos`` photographs (see
        :class:`hogdet.mining.MiningOptions`).

    Returns
    -------
    HOGDetector
    """
    from .datasets import dataset_fingerprint

    training_set, skipped = initial_training_set(
        dataset.train_positive_crops,
        dataset.train_negative_images,
        hog,
        negatives_per_image,
        seed,
        n_jobs,
        progress,
        annotated_images=annotated_images(dataset) if annotated_positives else (),
    )
    metadata = {
        "data": str(dataset.root),
        "data_fingerprint": dataset_fingerprint(dataset),
        "negatives_per_image": negatives_per_image,
        "skipped_files": len(skipped),
    }
    aspect = learnt_person_aspect(dataset)
    if aspect is not None:
        metadata["person_aspect"] = aspect
    return train_detector(training_set, hog, C, seed, metadata=metadata)
