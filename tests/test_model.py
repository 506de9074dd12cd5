"""Linear SVM + Platt calibration, and the pickle-free model file."""

import json
import pickle

import numpy as np
import pytest

from hogdet.errors import HogdetError, ModelFormatError
from hogdet.features import HOGParameters
from hogdet.model import Detector, fit_detector, load_model

SMALL = HOGParameters(window_size=(16, 16), pixels_per_cell=(8, 8), margin=(0, 0))  # 1 block of 36 values


def separable_data(seed=0, n=200):
    rng = np.random.default_rng(seed)
    direction = rng.normal(size=SMALL.n_features)
    features = rng.normal(size=(n, SMALL.n_features)).astype(np.float32)
    labels = (features @ direction + 0.5 * rng.normal(size=n) > 0).astype(int)
    return features, labels


def test_probabilities_follow_platt_formula_and_decision():
    features, labels = separable_data()
    detector = fit_detector(features, labels, hog=SMALL, C=1.0)
    decision = detector.decision_function(features)
    np.testing.assert_allclose(decision, features @ detector.weights + detector.bias, rtol=1e-5, atol=1e-5)
    expected = 1 / (1 + np.exp(detector.platt_a * decision + detector.platt_b))
    np.testing.assert_allclose(detector.predict_proba(features)[:, 1], expected, rtol=1e-4)
    # Monotonic in each other: sorting by one sorts the other.
    order = np.argsort(decision)
    assert np.all(np.diff(detector.predict_proba(features)[order, 1]) >= 0)
    # The sigmoid is calibrated: mean probability close to the positive rate.
    assert abs(detector.predict_proba(features)[:, 1].mean() - labels.mean()) < 0.1


def test_probabilities_equal_sklearn_calibrated_classifier():
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import StratifiedKFold
    from sklearn.svm import LinearSVC

    features, labels = separable_data(2)
    detector = fit_detector(features, labels, hog=SMALL, C=0.1, seed=4)
    reference = CalibratedClassifierCV(
        LinearSVC(C=0.1, loss="hinge", dual=True, max_iter=20000, random_state=4),
        method="sigmoid",
        cv=StratifiedKFold(3, shuffle=True, random_state=4),
        ensemble=False,
    ).fit(features, labels)
    np.testing.assert_allclose(detector.predict_proba(features), reference.predict_proba(features), atol=1e-4)


def test_decision_at_inverts_probability():
    detector = Detector(np.zeros(SMALL.n_features), 0.0, -2.0, 0.5, hog=SMALL)
    for probability in (0.1, 0.5, 0.9):
        assert detector.probability(detector.decision_at(probability)) == pytest.approx(probability)
    # By hand: p = 0.5 <=> -2 d + 0.5 = 0 <=> d = 0.25
    assert detector.decision_at(0.5) == pytest.approx(0.25)


def test_svm_agrees_with_sklearn_linear_svc():
    from sklearn.svm import LinearSVC

    features, labels = separable_data(1)
    detector = fit_detector(features, labels, hog=SMALL, C=0.5, seed=3)
    reference = LinearSVC(C=0.5, loss="hinge", dual=True, max_iter=20000, random_state=3).fit(features, labels)
    np.testing.assert_allclose(detector.weights, reference.coef_.ravel(), rtol=1e-3, atol=1e-4)


def test_save_load_round_trip(tmp_path):
    features, labels = separable_data()
    detector = fit_detector(features, labels, hog=SMALL, seed=7, metadata={"data_fingerprint": "abc"})
    path = detector.save(tmp_path / "m.npz")
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.weights, detector.weights)
    assert (loaded.bias, loaded.platt_a, loaded.platt_b) == (detector.bias, detector.platt_a, detector.platt_b)
    assert loaded.hog == SMALL
    assert loaded.metadata["seed"] == 7 and loaded.metadata["data_fingerprint"] == "abc"
    assert "scikit-learn" in loaded.metadata["versions"]
    # Pure data: readable without pickle.
    with np.load(path, allow_pickle=False) as archive:
        assert set(archive.files) == {"weights", "bias", "platt", "header"}
    assert list(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize("content", ["pickle", "png", "empty", "text"])
def test_non_models_are_refused_with_one_line(tmp_path, content):
    path = tmp_path / "model.npz"
    if content == "pickle":
        path.write_bytes(pickle.dumps({"weights": [1, 2, 3]}))
    elif content == "png":
        from skimage import io

        io.imsave(path.with_suffix(".png"), np.zeros((4, 4), np.uint8), check_contrast=False)
        path.with_suffix(".png").rename(path)
    elif content == "text":
        path.write_text("weights = 1\n")
    else:
        path.write_bytes(b"")
    with pytest.raises(ModelFormatError, match="not a hogdet model") as error:
        load_model(path)
    assert "\n" not in str(error.value)


def test_npz_holding_a_pickle_is_refused(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, weights=np.array([{"a": 1}], dtype=object), bias=0.0, platt=[-1, 0], header="{}")
    with pytest.raises(ModelFormatError):
        load_model(path)


def test_other_format_version_is_refused(tmp_path):
    detector = Detector(np.zeros(SMALL.n_features), 0.0, -1.0, 0.0, hog=SMALL)
    path = detector.save(tmp_path / "m.npz")
    with np.load(path) as archive:
        arrays = dict(archive)
    header = json.loads(str(arrays["header"]))
    header["format_version"] = 99
    arrays["header"] = np.array(json.dumps(header))
    np.savez(path, **arrays)
    with pytest.raises(ModelFormatError, match="version 99"):
        load_model(path)


def test_training_needs_both_classes():
    features, _ = separable_data()
    with pytest.raises(HogdetError, match="positives and negatives"):
        fit_detector(features, np.ones(len(features), int), hog=SMALL)


def test_sample_weights_shape_the_svm_but_not_the_calibration():
    features, labels = separable_data(5, n=300)
    plain = fit_detector(features, labels, hog=SMALL, C=0.1)
    # Up-weighting the positives tenfold moves the hyperplane ...
    weights = np.where(labels == 1, 10.0, 1.0)
    weighted = fit_detector(features, labels, hog=SMALL, C=0.1, sample_weight=weights)
    assert not np.allclose(weighted.weights, plain.weights)
    # ... but probabilities stay calibrated on the unweighted data.
    probabilities = weighted.predict_proba(features)[:, 1]
    assert abs(probabilities.mean() - labels.mean()) < 0.1


def test_platt_coefficients_by_hand():
    from hogdet.model import platt_coefficients

    # Perfectly separated decision values give a steep sigmoid through 0
    # (a < 0), and a shifted copy moves b by -a times the shift.
    values = np.array([-3.0, -2.0, -1.0, 1.0, 2.0, 3.0] * 5)
    labels = np.array([0, 0, 0, 1, 1, 1] * 5)
    a, b = platt_coefficients(values, labels)
    assert a < -1 and abs(b) < 1e-3
    a_shifted, b_shifted = platt_coefficients(values + 2.0, labels)
    assert a_shifted == pytest.approx(a, rel=1e-3)
    assert b_shifted == pytest.approx(b - 2.0 * a, rel=1e-3, abs=1e-3)
