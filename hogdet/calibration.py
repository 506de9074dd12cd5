"""Platt's sigmoid: calibrated probabilities from held-out SVM decision values.

:func:`fit_svm_with_held_out` fits the detector's linear SVM and gets the
held-out decision values the sigmoid is fitted on, in one of
:data:`CALIBRATIONS` ways; :func:`platt_coefficients` fits the sigmoid.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Callable, NamedTuple

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


def rising_sigmoid(decision_values: np.ndarray, labels: np.ndarray) -> tuple[float, float, bool]:
    """Platt's sigmoid if it rises with the score, else the base rate: ``(a, b, rises)``."""
    platt_a, platt_b = platt_coefficients(decision_values, labels)
    if platt_a < 0:
        return platt_a, platt_b, True
    # Held-out scores that do not rise with the person class: the best
    # sigmoid whose probability does not fall with the score is flat (the
    # log-likelihood is concave in (a, b), so the optimum under a <= 0 lies
    # on a = 0) at Platt's smoothed base rate. A tiny negative slope keeps
    # it invertible.
    platt_a, platt_b = base_rate_sigmoid(labels)
    return platt_a, platt_b, False


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


#: SVM solvers (see :class:`hogdet.model.HOGDetector`'s ``solver`` parameter).
SOLVERS = ("numba", "liblinear")


@dataclass(frozen=True)
class HeldOutFit:
    """The detector's fitted SVM and the held-out decision values Platt's sigmoid is fitted on.

    Attributes
    ----------
    coef : ndarray of float64, shape (n_features,)
    intercept : float
    n_iter : int
        Solver passes of the final fit.
    not_converged : int
        How many of the SVM fits stopped at ``max_iter``.
    held_out : ndarray of float64, shape (m,)
        Decision values of windows the SVM that scored them did not train on.
    held_out_labels : ndarray of int, shape (m,)
    """

    coef: np.ndarray
    intercept: float
    n_iter: int
    not_converged: int
    held_out: np.ndarray
    held_out_labels: np.ndarray


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
    solver: str = "numba",
) -> HeldOutFit:
    """Fit the detector's SVM and get held-out decision values for Platt's sigmoid.

    Parameters
    ----------
    X : ndarray of float32, shape (n_samples, n_features)
    labels : ndarray of int, shape (n_samples,)
        0 background, 1 person.
    sample_weight : ndarray, shape (n_samples,), optional
    C, calibration, calibration_folds, max_iter, seed, solver
        As :class:`hogdet.model.HOGDetector` describes them.

    Returns
    -------
    HeldOutFit
        The SVM fitted on all windows (``'cv'``, ``'holdout'``) or on all
        but the held-out fold (``'single'``).
    """
    from sklearn.model_selection import StratifiedKFold

    fit = _fit_numba if solver == "numba" else _fit_liblinear
    splits = StratifiedKFold(calibration_folds, shuffle=True, random_state=seed).split(np.zeros(len(labels)), labels)
    if calibration != "cv":
        splits = [next(splits)]
    held_out = np.empty(len(labels))
    tested, not_converged, final = [], 0, None
    for train, test in splits:
        final = fit(X, labels, train, sample_weight, C=C, max_iter=max_iter, seed=seed)
        not_converged += not final.converged
        held_out[test] = final.score(test)
        tested.append(test)
    tested = np.concatenate(tested)
    if calibration in ("cv", "holdout"):
        # The SVM refitted on every window; 'holdout' gets the same SVM as
        # 'cv' from 2 fits instead of folds + 1.
        final = fit(X, labels, None, sample_weight, C=C, max_iter=max_iter, seed=seed)
        not_converged += not final.converged
    # 'cv' keeps the windows in their original order, as cross_val_predict does.
    tested = np.sort(tested) if calibration == "cv" else tested
    return HeldOutFit(final.coef, final.intercept, final.n_iter, not_converged, held_out[tested], labels[tested])


class _SVMFit(NamedTuple):
    """One SVM fit: its coefficients, passes, convergence, and a scorer of rows of ``X``."""

    coef: np.ndarray
    intercept: float
    n_iter: int
    converged: bool
    score: Callable[[np.ndarray], np.ndarray]


def _fit_numba(X, labels, rows, sample_weight, *, C, max_iter, seed):
    """One fit on ``rows`` (all if None) with :func:`hogdet.linear_svm.fit_linear_svm` (a :class:`_SVMFit`).

    ``sample_weight`` is per window of ``X``, as for :func:`_fit_liblinear`.
    """
    from .linear_svm import decision_values, fit_linear_svm

    fit = fit_linear_svm(X, labels, C, sample_weight, rows, max_iter=max_iter, seed=seed)
    return _SVMFit(fit.coef, fit.intercept, fit.n_iter, fit.converged,
                   lambda test: decision_values(X, test, fit.coef, fit.intercept))


def _fit_liblinear(X, labels, rows, sample_weight, *, C, max_iter, seed):
    """The same with scikit-learn's ``LinearSVC`` (liblinear; float64 copies of the rows)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.svm import LinearSVC

    svm = LinearSVC(C=C, loss="hinge", dual=True, max_iter=max_iter, random_state=seed)
    training = X.astype(np.float64) if rows is None else _rows_as_float64(X, rows)
    # Record, rather than silence, liblinear's non-convergence: the filter
    # lives only inside this block.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        if rows is None:
            svm.fit(training, labels, sample_weight=sample_weight)
        else:
            svm.fit(training, labels[rows], sample_weight=None if sample_weight is None else sample_weight[rows])
    del training
    for warning in caught:
        if not issubclass(warning.category, ConvergenceWarning):
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    converged = not any(issubclass(warning.category, ConvergenceWarning) for warning in caught)
    return _SVMFit(svm.coef_[0].astype(np.float64), float(svm.intercept_[0]), int(svm.n_iter_), converged,
                   lambda test: svm.decision_function(X[test]).astype(np.float64))


def _rows_as_float64(X: np.ndarray, rows: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """``X[rows]`` as float64, C-ordered, without a whole float32 copy first.

    liblinear (through LinearSVC) takes float64; filling the float64 rows
    chunk by chunk keeps the only copy of the training rows the one it needs.
    """
    out = np.empty((len(rows), X.shape[1]), np.float64)
    for start in range(0, len(rows), chunk):
        out[start : start + chunk] = X[rows[start : start + chunk]]
    return out
