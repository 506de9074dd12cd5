"""Round-0 samples: positive windows of people and random negative windows.

Positives are person crops with the window centred in them
(:func:`positive_features`) and, optionally, the annotated people of full
photographs and their mirror images (:func:`annotated_positive_features`);
negatives are random windows from person-free images at random pyramid
levels (:func:`random_negative_features`). Both are read from HOG block
grids of the whole crop or image, exactly as detection reads them.
:func:`initial_training_set` puts them together as one
:class:`hogdet.windows.Windows`, each window with its typed key (source
``"crop"``, ``"annotated"`` or ``"random"``).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Sequence

import numpy as np

from .boxes import standardize_aspect
from .detection import ScanParameters, pad_image, pyramid, pyramid_scales
from .errors import DatasetError, HogdetError, ImageReadError, ParameterError
from .features import HOGParameters, hog_grid, window_features, window_positions
from .io import read_image
from .parallel import parallel_map
from .windows import Windows, concatenate_keys, make_keys, relative_name

#: Scan used to draw the random negatives: the whole image, no border.
NEGATIVE_SCAN = ScanParameters(padding=0)


def crop_window_features(crop: np.ndarray, hog: HOGParameters = HOGParameters()) -> np.ndarray:
    """Feature vector of the window centred in a person crop.

    The crop is padded by two cells of reflected border and its whole HOG
    grid computed; the window is read from the grid at the cell nearest the
    centre. For INRIA's 96x160 crops that is the window 16 pixels in from
    each side, read with its real surrounding context (a bare 64x128 crop
    fed to HOG would lose the gradient on its edge).

    Parameters
    ----------
    crop : ndarray, shape (rows, cols) or (rows, cols, 3)
        At least the window size.

    Returns
    -------
    features : ndarray of float32, shape (n_features,)
    """
    window_rows, window_cols = hog.window_size
    if crop.shape[0] < window_rows or crop.shape[1] < window_cols:
        raise ParameterError(
            "crop", f"of {crop.shape[1]}x{crop.shape[0]} is smaller than the {window_cols}x{window_rows} window"
        )
    cell_rows, cell_cols = hog.pixels_per_cell
    pad = 2 * max(cell_rows, cell_cols)
    top = (crop.shape[0] - window_rows) // 2 + pad
    left = (crop.shape[1] - window_cols) // 2 + pad
    padded = pad_image(crop, pad)
    # Cut the few rows/cols that put the window on a cell boundary.
    padded = padded[top % cell_rows :, left % cell_cols :]
    position = np.array([[top // cell_rows, left // cell_cols]])
    return window_features(hog_grid(padded, hog), position, hog)[0]


def window_person_aspect(hog: HOGParameters) -> float:
    """Width / height of the detector's person box: the window less its margin (64/96 for INRIA)."""
    return (hog.window_size[1] - 2 * hog.margin[1]) / (hog.window_size[0] - 2 * hog.margin[0])


def person_window_boxes(people: np.ndarray, hog: HOGParameters) -> np.ndarray:
    """The detector's person boxes centred on ``people``, as tall as they are.

    The detector's person box is the window less its margin (64x96 pixels of
    the 64x128 window for INRIA); each box keeps the centre and height of
    the annotated one and takes that aspect ratio
    (:func:`hogdet.boxes.standardize_aspect` with :func:`window_person_aspect`).
    """
    return standardize_aspect(np.asarray(people, dtype=np.float64).reshape(-1, 4), window_person_aspect(hog))


def person_window_features(image: np.ndarray, person_boxes: np.ndarray, hog: HOGParameters) -> np.ndarray:
    """Feature vectors of the windows around person boxes, cut from a photograph.

    Each window is the person box plus the INRIA margin (the person fills
    the window's central ``window rows - 2 * margin`` rows: 96 of 128), read
    with two cells of real context on every side (as in INRIA's 96x160
    crops) by bilinear resampling of the photograph (reflected past its
    edge, as the scan pads it) to the window's scale, then described by
    :func:`crop_window_features`. A Python loop per box is
    fine here: there are a few boxes per annotated person.

    Parameters
    ----------
    image : ndarray, shape (rows, cols) or (rows, cols, 3)
    person_boxes : ndarray, shape (n, 4)
        x1, y1, x2, y2 in the detector's aspect ratio (:func:`person_window_boxes`).
    hog : HOGParameters

    Returns
    -------
    features : ndarray of float32, shape (n, hog.n_features)
    """
    from scipy.ndimage import map_coordinates

    person_boxes = np.asarray(person_boxes, dtype=np.float64).reshape(-1, 4)
    window_rows, window_cols = hog.window_size
    context = 2 * max(hog.pixels_per_cell)
    crop_rows, crop_cols = window_rows + 2 * context, window_cols + 2 * context
    planes = image[:, :, np.newaxis] if image.ndim == 2 else image
    features = np.empty((len(person_boxes), hog.n_features), np.float32)
    for index, (x1, y1, x2, y2) in enumerate(person_boxes):
        scale = (y2 - y1) / (window_rows - 2 * hog.margin[0])  # image pixels per window pixel
        # Continuous coordinates (pixel i spans [i, i + 1)) of the crop's
        # pixel centres, minus 0.5 to index pixel centres.
        rows = (y1 + y2) / 2 + (np.arange(crop_rows) + 0.5 - crop_rows / 2) * scale - 0.5
        cols = (x1 + x2) / 2 + (np.arange(crop_cols) + 0.5 - crop_cols / 2) * scale - 0.5
        grid = np.meshgrid(rows, cols, indexing="ij")
        crop = np.stack(
            [map_coordinates(planes[:, :, channel], grid, order=1, mode="reflect") for channel in range(planes.shape[2])],
            axis=2,
        ).astype(np.float32)
        features[index] = crop_window_features(crop[:, :, 0] if image.ndim == 2 else crop, hog)
    return features


def _annotated_batch(
    items: Sequence[tuple[Path, np.ndarray]], hog: HOGParameters, min_height: float
) -> list[tuple[np.ndarray, np.ndarray] | str]:
    results = []
    for path, boxes in items:
        try:
            image = read_image(path)
        except ImageReadError as error:
            results.append(str(error))
            continue
        boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
        tall = np.flatnonzero(boxes[:, 3] - boxes[:, 1] >= min_height)
        windows = person_window_boxes(boxes[tall], hog)
        # The mirror image of each person: flip the photograph and the boxes.
        mirrored = windows.copy()
        mirrored[:, [0, 2]] = image.shape[1] - windows[:, [2, 0]]
        features = np.concatenate(
            [person_window_features(image, windows, hog), person_window_features(image[:, ::-1], mirrored, hog)]
        )
        # Key of an annotated person: its index in the image, the mirror flag as its level.
        keys = make_keys(str(path), np.repeat([0, 1], len(tall)), -1, -1, "annotated", np.tile(tall, 2))
        results.append((features, keys))
    return results


def annotated_positive_features(
    images: Sequence[tuple[Path, np.ndarray]],
    hog: HOGParameters = HOGParameters(),
    min_height: float = 50.0,
    n_jobs: int = 1,
    progress: bool = False,
) -> tuple[np.ndarray, list[str], list[str]]:
    """Positives from the annotated people of full photographs, each also mirrored.

    Parameters
    ----------
    images : sequence of (path, boxes)
        Photographs and their person boxes, shape (m, 4).
    min_height : float
        People shorter than this (pixels) are left out.

    Returns
    -------
    features : ndarray of float32, shape (n, n_features)
    sources : list of str
        ``"image|person|index|mirror"`` for each window.
    skipped : list of str
    """
    features, keys, skipped = _annotated_windows(images, hog, min_height, n_jobs, progress)
    return features, _source_strings(keys), skipped


def _annotated_windows(images, hog, min_height, n_jobs, progress) -> tuple[np.ndarray, np.ndarray, list[str]]:
    results = parallel_map(
        _annotated_batch, list(images), hog, min_height, n_jobs=n_jobs, progress=progress, description="people"
    )
    return _gather(results, hog)


def _positive_batch(paths: Sequence[Path], hog: HOGParameters) -> list[np.ndarray | str]:
    results = []
    for path in paths:
        try:
            results.append(crop_window_features(read_image(path), hog))
        except HogdetError as error:
            results.append(str(error))
    return results


def positive_features(
    crop_paths: Sequence[Path], hog: HOGParameters = HOGParameters(), n_jobs: int = 1, progress: bool = False
) -> tuple[np.ndarray, list[str], list[str]]:
    """Feature vectors of the windows centred in person crops.

    Returns
    -------
    features : ndarray of float32, shape (n_read, n_features)
    sources : list of str
        The crop paths that were read.
    skipped : list of str
        One message per crop that could not be read.
    """
    results = parallel_map(_positive_batch, list(crop_paths), hog, n_jobs=n_jobs, progress=progress, description="positives")
    features, sources, skipped = [], [], []
    for path, result in zip(crop_paths, results):
        if isinstance(result, str):
            skipped.append(result)
        else:
            features.append(result)
            sources.append(str(path))
    stacked = np.array(features, np.float32).reshape(len(features), hog.n_features)
    return stacked, sources, skipped


def _negative_batch(
    items: Sequence[tuple[int, Path]], per_image: int, seed: int, hog: HOGParameters
) -> list[tuple[np.ndarray, np.ndarray] | str]:
    results = []
    for index, path in items:
        try:
            image = read_image(path)
        except ImageReadError as error:
            results.append(str(error))
            continue
        # One generator per image, seeded by the image's index: the draw does
        # not depend on how images are split among workers.
        rng = np.random.default_rng([seed, index])
        n_levels = len(pyramid_scales(image.shape, hog, NEGATIVE_SCAN))
        if n_levels == 0:
            no_keys = make_keys(str(path), source="random", count=0)
            results.append((np.zeros((0, hog.n_features), np.float32), no_keys))
            continue
        chosen_levels = np.sort(rng.integers(0, n_levels, per_image))
        features, keys = [], []
        for level in pyramid(image, hog, NEGATIVE_SCAN, levels=sorted(set(chosen_levels.tolist()))):
            count = int(np.sum(chosen_levels == level.index))
            rows, cols = window_positions(level.grid.shape, hog)
            positions = np.column_stack([rng.integers(0, rows, count), rng.integers(0, cols, count)])
            features.append(window_features(level.grid, positions, hog))
            keys.append(make_keys(str(path), level.index, positions[:, 0], positions[:, 1], "random"))
        results.append((np.concatenate(features), concatenate_keys(keys)))
    return results


def random_negative_features(
    image_paths: Sequence[Path],
    per_image: int = 10,
    seed: int = 0,
    hog: HOGParameters = HOGParameters(),
    n_jobs: int = 1,
    progress: bool = False,
) -> tuple[np.ndarray, list[str], list[str]]:
    """Random windows at random pyramid levels of person-free images.

    Parameters
    ----------
    image_paths : sequence of Path
    per_image : int
        Windows drawn from each image.
    seed : int
        The same seed draws the same windows, whatever ``n_jobs``.

    Returns
    -------
    features : ndarray of float32, shape (n, n_features)
    sources : list of str
        ``"image|level|row|col"`` for each window.
    skipped : list of str
        One message per image that could not be read.
    """
    features, keys, skipped = _random_negative_windows(image_paths, per_image, seed, hog, n_jobs, progress)
    return features, _source_strings(keys), skipped


def _random_negative_windows(image_paths, per_image, seed, hog, n_jobs, progress):
    if per_image < 1:
        raise ParameterError("per_image", f"must be at least 1, got {per_image}")
    items = list(enumerate(image_paths))
    results = parallel_map(
        _negative_batch, items, per_image, seed, hog, n_jobs=n_jobs, progress=progress, description="negatives"
    )
    return _gather(results, hog)


def _gather(results: list, hog: HOGParameters) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Stack per-image ``(features, keys)`` results; strings are skip messages."""
    features, keys, skipped = [], [], []
    for result in results:
        if isinstance(result, str):
            skipped.append(result)
        else:
            features.append(result[0])
            keys.append(result[1])
    stacked = np.concatenate(features) if features else np.zeros((0, hog.n_features), np.float32)
    return stacked, concatenate_keys(keys), skipped


def _source_strings(keys: np.ndarray) -> list[str]:
    """The older string form of round-0 keys, which the public feature functions still return."""
    strings = []
    for image, level, row, column, source, person in keys.tolist():
        if source == "annotated":
            strings.append(f"{image}|person|{person}|{level}")
        else:
            strings.append(f"{image}|{level}|{row}|{column}")
    return strings


def annotated_images(dataset) -> list[tuple[Path, np.ndarray]]:
    """The annotated ``Train/pos`` photographs of a data set, with their person boxes."""
    pairs = []
    for path in dataset.train_positive_images:
        annotation = dataset.annotation(path)
        if annotation is not None and len(annotation.boxes):
            pairs.append((path, annotation.boxes))
    return pairs


def initial_training_set(
    positive_crops: Sequence[Path],
    negative_images: Sequence[Path],
    hog: HOGParameters = HOGParameters(),
    negatives_per_image: int = 10,
    seed: int = 0,
    n_jobs: int = 1,
    progress: bool = False,
    annotated_images: Sequence[tuple[Path, np.ndarray]] = (),
    root: str | Path | None = None,
) -> tuple[Windows, list[str]]:
    """Positives from crops plus random negatives: the round-0 training set.

    Parameters
    ----------
    positive_crops, negative_images : sequence of Path
    hog : HOGParameters
    negatives_per_image : int
    seed : int
    n_jobs : int
    progress : bool
    annotated_images : sequence of (path, boxes), optional
        Photographs whose annotated people (and their mirror images) are
        added as positives (see :func:`annotated_positive_features`).
    root : path, optional
        Data set root: the windows' image names are relative to it (the
        paths as given without it).

    Returns
    -------
    training_set : Windows
        Positives (crops, then annotated people), then negatives. Keys: a
        crop is ``(crop, -1, -1, -1, "crop", -1)``; an annotated person
        ``(image, mirror, -1, -1, "annotated", person index)``; a random
        negative ``(image, level, row, column, "random", -1)``. IoU 1 for
        positives, 0 for negatives; labels 1 and 0; weights 1; round 0.
    skipped : list of str
        Messages for files that could not be read.
    """
    if not positive_crops and not annotated_images:
        raise DatasetError("no positive crops found (96X160H96/Train/pos or positives/)")
    if not negative_images:
        raise DatasetError("no negative images found (Train/neg or negatives/)")
    if negatives_per_image < 1:
        raise ParameterError("negatives_per_image", f"must be at least 1, got {negatives_per_image}")
    positives, crops, skipped = positive_features(positive_crops, hog, n_jobs, progress)
    keys = [make_keys(np.array(crops, dtype=str), source="crop")]
    if annotated_images:
        people, people_keys, skipped_people = _annotated_windows(annotated_images, hog, 50.0, n_jobs, progress)
        positives = np.concatenate([positives, people])
        keys.append(people_keys)
        skipped += skipped_people
    negatives, negative_keys, skipped_negatives = _random_negative_windows(
        negative_images, negatives_per_image, seed, hog, n_jobs, progress
    )
    keys = concatenate_keys(keys + [negative_keys])
    names = np.array([relative_name(image, root) for image in keys["image"].tolist()], dtype=str)
    labels = np.concatenate([np.ones(len(positives), np.int8), np.zeros(len(negatives), np.int8)])
    training_set = Windows.make(
        features=np.concatenate([positives, negatives]),
        labels=labels,
        keys=make_keys(names, keys["level"], keys["row"], keys["column"], keys["source"], keys["person"]),
        ious=(labels == 1).astype(np.float64),
        n=len(labels),
        n_features=hog.n_features,
    )
    return training_set, skipped + skipped_negatives


def __getattr__(name: str):
    # TrainingSet was the round-0 record before Windows was the one record.
    if name == "TrainingSet":
        warnings.warn("hogdet.sampling.TrainingSet is deprecated: initial_training_set returns hogdet.windows.Windows",
                      DeprecationWarning, stacklevel=2)
        return Windows
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
