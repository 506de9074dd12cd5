"""Each mining strategy's rule, on hand-made arrays with answers worked out by hand."""

import math

import numpy as np
import pytest

from hogdet.errors import HogdetError, ParameterError
from hogdet.windows import Windows
from hogdet.features import HOGParameters
from hogdet.training import person_window_boxes, person_window_features
from hogdet.strategies import (
    OHEM,
    STRATEGIES,
    Focal,
    HardExample,
    HardNegative,
    IoUBalanced,
    Prime,
    Uncertain,
    cross_entropy,
    focal_weights,
    hierarchical_local_rank,
    importance_weights,
    iou_balanced_sample,
    jitter_boxes,
    make_strategy,
    strategy_parameters,
    preserve_loss_sum,
    prime_weights,
)
from hogdet.training import crop_window_features

RNG = np.random.default_rng(0)


def candidates(scores, probabilities, labels, ious=None) -> Windows:
    n = len(scores)
    return Windows.make(
        scores=np.asarray(scores, np.float32),
        probabilities=np.asarray(probabilities, np.float64),
        labels=np.asarray(labels, np.int8),
        ious=np.zeros(n) if ious is None else np.asarray(ious, np.float64),
    )


class LogitDetector:
    """Stands in for a Detector whose probability is the logistic of the score."""

    @staticmethod
    def decision_at(probability: float) -> float:
        return math.log(probability / (1 - probability))


# --------------------------------------------------------------------------
# hard-negative (Dalal & Triggs)
# --------------------------------------------------------------------------


def test_hard_negative_keeps_background_above_threshold_highest_score_first():
    # threshold 0.6: index 0 (p 0.9) and 3 (p 0.95) are false positives;
    # 1 (p 0.55) is below it, 2 is ambiguous (-1), 4 is a person.
    found = candidates([2.0, 0.5, 1.5, 3.0, 4.0], [0.9, 0.55, 0.8, 0.95, 0.99], [0, 0, -1, 0, 1])
    strategy = HardNegative(threshold=0.6, max_per_image=1, max_hard=None)
    assert strategy.keep_in_image(found, RNG).tolist() == [3]  # score 3.0 beats 2.0
    chosen, labels = strategy.select(found, RNG)
    assert chosen.tolist() == [3, 0] and labels.tolist() == [0, 0]
    assert strategy.minimum_score(LogitDetector) == pytest.approx(math.log(0.6 / 0.4))


# --------------------------------------------------------------------------
# hard-example
# --------------------------------------------------------------------------


def test_hard_example_adds_missed_people_lowest_score_first():
    # Negatives above 0.5: 0 (p 0.7, score 1.0) and 4 (p 0.95, score 2.5).
    # People at p <= 0.5: 1 (score -0.5), 2 (score -2.0), 5 (p exactly 0.5,
    # score 0.0); person 3 (p 0.55) is found and not added again.
    found = candidates(
        [1.0, -0.5, -2.0, 0.3, 2.5, 0.0], [0.7, 0.4, 0.1, 0.55, 0.95, 0.5], [0, 1, 1, 1, 0, 1]
    )
    strategy = HardExample(threshold=0.5, max_per_image=1, max_hard=None)
    assert strategy.keep_in_image(found, RNG).tolist() == [4, 2]
    chosen, labels = strategy.select(found, RNG)
    assert chosen.tolist() == [4, 0, 2, 1, 5]
    assert labels.tolist() == [0, 0, 1, 1, 1]


def test_jitter_zero_copies_the_boxes():
    boxes = np.array([[10.0, 20.0, 50.0, 120.0], [0.0, 0.0, 30.0, 60.0]])
    jittered, owners = jitter_boxes(boxes, 3, 0.0, np.random.default_rng(1))
    assert owners.tolist() == [0, 0, 0, 1, 1, 1]
    np.testing.assert_allclose(jittered, boxes[[0, 0, 0, 1, 1, 1]])


def test_jitter_stays_within_its_bounds_and_keeps_the_aspect():
    # Box 40 wide, 100 tall, centre (30, 70); jitter 0.1: centre within
    # +-4 px sideways and +-10 px up/down, size factor in [1/1.1, 1.1].
    box = np.array([[10.0, 20.0, 50.0, 120.0]])
    jittered, _ = jitter_boxes(box, 500, 0.1, np.random.default_rng(2))
    width, height = jittered[:, 2] - jittered[:, 0], jittered[:, 3] - jittered[:, 1]
    centre_x, centre_y = (jittered[:, 0] + jittered[:, 2]) / 2, (jittered[:, 1] + jittered[:, 3]) / 2
    assert np.all(np.abs(centre_x - 30) <= 4.0 + 1e-9) and np.all(np.abs(centre_y - 70) <= 10.0 + 1e-9)
    assert np.all(width >= 40 / 1.1 - 1e-9) and np.all(width <= 44 + 1e-9)
    np.testing.assert_allclose(height / width, 2.5)
    assert np.ptp(centre_x) > 4 and np.ptp(width) > 4  # it really moves
    again, _ = jitter_boxes(box, 500, 0.1, np.random.default_rng(2))
    np.testing.assert_array_equal(again, jittered)


def test_person_window_takes_the_detector_aspect():
    # A person 40 wide, 96 tall centred at x 50: the detector's person box
    # is 64 x 96 (the 64 x 128 window less 16 rows top and bottom).
    boxes = person_window_boxes(np.array([[30.0, 10.0, 70.0, 106.0]]), HOGParameters())
    np.testing.assert_allclose(boxes, [[18.0, 10.0, 82.0, 106.0]])


def test_person_window_features_equal_the_crop_features_at_scale_one(astronaut):
    # The person box (x 116..180, y 82..178) at scale 1 lies in the 96 x 160
    # region rows 50..210, cols 100..196, exactly as INRIA's crops hold
    # theirs (16 px of context sideways, 32 above and below): both paths
    # must give the same vector.
    hog = HOGParameters()
    region = astronaut[50:210, 100:196]
    expected = crop_window_features(region, hog)
    found = person_window_features(astronaut, np.array([[116.0, 82.0, 180.0, 178.0]]), hog)
    np.testing.assert_allclose(found[0], expected, atol=1e-5)


# --------------------------------------------------------------------------
# uncertain
# --------------------------------------------------------------------------


def test_uncertain_keeps_either_class_in_the_band_most_uncertain_first():
    # band 0.1: |p - 0.5| = 0.05, 0.12, 0.00, 0.11, 0.05, 0.08. In the band:
    # 0 (background), 2 (background), 5 (person); 4 is in it but ambiguous.
    # Most uncertain first: 2 (0.00), 0 (0.05), 5 (0.08).
    found = candidates(
        [0.0] * 6, [0.45, 0.62, 0.5, 0.39, 0.55, 0.58], [0, 1, 0, 0, -1, 1]
    )
    strategy = Uncertain(band=0.1, max_per_image=2, max_hard=None)
    assert strategy.keep_in_image(found, RNG).tolist() == [2, 0]
    chosen, labels = strategy.select(found, RNG)
    assert chosen.tolist() == [2, 0, 5] and labels.tolist() == [0, 0, 1]
    # The scan can skip windows below p = 0.4; with the widest band, none.
    assert strategy.minimum_score(LogitDetector) == pytest.approx(math.log(0.4 / 0.6))
    assert Uncertain(band=0.5).minimum_score(LogitDetector) == -np.inf


# --------------------------------------------------------------------------
# ohem
# --------------------------------------------------------------------------


def test_cross_entropy_by_hand():
    # person p 0.8: -ln 0.8 = 0.223144; background p 0.8: -ln 0.2 = 1.609438
    np.testing.assert_allclose(cross_entropy(np.array([1, 0]), np.array([0.8, 0.8])), [0.223144, 1.609438], atol=1e-6)


def test_ohem_keeps_the_top_k_negatives_by_loss_without_threshold():
    # Background losses -ln(1 - p): 0 -> 2.302585, 1 -> 0.223144,
    # 2 -> 0.916291, 5 -> 0.010050; 3 is a person, 4 ambiguous.
    found = candidates([0.0] * 6, [0.9, 0.2, 0.6, 0.99, 0.7, 0.01], [0, 0, 0, 1, -1, 0])
    strategy = OHEM(top_k=2, max_hard=None)
    assert strategy.keep_in_image(found, RNG).tolist() == [0, 2]
    # No threshold: with K = 4 even p = 0.01 is kept, last.
    chosen, labels = OHEM(top_k=4, max_hard=None).select(found, RNG)
    assert chosen.tolist() == [0, 2, 1, 5] and labels.tolist() == [0, 0, 0, 0]
    assert OHEM(max_hard=3).select(found, RNG)[0].tolist() == [0, 2, 1]
    assert OHEM().minimum_score(LogitDetector) == -np.inf


# --------------------------------------------------------------------------
# focal
# --------------------------------------------------------------------------


def test_focal_weights_by_hand():
    # p_t = 0.9, 0.4 (people), 0.8, 0.3 (background, 1 - p);
    # (1 - p_t)^2 = 0.01, 0.36 | 0.04, 0.49.
    # People sum 0.37 -> x 2/0.37: 0.054054, 1.945946;
    # background sum 0.53 -> x 2/0.53: 0.150943, 1.849057.
    labels = np.array([1, 1, 0, 0])
    probabilities = np.array([0.9, 0.4, 0.2, 0.7])
    np.testing.assert_allclose(
        focal_weights(labels, probabilities, 2.0, max_weight=np.inf, min_weight=0.0),
        [0.054054, 1.945946, 0.150943, 1.849057],
        atol=1e-6,
    )
    np.testing.assert_allclose(focal_weights(labels, probabilities, 0.0), [1, 1, 1, 1])
    # With the default floor of 0.25 the easy member of each class is
    # lifted to 0.25 and the other keeps the rest of the class's 2: 1.75.
    strategy = Focal(gamma=2.0)
    assert strategy.sample_weights(labels, None) is None  # round 0: no model yet
    np.testing.assert_allclose(strategy.sample_weights(labels, probabilities), [0.25, 1.75, 0.25, 1.75], atol=1e-6)


def test_focal_mines_like_hard_negative():
    found = candidates([2.0, 0.5, 1.5], [0.9, 0.4, 0.8], [0, 0, 0])
    assert Focal(max_hard=None).select(found, RNG)[0].tolist() == [0, 2]


# --------------------------------------------------------------------------
# iou-balanced (Libra R-CNN)
# --------------------------------------------------------------------------


def regions(chosen, ious, edges):
    """How many chosen windows fall below edges[0] (floor) and in each bin."""
    values = np.asarray(ious)[chosen]
    return [int(np.sum(values < edges[0]))] + [
        int(np.sum((values >= low) & (values < high))) for low, high in zip(edges[:-1], edges[1:])
    ]


@pytest.mark.parametrize("seed", range(5))
def test_iou_balanced_fills_each_bin_evenly(seed):
    # Bins [0.1, 0.3) = {4, 5, 6} and [0.3, 0.5) = {7, 8, 9, 10}; floor {0..3}.
    # count 6, floor fraction 1/3: 6 - round(2) = 4 binned, 4 // 2 = 2 per
    # bin, and 6 - 4 = 2 from the floor.
    ious = [0.0, 0.0, 0.0, 0.0, 0.12, 0.15, 0.25, 0.35, 0.38, 0.45, 0.48]
    chosen = iou_balanced_sample(np.array(ious), 6, 2, 0.1, 1 / 3, np.random.default_rng(seed))
    assert len(set(chosen.tolist())) == 6
    assert regions(chosen, ious, [0.1, 0.3, 0.5]) == [2, 2, 2]


@pytest.mark.parametrize("seed", range(5))
def test_iou_balanced_tops_up_a_starved_bin(seed):
    # Bin [0.1, 0.3) holds only index 6: it gives 1, bin [0.3, 0.5) its 2,
    # and the binned share (4) is topped up with 1 more from the other bins'
    # remainder (bin 2); the floor still gets 6 - 4 = 2.
    ious = [0.0] * 6 + [0.2, 0.4, 0.41, 0.42, 0.43, 0.44]
    chosen = iou_balanced_sample(np.array(ious), 6, 2, 0.1, 1 / 3, np.random.default_rng(seed))
    assert regions(chosen, ious, [0.1, 0.3, 0.5]) == [2, 1, 3]


@pytest.mark.parametrize("seed", range(5))
def test_iou_balanced_short_floor_is_filled_from_the_bins(seed):
    # Floor = {0}; bins {1, 2} and {3, 4, 5, 6}. count 4, fraction 0.5:
    # 2 binned (1 per bin), floor wants 2 and has 1, the last comes from
    # what is left in the bins. (No IoU sits on an edge: 0.3 is not exact.)
    ious = [0.05, 0.2, 0.25, 0.32, 0.35, 0.4, 0.45]
    chosen = iou_balanced_sample(np.array(ious), 4, 2, 0.1, 0.5, np.random.default_rng(seed))
    assert len(chosen) == 4 and 0 in chosen.tolist()
    counts = regions(chosen, ious, [0.1, 0.3, 0.5])
    assert counts[0] == 1 and counts[1] >= 1 and counts[2] >= 1


def test_iou_balanced_edge_cases():
    # Fewer eligible windows than asked: all below 0.5, never a person.
    assert iou_balanced_sample(np.array([0.1, 0.6, 0.3]), 5, 3, 0.1, 0.25, RNG).tolist() == [0, 2]
    # A person-free image (all IoU 0): every draw comes from the floor.
    chosen = iou_balanced_sample(np.zeros(10), 3, 3, 0.1, 0.25, np.random.default_rng(3))
    assert len(set(chosen.tolist())) == 3
    # Same generator seed, same draw.
    ious = np.linspace(0, 0.49, 50)
    first = iou_balanced_sample(ious, 9, 3, 0.1, 0.25, np.random.default_rng(7))
    np.testing.assert_array_equal(first, iou_balanced_sample(ious, 9, 3, 0.1, 0.25, np.random.default_rng(7)))


def test_iou_balanced_strategy_draws_only_negatives():
    # 1 is a person (IoU 0.7); 2 is ambiguous for the loop (IoU 0.4) but a
    # negative for Libra (< 0.5).
    found = candidates([0.0] * 4, [0.5] * 4, [0, 1, -1, 0], ious=[0.0, 0.7, 0.4, 0.2])
    strategy = IoUBalanced(max_per_image=10, max_hard=2)
    assert strategy.keep_in_image(found, RNG).tolist() == [0, 2, 3]
    chosen, labels = strategy.select(found, np.random.default_rng(0))
    assert len(chosen) == 2 and set(chosen.tolist()) <= {0, 2, 3} and labels.tolist() == [0, 0]
    assert strategy.scan_positive_images


# --------------------------------------------------------------------------
# prime (PISA)
# --------------------------------------------------------------------------


def test_hierarchical_local_rank_of_the_paper_example():
    # A, B, C cover one person with IoU C > A > B; D, E another, D > E.
    # Top-1s C (0.8), D (0.9) -> D, C; top-2s A (0.7), E (0.65) -> A, E;
    # then B: order D C A E B, so ranks A 2, B 4, C 1, D 0, E 3.
    values = np.array([0.7, 0.6, 0.8, 0.9, 0.65])
    groups = np.array(["p1", "p1", "p1", "p2", "p2"])
    assert hierarchical_local_rank(values, groups).tolist() == [2, 4, 1, 0, 3]


def test_hierarchical_local_rank_ties_share_a_rank():
    # Three groups' best samples all have value 1.0: all rank 0; the second
    # sample of group c comes after them, rank 3.
    ranks = hierarchical_local_rank(np.array([1.0, 1.0, 1.0, 0.8]), np.array(["a", "b", "c", "c"]))
    assert ranks.tolist() == [0, 0, 0, 3]


def test_importance_weights_by_hand():
    # n = 4, u = (4 - r) / 4 = 1, 0.75, 0.5, 0.25; gamma 2: squares.
    np.testing.assert_allclose(importance_weights(np.array([0, 1, 2, 3]), 2.0, 0.0), [1, 0.5625, 0.25, 0.0625])
    # bias 0.2, gamma 1: 0.8 u + 0.2 = 1.0, 0.8, 0.6, 0.4.
    np.testing.assert_allclose(importance_weights(np.array([0, 1, 2, 3]), 1.0, 0.2), [1, 0.8, 0.6, 0.4])


def test_preserve_loss_sum_by_hand():
    # sum L = 1.5; sum w L = 0.1 + 0.1125 + 0.1 + 0.05 = 0.3625;
    # factor 1.5 / 0.3625 = 4.137931.
    weights = preserve_loss_sum(np.array([1, 0.5625, 0.25, 0.0625]), np.array([0.1, 0.2, 0.4, 0.8]))
    np.testing.assert_allclose(weights, [4.137931, 2.327586, 1.034483, 0.258621], atol=1e-6)


def test_prime_weights_by_hand():
    # People: IoU 0.9, 0.6 (person A), 0.8 (person B) -> ranks 0, 2, 1,
    # u = 1, 1/3, 2/3 (gamma 1). Losses -ln p = 0.223144, 0.693147, 0.510826:
    # sum 1.427116, weighted 0.223144 + 0.231049 + 0.340551 = 0.794744,
    # factor 1.795694 -> 1.795694, 0.598565, 1.197130.
    # Background: p 0.3, 0.1 (image 1), 0.2 (image 2) -> ranks 0, 2, 1;
    # losses -ln(1 - p) = 0.356675, 0.105361, 0.223144: sum 0.685179,
    # weighted 0.356675 + 0.035120 + 0.148762 = 0.540557, factor 1.267542
    # -> 1.267542, 0.422514, 0.845028.
    labels = np.array([1, 1, 1, 0, 0, 0])
    probabilities = np.array([0.8, 0.5, 0.6, 0.3, 0.1, 0.2])
    ious = np.array([0.9, 0.6, 0.8, 0.0, 0.0, 0.0])
    groups = np.array(["A", "A", "B", "img1", "img1", "img2"])
    weights = prime_weights(labels, probabilities, ious, groups, 1.0, 0.0)
    np.testing.assert_allclose(
        weights, [1.795694, 0.598565, 1.197130, 1.267542, 0.422514, 0.845028], atol=2e-5
    )


def test_prime_keeps_each_class_loss_sum():
    rng = np.random.default_rng(4)
    labels = rng.integers(0, 2, 200)
    probabilities = rng.uniform(0.01, 0.99, 200)
    ious = np.where(labels == 1, rng.uniform(0.5, 1.0, 200), 0.0)
    groups = rng.integers(0, 12, 200).astype(str)
    weights = Prime(gamma=2.0).sample_weights(labels, probabilities, ious, groups)
    losses = cross_entropy(labels, probabilities)
    for members in (labels == 1, labels == 0):
        assert np.sum(weights[members] * losses[members]) == pytest.approx(np.sum(losses[members]))
    assert weights.min() >= 0 and np.ptp(weights) > 0
    assert Prime().sample_weights(labels, None, ious, groups) is None


def test_prime_mines_false_positives_and_best_overlapping_people():
    # Background above 0.5: 0 (score 2), 3 (score 3). People: 1 (IoU 0.6),
    # 4 (IoU 0.9), best overlap first. 2 is background below 0.5.
    found = candidates([2.0, -1.0, 0.0, 3.0, 0.5], [0.9, 0.2, 0.4, 0.95, 0.6], [0, 1, 0, 0, 1],
                       ious=[0.0, 0.6, 0.1, 0.0, 0.9])
    strategy = Prime(max_per_image=1, max_hard=None)
    assert strategy.keep_in_image(found, RNG).tolist() == [3, 4]
    chosen, labels = strategy.select(found, RNG)
    assert chosen.tolist() == [3, 0, 4, 1] and labels.tolist() == [0, 0, 1, 1]


# --------------------------------------------------------------------------
# Registry and options
# --------------------------------------------------------------------------


def test_every_strategy_is_registered_and_builds_from_shared_options():
    assert set(STRATEGIES) == {"hard-negative", "hard-example", "uncertain", "ohem", "focal", "iou-balanced", "prime"}
    shared = {"threshold": 0.6, "max_per_image": 5, "max_hard": 50, "gamma": 1.0, "band": 0.2, "top_k": 3}
    for name in STRATEGIES:
        strategy = make_strategy(name, **shared)
        assert strategy.name == name
    assert make_strategy("focal", **shared).gamma == 1.0
    assert make_strategy("ohem", **shared).top_k == 3
    with pytest.raises(ParameterError, match="unknown strategy"):
        make_strategy("hardest")


def test_strategy_parameters_are_the_options_each_takes_with_its_defaults():
    assert strategy_parameters("ohem") == {"top_k": 10, "max_hard": 30000}
    assert strategy_parameters("prime")["scan_positive_images"] is True
    assert strategy_parameters("hard-negative")["scan_positive_images"] is False
    # Options left out keep the strategy's default: prime scans the photographs with people.
    assert make_strategy("prime", threshold=0.6).scan_positive_images is True


def test_old_module_path_is_the_same_module():
    import hogdet.mining.strategies as new
    import hogdet.strategies as old

    assert old.HardNegative is new.HardNegative and old.make_strategy is new.make_strategy
    assert old.focal_weights is new.focal_weights


@pytest.mark.parametrize(
    "name, options, message",
    [
        ("focal", {"gamma": -1.0}, "gamma"),
        ("prime", {"gamma": -0.5}, "gamma"),
        ("prime", {"importance_bias": 1.5}, "importance_bias"),
        ("uncertain", {"band": 0.0}, "band"),
        ("uncertain", {"band": 0.6}, "band"),
        ("ohem", {"top_k": 0}, "top_k"),
        ("iou-balanced", {"iou_bins": 0}, "iou_bins"),
        ("iou-balanced", {"floor_fraction": 1.5}, "floor_fraction"),
        ("iou-balanced", {"floor_iou": 0.5}, "floor_iou"),
        ("hard-example", {"jitter": -0.1}, "jitter"),
        ("hard-example", {"jitter_copies": 0}, "jitter_copies"),
        ("hard-example", {"threshold": 1.0}, "threshold"),
        ("uncertain", {"max_hard": 0}, "max_hard"),
    ],
)
def test_bad_options_name_the_parameter(name, options, message):
    with pytest.raises(ParameterError) as raised:
        make_strategy(name, **options)
    assert raised.value.parameter == message and str(raised.value).startswith(message + " ")
    assert isinstance(raised.value, ValueError)


def test_focal_weights_are_capped_and_keep_mean_one():
    from hogdet.strategies import focal_weights

    # 99 easy negatives (p = 0.01, factor 1e-4 at gamma 2) and one hard one
    # (p = 0.99, factor 0.9801): uncapped, the hard one would weigh
    # 0.9801 / (0.9801 + 99e-4) * 100 = 99.0. Capped at 10, it weighs 10 and
    # the 99 easy ones share the remaining 90 equally: 90 / 99 each.
    labels = np.zeros(100, int)
    probabilities = np.full(100, 0.01)
    probabilities[0] = 0.99
    weights = focal_weights(labels, probabilities, gamma=2.0, max_weight=10.0, min_weight=0.0)
    assert weights[0] == pytest.approx(10.0)
    np.testing.assert_allclose(weights[1:], 90 / 99)
    assert weights.mean() == pytest.approx(1.0)
    # A floor of 0.95 lifts the easy ones to 0.95 and leaves the hard one
    # the rest of the class's weight: 100 - 99 * 0.95 = 5.95.
    floored = focal_weights(labels, probabilities, gamma=2.0, max_weight=10.0, min_weight=0.95)
    np.testing.assert_allclose(floored[1:], 0.95)
    assert floored[0] == pytest.approx(5.95)
    uncapped = focal_weights(labels, probabilities, gamma=2.0, max_weight=1e9, min_weight=0.0)
    assert uncapped[0] == pytest.approx(0.9801 / (0.9801 + 99e-4) * 100)
