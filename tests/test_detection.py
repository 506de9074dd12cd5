"""Pyramid, dense scoring, box mapping and non-maximum suppression."""

import numpy as np
import pytest
from skimage.feature import hog
from skimage.transform import resize

from hogdet.detection import (
    Level,
    ScanParameters,
    detect,
    detection_features,
    pyramid,
    pyramid_scales,
    resize_planes,
    scan_image,
    score_grid,
    window_boxes,
)
from hogdet.errors import HogdetError
from hogdet.features import HOGParameters, image_planes
from hogdet.model import HOGDetector


@pytest.mark.parametrize("shape", [(300, 200), (97, 61), (700, 480), (128, 64)])
@pytest.mark.parametrize("colour", [False, True])
def test_resize_equals_skimage_bilinear(astronaut, shape, colour):
    image = astronaut[:413, :377] if colour else astronaut[:413, :377, 1]
    expected = resize(image, shape, order=1, mode="edge", anti_aliasing=False)
    resized = resize_planes(image_planes(image), shape)
    got = resized[0] if not colour else np.moveaxis(resized, 0, 2)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_score_grid_equals_window_by_window_dot_products(astronaut):
    params = HOGParameters()
    image = astronaut[:200, :150]
    # Reference grid from scikit-image, windows scored one by one.
    reference = hog(image, 9, (8, 8), (2, 2), "L2-Hys", transform_sqrt=True, channel_axis=-1, feature_vector=False)
    grid = reference.reshape(reference.shape[0], reference.shape[1], 36)
    weights = np.random.default_rng(0).normal(size=(15, 7, 36)).astype(np.float32)
    scores = score_grid(grid, weights, bias=-0.25)
    assert scores.shape == (grid.shape[0] - 14, grid.shape[1] - 6)
    for row in range(scores.shape[0]):
        for col in range(scores.shape[1]):
            expected = float(np.sum(grid[row : row + 15, col : col + 7] * weights)) - 0.25
            assert scores[row, col] == pytest.approx(expected, rel=1e-4, abs=1e-4)
    np.testing.assert_array_equal(score_grid(grid, weights, stride=2), score_grid(grid, weights)[::2, ::2])


def test_window_box_mapping_by_hand():
    # Level at downscale 2, no padding: a window at cell (2, 1) starts at
    # level pixel (16, 8), i.e. original (32, 16); it spans 128 x 64 level
    # pixels = 256 x 128 original. The person box drops 16 level rows
    # (32 original) top and bottom.
    level = Level(index=1, grid=np.zeros((1, 1, 36)), scale_rows=2.0, scale_cols=2.0, padding=0)
    params = HOGParameters()
    person = window_boxes(level, np.array([[2, 1]]), params)
    np.testing.assert_allclose(person, [[16, 64, 144, 256]])
    window = window_boxes(level, np.array([[2, 1]]), params, person=False)
    np.testing.assert_allclose(window, [[16, 32, 144, 288]])
    # With 32 px of padding every coordinate shifts back by 32.
    padded = Level(index=0, grid=np.zeros((1, 1, 36)), scale_rows=1.0, scale_cols=1.0, padding=32)
    np.testing.assert_allclose(window_boxes(padded, np.array([[4, 4]]), params, person=False), [[0, 0, 64, 128]])


def test_pyramid_scales_stop_when_the_window_no_longer_fits():
    params = HOGParameters()
    scan = ScanParameters(scale_step=2.0, padding=0)
    # 512 x 256: scales 1, 2, 4 fit (128 x 64 at 4); 8 does not.
    assert pyramid_scales((512, 256), params, scan) == [1.0, 2.0, 4.0]
    assert pyramid_scales((100, 50), params, scan) == []
    levels = list(pyramid(np.zeros((512, 256), np.float32), params, scan))
    assert [level.grid.shape[:2] for level in levels] == [(63, 31), (31, 15), (15, 7)]


def constant_detector(bias=1.0):
    return HOGDetector.from_coefficients(weights=np.zeros(3780, np.float32), bias=bias, platt_a=-1.0, platt_b=0.0)


@pytest.mark.parametrize("shape", [(1, 1), (1, 1, 3), (100, 40), (10, 10000), (10000, 10)])
def test_images_too_small_for_the_window_give_no_detections(shape):
    image = np.full(shape, 0.5, np.float32)
    found = detect(image, constant_detector(), scan=ScanParameters(padding=0))
    assert len(found) == 0


def test_every_window_is_scored_once(astronaut):
    # 200 x 150 image, no padding, one level: (200 // 8 - 1 - 14) rows of
    # windows x (150 // 8 - 1 - 6) cols = 10 x 11.
    image = astronaut[:200, :150]
    found, n_windows, grids = scan_image(
        image, constant_detector(), ScanParameters(padding=0, max_scale=1.0), keep_grids=True
    )
    assert n_windows == 10 * 11 == len(found)
    features = detection_features(found, grids, HOGParameters())
    assert features.shape == (110, 3780)
    reference = hog(image, 9, (8, 8), (2, 2), "L2-Hys", transform_sqrt=True, channel_axis=-1, feature_vector=False)
    row, col = found.positions[37]
    np.testing.assert_allclose(features[37], reference[row : row + 15, col : col + 7].ravel(), atol=2e-5)
    np.testing.assert_allclose(found.probabilities, 1 / (1 + np.exp(-1.0)))


def test_scan_reports_windows_keyed_by_level_and_cell(astronaut):
    # One level (no padding, max_scale 1): 10 x 11 window positions, each
    # keyed (image name, level 0, its top-left cell, "scan"), unlabelled.
    image = astronaut[:200, :150]
    found, _, _ = scan_image(image, constant_detector(), ScanParameters(padding=0, max_scale=1.0),
                             image_name="astronaut")
    expected = {(row, col) for row in range(10) for col in range(11)}
    assert set(zip(found.keys["row"].tolist(), found.keys["column"].tolist())) == expected
    assert set(found.keys["image"].tolist()) == {"astronaut"} and set(found.keys["source"].tolist()) == {"scan"}
    assert found.levels.tolist() == [0] * 110 and found.labels.tolist() == [-1] * 110
    np.testing.assert_array_equal(found.positions, np.column_stack([found.keys["row"], found.keys["column"]]))
    # The person box of the window at cell (r, c): 8 px per cell, the 64x128 window less its 16-px margin.
    row, col = found.positions[5]
    np.testing.assert_allclose(found.boxes[5], [8 * col, 8 * row + 16, 8 * col + 64, 8 * row + 112])


def test_detections_is_a_deprecated_name_of_windows():
    import hogdet
    import hogdet.detection
    from hogdet.windows import Windows

    with pytest.warns(DeprecationWarning):
        assert hogdet.detection.Detections is Windows
    with pytest.warns(DeprecationWarning):
        assert hogdet.Detections is Windows


def test_detect_keeps_only_boxes_above_the_probability(astronaut):
    found = detect(astronaut[:300, :300], constant_detector(bias=-5.0), threshold=0.5)
    assert len(found) == 0  # p = 1 / (1 + e^5) < 0.5 everywhere
    found = detect(astronaut[:300, :300], constant_detector(bias=5.0), threshold=0.5, nms_overlap=0.0, aspect=0.5)
    # All windows tie; NMS at overlap 0 keeps boxes that do not touch at all.
    assert len(found) >= 1
    boxes = found.boxes
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            overlap_w = min(boxes[i, 2], boxes[j, 2]) - max(boxes[i, 0], boxes[j, 0])
            overlap_h = min(boxes[i, 3], boxes[j, 3]) - max(boxes[i, 1], boxes[j, 1])
            assert overlap_w <= 0 or overlap_h <= 0


@pytest.mark.parametrize("bad", [dict(scale_step=1.0), dict(min_scale=0), dict(padding=-1), dict(stride=0)])
def test_bad_scan_parameters(bad):
    with pytest.raises(HogdetError):
        ScanParameters(**bad)


def test_detect_reports_person_aspect_boxes_about_the_window_centre(astronaut):
    from hogdet.boxes import Suppression

    image = astronaut[:300, :300]
    detector = constant_detector(bias=5.0)
    keep_all = Suppression(overlap=1.0, measure="iou", inside=None)
    windows, _, _ = scan_image(image, detector, min_score=detector.decision_at(0.5))
    found = detect(image, detector, suppression=keep_all, aspect=0.25)
    # Every window kept (ties keep scan order), each 96 rows tall from a
    # 64-column window, reported 0.25 * 96 = 24 pixels wide about its centre.
    assert len(found) == len(windows)
    np.testing.assert_allclose(found.boxes[:, [1, 3]], windows.boxes[:, [1, 3]])
    np.testing.assert_allclose(found.boxes[:, 2] - found.boxes[:, 0], 0.25 * (windows.boxes[:, 3] - windows.boxes[:, 1]))
    np.testing.assert_allclose(found.boxes[:, 0] + found.boxes[:, 2], windows.boxes[:, 0] + windows.boxes[:, 2])


def test_detect_takes_the_aspect_the_model_learnt(astronaut):
    image = astronaut[:200, :200]
    detector = constant_detector(bias=5.0)
    default = detect(image, detector)
    detector.metadata["person_aspect"] = 0.3
    learnt = detect(image, detector)
    widths = lambda found: (found.boxes[:, 2] - found.boxes[:, 0]) / (found.boxes[:, 3] - found.boxes[:, 1])
    np.testing.assert_allclose(widths(default), 0.41)  # Caltech fallback without a learnt aspect
    np.testing.assert_allclose(widths(learnt), 0.3)


def test_detect_rejects_both_spellings_of_suppression(astronaut):
    from hogdet.boxes import Suppression

    with pytest.raises(ValueError, match="not both"):
        detect(astronaut[:200, :200], constant_detector(), nms_overlap=0.5, suppression=Suppression())


def test_score_grid_numpy_fallback_equals_the_compiled_sums(astronaut, monkeypatch):
    import hogdet.detection as detection
    from hogdet.features import hog_grid

    grid = hog_grid(astronaut[:300, :200])
    weights = np.random.default_rng(1).normal(size=(15, 7, 36)).astype(np.float32)
    compiled = score_grid(grid, weights, bias=0.75)
    monkeypatch.setattr(detection, "KERNELS_AVAILABLE", False)
    np.testing.assert_array_equal(score_grid(grid, weights, bias=0.75), compiled)
