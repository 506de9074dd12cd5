"""The mining loop: Dalal & Triggs' bootstrap, resumable, parallel, with or without a folder.

Round 0 trains on crops and random negatives (:mod:`hogdet.training`). Each
further round rescans the training images (:mod:`hogdet.mining.scan`), lets
a strategy (:mod:`hogdet.mining.strategies`, by default
:class:`~hogdet.mining.strategies.HardNegative`) choose which fresh windows
join the pool (:mod:`hogdet.mining.pool`), retrains and recalibrates.

What happens after each round is up to callbacks (:class:`MiningCallback`):
the run folder (:class:`~hogdet.mining.run_folder.RunFolder`) is one, used
when ``out_dir`` is given; with ``out_dir=None`` a run stays in memory (for
notebooks and tests) and reports only to the callbacks it is given.

Memory: a worker holds one image's pyramid grids at a time (a few MB) and
returns at most ``max_per_image`` feature vectors per image (``top_k`` for
OHEM; twice as many for the strategies that mine people as well); a round
adds at most ``max_hard`` (or twice as many). So the pool is at most
``initial + rounds * max_hard`` vectors of ``n_features`` float32 (15 KB each
for the default HOG), whatever the number of negative images, and those are
held once (:class:`~hogdet.mining.pool.GrowingFeatures`; the SVM reads them
in place).
"""

from __future__ import annotations

import json
import os
import time
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from ..detection import ScanParameters
from ..errors import ParameterError
from ..features import HOGParameters
from ..model import DEFAULT_C, Detector, package_versions
from ..training import annotated_images, initial_training_set
from . import scan as scanning
from .pool import GrowingFeatures, reserve_rows, retrain, select_fresh
from .run_folder import METRICS_COLUMNS, RunFolder
from .strategies import HardNegative, Strategy
from ..windows import Windows


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
    recipe : dict, optional
        Where these settings came from, for the record (``config.json``): for example
        ``{"preset": "dalal-triggs", "overridden": {"C": 0.1}}`` from the command line.
    """

    rounds: int = 3
    negatives_per_image: int = 10
    C: float = DEFAULT_C
    seed: int = 0
    scan: ScanParameters = field(default_factory=ScanParameters)
    hog: HOGParameters = field(default_factory=HOGParameters)
    annotated_positives: bool = False
    recipe: dict | None = None

    def __post_init__(self) -> None:
        if self.rounds < 1:
            raise ParameterError("rounds", f"must be at least 1, got {self.rounds}")
        if self.negatives_per_image < 1:
            raise ParameterError("negatives_per_image", f"must be at least 1, got {self.negatives_per_image}")


@dataclass
class RoundZero:
    """The round-0 pool and the detector trained on it.

    :func:`train_round_zero` makes one; passing it to :func:`mine` as
    ``initial`` starts several runs (one per strategy) from the same model
    without recomputing it.
    """

    training_set: Windows
    detector: Detector
    train_seconds: float
    skipped: list[str] = field(default_factory=list)


@dataclass
class RoundRecord:
    """A finished round, as the callbacks see it.

    Attributes
    ----------
    row : dict
        Its ``metrics.csv`` row (:data:`~hogdet.mining.run_folder.METRICS_COLUMNS`).
    detector : Detector
        The model after the round.
    added : Windows
        The windows the round added to the pool (none for round 0, whose windows make the whole first pool).
    pool : Windows
        The pool after the round.
    """

    row: dict
    detector: Detector
    added: Windows
    pool: Windows


class MiningCallback:
    """Base of the objects :func:`mine` reports to; override what you need."""

    def round_started(self, round_index: int) -> None:
        """Before round ``round_index`` (1, 2, ...) scans."""

    def round_finished(self, record: RoundRecord) -> None:
        """After a round (0 included) is trained."""


@dataclass
class MiningResult:
    """What :func:`mine` returns: the final detector, one row per round, the pool."""

    detector: Detector
    metrics: list[dict]
    out_dir: Path | None
    pool: Windows | None = None


class _Log(MiningCallback):
    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say

    def round_finished(self, record: RoundRecord) -> None:
        self.say(summary_line(record.row))


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
    return _round_zero(dataset, options, n_jobs, progress, train=True)


def _round_zero(dataset, options: MiningOptions, n_jobs: int, progress: bool, train: bool) -> RoundZero:
    """The round-0 pool, and its detector if ``train`` (a resumed run reads its own from the folder)."""
    from ..datasets import dataset_fingerprint

    pool, skipped = initial_training_set(
        dataset.train_positive_crops, dataset.train_negative_images, options.hog, options.negatives_per_image,
        options.seed, n_jobs, progress,
        annotated_images=annotated_images(dataset) if options.annotated_positives else (), root=dataset.root,
    )
    start, detector = time.perf_counter(), None
    if train:
        metadata = {"data": str(dataset.root), "data_fingerprint": dataset_fingerprint(dataset), "round": 0,
                    **_aspect_metadata(dataset)}
        detector = retrain(pool, HardNegative(), None, options.hog, options.C, options.seed, metadata).detector
    return RoundZero(pool, detector, time.perf_counter() - start, skipped)


def run_config(dataset, options: MiningOptions, strategy: Strategy) -> dict:
    """The settings of a run, as stored in ``config.json``."""
    from ..datasets import dataset_fingerprint

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
        "recipe": options.recipe,
        "versions": package_versions(),
    }


def _aspect_metadata(dataset) -> dict:
    """The people's aspect learnt from the training annotations, the shape of the boxes a model reports."""
    from ..boxes import ASPECT_KEY
    from ..training import learnt_person_aspect

    aspect = learnt_person_aspect(dataset)
    return {} if aspect is None else {ASPECT_KEY: aspect}


def _check_arguments(dataset, options: MiningOptions, backend, scheduler, initial) -> None:
    if not dataset.train_negative_images:
        raise ParameterError("dataset", f"has no person-free training images (Train/neg or negatives/) to mine: {dataset.root}")
    if backend not in (None, "loky", "dask"):
        raise ParameterError("backend", f"must be loky or dask, got {backend!r}")
    if (backend == "dask") != (scheduler is not None):
        raise ParameterError("scheduler", "is needed with backend='dask' (and only with it): a Dask scheduler address")
    if initial is not None and initial.detector.hog != options.hog:
        raise ParameterError("initial", "was trained with other HOG parameters than this run's")


def _report(callbacks: Sequence[MiningCallback], method: str, argument) -> None:
    for callback in callbacks:
        getattr(callback, method)(argument)


def mine(
    dataset,
    out_dir: str | os.PathLike | None,
    options: MiningOptions = MiningOptions(),
    strategy: Strategy | None = None,
    n_jobs: int = -1,
    backend: str | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = False,
    log: Callable[[str], None] | None = None,
    initial: RoundZero | None = None,
    callbacks: Sequence[MiningCallback] = (),
) -> MiningResult:
    """Train, then mine hard examples and retrain for ``options.rounds`` rounds.

    Parameters
    ----------
    dataset : hogdet.datasets.Dataset
        Needs ``train_positive_crops`` and ``train_negative_images`` (and the
        annotated ``train_positive_images`` for strategies that use them).
    out_dir : path or None
        Run folder (see :mod:`hogdet.mining.run_folder`), locked while the
        run writes it. None: nothing is written, the run stays in memory.
    options : MiningOptions
    strategy : Strategy, optional
        Default :class:`~hogdet.mining.strategies.HardNegative` (probability > 0.5).
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
        Receives one summary line per round and warnings (for example ``print``).
    initial : RoundZero, optional
        Start from this round-0 pool and detector (made with the same
        ``options``, see :func:`train_round_zero`) instead of computing
        them; it is not modified.
    callbacks : sequence of MiningCallback
        Told when each round starts and finishes (after the run folder).

    Returns
    -------
    MiningResult

    Raises
    ------
    ParameterError
        A bad argument (named), before any work.
    RunFolderError
        ``out_dir`` is locked by another run, not empty (without
        ``resume``), or holds a corrupt file (named; nothing is changed).
    """
    strategy, say = strategy or HardNegative(), log or (lambda line: None)
    _check_arguments(dataset, options, backend, scheduler, initial)
    config = run_config(dataset, options, strategy)
    with ExitStack() as stack:
        folder = None if out_dir is None else stack.enter_context(RunFolder.open(out_dir, config, resume))
        listeners = ([folder] if folder else []) + list(callbacks) + [_Log(say)]
        resumed = folder.resumed() if folder and resume else None  # read all before writing anything
        jobs = n_jobs if backend != "dask" else 1
        start = initial or _round_zero(dataset, options, jobs, progress, train=resumed is None)
        for message in start.skipped:
            say(f"warning: skipped {message}")
        pool, detector, metrics = start.training_set, start.detector, []
        stored = GrowingFeatures(pool.features, reserve_rows(strategy, options.rounds))
        pool, round_zero_seconds = pool.with_columns(features=stored.rows), start.train_seconds
        del start  # the buffer holds its features now
        if resumed is not None:
            for part in resumed.added:
                pool = stored.extend(pool, part)
            detector, metrics = resumed.detector, resumed.metrics
            say(f"resuming {folder.path} after round {metrics[-1]['round']}")
        else:
            metrics.append(_row(0, training_set_size=len(pool), train_seconds=round_zero_seconds))
            _report(listeners, "round_finished", RoundRecord(metrics[-1], detector, Windows.empty(), pool))
        metadata = {"data": config["data"], "data_fingerprint": config["data_fingerprint"], "strategy": strategy.name,
                    **_aspect_metadata(dataset)}
        items = scanning.scan_items(dataset, strategy)
        stack.enter_context(_dask_client(scheduler))
        for round_index in range(int(metrics[-1]["round"]) + 1, options.rounds + 1):
            _report(listeners, "round_started", round_index)
            began = time.perf_counter()
            found = scanning.scan_images(
                items, detector, strategy, options.scan, n_jobs, backend if backend == "dask" else None, progress,
                description=f"round {round_index}", seed=options.seed, round_index=round_index,
            )
            scan_seconds = time.perf_counter() - began
            for message in found.images_skipped:
                say(f"warning: skipped {message}")
            added = select_fresh(found.parts, pool, strategy, np.random.default_rng([options.seed, round_index]), stored)
            added = added.with_columns(rounds=np.full(len(added), round_index, np.int16))
            row = _row(round_index, images_scanned=found.images_scanned, images_skipped=len(found.images_skipped),
                       windows_scanned=found.windows_scanned, false_positives=found.false_positives,
                       samples_added=len(added), training_set_size=len(pool) + len(added), scan_seconds=scan_seconds)
            # The scan's windows can outweigh the whole pool; only the added ones stay.
            del found
            if len(added):
                previous_size = len(pool)
                pool, began = stored.extend(pool, added), time.perf_counter()
                added = pool.take(slice(previous_size, None))  # a view: the pool holds the one copy
                trained = retrain(pool, strategy, detector, options.hog, options.C, options.seed,
                                  {**metadata, "round": round_index})
                detector, pool = trained.detector, pool.with_columns(weights=trained.weights_or_ones(len(pool)))
                row = _format_row({**row, "train_seconds": time.perf_counter() - began})
            # With nothing added the model is unchanged; it is still saved as
            # this round's, so that "a round-K file per finished round" holds.
            metrics.append(row)
            _report(listeners, "round_finished", RoundRecord(row, detector, added, pool))
            if not len(added):
                say(f"round {round_index} found nothing to add; stopping early")
                break
        if folder:
            folder.finish(detector)
    return MiningResult(detector=detector, metrics=metrics, out_dir=None if out_dir is None else Path(out_dir), pool=pool)


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


def summary_line(row: dict) -> str:
    """One line about a finished round (what ``log`` receives)."""
    return (
        f"round {row['round']}: {row['images_scanned']} images scanned ({row['images_skipped']} skipped), "
        f"{row['windows_scanned']} windows, {row['false_positives']} false positives "
        f"({float(row['false_positives_per_image']):.2f}/image), {row['samples_added']} added, "
        f"training set {row['training_set_size']}, scan {float(row['scan_seconds']):.1f} s, "
        f"train {float(row['train_seconds']):.1f} s"
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
        raise ParameterError("backend", "dask needs the 'distributed' package: pip install 'hogdet[dask]'") from None
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as error:
        raise ParameterError("scheduler", f"{scheduler} cannot be reached: {error}") from None
    try:
        yield
    finally:
        client.close()
