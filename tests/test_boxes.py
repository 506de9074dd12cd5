"""Box overlaps, aspect standardisation and non-maximum suppression, against hand-worked numbers."""

import numpy as np
import pytest

from hogdet.boxes import (
    CALTECH_ASPECT,
    Suppression,
    box_iou,
    box_overlap,
    intersection_over_detection_area,
    median_aspect,
    non_maximum_suppression,
    person_aspect,
    resolve_suppression,
    standardize_aspect,
)

SQUARE = [0.0, 0.0, 10.0, 10.0]


def test_box_iou_is_pairwise():
    a = np.array([SQUARE, [5, 0, 15, 10], [20, 20, 30, 30]], float)
    b = np.array([SQUARE, [0, 0, 20, 10]], float)
    # [0,0,10,10] vs [5,0,15,10]: intersection 5 x 10 = 50, union 150 -> 1/3.
    # [0,0,10,10] vs [0,0,20,10]: 100 / 200; [5,0,15,10] vs it: 100 / 200.
    expected = [[1.0, 0.5], [1 / 3, 0.5], [0.0, 0.0]]
    np.testing.assert_allclose(box_iou(a, b), expected)
    np.testing.assert_allclose(box_iou(b, a), np.transpose(expected))


def test_box_iou_broadcasts_leading_axes_for_pairs_of_rows():
    a = np.array([SQUARE, [5, 0, 15, 10], [20, 20, 30, 30]], float)
    b = np.array([SQUARE, SQUARE, SQUARE], float)
    np.testing.assert_allclose(box_iou(a[:, None], b[:, None])[:, 0, 0], [1.0, 1 / 3, 0.0])


def test_box_iou_one_box_and_empty_sets():
    assert box_iou(SQUARE, np.array([[5, 5, 15, 15.0]])).shape == (1, 1)
    np.testing.assert_allclose(box_iou(SQUARE, np.array([[5, 5, 15, 15.0]])), [[25 / 175]])
    assert box_iou(np.zeros((0, 4)), np.array([SQUARE])).shape == (0, 1)
    assert box_iou(np.array([SQUARE]), []).shape == (1, 0)
    # Boxes without area overlap nothing, without dividing by zero.
    np.testing.assert_array_equal(box_iou([[3, 3, 3, 3.0]], [[3, 3, 3, 3.0]]), [[0.0]])
    with pytest.raises(ValueError, match="shape"):
        box_iou(np.zeros((2, 3)), np.zeros((1, 4)))


def test_smaller_box_overlap_sees_a_box_inside_another():
    big = np.array([[0, 0, 40, 100.0]])
    legs = np.array([[10, 50, 30, 100.0]])  # 20 x 50 = 1000 of the big box's 4000
    np.testing.assert_allclose(box_overlap(big, legs, "iou"), [[0.25]])
    np.testing.assert_allclose(box_overlap(big, legs, "smaller"), [[1.0]])
    half_out = np.array([[30, 0, 50, 100.0]])  # 10 x 100 = 1000 inside, 2000 area
    np.testing.assert_allclose(box_overlap(big, half_out, "smaller"), [[0.5]])
    np.testing.assert_allclose(box_overlap(big, half_out, "iou"), [[1000 / 5000]])
    with pytest.raises(ValueError, match="measure"):
        box_overlap(big, legs, "area")


def test_intersection_over_detection_area():
    small = np.array([[0, 0, 1, 1.0]])
    big = np.array([[0, 0, 10, 10.0]])
    np.testing.assert_allclose(intersection_over_detection_area(small, big), [[1.0]])
    np.testing.assert_allclose(intersection_over_detection_area(big, small), [[0.01]])


def test_standardize_aspect_keeps_height_and_centre():
    out = standardize_aspect(np.array([[10.0, 20.0, 30.0, 120.0]]), 0.41)
    # height 100 -> width 41 about centre x = 20.
    np.testing.assert_allclose(out, [[-0.5, 20.0, 40.5, 120.0]])
    np.testing.assert_allclose(standardize_aspect([[0, 0, 64, 96.0]], 2 / 3), [[0, 0, 64, 96]])
    with pytest.raises(ValueError, match="aspect"):
        standardize_aspect([[0, 0, 1, 1.0]], 0.0)


def test_person_window_boxes_are_standardize_aspect_with_the_window_aspect():
    from hogdet.features import HOGParameters
    from hogdet.training import person_window_boxes, window_person_aspect

    hog = HOGParameters()
    assert window_person_aspect(hog) == 64 / 96
    # A 40 x 96 person centred at x = 50 becomes 64 x 96.
    np.testing.assert_allclose(person_window_boxes(np.array([[30.0, 10, 70, 106]]), hog), [[18, 10, 82, 106]])


def test_median_aspect_and_the_model_aspect():
    boxes = np.array([[0, 0, 30, 100], [0, 0, 40, 100], [0, 0, 90, 100], [0, 0, 5, 10.0]])
    assert median_aspect(boxes) == pytest.approx(0.45)  # 0.3, 0.4, 0.5, 0.9
    assert median_aspect(boxes, min_height=50) == pytest.approx(0.4)  # the 10-pixel box left out
    with pytest.raises(ValueError):
        median_aspect(boxes, min_height=500)
    assert person_aspect({"person_aspect": 0.37}) == 0.37
    assert person_aspect({}) == person_aspect(None) == person_aspect({"person_aspect": "x"}) == CALTECH_ASPECT


def test_non_maximum_suppression_by_hand():
    boxes = np.array(
        [
            [0, 0, 10, 10],  # best
            [1, 0, 11, 10],  # IoU with best = 90 / 110 = 0.82 -> suppressed
            [5, 0, 15, 10],  # IoU with best = 50 / 150 = 0.33 -> kept at 0.5
            [100, 100, 110, 110],  # far away -> kept
        ],
        float,
    )
    scores = np.array([0.9, 0.8, 0.7, 0.1])
    np.testing.assert_array_equal(non_maximum_suppression(boxes, scores, 0.5), [0, 2, 3])
    np.testing.assert_array_equal(non_maximum_suppression(boxes, scores, 0.3), [0, 3])
    assert non_maximum_suppression(np.zeros((0, 4)), np.zeros(0)).size == 0
    with pytest.raises(ValueError, match="one entry per box"):
        non_maximum_suppression(boxes, scores[:2])


def test_smaller_box_suppression_removes_a_weaker_box_inside_a_stronger_one():
    person = [0, 0, 40, 100]
    legs = [10, 50, 30, 100]  # IoU 0.25 with the person, wholly inside it
    beside = [35, 0, 75, 100]  # 5 x 100 of 4000: 0.0667 IoU, 0.125 of the smaller
    boxes = np.array([person, legs, beside], float)
    scores = np.array([2.0, 1.0, 0.5])
    np.testing.assert_array_equal(Suppression(0.5, "iou", inside=None).keep(boxes, scores), [0, 1, 2])
    np.testing.assert_array_equal(Suppression(0.65, "smaller").keep(boxes, scores), [0, 2])
    # A stronger small box also removes the weaker big one around it.
    np.testing.assert_array_equal(Suppression(0.65, "smaller").keep(boxes, np.array([1.0, 2.0, 0.5])), [1, 2])


def test_inside_rule_removes_only_the_weaker_box_inside():
    person = [0, 0, 40, 100]
    legs = [10, 50, 30, 100]  # IoU 0.25, wholly inside the person
    beside = [20, 0, 60, 100]  # half inside the person: IoU 2000 / 6000 = 1/3, smaller-box 0.5
    boxes = np.array([person, legs, beside], float)
    rule = Suppression(0.5, "iou", inside=0.8)
    np.testing.assert_array_equal(rule.keep(boxes, np.array([2.0, 1.0, 0.5])), [0, 2])
    # A stronger box inside a weaker one does not remove it.
    np.testing.assert_array_equal(rule.keep(boxes, np.array([1.0, 2.0, 0.5])), [1, 0, 2])
    # The smaller-box measure also drops the half-overlapping neighbour once past 0.5.
    np.testing.assert_array_equal(Suppression(0.45, "smaller").keep(boxes, np.array([2.0, 1.0, 0.5])), [0])


@pytest.mark.parametrize("bad", [dict(overlap=-0.1), dict(overlap=1.5), dict(measure="area"), dict(inside=2.0)])
def test_bad_suppression(bad):
    with pytest.raises(ValueError):
        Suppression(**bad)


def test_resolve_suppression_keeps_the_old_meaning_of_nms_overlap():
    assert resolve_suppression(None) == Suppression()
    assert resolve_suppression(None, 0.3) == Suppression(0.3, "iou", inside=None)  # plain IoU, as before
    assert resolve_suppression(Suppression(0.8, "smaller")) == Suppression(0.8, "smaller")
    with pytest.raises(ValueError, match="not both"):
        resolve_suppression(Suppression(), 0.5)
