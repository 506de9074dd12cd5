"""The rules of the mining strategies, as functions of plain arrays.

Each can be checked by hand: :func:`top_k`, :func:`cross_entropy`,
:func:`focal_weights`, :func:`in_probability_band`,
:func:`iou_balanced_sample`, :func:`hierarchical_local_rank`,
:func:`importance_weights`, :func:`preserve_loss_sum`, :func:`prime_weights`,
:func:`jitter_boxes`. The strategies (:mod:`hogdet.mining.strategies`) are
small objects that call them.
"""

from __future__ import annotations

import numpy as np

#: A window overlapping an annotated person at least this much is a person
#: (the INRIA / PASCAL criterion); below it, a window may serve as a negative.
PERSON_IOU = 0.5

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
