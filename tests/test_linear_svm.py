"""hogdet's linear SVM solver against scikit-learn's LinearSVC (liblinear) and cases worked by hand."""

import numpy as np
import pytest

from hogdet.errors import ParameterError
from hogdet.linear_svm import decision_values, fit_linear_svm


def classification_data(seed=0, n_samples=400, n_features=30):
    from sklearn.datasets import make_classification

    features, labels = make_classification(
        n_samples=n_samples, n_features=n_features, n_informative=10, flip_y=0.05, random_state=seed
    )
    return features.astype(np.float32), labels


def liblinear(features, labels, C, sample_weight=None):
    from sklearn.svm import LinearSVC

    svm = LinearSVC(C=C, loss="hinge", dual=True, tol=1e-6, max_iter=200000, random_state=0)
    return svm.fit(features.astype(np.float64), labels, sample_weight=sample_weight)


def primal_objective(features, labels, coef, intercept, C, sample_weight=None):
    """1/2 (|w|^2 + b^2) + sum_i C_i hinge_i: the problem LinearSVC solves (bias regularised)."""
    signs = np.where(labels == 1, 1.0, -1.0)
    weights = np.ones(len(labels)) if sample_weight is None else sample_weight
    margins = signs * (features.astype(np.float64) @ coef + intercept)
    return 0.5 * (coef @ coef + intercept**2) + C * np.sum(weights * np.maximum(0.0, 1.0 - margins))


def test_two_points_by_hand():
    # x = +1 is a person, x = -1 background. By symmetry b = 0 and both dual
    # variables equal a, so w = 2a and the dual objective 2a - 2a^2 peaks at
    # a = 1/2 (w = 1, the hard margin) unless C caps a: a = C, w = 2C.
    features = np.array([[1.0], [-1.0]], np.float32)
    labels = np.array([1, 0])
    for C, expected in ((10.0, 1.0), (0.1, 0.2)):
        fit = fit_linear_svm(features, labels, C, tol=1e-10, max_iter=10000)
        assert fit.converged
        np.testing.assert_allclose(fit.coef, [expected], atol=1e-6)
        assert abs(fit.intercept) < 1e-6
        np.testing.assert_allclose(fit.dual, [min(C, 0.5)] * 2, atol=1e-6)


@pytest.mark.parametrize("C", [0.01, 0.1, 1.0])
def test_same_svm_as_liblinear(C):
    features, labels = classification_data(1)
    fit = fit_linear_svm(features, labels, C, tol=1e-6, max_iter=100000)
    reference = liblinear(features, labels, C)
    assert fit.converged
    np.testing.assert_allclose(fit.coef, reference.coef_[0], atol=1e-3 * np.abs(reference.coef_).max())
    assert fit.intercept == pytest.approx(reference.intercept_[0], abs=1e-3 * max(1.0, abs(reference.intercept_[0])))
    ours = primal_objective(features, labels, fit.coef, fit.intercept, C)
    theirs = primal_objective(features, labels, reference.coef_[0], reference.intercept_[0], C)
    assert ours == pytest.approx(theirs, rel=1e-5)
    # Duality: the dual objective sum(a) - |w|^2 / 2 - b^2 / 2 meets the primal at the optimum.
    dual = fit.dual.sum() - 0.5 * (fit.coef @ fit.coef + fit.intercept**2)
    assert dual <= ours + 1e-9 and (ours - dual) < 1e-4 * ours


def test_sample_weights_scale_C_as_liblinear_does():
    features, labels = classification_data(2)
    weights = np.random.default_rng(0).uniform(0.2, 3.0, len(labels))
    fit = fit_linear_svm(features, labels, 0.1, sample_weight=weights, tol=1e-6, max_iter=100000)
    reference = liblinear(features, labels, 0.1, sample_weight=weights)
    np.testing.assert_allclose(fit.coef, reference.coef_[0], atol=1e-3 * np.abs(reference.coef_).max())
    assert np.all(fit.dual <= 0.1 * weights + 1e-12)


def test_rows_and_zero_weights_leave_windows_out():
    features, labels = classification_data(3)
    rows = np.flatnonzero(np.arange(len(labels)) % 3 != 0)
    subset = fit_linear_svm(features, labels, 0.5, rows=rows, tol=1e-6, max_iter=100000)
    reference = liblinear(features[rows], labels[rows], 0.5)
    np.testing.assert_allclose(subset.coef, reference.coef_[0], atol=1e-3 * np.abs(reference.coef_).max())
    left_out = np.setdiff1d(np.arange(len(labels)), rows)
    assert np.all(subset.dual[left_out] == 0)
    # Weight 0 is the same as not being there.
    weights = np.zeros(len(labels))
    weights[rows] = 1.0
    zero_weighted = fit_linear_svm(features, labels, 0.5, sample_weight=weights, tol=1e-6, max_iter=100000)
    assert zero_weighted.converged
    np.testing.assert_array_equal(zero_weighted.coef, subset.coef)


def test_deterministic_and_any_memory_layout():
    features, labels = classification_data(4)
    first = fit_linear_svm(features, labels, 0.1, seed=5)
    again = fit_linear_svm(features, labels, 0.1, seed=5)
    np.testing.assert_array_equal(first.coef, again.coef)
    fortran = fit_linear_svm(np.asfortranarray(features), labels, 0.1, seed=5)
    np.testing.assert_allclose(fortran.coef, first.coef, rtol=1e-9, atol=1e-12)
    # Another visiting order reaches the same optimum (to tolerance).
    tight = fit_linear_svm(features, labels, 0.1, seed=5, tol=1e-7, max_iter=100000)
    other_seed = fit_linear_svm(features, labels, 0.1, seed=6, tol=1e-7, max_iter=100000)
    np.testing.assert_allclose(other_seed.coef, tight.coef, atol=1e-3 * np.abs(tight.coef).max())


def test_non_convergence_is_reported():
    features, labels = classification_data(5)
    fit = fit_linear_svm(features, labels, 10.0, max_iter=1)
    assert fit.n_iter == 1 and not fit.converged


def test_decision_values_of_rows():
    features, labels = classification_data(6, n_samples=50)
    coef = np.linspace(-1, 1, features.shape[1])
    rows = np.array([7, 3, 3, 40])
    expected = features[rows].astype(np.float64) @ coef + 0.25
    np.testing.assert_allclose(decision_values(features, rows, coef, 0.25), expected, rtol=1e-6)


@pytest.mark.parametrize("params, name", [({"C": 0}, "C"), ({"C": -1.0}, "C"), ({"C": 1.0, "max_iter": 0}, "max_iter")])
def test_bad_parameters_name_themselves(params, name):
    features, labels = classification_data(7, n_samples=20)
    with pytest.raises(ParameterError) as raised:
        fit_linear_svm(features, labels, **params)
    assert raised.value.parameter == name
