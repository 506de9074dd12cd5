"""Tests of the metrics of hogdet.evaluation (window_metrics, image_metrics) against cases worked out by hand.

Every expected number below is derived in the comments, never taken from the
code under test.
"""

import numpy as np
import pytest

from hogdet.boxes import box_iou, intersection_over_detection_area, standardize_aspect
from hogdet.evaluation import (
    PerImageResult,
    average_precision,
    det_curve_fppw,
    evaluate_images,
    log_average_miss_rate,
    match_image,
    miss_rate_at_fppw,
)

# ---------------------------------------------------------------- per window


def test_det_curve_three_positives_four_negatives():
    # positives 0.9 0.6 0.3, negatives 0.8 0.4 0.2 0.1.
    # Distinct thresholds, decreasing: 0.9 0.8 0.6 0.4 0.3 0.2 0.1.
    #   t    positives < t   negatives >= t   miss   fppw
    #   0.9  0.6 0.3         -                2/3    0/4
    #   0.8  0.6 0.3         0.8              2/3    1/4
    #   0.6  0.3             0.8              1/3    1/4
    #   0.4  0.3             0.8 0.4          1/3    2/4
    #   0.3  -               0.8 0.4          0      2/4
    #   0.2  -               0.8 0.4 0.2      0      3/4
    #   0.1  -               all four         0      4/4
    fppw, miss, thresholds = det_curve_fppw(
        np.array([0.3, 0.9, 0.6]), np.array([0.2, 0.8, 0.1, 0.4])
    )
    np.testing.assert_allclose(thresholds, [0.9, 0.8, 0.6, 0.4, 0.3, 0.2, 0.1])
    np.testing.assert_allclose(miss, [2 / 3, 2 / 3, 1 / 3, 1 / 3, 0, 0, 0])
    np.testing.assert_allclose(fppw, [0, 0.25, 0.25, 0.5, 0.5, 0.75, 1.0])


def test_det_curve_tied_scores_count_as_person():
    # A window with score exactly t is called a person (>= t).
    # positives 0.5 0.2, negative 0.5:
    #   t=0.5: positive 0.2 < 0.5 missed -> 1/2; negative 0.5 >= 0.5 -> fppw 1
    #   t=0.2: nothing missed -> 0; fppw 1
    fppw, miss, thresholds = det_curve_fppw(np.array([0.5, 0.2]), np.array([0.5]))
    np.testing.assert_allclose(thresholds, [0.5, 0.2])
    np.testing.assert_allclose(miss, [0.5, 0.0])
    np.testing.assert_allclose(fppw, [1.0, 1.0])


def test_det_curve_rejects_empty_input():
    with pytest.raises(ValueError):
        det_curve_fppw(np.array([]), np.array([0.1]))


def test_miss_rate_at_fppw_log_log_midpoint():
    # 1e-4 is halfway between 1e-5 and 1e-3 in log space (s = 1/2), so the
    # miss rate is the geometric mean sqrt(0.4 * 0.1) = 0.2.
    assert miss_rate_at_fppw(np.array([1e-5, 1e-3]), np.array([0.4, 0.1])) == pytest.approx(0.2)


def test_miss_rate_at_fppw_log_log_one_third():
    # 1e-4 lies 1/3 of the way from 1e-5 to 1e-2 in log space:
    # 0.8**(2/3) * 0.1**(1/3) = (0.64 * 0.1)**(1/3) = 0.064**(1/3) = 0.4.
    value = miss_rate_at_fppw(np.array([1e-5, 1e-2]), np.array([0.8, 0.1]))
    assert value == pytest.approx(0.4)


def test_miss_rate_at_fppw_ends_and_exact_hit():
    fppw, miss = np.array([1e-5, 1e-3]), np.array([0.4, 0.1])
    # never reaches down to 1e-6 -> miss rate at the smallest FPPW
    assert miss_rate_at_fppw(fppw, miss, target=1e-6) == pytest.approx(0.4)
    # every point is below 1e-2 -> miss rate of the last point
    assert miss_rate_at_fppw(fppw, miss, target=1e-2) == pytest.approx(0.1)
    # exactly on a point -> that point
    assert miss_rate_at_fppw(fppw, miss, target=1e-5) == pytest.approx(0.4)


def test_miss_rate_at_fppw_uses_best_point_of_tied_fppw():
    # At FPPW 1e-5 the curve drops 0.6 -> 0.4 (lowest threshold giving that
    # FPPW is 0.4); at 1e-3 the first point is 0.1. Interpolate 0.4 -> 0.1
    # halfway in log space: sqrt(0.04) = 0.2.
    fppw = np.array([0.0, 1e-5, 1e-5, 1e-3, 1e-3])
    miss = np.array([0.9, 0.6, 0.4, 0.1, 0.05])
    assert miss_rate_at_fppw(fppw, miss) == pytest.approx(0.2)


def test_miss_rate_at_fppw_zero_fppw_and_zero_miss():
    # left neighbour at FPPW 0: no log-space line -> its miss rate 0.5
    assert miss_rate_at_fppw(np.array([0.0, 1e-3]), np.array([0.5, 0.1])) == pytest.approx(0.5)
    # right neighbour with miss rate 0: geometric interpolation gives 0
    assert miss_rate_at_fppw(np.array([1e-5, 1e-3]), np.array([0.4, 0.0])) == 0.0


def test_det_curve_then_operating_point():
    # From the 3+4 case: FPPW 0.25 is reached at t=0.8 (miss 2/3) and
    # t=0.6 (miss 1/3); the best point at that FPPW is 1/3.
    fppw, miss, _ = det_curve_fppw(np.array([0.9, 0.6, 0.3]), np.array([0.8, 0.4, 0.2, 0.1]))
    assert miss_rate_at_fppw(fppw, miss, target=0.25) == pytest.approx(1 / 3)


# ------------------------------------------------------------------ geometry


def test_standardize_aspect_keeps_height_and_centre():
    # height 100, centre x (10 + 30) / 2 = 20, new width 41 -> x 20 -/+ 20.5
    out = standardize_aspect(np.array([[10.0, 20.0, 30.0, 120.0]]))
    np.testing.assert_allclose(out, [[-0.5, 20.0, 40.5, 120.0]])


def test_box_iou_and_detection_area_overlap():
    # [0,0,10,10] vs [5,0,15,10]: intersection 5*10 = 50, union 150 -> 1/3
    np.testing.assert_allclose(box_iou(np.array([[0, 0, 10, 10.0]]), np.array([[5, 0, 15, 10.0]])), [[1 / 3]])
    # small box inside a large one: IoU 100/10000, but intersection over the
    # detection's own area is 100/100 = 1
    small, big = np.array([[0, 0, 10, 10.0]]), np.array([[0, 0, 100, 100.0]])
    np.testing.assert_allclose(box_iou(small, big), [[0.01]])
    np.testing.assert_allclose(intersection_over_detection_area(small, big), [[1.0]])


# ------------------------------------------------------------------ matching


def test_truth_is_matched_only_once():
    # Truth [0,0,10,20]. Detection B [1,0,11,20] (score 0.9) goes first:
    # intersection 9*20 = 180, union 200 + 200 - 180 = 220, IoU 0.82 -> TP.
    # Detection A [0,0,10,20] (score 0.8) would have IoU 1 but the truth is
    # taken and there is no ignore region -> false positive.
    labels, matched = match_image(
        np.array([[0, 0, 10, 20.0], [1, 0, 11, 20.0]]),
        np.array([0.8, 0.9]),
        np.array([[0, 0, 10, 20.0]]),
        np.array([False]),
    )
    np.testing.assert_array_equal(labels, [0, 1])
    np.testing.assert_array_equal(matched, [True])


def test_detection_takes_the_truth_with_highest_iou():
    # Det 1 [0,0,10,10] (0.9): IoU with A [0,0,10,12] = 100/120 = 0.83,
    # with B [0,0,10,10] = 1 -> takes B. Det 2 [0,0,10,11] (0.5): B taken,
    # IoU with A = 110/120 = 0.92 -> takes A. Both true positives.
    labels, matched = match_image(
        np.array([[0, 0, 10, 10.0], [0, 0, 10, 11.0]]),
        np.array([0.9, 0.5]),
        np.array([[0, 0, 10, 12.0], [0, 0, 10, 10.0]]),
        np.array([False, False]),
    )
    np.testing.assert_array_equal(labels, [1, 1])
    np.testing.assert_array_equal(matched, [True, True])


def test_ignore_region_absorbs_many_detections():
    # Ignore region [0,0,100,100]. Overlap = intersection / detection area:
    #   [0,0,10,10]    100/100 = 1    -> ignored
    #   [50,50,60,60]  100/100 = 1    -> ignored
    #   [95,0,105,10]  5*10/100 = 0.5 -> ignored (>= 0.5)
    #   [96,0,106,10]  4*10/100 = 0.4 -> false positive
    labels, matched = match_image(
        np.array([[0, 0, 10, 10], [50, 50, 60, 60], [95, 0, 105, 10], [96, 0, 106, 10.0]]),
        np.array([0.9, 0.8, 0.7, 0.6]),
        np.array([[0, 0, 100, 100.0]]),
        np.array([True]),
    )
    np.testing.assert_array_equal(labels, [-1, -1, -1, 0])
    np.testing.assert_array_equal(matched, [False])


def test_real_truth_preferred_over_ignore_region():
    # The same box is both a real truth and an ignore region. The first
    # detection takes the real truth (TP); the second, on the same place,
    # finds it taken and falls into the ignore region (-1), not an FP.
    box = np.array([[0, 0, 10, 20.0]])
    labels, matched = match_image(
        np.vstack([box, box]), np.array([0.9, 0.8]), np.vstack([box, box]), np.array([False, True])
    )
    np.testing.assert_array_equal(labels, [1, -1])
    np.testing.assert_array_equal(matched, [True, False])


def test_match_image_empty_inputs():
    labels, matched = match_image(np.zeros((0, 4)), np.zeros(0), np.zeros((0, 4)), np.zeros(0, bool))
    assert labels.shape == (0,) and matched.shape == (0,)
    labels, _ = match_image(np.array([[0, 0, 1, 1.0]]), np.array([1.0]), np.zeros((0, 4)), np.zeros(0, bool))
    np.testing.assert_array_equal(labels, [0])


# ---------------------------------------------------------------- per image


def test_two_images_exact_steps():
    # Image A: truth [0,0,41,100] (already 0.41 * 100 wide).
    #   det [0,0,41,100]   score 0.9 -> TP
    #   det [200,0,241,100] score 0.7 -> FP
    # Image B: truth [0,0,100,100] -> standardised to centre 50, width 41:
    #   [29.5,0,70.5,100]. det [0,0,100,100] score 0.5 -> also standardised
    #   to [29.5,0,70.5,100] -> TP. (Without standardising, IoU of the
    #   standardised det with the raw truth would be 41/100 < 0.5.)
    # 2 images, 2 truths. Along the score:
    #   t=0.9: tp 1 fp 0 -> fppi 0,   recall 1/2, miss 1/2, precision 1
    #   t=0.7: tp 1 fp 1 -> fppi 1/2, recall 1/2, miss 1/2, precision 1/2
    #   t=0.5: tp 2 fp 1 -> fppi 1/2, recall 1,   miss 0,   precision 2/3
    result = evaluate_images(
        [np.array([[0, 0, 41, 100.0], [200, 0, 241, 100.0]]), np.array([[0, 0, 100, 100.0]])],
        [np.array([0.9, 0.7]), np.array([0.5])],
        [np.array([[0, 0, 41, 100.0]]), np.array([[0, 0, 100, 100.0]])],
    )
    assert isinstance(result, PerImageResult)
    assert result.n_images == 2 and result.n_truths == 2
    np.testing.assert_allclose(result.thresholds, [0.9, 0.7, 0.5])
    np.testing.assert_allclose(result.fppi, [0, 0.5, 0.5])
    np.testing.assert_allclose(result.miss_rate, [0.5, 0.5, 0.0])
    np.testing.assert_allclose(result.recall, [0.5, 0.5, 1.0])
    np.testing.assert_allclose(result.precision, [1.0, 0.5, 2 / 3])
    # VOC AP of this curve: envelope 1 on recall [0, 1/2], 2/3 on [1/2, 1]
    # -> 1/2 + 1/3 = 5/6
    assert average_precision(result.recall, result.precision) == pytest.approx(5 / 6)


def test_small_ignored_person_absorbs_detection_and_tiny_detections_dropped():
    # One image, min_height 50 -> detections shorter than 50/1.25 = 40 dropped.
    # Truths: T [0,0,41,100] (counted), S [100,0,116.4,40] (40 px < 50 -> ignored).
    # Detections:
    #   [0,0,41,100]      0.9  -> TP on T
    #   [100,0,116.4,40]  0.8  -> 40 px tall, kept; lies on S -> ignored
    #   [300,0,316.4,40]  0.7  -> kept, overlaps nothing -> FP
    #   [400,0,416,39]    0.95 -> 39 px < 40 -> dropped (not an FP)
    # Curve (ignored det removed): t=0.9 tp1 fp0; t=0.7 tp1 fp1.
    #   fppi [0, 1], miss [0, 0], precision [1, 1/2]; n_truths = 1 (S ignored)
    result = evaluate_images(
        [np.array([[0, 0, 41, 100], [100, 0, 116.4, 40], [300, 0, 316.4, 40], [400, 0, 416, 39.0]])],
        [np.array([0.9, 0.8, 0.7, 0.95])],
        [np.array([[0, 0, 41, 100], [100, 0, 116.4, 40.0]])],
    )
    assert result.n_truths == 1 and result.n_images == 1
    np.testing.assert_allclose(result.thresholds, [0.9, 0.7])
    np.testing.assert_allclose(result.fppi, [0.0, 1.0])
    np.testing.assert_allclose(result.miss_rate, [0.0, 0.0])
    np.testing.assert_allclose(result.precision, [1.0, 0.5])


def test_tied_scores_give_one_point():
    # Two detections with score 0.6, one TP one FP, then a missed truth:
    # one point at t=0.6 with tp 1, fp 1 -> fppi 1, recall 1/2, precision 1/2.
    result = evaluate_images(
        [np.array([[0, 0, 41, 100], [300, 0, 341, 100.0]])],
        [np.array([0.6, 0.6])],
        [np.array([[0, 0, 41, 100], [500, 0, 541, 100.0]])],
    )
    np.testing.assert_allclose(result.thresholds, [0.6])
    np.testing.assert_allclose(result.fppi, [1.0])
    np.testing.assert_allclose(result.recall, [0.5])
    np.testing.assert_allclose(result.precision, [0.5])


def test_no_detections_gives_empty_curve_and_lamr_one():
    result = evaluate_images([np.zeros((0, 4))], [np.zeros(0)], [np.array([[0, 0, 41, 100.0]])])
    assert result.fppi.size == 0 and result.n_truths == 1
    assert log_average_miss_rate(result.fppi, result.miss_rate) == 1.0


# ---------------------------------------------------------------------- LAMR


def test_lamr_of_constant_miss_rate_is_that_rate():
    # Every reference point 1e-2..1 finds the miss rate 0.3 (the point at
    # FPPI 1e-3 lies below all of them): geometric mean of nine 0.3 = 0.3.
    assert log_average_miss_rate(np.array([1e-3, 10.0]), np.array([0.3, 0.3])) == pytest.approx(0.3)


def test_lamr_with_known_values_at_the_nine_points():
    # Curve points exactly at the nine references with miss rates
    # 1, 1/2, 1/2, 1/4, 1/4, 1/4, 1/8, 1/8, 1/8 = 2**-(0,1,1,2,2,2,3,3,3).
    # Geometric mean = 2**(-(0+1+1+2+2+2+3+3+3)/9) = 2**(-17/9).
    fppi = 10.0 ** np.array([-2, -1.75, -1.5, -1.25, -1, -0.75, -0.5, -0.25, 0])
    miss = 2.0 ** -np.array([0, 1, 1, 2, 2, 2, 3, 3, 3])
    assert log_average_miss_rate(fppi, miss) == pytest.approx(2.0 ** (-17 / 9))


def test_lamr_points_with_no_curve_point_below_count_as_one():
    # Curve: (fppi 0.09, miss 1/2), (fppi 0.9, miss 1/4).
    # References 10^-2, 10^-1.75, 10^-1.5, 10^-1.25 (<= 0.0562) have no point
    # at or below them -> miss 1 (toolbox prepends recall 0 at -inf).
    # 10^-1 .. 10^-0.25 (0.1 .. 0.562) -> the 0.09 point, 1/2 (4 points).
    # 10^0 = 1 -> the 0.9 point, 1/4.
    # LAMR = (1^4 * (1/2)^4 * (1/4))^(1/9) = 2^(-6/9) = 2^(-2/3).
    value = log_average_miss_rate(np.array([0.09, 0.9]), np.array([0.5, 0.25]))
    assert value == pytest.approx(2.0 ** (-2 / 3))


def test_lamr_clamps_zero_miss_rate():
    # miss rate 0 everywhere -> log(max(1e-10, 0)) -> exp(log 1e-10) = 1e-10
    assert log_average_miss_rate(np.array([1e-3]), np.array([0.0])) == pytest.approx(1e-10)


def test_lamr_takes_last_point_at_equal_fppi():
    # Two points at FPPI 1e-3: miss 0.9 then 0.2 (threshold lowered without a
    # new false positive). Every reference uses the better one: LAMR = 0.2.
    value = log_average_miss_rate(np.array([1e-3, 1e-3]), np.array([0.9, 0.2]))
    assert value == pytest.approx(0.2)


# ------------------------------------------------------------------------ AP


def test_ap_of_perfect_detector_is_one():
    # recall 1/2 then 1 at precision 1: area 1 * 1 = 1
    assert average_precision(np.array([0.5, 1.0]), np.array([1.0, 1.0])) == pytest.approx(1.0)


def test_ap_hand_case_with_recall_short_of_one():
    # recall steps 0 -> 1/4 at precision 1, 1/4 -> 1/2 at precision 1/2,
    # nothing beyond 1/2: 0.25 * 1 + 0.25 * 0.5 = 0.375
    assert average_precision(np.array([0.25, 0.5]), np.array([1.0, 0.5])) == pytest.approx(0.375)


def test_ap_uses_monotone_envelope():
    # recall   0.2  0.4  0.4  0.6   precision 1.0 0.5 0.25 0.75
    # envelope (max to the right): 1.0 0.75 0.75 0.75
    # area: 0.2 * 1 + 0.2 * 0.75 + 0 + 0.2 * 0.75 = 0.2 + 0.15 + 0.15 = 0.5
    ap = average_precision(np.array([0.2, 0.4, 0.4, 0.6]), np.array([1.0, 0.5, 0.25, 0.75]))
    assert ap == pytest.approx(0.5)


def test_ap_of_empty_curve_is_zero():
    assert average_precision(np.zeros(0), np.zeros(0)) == 0.0
