"""Which scanned windows join the training set, and with what weight.

Each strategy here implements the interface of :class:`Strategy` (in
:mod:`hogdet.mining._strategy_base`, importable from here, which lists its
decisions: ``keep_in_image``, ``select``, ``sample_weights``,
``person_windows``); the mining loop calls them and does not know which
strategy runs.

Randomness comes only from the ``rng`` arguments: the loop seeds one
generator per image (from the run's seed, the round and the image's name) and
one per round for ``select``, so a run is reproducible whatever the number
of workers.

Each rule is also a function of plain arrays (:mod:`hogdet.mining.rules`),
so that it can be checked by hand. The candidates a strategy sees are
:class:`~hogdet.windows.Windows` (it reads their ``scores``,
``probabilities``, ``labels`` and ``ious``).

Invalid options raise :class:`~hogdet.errors.ParameterError` naming the
parameter (``max_per_image``); the command line shows its flag instead.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from ..errors import ParameterError
from .rules import (  # noqa: F401  (re-exported: the rules belong to the strategies' vocabulary)
    PERSON_IOU,
    cross_entropy,
    focal_weights,
    hierarchical_local_rank,
    importance_weights,
    in_probability_band,
    iou_balanced_sample,
    jitter_boxes,
    preserve_loss_sum,
    prime_weights,
    top_k,
)
from ..windows import Windows
from ._strategy_base import Candidates, Strategy, _check_count, _check_probability  # noqa: F401 (Candidates re-exported)


@dataclass
class HardNegative(Strategy):
    """Dalal & Triggs' bootstrapping: person-free windows called "person".

    Dalal & Triggs, "Histograms of Oriented Gradients for Human Detection",
    CVPR 2005. Keeps the background windows with calibrated probability
    above ``threshold``, at most ``max_per_image`` per image and
    ``max_hard`` per round, the highest-scoring first. With
    ``scan_positive_images`` the backgrounds of the annotated ``Train/pos``
    photographs (windows overlapping every person by IoU < 0.3) are mined
    too, not only the person-free images.
    """

    threshold: float = 0.5
    max_per_image: int | None = 100
    max_hard: int | None = 30000
    scan_positive_images: bool = False

    name = "hard-negative"

    def __post_init__(self) -> None:
        _check_probability("threshold", self.threshold)
        _check_count("max_per_image", self.max_per_image)
        _check_count("max_hard", self.max_hard)

    def minimum_score(self, detector) -> float:
        return detector.decision_at(self.threshold)

    def _false_positives(self, candidates: Windows) -> np.ndarray:
        return (candidates.labels == 0) & (candidates.probabilities > self.threshold)

    def _choose(self, candidates: Windows, limit: int | None) -> np.ndarray:
        """At most ``limit`` windows to keep (subclasses also choose people)."""
        return top_k(candidates.scores, limit, among=self._false_positives(candidates))

    def keep_in_image(self, candidates: Windows, rng: np.random.Generator) -> np.ndarray:
        return self._choose(candidates, self.max_per_image)

    def select(self, candidates: Windows, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        chosen = self._choose(candidates, self.max_hard)
        return chosen, (candidates.labels[chosen] == 1).astype(np.int8)


@dataclass
class HardExample(HardNegative):
    """Hard negatives plus hard positives: people the detector misses.

    As :class:`HardNegative` (Dalal & Triggs, CVPR 2005) for negatives; in
    addition every annotated person of the ``Train/pos`` photographs is cut
    out ``jitter_copies`` times, moved and rescaled by up to ``jitter``
    (:func:`jitter_boxes`), and each copy the detector scores at probability
    0.5 or below joins the positives again, the lowest-scoring first (at
    most ``max_per_image`` per photograph and ``max_hard`` per round). This
    answers the question of why only negatives are mined ("hard positive
    mining"; compare Shrivastava et al., OHEM, CVPR 2016, which mines both).
    """

    jitter_copies: int = 4
    jitter: float = 0.05

    name = "hard-example"
    proposes_person_windows = True

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_count("jitter_copies", self.jitter_copies)
        if not 0.0 <= self.jitter < 0.5:
            raise ParameterError("jitter", f"must be >= 0 and < 0.5, got {self.jitter}")

    def person_windows(self, people: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        return jitter_boxes(people, self.jitter_copies, self.jitter, rng)

    @staticmethod
    def _missed_people(candidates: Windows) -> np.ndarray:
        return (candidates.labels == 1) & (candidates.probabilities <= 0.5)

    def _choose(self, candidates: Windows, limit: int | None) -> np.ndarray:
        negatives = top_k(candidates.scores, limit, among=self._false_positives(candidates))
        positives = top_k(-np.asarray(candidates.scores, np.float64), limit, among=self._missed_people(candidates))
        return np.concatenate([negatives, positives])


@dataclass
class Uncertain(Strategy):
    """"Suspicious" windows of either class: probability within ``band`` of 0.5.

    The windows the detector is least sure of, whatever their true class:
    background windows (from ``Train/neg`` and from the background of
    ``Train/pos``, IoU < 0.3 with every person) and person windows (IoU >=
    0.5) with ``|p - 0.5| <= band``, the most uncertain first, at most
    ``max_per_image`` per image and ``max_hard`` per round. An alternative
    hardness signal to Dalal & Triggs' p > 0.5 (CVPR 2005).
    """

    band: float = 0.1
    max_per_image: int | None = 100
    max_hard: int | None = 30000

    name = "uncertain"
    scan_positive_images = True

    def __post_init__(self) -> None:
        if not 0.0 < self.band <= 0.5:
            raise ParameterError("band", f"must be > 0 and <= 0.5, got {self.band}")
        _check_count("max_per_image", self.max_per_image)
        _check_count("max_hard", self.max_hard)

    def minimum_score(self, detector) -> float:
        lowest = 0.5 - self.band
        return detector.decision_at(lowest) if lowest > 0 else -np.inf

    def _choose(self, candidates: Windows, limit: int | None) -> np.ndarray:
        certainty = -np.abs(np.asarray(candidates.probabilities, np.float64) - 0.5)
        return top_k(certainty, limit, among=in_probability_band(candidates.labels, candidates.probabilities, self.band))

    def keep_in_image(self, candidates: Windows, rng: np.random.Generator) -> np.ndarray:
        return self._choose(candidates, self.max_per_image)

    def select(self, candidates: Windows, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        chosen = self._choose(candidates, self.max_hard)
        return chosen, candidates.labels[chosen].astype(np.int8)


@dataclass
class OHEM(Strategy):
    """Online hard example mining, transposed to bootstrapping.

    Shrivastava, Gupta & Girshick, "Training Region-based Object Detectors
    with Online Hard Example Mining", CVPR 2016: every scanned negative
    window is ranked by its loss under the current model (the cross-entropy
    ``-log(1 - p)``, :func:`cross_entropy`) and the ``top_k`` of each image
    are kept, with no probability threshold; at most ``max_hard`` per round,
    the largest losses first.
    """

    top_k: int = 10
    max_hard: int | None = 30000

    name = "ohem"

    def __post_init__(self) -> None:
        _check_count("top_k", self.top_k)
        _check_count("max_hard", self.max_hard)

    def _choose(self, candidates: Windows, limit: int | None) -> np.ndarray:
        losses = cross_entropy(candidates.labels, candidates.probabilities)
        return top_k(losses, limit, among=candidates.labels == 0)

    def keep_in_image(self, candidates: Windows, rng: np.random.Generator) -> np.ndarray:
        return self._choose(candidates, self.top_k)

    def select(self, candidates: Windows, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        chosen = self._choose(candidates, self.max_hard)
        return chosen, np.zeros(len(chosen), np.int8)


@dataclass
class Focal(HardNegative):
    """Hard negatives, retrained on the whole pool with focal-loss weights.

    Lin, Goyal, Girshick, He & Dollar, "Focal Loss for Dense Object
    Detection", ICCV 2017. Windows are mined as by :class:`HardNegative`;
    every retraining then weights each sample of the pool by
    ``(1 - p_t)^gamma`` under the previous model (:func:`focal_weights`),
    so that examples it already gets right count less.
    """

    gamma: float = 2.0

    name = "focal"

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.gamma >= 0:
            raise ParameterError("gamma", f"must be >= 0, got {self.gamma}")

    def sample_weights(self, labels, probabilities, ious=None, groups=None) -> np.ndarray | None:
        if probabilities is None:
            return None
        return focal_weights(labels, probabilities, self.gamma)


@dataclass
class IoUBalanced(Strategy):
    """IoU-balanced negatives from photographs with people (Libra R-CNN).

    Pang, Chen, Shi, Feng, Ouyang & Lin, "Libra R-CNN: Towards Balanced
    Learning for Object Detection", CVPR 2019. Every image is scanned, the
    annotated ``Train/pos`` photographs included, and ``max_per_image``
    negatives (windows whose IoU with every person is below 0.5) are drawn
    from each by :func:`iou_balanced_sample`: evenly over ``iou_bins`` IoU
    intervals of [``floor_iou``, 0.5), plus ``floor_fraction`` at random
    below ``floor_iou`` (all of a person-free image's windows are there).
    No probability threshold: the IoU spread stands in for hardness. At most
    ``max_hard`` per round, drawn at random.
    """

    max_per_image: int | None = 100
    max_hard: int | None = 30000
    iou_bins: int = 3
    floor_iou: float = 0.1
    floor_fraction: float = 0.25

    name = "iou-balanced"
    scan_positive_images = True

    def __post_init__(self) -> None:
        _check_count("max_per_image", self.max_per_image)
        _check_count("max_hard", self.max_hard)
        _check_count("iou_bins", self.iou_bins)
        if not 0.0 <= self.floor_iou < PERSON_IOU:
            raise ParameterError("floor_iou", f"must be >= 0 and < {PERSON_IOU}, got {self.floor_iou}")
        if not 0.0 <= self.floor_fraction <= 1.0:
            raise ParameterError("floor_fraction", f"must be between 0 and 1, got {self.floor_fraction}")

    def keep_in_image(self, candidates: Windows, rng: np.random.Generator) -> np.ndarray:
        negatives = np.flatnonzero((candidates.labels != 1) & (candidates.ious < PERSON_IOU))
        count = len(negatives) if self.max_per_image is None else self.max_per_image
        drawn = iou_balanced_sample(
            candidates.ious[negatives], count, self.iou_bins, self.floor_iou, self.floor_fraction, rng
        )
        return negatives[drawn]

    def select(self, candidates: Windows, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        negatives = np.flatnonzero((candidates.labels != 1) & (candidates.ious < PERSON_IOU))
        if self.max_hard is not None and len(negatives) > self.max_hard:
            negatives = np.sort(rng.choice(negatives, size=self.max_hard, replace=False))
        return negatives, np.zeros(len(negatives), np.int8)


@dataclass
class Prime(HardNegative):
    """PISA: prime samples weighted by hierarchical local rank.

    Cao, Chen, Loy & Lin, "Prime Sample Attention in Object Detection", CVPR
    2020. Mines hard negatives as :class:`HardNegative` (from the background
    of every image, annotated photographs included) and, from the annotated
    photographs, up to ``max_per_image`` person windows (IoU >= 0.5) per
    image, the best-overlapping first. Every retraining weights the pool by
    importance (:func:`prime_weights`): positives ranked by IoU within each
    person, negatives by score within each image, ranks mapped to
    ``((1 - importance_bias) * u + importance_bias) ** gamma`` and
    normalised so that each class's total loss under the previous model is
    unchanged.
    """

    gamma: float = 2.0
    importance_bias: float = 0.0
    scan_positive_images: bool = True

    name = "prime"

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.gamma >= 0:
            raise ParameterError("gamma", f"must be >= 0, got {self.gamma}")
        if not 0.0 <= self.importance_bias <= 1.0:
            raise ParameterError("importance_bias", f"must be between 0 and 1, got {self.importance_bias}")

    def minimum_score(self, detector) -> float:
        return -np.inf  # person windows are kept whatever their score

    def _choose(self, candidates: Windows, limit: int | None) -> np.ndarray:
        negatives = top_k(candidates.scores, limit, among=self._false_positives(candidates))
        positives = top_k(np.asarray(candidates.ious, np.float64), limit, among=candidates.labels == 1)
        return np.concatenate([negatives, positives])


    def sample_weights(self, labels, probabilities, ious=None, groups=None) -> np.ndarray | None:
        if probabilities is None:
            return None
        if ious is None or groups is None:
            raise ParameterError("ious", "and groups are needed by the prime strategy (one per training sample)")
        return prime_weights(labels, probabilities, ious, groups, self.gamma, self.importance_bias)


STRATEGIES: dict[str, type[Strategy]] = {
    strategy.name: strategy for strategy in (HardNegative, HardExample, Uncertain, OHEM, Focal, IoUBalanced, Prime)
}


def _strategy_class(name: str) -> type[Strategy]:
    if name not in STRATEGIES:
        raise ParameterError("name", f"{name!r} is not a strategy (unknown strategy); choose from {', '.join(sorted(STRATEGIES))}")
    return STRATEGIES[name]


def strategy_parameters(name: str) -> dict[str, object]:
    """The options the strategy called ``name`` accepts, with their defaults.

    Raises
    ------
    ParameterError
        If ``name`` is not in :data:`STRATEGIES`.
    """
    return {field.name: field.default for field in fields(_strategy_class(name))}


def make_strategy(name: str, **options) -> Strategy:
    """The strategy called ``name``, built with the options it accepts.

    Options a strategy does not use are ignored, so that one set of options
    can be offered to several strategies (see :func:`strategy_parameters`
    to know which are used); options left out take the strategy's defaults.
    """
    accepted = strategy_parameters(name)
    return _strategy_class(name)(**{key: value for key, value in options.items() if key in accepted})
