"""Detection over many files: input order, and the same results whatever the number of workers."""

import numpy as np
import pytest
from skimage import data
from skimage import io as skio

from hogdet.batch import detect_images
from hogdet.boxes import Suppression
from hogdet.detection import detect
from hogdet.io import read_image
from hogdet.model import Detector


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("photos")
    paths = []
    for name, rows, cols in [("astronaut", 230, 190), ("coffee", 200, 250), ("chelsea", 180, 210)]:
        path = folder / f"{name}.png"
        skio.imsave(path, getattr(data, name)()[:rows, :cols], check_contrast=False)
        paths.append(path)
    (folder / "broken.png").write_text("not an image\n")
    return paths + [folder / "broken.png"]


@pytest.fixture(scope="module")
def detector():
    weights = np.random.default_rng(3).normal(0.0, 0.02, 3780).astype(np.float32)
    return Detector.from_coefficients(weights, 0.0, platt_a=-1.0, platt_b=0.0)


def assert_same(found, expected, rtol=0.0):
    np.testing.assert_array_equal(found.boxes, expected.boxes)
    np.testing.assert_allclose(found.scores, expected.scores, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_detect_images_in_input_order_equals_detect_per_image(photos, detector, n_jobs):
    order = [photos[2], photos[3], photos[0], photos[1], photos[2]]
    suppression = Suppression(0.5, "iou")
    results = list(detect_images(order, detector, 0.5, suppression=suppression, aspect=0.4, n_jobs=n_jobs))
    assert [result.path for result in results] == order
    assert results[1].detections is None and "broken.png" in results[1].error
    found_any = 0
    for result in results[:1] + results[2:]:
        assert result.error is None
        expected = detect(read_image(result.path), detector, 0.5, suppression=suppression, aspect=0.4)
        # Workers run BLAS on one thread, so the float32 sums may round differently.
        assert_same(result.detections, expected, rtol=1e-5)
        found_any += len(expected)
    assert found_any > 0


def test_detect_images_one_and_two_workers_agree(photos, detector):
    serial = list(detect_images(photos[:3], detector, 0.6, n_jobs=1))
    parallel = list(detect_images(photos[:3], detector, 0.6, n_jobs=2))
    for one, two in zip(serial, parallel, strict=True):
        assert one.path == two.path
        assert_same(one.detections, two.detections)
