"""Training: hogdet's fit policy, the round-0 detector, the learnt person aspect, old import paths."""

import numpy as np
import pytest

from hogdet.features import HOGParameters
from hogdet.model import HOGDetector
from hogdet.training import fit_detector, learnt_person_aspect, train_detector

SMALL = HOGParameters(window_size=(16, 16), pixels_per_cell=(8, 8), margin=(0, 0))  # 1 block of 36 values


def separable_data(seed=0, n=120):
    rng = np.random.default_rng(seed)
    labels = np.repeat([1, 0], n // 2)
    features = rng.normal(0, 1, (n, SMALL.n_features)).astype(np.float32)
    features[labels == 1, :4] += 2.0
    return features, labels


def test_sampling_names_are_still_importable_from_training():
    import hogdet.model
    import hogdet.sampling
    import hogdet.training

    for name in ("initial_training_set", "positive_features", "random_negative_features",
                 "annotated_positive_features", "annotated_images", "crop_window_features",
                 "person_window_boxes", "person_window_features", "window_person_aspect", "NEGATIVE_SCAN"):
        assert getattr(hogdet.training, name) is getattr(hogdet.sampling, name)


def test_train_detector_is_the_estimator_fitted_on_the_set():
    from hogdet.windows import Windows

    features, labels = separable_data()
    training_set = Windows.make(features=features, labels=labels.astype(np.int8))
    trained = train_detector(training_set, SMALL, C=0.2, seed=4)
    reference = HOGDetector.from_hog(SMALL, C=0.2, seed=4).fit(features, labels)
    np.testing.assert_array_equal(trained.weights, reference.weights)
    assert (trained.platt_a, trained.platt_b) == (reference.platt_a, reference.platt_b)


def test_learnt_person_aspect_is_the_median_of_tall_annotated_people(small_dataset):
    boxes = np.concatenate([small_dataset.annotation(path).boxes for path in small_dataset.train_positive_images
                            if small_dataset.annotation(path) is not None])
    heights = boxes[:, 3] - boxes[:, 1]
    tall = heights >= 50
    assert learnt_person_aspect(small_dataset) == pytest.approx(
        np.median((boxes[tall, 2] - boxes[tall, 0]) / heights[tall])
    )
