"""Which scanned windows join the training set, and with what weight.

A strategy is a small object with a few pure decisions; the mining loop
(:mod:`hogdet.mining`) calls them and does not know which strategy runs:

``keep_in_image(candidates, rng)``
    In a worker, for one scanned image: which windows to send back to the
    parent (keeps what travels between processes small).
``select(candidates, rng)``
    In the parent, over every window kept this round: which join the
    training set, with which label.
``sample_weights(labels, probabilities, ious, groups)``
    Per-sample weights for retraining on the whole pool, or None.
``person_windows(people, rng)``
    Boxes around annotated people to score as extra positive candidates
    (only :class:`HardExample` proposes any).

``scan_positive_images`` says whether annotated ``Train/pos`` photographs are
scanned as well as the person-free ones (windows there get labels from their
IoU with the annotated people); ``proposes_person_windows`` says whether the
loop visits them to score :meth:`Strategy.person_windows`.

Randomness comes only from the ``rng`` arguments: the loop seeds one
generator per image (from the run's seed, the round and the image's name) and
one per round for ``select``, so a run is reproducible whatever the number
of workers.

Each rule is also a module-level function of plain arrays
(:func:`cross_entropy`, :func:`focal_weights`, :func:`in_probability_band`,
:func:`iou_balanced_sample`, :func:`hierarchical_local_rank`,
:func:`importance_weights`, :func:`preserve_loss_sum`, :func:`jitter_boxes`),
so that it can be checked by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import HogdetError

#: A window overlapping an annotated person at least this much is a person
#: (the INRIA / PASCAL criterion); below it, a window may serve as a negative.
PERSON_IOU = 0.5


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


# --------------------------------------------------------------------------
# The rules, as functions of arrays
# --------------------------------------------------------------------------


def cross_entropy(labels: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Logistic loss of each sample under the calibrated model, ``-log p_t``.

    ``p_t`` is the probability given to the true class: ``p`` for a person
    (label 1), ``1 - p`` otherwise. Probabilities are clipped to
    ``[1e-12, 1]`` so that the loss stays finite.
    """
    p_true = np.where(np.asarray(labels) == 1, probabilities, 1.0 - np.asarray(probabilities, dtype=np.float64))
    return -np.log(np.clip(p_true, 1e-12, 1.0))


def focal_weights(
    labels: np.ndarray, probabilities: np.ndarray, gamma: float, max_weight: float = 10.0, min_weight: float = 0.25
) -> np.ndarray:
    """Focal-loss modulating factors ``(1 - p_t)^gamma``, scaled to mean 1 in each class.

    Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017: the focal
    loss is the cross-entropy times ``(1 - p_t)^gamma``, so an easy example
    (``p_t`` near 1) hardly counts. Used as SVM sample weights, the factors
    of each class (person, background) are rescaled to mean 1, the part the
    paper's class weight ``alpha_t`` plays: each class keeps its total
    weight, so the balance between the classes (which the Platt calibration
    also sees) and the meaning of ``C`` are unchanged, and only the
    distribution within a class moves towards its hard examples. ``gamma =
    0`` gives all ones; a class whose factors are all 0 keeps weights 1.

    The probabilities come from the model trained on these very windows, so
    most are near 0 or 1 and the few hard ones would take almost all of a
    class's weight (measured on the benchmark: the top 1% of positives got
    half of it, single weights of 60, and the retrained SVM fitted those
    outliers). So each weight is kept between ``min_weight`` and
    ``max_weight`` times the class mean, and the class rescaled to mean 1
    again. Without the floor the easy positives (most of them) weighed
    0.07 each, and the SVM, outweighed by tens of thousands of negatives,
    stopped separating held-out positives at all (measured on the
    benchmark: Platt slope > 0).
    """
    labels = np.asarray(labels)
    p_true = np.where(labels == 1, probabilities, 1.0 - np.asarray(probabilities, dtype=np.float64))
    factors = np.clip(1.0 - p_true, 0.0, 1.0) ** gamma
    weights = np.ones(len(factors))
    for members in (labels == 1, labels != 1):
        total = factors[members].sum()
        if total > 0:
            weights[members] = _bounded_mean_one(factors[members], min_weight, max_weight)
    return weights


def _bounded_mean_one(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """``clip(k * values, low, high)`` with the ``k`` that makes the mean 1.

    The mean grows with ``k``, so ``k`` is found by bisection.
    """
    values = np.asarray(values, dtype=np.float64)
    if not low <= 1.0 <= high or values.max() <= 0:
        return np.ones(len(values))
    smallest, largest = 0.0, 1.0
    while np.clip(largest * values, low, high).mean() < 1.0:
        largest *= 2.0
    for _ in range(100):
        middle = (smallest + largest) / 2
        if np.clip(middle * values, low, high).mean() < 1.0:
            smallest = middle
        else:
            largest = middle
    return np.clip(largest * values, low, high)


def in_probability_band(labels: np.ndarray, probabilities: np.ndarray, band: float) -> np.ndarray:
    """Mask of the labelled windows (1 or 0) with ``|p - 0.5| <= band``."""
    return (np.asarray(labels) != -1) & (np.abs(np.asarray(probabilities) - 0.5) <= band)


def iou_balanced_sample(
    ious: np.ndarray,
    count: int,
    bins: int,
    floor_iou: float,
    floor_fraction: float,
    rng: np.random.Generator,
    upper: float = PERSON_IOU,
) -> np.ndarray:
    """IoU-balanced negative sampling (Pang et al., Libra R-CNN, CVPR 2019).

    The windows with ``floor_iou <= iou < upper`` are split into ``bins``
    equal IoU intervals; ``count - round(count * floor_fraction)`` windows
    are drawn from them, ``// bins`` at random from each interval (all of an
    interval that has fewer), then topped up at random from the rest of the
    intervals. The remainder is drawn at random from the "floor", the
    windows below ``floor_iou``; if the floor runs short, any window left
    fills in. This is mmdetection's ``IoUBalancedNegSampler``.

    Parameters
    ----------
    ious : ndarray, shape (n,)
        Largest IoU of each candidate negative with a person (all ``< upper``;
        larger ones are never drawn).
    count : int
        Windows to draw (all of them if there are no more).
    bins : int
    floor_iou : float
    floor_fraction : float
        Share of ``count`` meant for the floor, in [0, 1].
    rng : numpy Generator
    upper : float
        IoU from which a window is a person.

    Returns
    -------
    indices : ndarray of int
        Sorted indices into ``ious``.
    """
    ious = np.asarray(ious, dtype=np.float64)
    eligible = ious < upper
    if eligible.sum() <= count:
        return np.flatnonzero(eligible)
    binned_target = count - int(round(count * floor_fraction))
    edges = np.linspace(floor_iou, upper, bins + 1)
    which_bin = np.searchsorted(edges, ious, side="right") - 1  # -1 below floor_iou
    binned = eligible & (ious >= floor_iou)
    chosen = np.zeros(len(ious), bool)

    def draw(mask: np.ndarray, k: int) -> None:
        pool = np.flatnonzero(mask & ~chosen)
        if k > 0 and pool.size:
            chosen[rng.choice(pool, size=min(k, pool.size), replace=False)] = True

    for index in range(bins):
        draw(binned & (which_bin == index), binned_target // bins)
    draw(binned, binned_target - int(chosen.sum()))
    draw(eligible & (ious < floor_iou), count - int(chosen.sum()))
    draw(eligible, count - int(chosen.sum()))
    return np.flatnonzero(chosen)


def hierarchical_local_rank(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """PISA's Hierarchical Local Rank (Cao et al., CVPR 2020), 0 = most important.

    Samples are first ranked within their group (one annotated person for
    positives, ranked by IoU; one image for negatives, ranked by score),
    largest value first. Then every group's first sample is ranked by value,
    followed by every group's second, and so on. Samples with the same local
    rank and the same value share a rank (the smallest), so that, for
    example, many crops of IoU 1 all rank first.

    Parameters
    ----------
    values : ndarray, shape (n,)
    groups : ndarray, shape (n,)
        Any hashable labels (strings or ints).

    Returns
    -------
    ranks : ndarray of int, shape (n,)
    """
    values = np.asarray(values, dtype=np.float64)
    n = len(values)
    if n == 0:
        return np.zeros(0, np.intp)
    _, group_ids = np.unique(np.asarray(groups), return_inverse=True)
    by_group = np.lexsort((-values, group_ids))
    sorted_groups = group_ids[by_group]
    group_start = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    starts = np.repeat(group_start, np.diff(np.r_[group_start, n]))
    local_rank = np.empty(n, np.intp)
    local_rank[by_group] = np.arange(n) - starts
    order = np.lexsort((-values, local_rank))
    ordered_rank, ordered_value = local_rank[order], values[order]
    new_key = np.r_[True, (ordered_rank[1:] != ordered_rank[:-1]) | (ordered_value[1:] != ordered_value[:-1])]
    first_of_key = np.maximum.accumulate(np.where(new_key, np.arange(n), 0))
    ranks = np.empty(n, np.intp)
    ranks[order] = first_of_key
    return ranks


def importance_weights(ranks: np.ndarray, gamma: float, bias: float) -> np.ndarray:
    """PISA's importance-based sample reweighting of HLR ranks.

    ``u = (n - r) / n`` maps rank ``r`` of ``n`` samples linearly to (0, 1];
    the weight is ``((1 - bias) * u + bias) ** gamma``.
    """
    ranks = np.asarray(ranks, dtype=np.float64)
    n = len(ranks)
    if n == 0:
        return np.zeros(0)
    importance = (n - ranks) / n
    return ((1.0 - bias) * importance + bias) ** gamma


def preserve_loss_sum(weights: np.ndarray, losses: np.ndarray) -> np.ndarray:
    """Rescale weights so that ``sum(weights * losses) == sum(losses)``.

    PISA normalises its weights this way, so reweighting changes which
    samples matter but not the size of the loss. If the weighted loss is 0
    the weights are rescaled to mean 1 instead.
    """
    weights = np.asarray(weights, dtype=np.float64)
    weighted = float(np.sum(weights * losses))
    if weighted > 0:
        return weights * (float(np.sum(losses)) / weighted)
    total = weights.sum()
    return weights * (len(weights) / total) if total > 0 else np.ones(len(weights))


def prime_weights(
    labels: np.ndarray,
    probabilities: np.ndarray,
    ious: np.ndarray,
    groups: np.ndarray,
    gamma: float,
    bias: float,
) -> np.ndarray:
    """PISA weights of a pool: positives by IoU HLR, negatives by score HLR.

    Each class is ranked with :func:`hierarchical_local_rank` (positives by
    IoU within each person, negatives by probability within each image),
    mapped with :func:`importance_weights` and rescaled with
    :func:`preserve_loss_sum` against the cross-entropy of the current model,
    so that each class's total loss is unchanged.
    """
    labels = np.asarray(labels)
    groups = np.asarray(groups)
    losses = cross_entropy(labels, probabilities)
    weights = np.ones(len(labels))
    for positive, values in ((True, np.asarray(ious)), (False, np.asarray(probabilities))):
        members = (labels == 1) if positive else (labels != 1)
        if members.any():
            ranks = hierarchical_local_rank(values[members], groups[members])
            weights[members] = preserve_loss_sum(importance_weights(ranks, gamma, bias), losses[members])
    return weights


def jitter_boxes(
    boxes: np.ndarray, copies: int, jitter: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Copies of boxes moved and rescaled a little, at random.

    Each copy's centre moves by up to ``jitter`` times the box's width
    (sideways) and height (up and down), and its size is multiplied by a
    factor between ``1 / (1 + jitter)`` and ``1 + jitter`` (uniform in log
    scale), the aspect ratio kept.

    Returns
    -------
    jittered : ndarray, shape (len(boxes) * copies, 4)
        x1, y1, x2, y2; the copies of box 0 first.
    owners : ndarray of int, shape (len(boxes) * copies,)
        Index of the box each copy came from.
    """
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    owners = np.repeat(np.arange(len(boxes)), copies)
    source = boxes[owners]
    width = source[:, 2] - source[:, 0]
    height = source[:, 3] - source[:, 1]
    shift = rng.uniform(-jitter, jitter, size=(len(owners), 2))
    scale = np.exp(rng.uniform(-np.log1p(jitter), np.log1p(jitter), size=len(owners)))
    centre_x = (source[:, 0] + source[:, 2]) / 2 + shift[:, 0] * width
    centre_y = (source[:, 1] + source[:, 3]) / 2 + shift[:, 1] * height
    half_width, half_height = width * scale / 2, height * scale / 2
    jittered = np.column_stack([centre_x - half_width, centre_y - half_height, centre_x + half_width, centre_y + half_height])
    return jittered, owners


# --------------------------------------------------------------------------
# The strategies
# --------------------------------------------------------------------------


def _check_count(option: str, value: int | None) -> None:
    if value is not None and value < 1:
        raise HogdetError(f"{option} must be at least 1, got {value}")


def _check_probability(option: str, value: float) -> None:
    if not 0.0 < value < 1.0:
        raise HogdetError(f"{option} must be between 0 and 1 (exclusive), got {value}")


class Strategy:
    """Base of the mining strategies; see the module documentation."""

    name = "base"
    scan_positive_images = False
    proposes_person_windows = False

    def keep_in_image(self, candidates: Candidates, rng: np.random.Generator) -> np.ndarray:
        """Indices of one image's windows to send back to the parent."""
        raise NotImplementedError

    def select(self, candidates: Candidates, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Indices of the windows that join the training set, and their labels."""
        raise NotImplementedError

    def sample_weights(
        self,
        labels: np.ndarray,
        probabilities: np.ndarray | None,
        ious: np.ndarray | None = None,
        groups: np.ndarray | None = None,
    ) -> np.ndarray | None:
        """Weights of the whole pool for retraining (None: all equal).

        ``probabilities`` are the pool's under the previous model (None
        before round 0); ``ious`` and ``groups`` give each sample's IoU with
        its person and its group (person for positives, image for negatives).
        """
        return None

    def person_windows(self, people: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Person boxes to score around annotated ``people``, and whose they are."""
        return np.zeros((0, 4)), np.zeros(0, np.intp)

    def minimum_score(self, detector) -> float:
        """Decision value below which a window cannot be kept (lets the scan skip work)."""
        return -np.inf


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
        _check_probability("--threshold", self.threshold)
        _check_count("--max-per-image", self.max_per_image)
        _check_count("--max-hard", self.max_hard)

    def minimum_score(self, detector) -> float:
        return detector.decision_at(self.threshold)

    def _false_positives(self, candidates: Candidates) -> np.ndarray:
        return (candidates.labels == 0) & (candidates.probabilities > self.threshold)

    def _choose(self, candidates: Candidates, limit: int | None) -> np.ndarray:
        """At most ``limit`` windows to keep (subclasses also choose people)."""
        return top_k(candidates.scores, limit, among=self._false_positives(candidates))

    def keep_in_image(self, candidates: Candidates, rng: np.random.Generator) -> np.ndarray:
        return self._choose(candidates, self.max_per_image)

    def select(self, candidates: Candidates, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
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
        _check_count("--jitter-copies", self.jitter_copies)
        if not 0.0 <= self.jitter < 0.5:
            raise HogdetError(f"--jitter must be >= 0 and < 0.5, got {self.jitter}")

    def person_windows(self, people: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        return jitter_boxes(people, self.jitter_copies, self.jitter, rng)

    @staticmethod
    def _missed_people(candidates: Candidates) -> np.ndarray:
        return (candidates.labels == 1) & (candidates.probabilities <= 0.5)

    def _choose(self, candidates: Candidates, limit: int | None) -> np.ndarray:
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
            raise HogdetError(f"--band must be > 0 and <= 0.5, got {self.band}")
        _check_count("--max-per-image", self.max_per_image)
        _check_count("--max-hard", self.max_hard)

    def minimum_score(self, detector) -> float:
        lowest = 0.5 - self.band
        return detector.decision_at(lowest) if lowest > 0 else -np.inf

    def _choose(self, candidates: Candidates, limit: int | None) -> np.ndarray:
        certainty = -np.abs(np.asarray(candidates.probabilities, np.float64) - 0.5)
        return top_k(certainty, limit, among=in_probability_band(candidates.labels, candidates.probabilities, self.band))

    def keep_in_image(self, candidates: Candidates, rng: np.random.Generator) -> np.ndarray:
        return self._choose(candidates, self.max_per_image)

    def select(self, candidates: Candidates, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
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
        _check_count("--top-k", self.top_k)
        _check_count("--max-hard", self.max_hard)

    def _choose(self, candidates: Candidates, limit: int | None) -> np.ndarray:
        losses = cross_entropy(candidates.labels, candidates.probabilities)
        return top_k(losses, limit, among=candidates.labels == 0)

    def keep_in_image(self, candidates: Candidates, rng: np.random.Generator) -> np.ndarray:
        return self._choose(candidates, self.top_k)

    def select(self, candidates: Candidates, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
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
            raise HogdetError(f"--gamma must be >= 0, got {self.gamma}")

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
        _check_count("--max-per-image", self.max_per_image)
        _check_count("--max-hard", self.max_hard)
        _check_count("--iou-bins", self.iou_bins)
        if not 0.0 <= self.floor_iou < PERSON_IOU:
            raise HogdetError(f"--floor-iou must be >= 0 and < {PERSON_IOU}, got {self.floor_iou}")
        if not 0.0 <= self.floor_fraction <= 1.0:
            raise HogdetError(f"--floor-fraction must be between 0 and 1, got {self.floor_fraction}")

    def keep_in_image(self, candidates: Candidates, rng: np.random.Generator) -> np.ndarray:
        negatives = np.flatnonzero((candidates.labels != 1) & (candidates.ious < PERSON_IOU))
        count = len(negatives) if self.max_per_image is None else self.max_per_image
        drawn = iou_balanced_sample(
            candidates.ious[negatives], count, self.iou_bins, self.floor_iou, self.floor_fraction, rng
        )
        return negatives[drawn]

    def select(self, candidates: Candidates, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
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
            raise HogdetError(f"--gamma must be >= 0, got {self.gamma}")
        if not 0.0 <= self.importance_bias <= 1.0:
            raise HogdetError(f"--importance-bias must be between 0 and 1, got {self.importance_bias}")

    def minimum_score(self, detector) -> float:
        return -np.inf  # person windows are kept whatever their score

    def _choose(self, candidates: Candidates, limit: int | None) -> np.ndarray:
        negatives = top_k(candidates.scores, limit, among=self._false_positives(candidates))
        positives = top_k(np.asarray(candidates.ious, np.float64), limit, among=candidates.labels == 1)
        return np.concatenate([negatives, positives])


    def sample_weights(self, labels, probabilities, ious=None, groups=None) -> np.ndarray | None:
        if probabilities is None:
            return None
        if ious is None or groups is None:
            raise HogdetError("the prime strategy needs the IoU and group of every training sample")
        return prime_weights(labels, probabilities, ious, groups, self.gamma, self.importance_bias)


STRATEGIES: dict[str, type[Strategy]] = {
    strategy.name: strategy for strategy in (HardNegative, HardExample, Uncertain, OHEM, Focal, IoUBalanced, Prime)
}


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
