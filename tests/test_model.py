"""Linear SVM + Platt calibration, and the pickle-free model file."""

import json
import pickle

import numpy as np
import pytest

from hogdet.errors import HogdetError, ModelFormatError
from hogdet.features import HOGParameters
from hogdet.model import HOGDetector, TrainingError, load_model
from hogdet.training import fit_detector

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
    detector = fit_detector(features, labels, hog=SMALL, C=0.1, seed=4, calibration="cv")
    reference = CalibratedClassifierCV(
        LinearSVC(C=0.1, loss="hinge", dual=True, max_iter=20000, random_state=4),
        method="sigmoid",
        cv=StratifiedKFold(3, shuffle=True, random_state=4),
        ensemble=False,
    ).fit(features, labels)
    np.testing.assert_allclose(detector.predict_proba(features), reference.predict_proba(features), atol=1e-4)


def test_decision_at_inverts_probability():
    detector = HOGDetector.from_coefficients(np.zeros(SMALL.n_features), 0.0, -2.0, 0.5, hog=SMALL)
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
    detector = HOGDetector.from_coefficients(np.zeros(SMALL.n_features), 0.0, -1.0, 0.0, hog=SMALL)
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


# --------------------------------------------------------------------------
# The scikit-learn estimator
# --------------------------------------------------------------------------

from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

#: Checks that cannot apply, with the reason (also in HOGDetector's docstring).
EXPECTED_FAILED_CHECKS = {
    "check_classifiers_train": "predict is the SVM's sign and predict_proba Platt's sigmoid, whose 0.5 point "
    "is not at decision 0, so argmax(predict_proba) and decision > 0 cannot both equal predict",
    "check_sample_weight_equivalence_on_dense_data": "the sigmoid is fitted unweighted by design, and "
    "the solver's seeded sample order makes repetition and weighting equal only to solver tolerance",
}


@parametrize_with_checks([HOGDetector()], expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS)
def test_scikit_learn_estimator_checks(estimator, check):
    import warnings

    with warnings.catch_warnings():
        # Noise data (most checks) has held-out scores that do not rank.
        warnings.filterwarnings("ignore", "the SVM's held-out scores", UserWarning)
        check(estimator)


def test_hog_parameter_defaults_are_those_of_hog_parameters():
    assert HOGDetector().hog == HOGParameters()
    assert HOGDetector.from_hog(SMALL).hog == SMALL
    assert HOGDetector.from_hog(SMALL, C=0.5).get_params()["C"] == 0.5


def test_init_only_stores_and_clone_copies_parameters():
    from sklearn.base import clone

    detector = HOGDetector.from_hog(SMALL, C=0.3, calibration_folds=4, seed=9)
    assert not [name for name in vars(detector) if name.endswith("_")]
    copy = clone(detector)
    assert copy.get_params() == detector.get_params() and copy is not detector
    features, labels = separable_data()
    fitted = clone(detector).fit(features, labels)
    assert not hasattr(detector, "coef_") and fitted.coef_.shape == (1, SMALL.n_features)
    assert fitted.set_params(C=0.7).C == 0.7


def test_grid_search_over_C_on_window_features():
    from sklearn.model_selection import GridSearchCV

    features, labels = separable_data(3, n=240)
    search = GridSearchCV(HOGDetector.from_hog(SMALL), {"C": [0.001, 0.1, 10.0]}, cv=3).fit(features, labels)
    assert search.best_params_["C"] in (0.001, 0.1, 10.0)
    assert len(search.cv_results_["mean_test_score"]) == 3
    # The refitted best estimator is a fitted HOGDetector scoring better than chance.
    assert isinstance(search.best_estimator_, HOGDetector)
    assert search.best_estimator_.score(features, labels) > 0.8


def test_no_windows_score_to_an_empty_array():
    # An image with no kept window (mining, evaluation) scores nothing, without an error.
    detector = HOGDetector.from_hog(SMALL).fit(*separable_data())
    assert detector.decision_function(np.zeros((0, SMALL.n_features), np.float32)).shape == (0,)


def test_string_labels_map_larger_label_to_person():
    features, labels = separable_data(4)
    named = np.where(labels == 1, "person", "background")
    detector = HOGDetector.from_hog(SMALL, C=0.1).fit(features, named)
    numeric = HOGDetector.from_hog(SMALL, C=0.1).fit(features, labels)
    assert detector.classes_.tolist() == ["background", "person"]
    np.testing.assert_array_equal(detector.coef_, numeric.coef_)
    assert set(detector.predict(features)) <= {"background", "person"}


def test_equality_compares_values_and_never_raises(tmp_path):
    features, labels = separable_data()
    one = HOGDetector.from_hog(SMALL).fit(features, labels)
    two = HOGDetector.from_hog(SMALL).fit(features, labels)
    assert one == two and not (one != two)
    assert one != HOGDetector.from_hog(SMALL)  # fitted vs unfitted
    assert one != HOGDetector.from_hog(SMALL, C=1.0).fit(features, labels)
    assert one != "a string" and HOGDetector() == HOGDetector()
    assert load_model(one.save(tmp_path / "m.npz")) == one


def test_model_in_the_earlier_format_still_loads(tmp_path):
    # The arrays and header exactly as the dataclass Detector wrote them.
    weights = np.linspace(-1, 1, SMALL.n_features).astype(np.float32)
    header = {
        "format": "hogdet-model",
        "format_version": 1,
        "hog": json.loads(SMALL.to_json()),
        "metadata": {"C": 0.05, "seed": 3, "n_positives": 10, "n_negatives": 20, "versions": {"hogdet": "0.1.0"}},
    }
    path = tmp_path / "old.npz"
    np.savez(path, weights=weights, bias=np.float64(0.25), platt=np.array([-2.0, 0.5]),
             header=np.array(json.dumps(header, sort_keys=True)))
    detector = load_model(path)
    np.testing.assert_array_equal(detector.coef_[0], weights)
    assert detector.intercept_.tolist() == [0.25]
    assert (detector.platt_a_, detector.platt_b_) == (-2.0, 0.5)
    assert detector.classes_.tolist() == [0, 1] and detector.hog == SMALL
    assert detector.get_params()["C"] == 0.05 and detector.get_params()["seed"] == 3
    # Scores by hand: features of ones give sum(weights) + bias.
    ones = np.ones((1, SMALL.n_features), np.float32)
    assert detector.decision_function(ones)[0] == pytest.approx(weights.sum() + 0.25, abs=1e-5)
    assert detector.predict_proba(ones)[0, 1] == pytest.approx(1 / (1 + np.exp(-2.0 * (weights.sum() + 0.25) + 0.5)))


@pytest.mark.parametrize("broken", ["weights", "bias", "platt"])
def test_non_finite_model_is_refused_naming_the_file(tmp_path, broken):
    detector = HOGDetector.from_coefficients(np.zeros(SMALL.n_features), 0.0, -1.0, 0.0, hog=SMALL)
    path = detector.save(tmp_path / "m.npz")
    with np.load(path) as archive:
        arrays = dict(archive)
    arrays[broken] = arrays[broken].copy()
    arrays[broken].flat[0] = np.nan if broken != "platt" else -np.inf
    np.savez(path, **arrays)
    with pytest.raises(ModelFormatError, match="not finite") as error:
        load_model(path)
    assert str(path) in str(error.value) and "\n" not in str(error.value)


def test_non_convergence_is_recorded_not_warned_and_filters_untouched():
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    features, labels = separable_data(6)
    filters_before = list(warnings.filters)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        detector = HOGDetector.from_hog(SMALL, C=100.0, max_iter=2).fit(features, labels)
    assert detector.metadata_["converged"] is False
    assert not [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert warnings.filters == filters_before
    converged = HOGDetector.from_hog(SMALL, C=0.1).fit(features, labels)
    assert converged.metadata_["converged"] is True


def test_scores_that_do_not_rank_give_the_base_rate_or_an_error():
    import warnings

    rng = np.random.default_rng(0)
    features = rng.normal(size=(90, SMALL.n_features)).astype(np.float32)
    labels = np.array([1] * 30 + [0] * 60)  # unrelated to the features
    # Held-out scores of noise rank the classes about half the time: the
    # first seed (of the split) where they do not.
    for seed in range(20):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            detector = HOGDetector.from_hog(SMALL, C=1.0, seed=seed, calibration="cv").fit(features, labels)
        if not detector.metadata_["calibrated"]:
            break
    assert not detector.metadata_["calibrated"]
    assert any("base rate" in str(warning.message) for warning in caught)
    # Platt's smoothed base rate: (30 * 31/32 + 60 / 62) / 90.
    expected = (30 * 31 / 32 + 60 / 62) / 90
    np.testing.assert_allclose(detector.predict_proba(features)[:, 1], expected, rtol=1e-6)
    with pytest.raises(TrainingError, match="do not rise"):
        fit_detector(features, labels, hog=SMALL, C=1.0, seed=seed, calibration="cv")


def test_holdout_and_single_calibrations_use_one_held_out_fold():
    from sklearn.model_selection import StratifiedKFold
    from sklearn.svm import LinearSVC

    from hogdet.model import platt_coefficients

    features, labels = separable_data(7, n=300)
    single = HOGDetector.from_hog(SMALL, C=0.1, calibration="single", seed=2).fit(features, labels)
    holdout = HOGDetector.from_hog(SMALL, C=0.1, calibration="holdout", seed=2).fit(features, labels)
    train, test = next(StratifiedKFold(3, shuffle=True, random_state=2).split(features, labels))
    svm = LinearSVC(C=0.1, loss="hinge", dual=True, max_iter=20000, random_state=2).fit(features[train], labels[train])
    # hogdet's solver and liblinear agree to solver tolerance (tol=1e-4).
    np.testing.assert_allclose(single.coef_[0], svm.coef_[0], rtol=1e-3, atol=1e-4)
    a, b = platt_coefficients(svm.decision_function(features[test]), labels[test])
    assert (single.platt_a_, single.platt_b_) == pytest.approx((a, b), rel=1e-3)
    # 'holdout': the same sigmoid, on the SVM refitted on all windows.
    assert (holdout.platt_a_, holdout.platt_b_) == pytest.approx((a, b), rel=1e-3)
    everything = LinearSVC(C=0.1, loss="hinge", dual=True, max_iter=20000, random_state=2).fit(features, labels)
    np.testing.assert_allclose(holdout.coef_[0], everything.coef_[0], rtol=1e-3, atol=1e-4)
    # With solver='liblinear' they are the same computation.
    exact = HOGDetector.from_hog(SMALL, C=0.1, calibration="single", seed=2, solver="liblinear").fit(features, labels)
    np.testing.assert_allclose(exact.coef_[0], svm.coef_[0], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("params, message", [({"C": 0}, "C must be"), ({"calibration": "isotonic"}, "calibration"),
                                             ({"calibration_folds": 1}, "calibration_folds"),
                                             ({"solver": "lbfgs"}, "solver")])
def test_bad_parameters_are_value_errors_naming_them(params, message):
    from hogdet.errors import ParameterError

    features, labels = separable_data()
    with pytest.raises(ParameterError, match=f"^{message}") as raised:
        HOGDetector.from_hog(SMALL, **params).fit(features, labels)
    assert raised.value.parameter == next(iter(params)) and isinstance(raised.value, ValueError)


@pytest.mark.parametrize("probability", [0.0, 1.0, 1.5])
def test_probability_outside_zero_one_names_the_parameter(probability):
    from hogdet.errors import ParameterError

    detector = HOGDetector.from_coefficients(np.zeros(SMALL.n_features), 0.0, -1.0, 0.0, hog=SMALL)
    with pytest.raises(ParameterError, match=f"^probability must be in \\(0, 1\\), got {probability}$"):
        detector.decision_at(probability)


def test_save_refuses_features_the_hog_parameters_do_not_describe(tmp_path):
    features, labels = separable_data()
    detector = HOGDetector().fit(features, labels)  # 36 features, default HOG wants 3780
    with pytest.raises(TrainingError, match="3780"):
        detector.save(tmp_path / "m.npz")
    assert not list(tmp_path.iterdir())
