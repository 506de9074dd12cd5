"""Which scanned windows join the training set, and with what weight.

A strategy is a small object with three pure decisions; the mining loop
(:mod:`hogdet.mining`) calls them and does not know which strategy runs:

``keep_in_image(candidates)``
    In a worker, for one scanned image: which windows to send back to the
    parent (keeps what travels between processes small).
``select(candidates)``
    In the parent, over every window kept this round: which join the
    training set, with which label.
``sample_weights(labels, probabilities)``
    Per-sample weights for retraining on the whole pool, or None.

``scan_positive_images`` says whether annotated ``Train/pos`` photographs are
scanned as well as the person-free ones (windows there get labels from their
IoU with the annotated people).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import HogdetError


@dataclass
class Candidates:
    """Scanned windows of one image or one round, one entry per window.

    Attributes
    ----------
    scores : ndarray of float, shape (n,)
        SVM decision values.
    probabilities : ndarray of float, shape (n,)
        Calibrated probabilities of "person".
    labels : ndarray of int8, shape (n,)
        True class: 1 person, 0 background, -1 neither (ambiguous overlap).
    ious : ndarray of float, shape (n,)
        Largest IoU with an annotated person (0 in person-free images).
    """

    scores: np.ndarray
    probabilities: np.ndarray
    labels: np.ndarray
    ious: np.ndarray

    def __len__(self) -> int:
        return len(self.scores)


def top_k(values: np.ndarray, k: int | None, among: np.ndarray | None = None) -> np.ndarray:
    """Indices of the ``k`` largest ``values`` (all if k is None), largest first.

    Ties keep the earlier index first, so the choice is deterministic.
    ``among`` restricts the choice to a boolean mask.
    """
    candidates = np.arange(len(values)) if among is None else np.flatnonzero(among)
    order = candidates[np.argsort(-values[candidates], kind="stable")]
    return order if k is None else order[:k]


class Strategy:
    """Base of the mining strategies; see the module documentation."""

    name = "base"
    scan_positive_images = False

    def keep_in_image(self, candidates: Candidates) -> np.ndarray:
        raise NotImplementedError

    def select(self, candidates: Candidates) -> tuple[np.ndarray, np.ndarray]:
        """Indices of the windows that join the training set, and their labels."""
        raise NotImplementedError

    def sample_weights(self, labels: np.ndarray, probabilities: np.ndarray) -> np.ndarray | None:
        return None

    def minimum_score(self, detector) -> float:
        """Decision value below which a window cannot be kept (lets the scan skip work)."""
        return -np.inf


@dataclass
class HardNegative(Strategy):
    """Dalal & Triggs' bootstrapping: person-free windows called "person".

    Keeps the background windows with calibrated probability above
    ``threshold``, at most ``max_per_image`` per image and ``max_hard`` per
    round, the highest-scoring first.
    """

    threshold: float = 0.5
    max_per_image: int | None = 20
    max_hard: int | None = 10000

    name = "hard-negative"

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold < 1.0:
            raise HogdetError(f"--threshold must be between 0 and 1 (exclusive), got {self.threshold}")
        for option, value in (("--max-per-image", self.max_per_image), ("--max-hard", self.max_hard)):
            if value is not None and value < 1:
                raise HogdetError(f"{option} must be at least 1, got {value}")

    def minimum_score(self, detector) -> float:
        return detector.decision_at(self.threshold)

    def _false_positives(self, candidates: Candidates) -> np.ndarray:
        return (candidates.labels == 0) & (candidates.probabilities > self.threshold)

    def keep_in_image(self, candidates: Candidates) -> np.ndarray:
        return top_k(candidates.scores, self.max_per_image, among=self._false_positives(candidates))

    def select(self, candidates: Candidates) -> tuple[np.ndarray, np.ndarray]:
        chosen = top_k(candidates.scores, self.max_hard, among=self._false_positives(candidates))
        return chosen, np.zeros(len(chosen), np.int8)


STRATEGIES = {HardNegative.name: HardNegative}


def make_strategy(name: str, **options) -> Strategy:
    """The strategy called ``name``, built with the options it accepts.

    Options a strategy does not use are ignored, so the command line can
    pass all of its mining options to any strategy.
    """
    if name not in STRATEGIES:
        raise HogdetError(f"unknown strategy {name!r}; choose from {', '.join(sorted(STRATEGIES))}")
    cls = STRATEGIES[name]
    accepted = {key: value for key, value in options.items() if key in cls.__dataclass_fields__}
    return cls(**accepted)
