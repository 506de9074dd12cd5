"""Hard example mining: Dalal & Triggs' bootstrap loop, resumable and parallel.

Round 0 trains on crops and random negatives (:mod:`hogdet.training`). Each
further round rescans every person-free training image over the whole
pyramid in parallel joblib workers, lets a strategy (:mod:`hogdet.strategies`,
by default :class:`~hogdet.strategies.HardNegative`) choose which windows join
the training set, retrains and recalibrates. Some strategies also scan the
annotated ``Train/pos`` photographs (their windows are labelled by IoU with
the people) or score jittered windows around the annotated people; the loop
asks the strategy (``scan_positive_images``, ``proposes_person_windows``) and
never branches on its name.

Randomness: each image's generator is seeded from the run's seed, the round
and the image's name, and ``select``'s from the seed and the round, so the
result does not depend on how images are split among workers.

Memory: a worker holds one image's pyramid grids at a time (a few MB) and
returns at most ``max_per_image`` feature vectors per image (``top_k`` for
OHEM; twice as many for the strategies that mine people as well as
background); the parent keeps at most ``max_hard`` new vectors per round
(twice as many for those). So the training set is at most ``initial +
rounds * max_hard`` (or twice that) vectors of ``n_features`` float32
(15 KB each for the default HOG), whatever the number of negative images.

Everything a run produces goes to one folder (see :func:`mine`); a round
counts as finished once its row is in ``metrics.csv``, which is written
last, so ``resume=True`` continues after the last finished round.
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
import zlib
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from .detection import Detections, ScanParameters, box_iou, detection_features, scan_image
from .errors import HogdetError, ImageReadError
from .features import HOGParameters
from .io import atomic_path, read_image, write_text_atomic
from .model import DEFAULT_C, Detector, load_model, package_versions
from .parallel import parallel_map
from .strategies import PERSON_IOU, Candidates, HardNegative, Strategy
from .training import (
    TrainingSet,
    annotated_images,
    initial_training_set,
    person_window_boxes,
    person_window_features,
    train_detector,
)

METRICS_COLUMNS = (
    "round",
    "images_scanned",
    "images_skipped",
    "windows_scanned",
    "false_positives",
    "false_positives_per_image",
    "samples_added",
    "training_set_size",
    "scan_seconds",
    "train_seconds",
)

#: A window overlapping an annotated person at least PERSON_IOU is a person;
#: below the background IoU it is background; in between it is neither.
BACKGROUND_IOU = 0.3


@dataclass
class MiningOptions:
    """Parameters of a mining run (all stored in ``config.json``).

    Parameters
    ----------
    rounds : int
        Mining rounds after the initial training (round 0).
    negatives_per_image : int
        Random negative windows per person-free image in round 0.
    C : float
        SVM regularisation.
    seed : int
    scan : ScanParameters
        How images are scanned (the same as detection's).
    hog : HOGParameters
    annotated_positives : bool
        Also train on the annotated people of the ``Train/pos`` photographs
        (and their mirror images). Useful when those photographs are not
        where the crops came from (the benchmark's Penn-Fudan photographs);
        on INRIA Person they are the same people as the crops.
    """

    rounds: int = 3
    negatives_per_image: int = 10
    C: float = DEFAULT_C
    seed: int = 0
    scan: ScanParameters = field(default_factory=ScanParameters)
    hog: HOGParameters = field(default_factory=HOGParameters)
    annotated_positives: bool = False

    def __post_init__(self) -> None:
        if self.rounds < 1:
            raise HogdetError(f"--rounds must be at least 1, got {self.rounds}")
        if self.negatives_per_image < 1:
            raise HogdetError(f"--neg-per-image must be at least 1, got {self.negatives_per_image}")


@dataclass
class RoundScan:
    """What one round's scan sent back: the kept windows and the counts."""

    features: np.ndarray
    candidates: Candidates
    keys: list[str]
    images: list[str]
    boxes: np.ndarray
    groups: list[str]
    images_scanned: int
    images_skipped: list[str]
    windows_scanned: int
    false_positives: int


def _relative(path: Path, root: Path) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return Path(path).as_posix()


def _image_generator(seed: int, round_index: int, name: str) -> np.random.Generator:
    """One image's random generator: the same whatever worker scans the image."""
    return np.random.default_rng([seed, round_index, zlib.crc32(name.encode("utf-8"))])


def _best_overlaps(boxes: np.ndarray, truths: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Largest IoU of each box with an annotated person, and that person's index (-1: none)."""
    if truths is None or len(truths) == 0 or len(boxes) == 0:
        return np.zeros(len(boxes)), np.full(len(boxes), -1, np.intp)
    table = box_iou(truths, boxes)  # (people, boxes)
    people = np.argmax(table, axis=0)
    return table[people, np.arange(len(boxes))], people


def _labels_from_ious(ious: np.ndarray) -> np.ndarray:
    return np.where(ious >= PERSON_IOU, 1, np.where(ious < BACKGROUND_IOU, 0, -1)).astype(np.int8)


def _scan_batch(
    items: Sequence[tuple[str, str, np.ndarray | None]],
    detector: Detector,
    strategy: Strategy,
    scan: ScanParameters,
    seed: int = 0,
    round_index: int = 0,
) -> list[dict]:
    """Worker task: scan images, return only the windows the strategy keeps."""
    results = []
    hog = detector.hog
    called_person = detector.decision_at(0.5)
    min_score = min(strategy.minimum_score(detector), called_person)
    for path, name, truths in items:
        try:
            image = read_image(path)
        except ImageReadError as error:
            results.append({"error": str(error)})
            continue
        rng = _image_generator(seed, round_index, name)
        if truths is None or strategy.scan_positive_images:
            found, n_windows, grids = scan_image(image, detector, scan, min_score=min_score, keep_grids=True)
        else:  # a photograph visited only for the windows around its people
            found, n_windows, grids = Detections.concatenate([]), 0, {}
        ious, people = _best_overlaps(found.boxes, truths)
        labels = _labels_from_ious(ious)
        false_positives = int(np.sum((labels == 0) & (found.scores > called_person)))

        proposed, owners = np.zeros((0, 4)), np.zeros(0, np.intp)
        if truths is not None and len(truths) and strategy.proposes_person_windows:
            proposed, owners = strategy.person_windows(truths, rng)
        person_boxes = person_window_boxes(proposed, hog)
        person_features = person_window_features(image, person_boxes, hog)
        person_scores = detector.decision_function(person_features)
        person_ious = np.zeros(0)
        if len(owners):  # IoU of each person window with its own person: pairs of rows
            person_ious = box_iou(person_boxes[:, None], np.asarray(truths, np.float64)[owners][:, None])[:, 0, 0]

        n_scanned = len(found)
        candidates = Candidates(
            scores=np.concatenate([found.scores, person_scores]),
            probabilities=np.concatenate([found.probabilities, detector.probability(person_scores)]),
            labels=np.concatenate([labels, np.ones(len(person_boxes), np.int8)]),
            ious=np.concatenate([ious, person_ious]),
        )
        kept = strategy.keep_in_image(candidates, rng)
        from_scan = kept < n_scanned
        kept_found = found.take(kept[from_scan])
        features = np.empty((len(kept), hog.n_features), np.float32)
        features[from_scan] = detection_features(kept_found, grids, hog)
        features[~from_scan] = person_features[kept[~from_scan] - n_scanned]
        boxes = np.concatenate([found.boxes, person_boxes])[kept]
        scan_keys = iter(f"{name}|{level}|{row}|{col}" for level, (row, col) in zip(kept_found.levels, kept_found.positions))
        all_people = np.concatenate([people, owners])
        keys, groups = [], []
        for index, box in zip(kept.tolist(), boxes):
            if index < n_scanned:
                keys.append(next(scan_keys))
            else:
                keys.append(f"{name}|person-{all_people[index]}|" + ",".join(f"{value:.1f}" for value in box))
            groups.append(f"{name}#person-{all_people[index]}" if candidates.labels[index] == 1 else name)
        results.append(
            {
                "features": features,
                "scores": candidates.scores[kept],
                "probabilities": candidates.probabilities[kept],
                "labels": candidates.labels[kept],
                "ious": candidates.ious[kept],
                "boxes": boxes,
                "keys": keys,
                "groups": groups,
                "name": name,
                "windows": n_windows + len(person_boxes),
                "false_positives": false_positives,
            }
        )
    return results


def scan_images(
    items: Sequence[tuple[str, str, np.ndarray | None]],
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
    results = parallel_map(
        _scan_batch, list(items), detector, strategy, scan, seed, round_index,
        n_jobs=n_jobs, backend=backend, progress=progress, description=description,
    )
    read = [result for result in results if "error" not in result]
    skipped = [result["error"] for result in results if "error" in result]
    n_features = detector.hog.n_features

    def stack(key: str, empty: np.ndarray) -> np.ndarray:
        parts = [result[key] for result in read]
        return np.concatenate(parts) if parts else empty

    return RoundScan(
        features=stack("features", np.zeros((0, n_features), np.float32)),
        candidates=Candidates(
            scores=stack("scores", np.zeros(0, np.float32)),
            probabilities=stack("probabilities", np.zeros(0)),
            labels=stack("labels", np.zeros(0, np.int8)),
            ious=stack("ious", np.zeros(0)),
        ),
        keys=[key for result in read for key in result["keys"]],
        images=[result["name"] for result in read for _ in result["keys"]],
        boxes=stack("boxes", np.zeros((0, 4))),
        groups=[group for result in read for group in result["groups"]],
        images_scanned=len(read),
        images_skipped=skipped,
        windows_scanned=sum(result["windows"] for result in read),
        false_positives=sum(result["false_positives"] for result in read),
    )


# --------------------------------------------------------------------------
# The run directory
# --------------------------------------------------------------------------


def _csv_text(columns: Sequence[str], rows: Sequence[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _read_csv(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with open(path, newline="") as stream:
        return list(csv.DictReader(stream))


def _config(dataset, options: MiningOptions, strategy: Strategy) -> dict:
    from .datasets import dataset_fingerprint

    return {
        "data": str(dataset.root),
        "data_fingerprint": dataset_fingerprint(dataset),
        "rounds": options.rounds,
        "negatives_per_image": options.negatives_per_image,
        "annotated_positives": options.annotated_positives,
        "C": options.C,
        "seed": options.seed,
        "scan": asdict(options.scan),
        "hog": json.loads(options.hog.to_json()),
        "strategy": {"name": strategy.name, **asdict(strategy)},
        "versions": package_versions(),
    }


#: Settings that may differ between a run and its resumption.
_RESUMABLE_CHANGES = {"rounds", "versions", "data"}


def _check_resumable(saved: dict, current: dict, config_path: Path) -> None:
    changed = sorted(
        key for key in set(saved) | set(current)
        if key not in _RESUMABLE_CHANGES and saved.get(key) != current.get(key)
    )
    if changed:
        raise HogdetError(
            f"{config_path}: cannot resume, these settings differ from the saved run: {', '.join(changed)}"
        )


def _prepare_run_dir(out_dir: Path, config: dict, resume: bool) -> list[dict]:
    """Create or check the run folder; return the metrics rows of finished rounds."""
    config_path = out_dir / "config.json"
    if resume:
        if not config_path.is_file():
            if out_dir.is_dir() and any(out_dir.iterdir()):
                raise HogdetError(f"{out_dir}: nothing to resume (no config.json)")
            resume = False
        else:
            try:
                saved = json.loads(config_path.read_text())
            except json.JSONDecodeError:
                raise HogdetError(f"{config_path}: not a readable hogdet run configuration") from None
            _check_resumable(saved, config, config_path)
            rows = _read_csv(out_dir / "metrics.csv")
            finished = [row for row in rows if (out_dir / f"round-{row['round']}.npz").is_file()]
            return finished
    if not resume and out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise HogdetError(
            f"{out_dir} is not empty: choose a new --out folder, or pass --resume to continue the run in it"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    write_text_atomic(config_path, json.dumps(config, indent=2, sort_keys=True) + "\n")
    return []


def _samples_path(out_dir: Path, round_index: int) -> Path:
    return out_dir / f"round-{round_index}-samples.npz"


@dataclass
class MinedSamples:
    """One round's additions to the training set (``round-K-samples.npz``)."""

    features: np.ndarray
    labels: np.ndarray
    keys: list[str]
    ious: np.ndarray
    groups: list[str]


def _save_samples(out_dir: Path, round_index: int, samples: MinedSamples) -> None:
    with atomic_path(_samples_path(out_dir, round_index)) as temporary:
        with open(temporary, "wb") as stream:
            np.savez(
                stream, features=samples.features, labels=samples.labels, keys=np.array(samples.keys, dtype=str),
                ious=np.asarray(samples.ious, np.float64), groups=np.array(samples.groups, dtype=str),
            )


def _load_samples(out_dir: Path, round_index: int) -> MinedSamples:
    path = _samples_path(out_dir, round_index)
    try:
        with np.load(path, allow_pickle=False) as archive:
            features, labels = archive["features"], archive["labels"]
            keys = [str(key) for key in archive["keys"]]
            # Runs saved before IoUs and groups were kept: a person window
            # counts as IoU 1, each sample its own image's group.
            ious = archive["ious"] if "ious" in archive.files else (labels == 1).astype(np.float64)
            groups = [str(group) for group in archive["groups"]] if "groups" in archive.files else [
                key.rsplit("|", 3)[0] for key in keys
            ]
    except (OSError, KeyError, ValueError):
        raise HogdetError(f"{path}: missing or unreadable; cannot resume this run") from None
    return MinedSamples(features, labels, keys, ious, groups)


# --------------------------------------------------------------------------
# The loop
# --------------------------------------------------------------------------


@dataclass
class MiningResult:
    """What :func:`mine` returns: the final detector and one row per round."""

    detector: Detector
    metrics: list[dict]
    out_dir: Path


@dataclass
class RoundZero:
    """The round-0 training set and the detector trained on it.

    :func:`train_round_zero` makes one; passing it to :func:`mine` as
    ``initial`` starts several runs (one per strategy) from the same model
    without recomputing it.
    """

    training_set: TrainingSet
    detector: Detector
    train_seconds: float
    skipped: list[str] = field(default_factory=list)


def _round_zero_set(dataset, options: MiningOptions, n_jobs: int, progress: bool) -> tuple[TrainingSet, list[str]]:
    return initial_training_set(
        dataset.train_positive_crops,
        dataset.train_negative_images,
        options.hog,
        options.negatives_per_image,
        options.seed,
        n_jobs,
        progress,
        annotated_images=annotated_images(dataset) if options.annotated_positives else (),
    )


def train_round_zero(dataset, options: MiningOptions = MiningOptions(), n_jobs: int = -1, progress: bool = False) -> RoundZero:
    """Round 0 of mining, on its own: crops plus random negatives, trained once.

    Parameters
    ----------
    dataset : hogdet.datasets.Dataset
    options : MiningOptions
        Its ``negatives_per_image``, ``C``, ``seed`` and ``hog`` are used.
    n_jobs : int
        joblib workers for the feature extraction.
    progress : bool

    Returns
    -------
    RoundZero
    """
    from .datasets import dataset_fingerprint

    training_set, skipped = _round_zero_set(dataset, options, n_jobs, progress)
    start = time.perf_counter()
    detector = train_detector(
        training_set, options.hog, options.C, options.seed,
        metadata={"data": str(dataset.root), "data_fingerprint": dataset_fingerprint(dataset), "round": 0},
    )
    return RoundZero(training_set, detector, time.perf_counter() - start, skipped)


def _scan_items(dataset, strategy: Strategy) -> list[tuple[str, str, np.ndarray | None]]:
    items = [(str(path), _relative(path, dataset.root), None) for path in dataset.train_negative_images]
    if strategy.scan_positive_images or strategy.proposes_person_windows:
        for path in dataset.train_positive_images:
            annotation = dataset.annotation(path)
            if annotation is not None:
                items.append((str(path), _relative(path, dataset.root), annotation.boxes))
    return items


def _round_zero_pool(training_set: TrainingSet, root: Path) -> tuple[np.ndarray, list[str]]:
    """IoU and group of the round-0 samples.

    A positive crop is its own person, centred (IoU 1); a random negative
    belongs to its image's group, IoU 0.
    """
    positive = training_set.labels == 1
    ious = positive.astype(np.float64)
    groups = [
        _relative(Path(source), root) if is_positive else _relative(Path(source.rsplit("|", 3)[0]), root)
        for source, is_positive in zip(training_set.sources, positive.tolist())
    ]
    return ious, groups


def mine(
    dataset,
    out_dir: str | os.PathLike,
    options: MiningOptions = MiningOptions(),
    strategy: Strategy | None = None,
    n_jobs: int = -1,
    backend: str | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = False,
    log: Callable[[str], None] | None = None,
    initial: RoundZero | None = None,
) -> MiningResult:
    """Train, then mine hard examples and retrain for ``options.rounds`` rounds.

    Parameters
    ----------
    dataset : hogdet.datasets.Dataset
        Needs ``train_positive_crops`` and ``train_negative_images`` (and the
        annotated ``train_positive_images`` for strategies that use them).
    out_dir : path
        Run folder. It receives ``config.json``, ``metrics.csv`` (one row per
        round), ``round-K.npz`` (the model after round K), ``model.npz`` (the
        last), ``hard_negatives.csv`` (image, box, probability, label, round
        of every mined window), ``round-K-samples.npz`` (their features, IoUs
        and groups, for resuming) and ``mining.png`` (false positives per
        image by round).
    options : MiningOptions
    strategy : Strategy, optional
        Default :class:`~hogdet.strategies.HardNegative` (probability > 0.5).
    n_jobs : int
        joblib workers for scanning (-1: all cores). Results do not depend on it.
    backend : {"loky", "dask"}, optional
        ``"dask"`` runs the scan on the Dask cluster at ``scheduler``.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``).
    resume : bool
        Continue the run in ``out_dir`` after its last finished round.
    progress : bool
        Show progress bars.
    log : callable, optional
        Receives one summary line per round (for example ``print``).
    initial : RoundZero, optional
        Start from this round-0 training set and detector (made with the
        same ``options``, see :func:`train_round_zero`) instead of computing
        them; it is not modified.

    Returns
    -------
    MiningResult
    """
    strategy = strategy or HardNegative()
    out_dir = Path(out_dir)
    say = log or (lambda line: None)
    if not dataset.train_negative_images:
        raise HogdetError(f"{dataset.root}: no person-free training images (Train/neg or negatives/) to mine")
    if backend not in (None, "loky", "dask"):
        raise HogdetError(f"--backend must be loky or dask, got {backend!r}")
    if (backend == "dask") != (scheduler is not None):
        raise HogdetError("--backend dask needs --scheduler ADDRESS (and --scheduler needs --backend dask)")
    if initial is not None and initial.detector.hog != options.hog:
        raise HogdetError("the initial detector was trained with other HOG parameters than this run's")

    config = _config(dataset, options, strategy)
    finished = _prepare_run_dir(out_dir, config, resume)
    if initial is None:
        training_set, skipped = _round_zero_set(dataset, options, n_jobs if backend != "dask" else 1, progress)
    else:
        training_set, skipped = replace(initial.training_set), list(initial.skipped)
    for message in skipped:
        say(f"warning: skipped {message}")
    pool_ious, pool_groups = _round_zero_pool(training_set, Path(dataset.root))
    metrics: list[dict] = []
    mined_rows: list[dict] = _read_csv(out_dir / "hard_negatives.csv") if finished else []
    detector = None
    for row in finished:
        round_index = int(row["round"])
        if round_index > 0:
            samples = _load_samples(out_dir, round_index)
            training_set.add(samples.features, samples.labels, samples.keys, round_index)
            pool_ious = np.concatenate([pool_ious, samples.ious])
            pool_groups += samples.groups
        metrics.append(row)
    if finished:
        last = int(finished[-1]["round"])
        detector = load_model(out_dir / f"round-{last}.npz")
        mined_rows = [row for row in mined_rows if int(row["round"]) <= last]
        say(f"resuming {out_dir} after round {last}")
    metadata = {"data": config["data"], "data_fingerprint": config["data_fingerprint"], "strategy": strategy.name}

    def retrain(round_index: int) -> tuple[Detector, float]:
        start = time.perf_counter()
        weights = strategy.sample_weights(
            training_set.labels, _pool_probabilities(detector, training_set),
            ious=pool_ious, groups=np.asarray(pool_groups, dtype=str),
        )
        trained = train_detector(
            training_set, options.hog, options.C, options.seed, sample_weight=weights,
            metadata={**metadata, "round": round_index},
        )
        return trained, time.perf_counter() - start

    def finish_round(row: dict, model: Detector) -> None:
        model.save(out_dir / f"round-{row['round']}.npz")
        metrics.append(row)
        write_text_atomic(out_dir / "hard_negatives.csv", _csv_text(_MINED_COLUMNS, mined_rows))
        write_text_atomic(out_dir / "metrics.csv", _csv_text(METRICS_COLUMNS, metrics))
        say(_summary_line(row))

    if detector is None:
        if initial is None:
            detector, seconds = retrain(0)
        else:
            detector, seconds = initial.detector, initial.train_seconds
        finish_round(_row(0, training_set_size=len(training_set), train_seconds=seconds), detector)

    scan_backend = backend if backend == "dask" else None
    items = _scan_items(dataset, strategy)
    start_round = int(metrics[-1]["round"]) + 1
    with _dask_client(scheduler):
        for round_index in range(start_round, options.rounds + 1):
            start = time.perf_counter()
            found = scan_images(
                items, detector, strategy, options.scan, n_jobs, scan_backend, progress,
                description=f"round {round_index}", seed=options.seed, round_index=round_index,
            )
            scan_seconds = time.perf_counter() - start
            for message in found.images_skipped:
                say(f"warning: skipped {message}")
            known = set(training_set.sources)
            fresh = np.array([key not in known for key in found.keys], bool)
            fresh_candidates = _subset(found.candidates, fresh)
            fresh_index = np.flatnonzero(fresh)
            chosen, labels = strategy.select(fresh_candidates, np.random.default_rng([options.seed, round_index]))
            chosen = fresh_index[chosen]
            row = _row(
                round_index,
                images_scanned=found.images_scanned,
                images_skipped=len(found.images_skipped),
                windows_scanned=found.windows_scanned,
                false_positives=found.false_positives,
                samples_added=len(chosen),
                scan_seconds=scan_seconds,
            )
            if len(chosen) == 0:
                # The model is unchanged; saving it as this round's keeps
                # "a round-K file per finished round" true for --resume.
                row["training_set_size"] = len(training_set)
                finish_round(row, detector)
                say(f"round {round_index} found nothing to add; stopping early")
                break
            samples = MinedSamples(
                features=found.features[chosen],
                labels=np.asarray(labels, np.int8),
                keys=[found.keys[index] for index in chosen],
                ious=found.candidates.ious[chosen],
                groups=[found.groups[index] for index in chosen],
            )
            _save_samples(out_dir, round_index, samples)
            training_set.add(samples.features, samples.labels, samples.keys, round_index)
            pool_ious = np.concatenate([pool_ious, samples.ious])
            pool_groups += samples.groups
            mined_rows += [
                {
                    "image": found.images[index],
                    "x1": round(float(found.boxes[index, 0]), 1),
                    "y1": round(float(found.boxes[index, 1]), 1),
                    "x2": round(float(found.boxes[index, 2]), 1),
                    "y2": round(float(found.boxes[index, 3]), 1),
                    "probability": round(float(found.candidates.probabilities[index]), 6),
                    "label": int(label),
                    "round": round_index,
                }
                for index, label in zip(chosen, labels)
            ]
            detector, row["train_seconds"] = retrain(round_index)
            row["training_set_size"] = len(training_set)
            finish_round(_format_row(row), detector)

    detector.save(out_dir / "model.npz")
    _plot_progress(out_dir, metrics)
    return MiningResult(detector=detector, metrics=metrics, out_dir=out_dir)


_MINED_COLUMNS = ("image", "x1", "y1", "x2", "y2", "probability", "label", "round")


def _pool_probabilities(detector: Detector | None, training_set: TrainingSet) -> np.ndarray | None:
    if detector is None:
        return None
    return detector.probability(detector.decision_function(training_set.features))


def _subset(candidates: Candidates, mask: np.ndarray) -> Candidates:
    return Candidates(candidates.scores[mask], candidates.probabilities[mask], candidates.labels[mask], candidates.ious[mask])


def _row(round_index: int, **values) -> dict:
    row = {column: 0 for column in METRICS_COLUMNS}
    row["round"] = round_index
    row.update(values)
    images = row["images_scanned"]
    row["false_positives_per_image"] = row["false_positives"] / images if images else 0.0
    return _format_row(row)


def _format_row(row: dict) -> dict:
    formatted = dict(row)
    for column in ("false_positives_per_image", "scan_seconds", "train_seconds"):
        formatted[column] = round(float(row[column]), 3)
    return formatted


def _summary_line(row: dict) -> str:
    return (
        f"round {row['round']}: {row['images_scanned']} images scanned ({row['images_skipped']} skipped), "
        f"{row['windows_scanned']} windows, {row['false_positives']} false positives "
        f"({float(row['false_positives_per_image']):.2f}/image), {row['samples_added']} added, "
        f"training set {row['training_set_size']}, scan {float(row['scan_seconds']):.1f} s, "
        f"train {float(row['train_seconds']):.1f} s"
    )


def _plot_progress(out_dir: Path, metrics: list[dict]) -> None:
    from .plotting import plot_mining_progress

    scanned = [row for row in metrics if int(row["round"]) > 0]
    if scanned:
        plot_mining_progress(
            [int(row["round"]) for row in scanned],
            [float(row["false_positives_per_image"]) for row in scanned],
            out_dir / "mining.png",
        )


@contextmanager
def _dask_client(scheduler: str | None) -> Iterator[None]:
    """Connect to a Dask scheduler for the block (joblib's dask backend uses it)."""
    if scheduler is None:
        yield
        return
    try:
        from distributed import Client
    except ImportError:
        raise HogdetError("--backend dask needs the 'distributed' package: pip install 'hogdet[dask]'") from None
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as error:
        raise HogdetError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
    try:
        yield
    finally:
        client.close()
