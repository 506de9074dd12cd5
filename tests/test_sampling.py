"""Round-0 samples: crops, annotated people, random negatives (hogdet.sampling)."""

import numpy as np
import pytest
from skimage.feature import hog

from hogdet.errors import DatasetError, ParameterError
from hogdet.features import HOGParameters
from hogdet.io import read_image
from hogdet.sampling import (
    annotated_positive_features,
    crop_window_features,
    person_window_boxes,
    initial_training_set,
    person_window_features,
    random_negative_features,
)


def skimage_window(image, top_cell, left_cell):
    grid = hog(image, 9, (8, 8), (2, 2), "L2-Hys", transform_sqrt=True, channel_axis=-1, feature_vector=False)
    return grid[top_cell : top_cell + 15, left_cell : left_cell + 7].ravel()


def test_crop_window_is_read_with_its_context(astronaut):
    # A 96 x 160 crop: the window starts 16 px (2 cells) in, and its blocks
    # equal those of skimage's HOG of the whole crop at cell (2, 2).
    crop = astronaut[100:260, 200:296]
    np.testing.assert_allclose(crop_window_features(crop), skimage_window(crop, 2, 2), atol=2e-5)


def test_crop_smaller_than_window_is_refused(astronaut):
    with pytest.raises(ParameterError, match="^crop of 64x100 is smaller than the 64x128 window"):
        crop_window_features(astronaut[:100, :64])


def save_crop(astronaut, tmp_path):
    from skimage import io

    io.imsave(tmp_path / "crop.png", (astronaut[100:260, 200:296] * 255).round().astype(np.uint8))
    return tmp_path / "crop.png"


def test_annotated_people_give_the_crop_window_and_its_mirror(astronaut, tmp_path):
    # In an INRIA 96 x 160 crop the window is 16 px in from every side and
    # the person its central 96 rows: box (16, 32)-(80, 128). The window
    # framing it is the crop's own centred window, at scale 1; the mirrored
    # positive is the window of the mirrored crop.
    path = save_crop(astronaut, tmp_path)
    crop = read_image(path)
    features, sources, skipped = annotated_positive_features([(path, np.array([[16, 32, 80, 128]]))])
    assert skipped == [] and len(sources) == 2
    np.testing.assert_allclose(features[0], crop_window_features(crop), atol=1e-5)
    np.testing.assert_allclose(features[1], crop_window_features(crop[:, ::-1]), atol=1e-5)


def test_people_under_the_minimum_height_are_left_out(astronaut, tmp_path):
    path = save_crop(astronaut, tmp_path)
    features, sources, _ = annotated_positive_features([(path, np.array([[40, 50, 60, 90]]))], min_height=50)
    assert features.shape == (0, 3780) and sources == []


def test_person_box_at_double_size_is_rescaled(astronaut):
    # The same scene at twice the size: the framed window is the one of the
    # half-size image, up to resampling differences.
    from skimage.transform import rescale

    crop = astronaut[100:260, 200:296]
    double = rescale(crop, 2, order=1, channel_axis=-1, anti_aliasing=False).astype(np.float32)
    reference = crop_window_features(crop)

    def correlation(box):
        windows = person_window_boxes(np.array([box], float), HOGParameters())
        return np.corrcoef(person_window_features(double, windows, HOGParameters())[0], reference)[0, 1]

    right = correlation([32, 64, 160, 256])
    assert right > 0.8
    # One cell (16 px here) off in any direction matches clearly worse.
    for shifted in ([48, 64, 176, 256], [32, 80, 160, 272], [16, 64, 144, 256]):
        assert correlation(shifted) < right - 0.1


def test_random_negatives_do_not_depend_on_workers(small_data):
    images = sorted((small_data / "Train" / "neg").iterdir())[:6]
    one, sources_one, _ = random_negative_features(images, per_image=4, seed=5, n_jobs=1)
    two, sources_two, _ = random_negative_features(images, per_image=4, seed=5, n_jobs=2)
    assert sources_one == sources_two and len(sources_one) == 24
    np.testing.assert_array_equal(one, two)
    other, sources_other, _ = random_negative_features(images, per_image=4, seed=6, n_jobs=1)
    assert sources_other != sources_one
    # Each feature is the window named by its source, read independently.
    path, level, row, col = sources_one[0].split("|")
    from hogdet.detection import ScanParameters, pyramid

    levels = {lvl.index: lvl for lvl in pyramid(read_image(path), HOGParameters(), ScanParameters(padding=0))}
    grid = levels[int(level)].grid
    np.testing.assert_array_equal(one[0], grid[int(row) : int(row) + 15, int(col) : int(col) + 7].ravel())


def test_initial_set_counts_and_labels(small_data):
    crops = sorted((small_data / "96X160H96" / "Train" / "pos").iterdir())[:10]
    negatives = sorted((small_data / "Train" / "neg").iterdir())[:3]
    training_set, skipped = initial_training_set(crops, negatives, negatives_per_image=5)
    assert skipped == []
    assert training_set.features.shape == (10 + 15, 3780)
    assert training_set.labels.tolist() == [1] * 10 + [0] * 15
    # Typed keys: a crop is itself; a random negative is (image, level, cell row, cell column).
    assert training_set.keys["source"].tolist() == ["crop"] * 10 + ["random"] * 15
    assert training_set.keys["image"][0] == crops[0].as_posix()
    assert set(training_set.keys["image"][10:].tolist()) == {path.as_posix() for path in negatives}
    named, _ = initial_training_set(crops[:1], negatives[:1], negatives_per_image=2, root=small_data)
    assert named.keys["image"].tolist() == ["96X160H96/Train/pos/" + crops[0].name] + ["Train/neg/" + negatives[0].name] * 2
    assert named.ious.tolist() == [1.0, 0.0, 0.0]
    with pytest.raises(DatasetError, match="no negative images"):
        initial_training_set(crops, [])
    with pytest.raises(DatasetError, match="no positive crops"):
        initial_training_set([], negatives)


@pytest.mark.parametrize("count", [0, -3])
def test_negative_counts_below_one_name_the_parameter(small_data, count):
    crops = sorted((small_data / "96X160H96" / "Train" / "pos").iterdir())[:3]
    negatives = sorted((small_data / "Train" / "neg").iterdir())[:1]
    with pytest.raises(ParameterError, match=f"^negatives_per_image must be at least 1, got {count}$") as raised:
        initial_training_set(crops, negatives, negatives_per_image=count)
    assert raised.value.parameter == "negatives_per_image" and "--" not in str(raised.value)
    with pytest.raises(ParameterError, match=f"^per_image must be at least 1, got {count}$"):
        random_negative_features(negatives, per_image=count)


def test_training_set_is_a_deprecated_name_of_windows():
    import hogdet.sampling
    from hogdet.windows import Windows

    with pytest.warns(DeprecationWarning):
        assert hogdet.sampling.TrainingSet is Windows
