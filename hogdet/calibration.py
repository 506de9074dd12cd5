"""Platt's sigmoid: calibrated probabilities from held-out SVM decision values.

:func:`fit_svm_with_held_out` fits the detector's linear SVM and gets the
held-out decision values the sigmoid is fitted on, in one of
:data:`CALIBRATIONS` ways; :func:`platt_coefficients` fits the sigmoid.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

#: Ways of getting held-out decision values for Platt's sigmoid (see
#: :class:`hogdet.model.HOGDetector`'s ``calibration`` parameter).
CALIBRATIONS = ("cv", "holdout", "single")


def _decision_values_classifier():
    """A stand-in classifier whose decision value is its one input column."""

    class DecisionValues(ClassifierMixin, BaseEstimator):
        def fit(self, values, labels):
            self.classes_ = np.array([0, 1])
            return self

        def decision_function(self, values):
            return np.asarray(values)[:, 0]

        def predict(self, values):
            return (self.decision_function(values) > 0).astype(int)

    return DecisionValues()


def base_rate_sigmoid(labels: np.ndarray) -> tuple[float, float]:
    """Platt coefficients of a (nearly) constant probability: the smoothed base rate of ``labels``."""
    n_positives = int(np.sum(labels == 1))
    n_negatives = labels.size - n_positives
    # Platt's smoothed targets, as scikit-learn's sigmoid calibration uses.
    rate = (n_positives * (n_positives + 1) / (n_positives + 2) + n_negatives / (n_negatives + 2)) / labels.size
    return -1e-9, float(np.log(1.0 / rate - 1.0))


def platt_coefficients(decision_values: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Platt's (1999) sigmoid fitted to decision values, with scikit-learn's implementation.

    Returns ``(a, b)`` such that ``P(person | d) = 1 / (1 + exp(a d + b))``.
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator
    from sklearn.model_selection import PredefinedSplit

    values = np.asarray(decision_values, dtype=np.float64).reshape(-1, 1)
    labels = np.asarray(labels).astype(int)
    # The stand-in learns nothing, so its "cross-validated" decision values
    # are the given ones and one sigmoid is fitted on all of them.
    # One "fold" holding every value: a handful of held-out windows per
    # class is enough (the default 5-fold split would need 5 per class).
    calibrated = CalibratedClassifierCV(
        FrozenEstimator(_decision_values_classifier().fit(values, labels)), method="sigmoid", ensemble=False,
        cv=PredefinedSplit(np.zeros(len(labels))),
    )
    calibrated.fit(values, labels)
    sigmoid = calibrated.calibrated_classifiers_[0].calibrators[0]
    return float(sigmoid.a_), float(sigmoid.b_)


def fit_svm_with_held_out(
    X: np.ndarray,
    labels: np.ndarray,
    sample_weight: np.ndarray | None,
    *,
    C: float,
    calibration: str,
    calibration_folds: int,
    max_iter: int,
    seed: int,
):
    """The detector's fitted SVM and held-out decision values for Platt's sigmoid.

    Parameters
    ----------
    X : ndarray of float32, shape (n_samples, n_features)
    labels : ndarray of int, shape (n_samples,)
        0 background, 1 person.
    sample_weight : ndarray, shape (n_samples,), optional
    C, calibration, calibration_folds, max_iter, seed
        As :class:`hogdet.model.HOGDetector` describes them.

    Returns
    -------
    svm : sklearn.svm.LinearSVC
        Fitted on all windows (``'cv'``, ``'holdout'``) or on all but the
        held-out fold (``'single'``).
    held_out : ndarray of float64, shape (m,)
        Decision values of windows the SVM that scored them did not train on.
    held_out_labels : ndarray of int, shape (m,)
    """
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.svm import LinearSVC

    svm = LinearSVC(C=C, loss="hinge", dual=True, max_iter=max_iter, random_state=seed)
    folds = StratifiedKFold(calibration_folds, shuffle=True, random_state=seed)
    if calibration == "cv":
        params = None if sample_weight is None else {"sample_weight": sample_weight}
        held_out = cross_val_predict(svm, X, labels, cv=folds, method="decision_function", params=params)
        svm.fit(X, labels, sample_weight=sample_weight)
        return svm, held_out, labels
    train, test = next(folds.split(np.zeros(len(labels)), labels))
    weights = None if sample_weight is None else sample_weight[train]
    svm.fit(_rows_as_float64(X, train), labels[train], sample_weight=weights)
    held_out = svm.decision_function(X[test])
    if calibration == "holdout":
        # The same final SVM as 'cv' (all windows), from 2 fits instead of folds + 1.
        svm.fit(X, labels, sample_weight=sample_weight)
    return svm, held_out, labels[test]


def _rows_as_float64(X: np.ndarray, rows: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """``X[rows]`` as float64, C-ordered, without a whole float32 copy first.

    liblinear (through LinearSVC) takes float64; filling the float64 rows
    chunk by chunk keeps the only copy of the training rows the one it needs.
    """
    out = np.empty((len(rows), X.shape[1]), np.float64)
    for start in range(0, len(rows), chunk):
        out[start : start + chunk] = X[rows[start : start + chunk]]
    return out
