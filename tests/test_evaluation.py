"""Both evaluation protocols (hogdet.evaluation.protocols) on small cases worked out by hand.

The detector is a table: a crop scores its grey level (0-255) and an image
returns the windows the test wrote down for an image of its shape. Every
expected number is derived in the comments, never taken from the code.
"""

import importlib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from skimage import io as skio

from hogdet.detection import ScanParameters
from hogdet.evaluation import (
    average_precision,
    evaluate,
    evaluate_per_image,
    evaluate_per_window,
    log_average_miss_rate,
    miss_rate_at_fppw,
)
from hogdet.windows import Windows


class TableScorer:
    """Scores set by the test, behind the interface of hogdet.evaluation.peers."""

    name = "table"

    def __init__(self, windows):
        self.windows = windows  # (rows, cols) of an image -> (boxes (n, 4), scores (n,))
        self.scans = []

    def decision_at(self, probability):
        return float(np.log(probability / (1.0 - probability)))

    def score_crops(self, crops):
        return np.array([round(float(np.mean(crop)) * 255) for crop in crops], np.float32)

    def scan(self, image, scan, min_score):
        self.scans.append(scan)
        boxes, scores = self.windows[image.shape[:2]]
        boxes, scores = np.asarray(boxes, float).reshape(-1, 4), np.asarray(scores, float)
        keep = scores >= min_score
        found = Windows.make(boxes=boxes[keep], scores=scores[keep], probabilities=1 / (1 + np.exp(-scores[keep])))
        return found, len(scores)


def _write(path: Path, shape, value: int = 0) -> Path:
    skio.imsave(path, np.full(shape, value, np.uint8), check_contrast=False)
    return path


# ------------------------------------------------------------ per window
#
# Positive crops score 9, 6, 4, 2. Negative windows: 20000 in two person-free
# images, one scoring 7, three scoring 4, the other 19996 scoring 0.
# A window is a person when its score >= t:
#   t   positives missed   negatives passing   miss   FPPW
#   9   6 4 2              -                   3/4    0
#   7   6 4 2              7                   3/4    1/20000 = 5e-5
#   6   4 2                7                   2/4    5e-5
#   4   2                  7 4 4 4             1/4    4/20000 = 2e-4
#   2   -                  7 4 4 4             0      2e-4
#   0   -                  all                 0      1
# 1e-4 FPPW lies between 5e-5 (best miss rate there 1/2) and 2e-4 (miss rate
# 1/4 on arriving there), halfway in log FPPW (1e-4 / 5e-5 = 2, 2e-4 / 5e-5
# = 4 = 2^2), so the log-log line gives the geometric mean
# sqrt(1/2 * 1/4) = 1 / (2 sqrt 2).
WINDOW_MISS_AT_1E4 = 1 / (2 * np.sqrt(2))


@pytest.fixture
def per_window_data(tmp_path):
    crops = [_write(tmp_path / f"crop-{score}.png", (160, 96), score) for score in (9, 6, 4, 2)]
    first = np.zeros(10000)
    first[[3, 50]] = 7, 4
    second = np.zeros(10000)
    second[[0, 9999]] = 4
    negatives = [_write(tmp_path / "neg-a.png", (100, 100)), _write(tmp_path / "neg-b.png", (50, 200))]
    windows = {(100, 100): (np.zeros((10000, 4)), first), (50, 200): (np.zeros((10000, 4)), second)}
    return crops, negatives, windows


def test_per_window_curve_and_miss_rate_at_1e4(per_window_data, tmp_path):
    crops, negatives, windows = per_window_data
    broken = tmp_path / "broken.png"
    broken.write_text("not an image")
    scorer = TableScorer(windows)
    fppw, miss, counts = evaluate_per_window(scorer, crops + [broken], negatives, ScanParameters(padding=16))

    np.testing.assert_allclose(fppw, [0, 5e-5, 5e-5, 2e-4, 2e-4, 1])
    np.testing.assert_allclose(miss, [3 / 4, 3 / 4, 2 / 4, 1 / 4, 0, 0])
    assert miss_rate_at_fppw(fppw, miss, 1e-4) == pytest.approx(WINDOW_MISS_AT_1E4)
    assert counts["positive_windows"] == 4 and counts["negative_windows"] == 20000
    assert counts["negative_images"] == 2
    assert len(counts["skipped"]) == 1 and "broken.png" in counts["skipped"][0]
    # Dalal & Triggs' negatives are the windows of the image itself: no border padding
    assert [scan.padding for scan in scorer.scans] == [0, 0]


# ------------------------------------------------------------- per image
#
# Boxes are x1, y1, x2, y2; people 100 px tall and 41 px wide (already the
# Caltech aspect 0.41, so standardising changes nothing).
#   image A: people T1 [10 10 51 110], T2 [200 10 241 110]
#            detections: score 5 exactly on T1 (hit), score 2 on background (false positive)
#   image B: person T3 [10 10 51 110]; a 40 px child [200 150 216.4 190], under 50 px: ignored
#            detections: score 6 exactly on the child (ignored: neither hit nor false positive),
#            score 4 on background (false positive), score 3 on T3 moved 5 px right
#            (IoU 36*100 / (46*100) = 0.78: hit)
#   image C: nobody; detection score 1 (false positive)
# No two detections of an image overlap, so suppression keeps them all.
# Pooled by decreasing score, the child's detection left out (3 people, 3 images):
#   t   kind  hits  false pos.  recall  miss  FPPI  precision
#   5   hit   1     0           1/3     2/3   0     1
#   4   FP    1     1           1/3     2/3   1/3   1/2
#   3   hit   2     1           2/3     1/3   1/3   2/3
#   2   FP    2     2           2/3     1/3   2/3   1/2
#   1   FP    2     3           2/3     1/3   1     2/5
# LAMR: the nine FPPI points 10^(-2 + k/4), k = 0..8. The seven up to
# 10^-0.5 = 0.316 < 1/3 see only the first point (miss 2/3); 0.562 and 1 see
# miss 1/3. LAMR = ((2/3)^7 (1/3)^2)^(1/9) = 2^(7/9) / 3.
# AP: the precision envelope is 1 up to recall 1/3, 2/3 up to recall 2/3, and
# 0 beyond (nothing reaches recall 1): AP = 1/3 * 1 + 1/3 * 2/3 = 5/9.
LAMR = 2 ** (7 / 9) / 3
AP = 5 / 9

PEOPLE_A = np.array([[10, 10, 51, 110], [200, 10, 241, 110]], float)
PEOPLE_B = np.array([[10, 10, 51, 110], [200, 150, 216.4, 190]], float)
DETECTIONS = {
    (240, 320): ([[10, 10, 51, 110], [100, 120, 141, 220]], [5, 2]),
    (240, 330): ([[200, 150, 216.4, 190], [100, 120, 141, 220], [15, 10, 56, 110]], [6, 4, 3]),
    (240, 340): ([[100, 50, 141, 150]], [1]),
}


@pytest.fixture
def photographs(tmp_path):
    return [_write(tmp_path / f"{name}.png", shape) for name, shape in zip("ABC", DETECTIONS)]


def test_per_image_matches_fppi_lamr_and_ap(photographs):
    truths = [PEOPLE_A, PEOPLE_B, np.zeros((0, 4))]
    result, _, skipped = evaluate_per_image(TableScorer(DETECTIONS), photographs, truths, ScanParameters())

    assert skipped == [] and result.n_images == 3 and result.n_truths == 3
    np.testing.assert_allclose(result.thresholds, [5, 4, 3, 2, 1])
    np.testing.assert_allclose(result.recall, [1 / 3, 1 / 3, 2 / 3, 2 / 3, 2 / 3])
    np.testing.assert_allclose(result.miss_rate, [2 / 3, 2 / 3, 1 / 3, 1 / 3, 1 / 3])
    np.testing.assert_allclose(result.fppi, [0, 1 / 3, 1 / 3, 2 / 3, 1])
    np.testing.assert_allclose(result.precision, [1, 1 / 2, 2 / 3, 1 / 2, 2 / 5])
    assert log_average_miss_rate(result.fppi, result.miss_rate) == pytest.approx(LAMR)
    assert average_precision(result.recall, result.precision) == pytest.approx(AP)


def test_per_image_detection_off_the_ignored_child_is_a_false_positive(photographs):
    # The score-6 box moved from the child to empty ground [260 20 276.4 60]:
    # now the strongest detection is a false positive.
    #   t  6   5    4    3    2    1
    #   FPPI 1/3 1/3 2/3  2/3  1    4/3
    #   miss 1   2/3 2/3  1/3  1/3  1/3
    # The seven FPPI points up to 0.316 < 1/3 see no point at all (miss 1),
    # 0.562 sees miss 2/3 (t = 5), 1 sees miss 1/3 (t = 3):
    # LAMR = (2/3 * 1/3)^(1/9) = (2/9)^(1/9).
    moved = dict(DETECTIONS)
    moved[(240, 330)] = ([[260, 20, 276.4, 60], [100, 120, 141, 220], [15, 10, 56, 110]], [6, 4, 3])
    truths = [PEOPLE_A, PEOPLE_B, np.zeros((0, 4))]
    result, _, _ = evaluate_per_image(TableScorer(moved), photographs, truths, ScanParameters())
    np.testing.assert_allclose(result.fppi, [1 / 3, 1 / 3, 2 / 3, 2 / 3, 1, 4 / 3])
    np.testing.assert_allclose(result.miss_rate, [1, 2 / 3, 2 / 3, 1 / 3, 1 / 3, 1 / 3])
    assert log_average_miss_rate(result.fppi, result.miss_rate) == pytest.approx((2 / 9) ** (1 / 9))


# ------------------------------------------------------------- both protocols
#
# evaluate() on a data set of the crops and negatives above (per window) and
# photographs A and B (per image; person-free photographs are not scanned
# without include_negative_images). Two images now:
#   t   kind  recall  FPPI
#   5   hit   1/3     0
#   4   FP    1/3     1/2
#   3   hit   2/3     1/2
#   2   FP    2/3     1
# 0.316 < 1/2, so again seven points at miss 2/3 and two at 1/3: LAMR 2^(7/9) / 3,
# and the precision envelope is again 1 to recall 1/3, 2/3 to recall 2/3: AP 5/9.


def test_evaluate_runs_both_protocols(per_window_data, photographs):
    crops, negatives, windows = per_window_data
    people = {photographs[0]: PEOPLE_A, photographs[1]: PEOPLE_B}
    dataset = SimpleNamespace(
        test_positive_crops=crops, test_negative_images=negatives, test_positive_images=photographs[:2],
        annotation=lambda path: SimpleNamespace(boxes=people[path]),
    )
    scorer = TableScorer({**windows, **DETECTIONS})
    evaluation = evaluate(scorer, dataset, ScanParameters(padding=16))

    assert evaluation.name == "table"
    assert evaluation.mr_at_1e4_fppw == pytest.approx(WINDOW_MISS_AT_1E4)
    assert evaluation.lamr == pytest.approx(LAMR)
    assert evaluation.ap == pytest.approx(AP)
    np.testing.assert_allclose(evaluation.per_image.fppi, [0, 1 / 2, 1 / 2, 1])
    assert evaluation.counts["test_images"] == 2 and evaluation.counts["people"] == 3
    assert evaluation.counts["negative_windows"] == 20000 and evaluation.counts["skipped"] == []
    # per window without padding, per image with the padding asked for
    assert [scan.padding for scan in scorer.scans] == [0, 0, 16, 16]


# ------------------------------------------------------------- module paths


@pytest.mark.parametrize(
    "old_path, names",
    [
        ("hogdet.metrics", ["det_curve_fppw", "miss_rate_at_fppw", "match_image", "evaluate_images",
                            "log_average_miss_rate", "average_precision", "PerImageResult", "LAMR_POINTS"]),
        ("hogdet.peers", ["HogdetScorer", "OpenCVPeopleDetector"]),
        ("hogdet.comparison", ["compare_strategies"]),
    ],
)
def test_older_module_paths_name_the_same_objects(old_path, names):
    import hogdet.evaluation

    old = importlib.import_module(old_path)
    for name in names:
        assert getattr(old, name) is getattr(hogdet.evaluation, name), name
