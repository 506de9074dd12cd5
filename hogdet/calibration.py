"""Platt's sigmoid: calibrated probabilities from held-out SVM decision values."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin


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
