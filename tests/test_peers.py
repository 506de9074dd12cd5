"""The OpenCV peer: its window count and its (restored) OpenCV thread count."""

import numpy as np
import pytest

from hogdet.detection import ScanParameters

cv2 = pytest.importorskip("cv2")

from hogdet.evaluation import OpenCVPeopleDetector  # noqa: E402


def opencv_reference_count(image_bgr, scan):
    """Windows of HOGDescriptor's own pyramid: every window passes a threshold of -1e9."""
    hog = cv2.HOGDescriptor()
    hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
    stride = 8 * scan.stride
    rects, _ = hog.detectMultiScale(
        image_bgr, hitThreshold=-1e9, winStride=(stride, stride), padding=(0, 0), scale=scan.scale_step,
        groupThreshold=0,
    )
    return len(rects)


def test_window_count_by_hand():
    # 136 x 72: one level of (136 - 128) / 8 + 1 = 2 rows by (72 - 64) / 8 + 1
    # = 2 columns of windows; the next level (113 x 60) holds none.
    image = np.random.default_rng(0).random((136, 72)).astype(np.float32)
    found, n_windows = OpenCVPeopleDetector().scan(image, ScanParameters(scale_step=1.2, padding=0), -np.inf)
    assert n_windows == 4 and len(found) == 4


@pytest.mark.parametrize(
    "shape, scale_step, stride, padding",
    [((300, 200), 1.05, 1, 0), ((480, 640), 1.1, 1, 16), ((257, 131), 1.05, 2, 0), ((200, 150, 3), 1.2, 1, 32)],
)
def test_window_count_matches_opencv_pyramid(shape, scale_step, stride, padding):
    image = np.random.default_rng(1).random(shape).astype(np.float32)
    scan = ScanParameters(scale_step=scale_step, padding=padding, stride=stride)
    detector = OpenCVPeopleDetector()
    _, n_windows = detector.scan(image, scan, -np.inf)
    from hogdet.detection import pad_image

    padded = detector._as_bgr8(pad_image(image, padding))
    assert n_windows == opencv_reference_count(padded, scan)


class RecordingHOG:
    """Stands in for cv2.HOGDescriptor, noting OpenCV's thread count during each call."""

    def __init__(self, hog):
        self.hog, self.threads, self.nlevels = hog, [], hog.nlevels

    def detectMultiScale(self, *args, **kwargs):
        self.threads.append(cv2.getNumThreads())
        return self.hog.detectMultiScale(*args, **kwargs)

    def compute(self, *args, **kwargs):
        self.threads.append(cv2.getNumThreads())
        return self.hog.compute(*args, **kwargs)


def test_opencv_thread_count_is_one_during_scans_and_restored_after():
    previous = cv2.getNumThreads()
    try:
        cv2.setNumThreads(3)
        detector = OpenCVPeopleDetector()
        assert cv2.getNumThreads() == 3  # constructing changes nothing
        detector._hog = RecordingHOG(detector._hog)
        image = np.random.default_rng(2).random((160, 96)).astype(np.float32)
        detector.scan(image, ScanParameters(padding=0), -np.inf)
        assert cv2.getNumThreads() == 3
        detector.score_crops([image])
        assert cv2.getNumThreads() == 3
        assert detector._hog.threads == [1, 1]
    finally:
        cv2.setNumThreads(previous)
