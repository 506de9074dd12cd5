"""The detector's classifier: a linear SVM with Platt-calibrated probabilities.

:class:`HOGDetector` is a scikit-learn estimator: ``__init__`` only stores
parameters (C, calibration, seed and the HOG parameters the window features
were computed with), :meth:`HOGDetector.fit` learns ``coef_``,
``intercept_``, ``classes_`` and the Platt coefficients ``platt_a_`` and
``platt_b_`` from window feature vectors, and ``clone``, ``GridSearchCV``
and pipelines work with it. A fitted detector is pure data: it is saved as
one ``.npz`` file read with ``allow_pickle=False``, so loading a model
cannot run code and a model trained under one scikit-learn version loads
under any other.

The file format and the bundled model are :mod:`hogdet.modelfile`, the SVM
fit and Platt's sigmoid :mod:`hogdet.calibration`, and hogdet's training
policy (:func:`hogdet.training.fit_detector`) :mod:`hogdet.training`.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import asdict
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from .calibration import CALIBRATIONS, SOLVERS, fit_svm_with_held_out, platt_coefficients, rising_sigmoid
from .errors import ModelFormatError, ParameterError, TrainingError
from .features import FITTED_SCALE_EXPONENT, HOGParameters
# The model file, the bundled model and provenance live in their own
# modules; their names stay importable from here for older code.
from .modelfile import SVM_PARAMETERS, check_coefficients, default_model_path, load_default_model, load_model, write_model
from .provenance import package_versions

__all__ = ["DEFAULT_C", "Detector", "HOGDetector", "TrainingError", "default_model_path",
           "load_default_model", "load_model", "package_versions", "platt_coefficients"]

#: Default SVM regularisation. Dalal & Triggs used a soft linear SVM with
#: C = 0.01 (SVMLight); on these 3780-dimensional, L2-Hys-normalised
#: features a small C keeps the margin wide and the template smooth, which
#: generalises better from a few thousand positives than a hard margin.
DEFAULT_C = 0.01

class HOGDetector(ClassifierMixin, BaseEstimator):
    """A linear HOG window classifier with calibrated probabilities (Dalal & Triggs).

    The SVM (hinge loss, L2 penalty, the problem of
    :class:`sklearn.svm.LinearSVC` with ``dual=True``) is fitted on window
    feature vectors; Platt's sigmoid
    (:func:`platt_coefficients`) is fitted, unweighted, on decision values
    of windows the SVM did not train on, so that "probability > 0.5" is an
    honest statement about new windows.

    Parameters
    ----------
    C : float
        SVM regularisation (see :data:`DEFAULT_C`).
    calibration : {'cv', 'holdout', 'single'}
        Where Platt's held-out decision values come from. ``'cv'``:
        ``calibration_folds``-fold cross-validation, then the SVM refitted
        on all windows (what :class:`sklearn.calibration.CalibratedClassifierCV`
        does with ``ensemble=False``; ``calibration_folds + 1`` SVM fits).
        ``'holdout'``: the decision values of one stratified fold, from an
        SVM fitted on the other ``calibration_folds - 1``, then the SVM
        refitted on all windows (2 fits; the same SVM as ``'cv'``).
        ``'single'``: as ``'holdout'`` without the refit (1 fit; the SVM
        sees ``(calibration_folds - 1) / calibration_folds`` of the windows,
        and detects worse; ``benchmarks/training_speed.py`` compares them).
    calibration_folds : int
        Folds of the stratified split (shuffled with ``seed``).
    max_iter : int
        Passes of the dual coordinate descent. Not converging is recorded
        in ``metadata_["converged"]`` rather than warned about.
    seed : int
        Seed of the split and of the solver.
    solver : {'numba', 'liblinear'}
        ``'numba'``: :func:`hogdet.linear_svm.fit_linear_svm`, liblinear's
        algorithm compiled with numba, reading the float32 features in
        place. ``'liblinear'``: ``LinearSVC`` itself, which copies the
        features to float64 and to liblinear's sparse format (about 6x
        their float32 size). Both reach the same SVM to solver tolerance;
        ``'numba'`` is about 4x faster on a mining pool and needs no copy.
    window_size, pixels_per_cell, cells_per_block, orientations, block_norm, \
transform_sqrt, margin, interpolation, block_sigma, scale_exponent
        The HOG parameters the window features are computed with, as in
        :class:`hogdet.features.HOGParameters` (whose defaults they have);
        :meth:`from_hog` takes a ``HOGParameters`` instead. They describe
        the features (detection computes them from images) and are stored
        in the model file; :meth:`fit` itself accepts features of any
        length, and :meth:`save` and :attr:`template` require the length
        the HOG parameters give.

    Attributes
    ----------
    classes_ : ndarray, shape (2,)
        Background label, then person label (0 and 1 for hogdet's data).
    coef_ : ndarray of float32, shape (1, n_features)
        SVM weights, in the order of :func:`hogdet.features.window_features`.
    intercept_ : ndarray of float64, shape (1,)
        SVM bias; the decision value is ``features @ coef_[0] + intercept_[0]``.
    platt_a_, platt_b_ : float
        ``P(person | d) = 1 / (1 + exp(platt_a_ * d + platt_b_))``.
    hog_ : HOGParameters
        The HOG parameters at fit time.
    n_features_in_ : int
    metadata_ : dict
        Provenance: C, seed, calibration, counts, convergence, package
        versions and what the caller passed to :meth:`fit`.

    Notes
    -----
    ``decision_function`` is the raw SVM score (what detection thresholds);
    ``predict`` is its sign, and ``predict_proba`` the calibrated
    probability, whose 0.5 point is ``decision_at(0.5)``, not 0.
    Two scikit-learn estimator checks cannot apply and are expected to fail
    (``tests/test_model.py`` marks them): ``check_classifiers_train`` (it
    requires ``argmax(predict_proba) == predict`` *and* ``decision > 0 ==
    predict``, which only holds when Platt's sigmoid crosses 0.5 at decision
    0) and ``check_sample_weight_equivalence_on_dense_data`` (the dual
    solver visits samples in a seeded random order, so repeating a
    sample and weighting it by 2 reach the same optimum only to solver
    tolerance, and the calibration folds differ).
    """

    def __init__(
        self,
        C: float = DEFAULT_C,
        *,
        calibration: str = "holdout",
        calibration_folds: int = 3,
        max_iter: int = 20000,
        seed: int = 0,
        solver: str = "numba",
        window_size: tuple[int, int] = (128, 64),
        pixels_per_cell: tuple[int, int] = (8, 8),
        cells_per_block: tuple[int, int] = (2, 2),
        orientations: int = 9,
        block_norm: str = "L2-Hys",
        transform_sqrt: bool = True,
        margin: tuple[int, int] = (16, 0),
        interpolation: str = "none",
        block_sigma: float = 0.5,
        scale_exponent: float = FITTED_SCALE_EXPONENT,
    ) -> None:
        self.C = C
        self.calibration = calibration
        self.calibration_folds = calibration_folds
        self.max_iter = max_iter
        self.seed = seed
        self.solver = solver
        self.window_size = window_size
        self.pixels_per_cell = pixels_per_cell
        self.cells_per_block = cells_per_block
        self.orientations = orientations
        self.block_norm = block_norm
        self.transform_sqrt = transform_sqrt
        self.margin = margin
        self.interpolation = interpolation
        self.block_sigma = block_sigma
        self.scale_exponent = scale_exponent

    # -- construction ------------------------------------------------------

    @classmethod
    def from_hog(cls, hog: HOGParameters = HOGParameters(), **params) -> "HOGDetector":
        """An unfitted detector for features computed with ``hog`` (other parameters as keywords)."""
        return cls(**asdict(hog), **params)

    @classmethod
    def from_coefficients(
        cls,
        weights: np.ndarray,
        bias: float,
        platt_a: float,
        platt_b: float,
        hog: HOGParameters = HOGParameters(),
        metadata: dict | None = None,
        classes: np.ndarray | None = None,
        **params,
    ) -> "HOGDetector":
        """A fitted detector from its arrays (what :func:`load_model` uses).

        Raises
        ------
        ModelFormatError
            If the weights do not fit the HOG parameters, a value is not
            finite, or the Platt slope is not negative.
        """
        detector = cls.from_hog(hog, **params)
        weights = check_coefficients(weights, bias, platt_a, platt_b, hog)
        detector.coef_ = weights[np.newaxis, :]
        detector.intercept_ = np.array([float(bias)])
        detector.platt_a_, detector.platt_b_ = float(platt_a), float(platt_b)
        detector.classes_ = np.array([0, 1]) if classes is None else np.asarray(classes)
        detector.hog_ = hog
        detector.n_features_in_ = weights.size
        detector.metadata_ = dict(metadata or {})
        return detector

    def _hog_parameters(self) -> HOGParameters:
        return HOGParameters(**{name: getattr(self, name) for name in HOGParameters.__dataclass_fields__})

    # -- training ------------------------------------------------------------

    def fit(self, X, y, sample_weight=None, metadata: dict | None = None) -> "HOGDetector":
        """Fit the SVM and Platt's sigmoid on window feature vectors.

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)
            Window features (float32 kept as is; other types converted).
        y : array-like, shape (n_samples,)
            Two classes; the larger label (1 in hogdet) is "person".
        sample_weight : array-like, shape (n_samples,), optional
            Per-sample weights of the SVM's loss (focal, prime strategies);
            the sigmoid is fitted unweighted so that probabilities describe
            the real mix of windows.
        metadata : dict, optional
            Provenance stored in ``metadata_`` (data fingerprint, round, ...).

        Returns
        -------
        self
        """
        from sklearn.utils.multiclass import check_classification_targets
        from sklearn.utils.validation import _check_sample_weight, validate_data

        hog = self._hog_parameters()
        X, y = validate_data(self, X, y, dtype=np.float32)
        check_classification_targets(y)
        self._check_parameters()
        classes, labels = np.unique(y, return_inverse=True)
        if len(classes) > 2:
            raise TrainingError(
                f"Only binary classification is supported (person and background), got {len(classes)} classes"
            )
        if len(classes) < 2:
            raise TrainingError("training needs positives and negatives (two classes), got one class")
        counts = np.bincount(labels, minlength=2)
        if counts.min() < self.calibration_folds:
            raise TrainingError(
                f"need at least calibration_folds={self.calibration_folds} positives and negatives "
                f"to train, got {counts[1]} and {counts[0]}"
            )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        fitted = fit_svm_with_held_out(
            X, labels, sample_weight, C=self.C, calibration=self.calibration,
            calibration_folds=self.calibration_folds, max_iter=self.max_iter, seed=self.seed, solver=self.solver,
        )
        platt_a, platt_b, ranks = rising_sigmoid(fitted.held_out, fitted.held_out_labels)
        if not ranks:
            warnings.warn(
                "the SVM's held-out scores do not rise with the person class; probabilities are the "
                "base rate (metadata_['calibrated'] is False)",
                UserWarning,
                stacklevel=2,
            )
        self.classes_ = classes
        self.coef_ = fitted.coef.astype(np.float32)[np.newaxis, :]
        self.intercept_ = np.array([fitted.intercept])
        self.platt_a_, self.platt_b_ = platt_a, platt_b
        self.hog_ = hog
        self.n_iter_ = fitted.n_iter
        self.metadata_ = self._training_metadata(counts, fitted.not_converged, ranks, metadata)
        return self

    def _check_parameters(self) -> None:
        if not (isinstance(self.C, (int, float, np.number)) and self.C > 0):
            raise ParameterError("C", f"must be a positive number, got {self.C!r}")
        if self.calibration not in CALIBRATIONS:
            raise ParameterError("calibration", f"must be one of {CALIBRATIONS}, got {self.calibration!r}")
        if self.solver not in SOLVERS:
            raise ParameterError("solver", f"must be one of {SOLVERS}, got {self.solver!r}")
        if not (isinstance(self.calibration_folds, (int, np.integer)) and self.calibration_folds >= 2):
            raise ParameterError("calibration_folds", f"must be an integer >= 2, got {self.calibration_folds!r}")

    def _training_metadata(self, counts: np.ndarray, not_converged: int, calibrated: bool, extra: dict | None) -> dict:
        """The one place model metadata is put together."""
        info = {name: getattr(self, name) for name in SVM_PARAMETERS}
        info.update(
            n_positives=int(counts[1]),
            n_negatives=int(counts[0]),
            converged=not_converged == 0,
            svm_fits_not_converged=int(not_converged),
            calibrated=bool(calibrated),
        )
        info.update(extra or {})
        info["versions"] = package_versions()
        return info

    # -- scoring ---------------------------------------------------------------

    def decision_function(self, X) -> np.ndarray:
        """SVM score of each window, ``X @ coef_[0] + intercept_[0]``, float32, shape (n,)."""
        from sklearn.utils.validation import check_is_fitted, validate_data

        check_is_fitted(self)
        # Zero windows (an image with no kept window) score to an empty array.
        X = validate_data(self, X, dtype=np.float32, reset=False, ensure_min_samples=0)
        return X @ self.coef_[0] + np.float32(self.intercept_[0])

    def probability(self, decision: np.ndarray) -> np.ndarray:
        """Platt-calibrated probability of "person" for decision values (float64)."""
        exponent = self.platt_a_ * np.asarray(decision, dtype=np.float64) + self.platt_b_
        return 1.0 / (1.0 + np.exp(np.clip(exponent, -500, 500)))

    def decision_at(self, probability: float) -> float:
        """The decision value whose calibrated probability is ``probability``."""
        if not 0.0 < probability < 1.0:
            raise ParameterError("probability", f"must be in (0, 1), got {probability}")
        return (np.log(1.0 / probability - 1.0) - self.platt_b_) / self.platt_a_

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities of (``classes_[0]``, ``classes_[1]``), shape (n, 2)."""
        person = self.probability(self.decision_function(X))
        return np.column_stack([1.0 - person, person])

    def predict(self, X) -> np.ndarray:
        """``classes_[1]`` where the SVM score is positive, else ``classes_[0]``."""
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(int)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    # -- the names the rest of hogdet reads ---------------------------------

    @property
    def hog(self) -> HOGParameters:
        """HOG parameters: those of the fit once fitted, else those of the parameters."""
        return self.__dict__.get("hog_") or self._hog_parameters()

    @property
    def weights(self) -> np.ndarray:
        """``coef_[0]``, float32, shape (n_features,)."""
        return self.coef_[0]

    @property
    def bias(self) -> float:
        return float(self.intercept_[0])

    @property
    def platt_a(self) -> float:
        return self.platt_a_

    @property
    def platt_b(self) -> float:
        return self.platt_b_

    @property
    def metadata(self) -> dict:
        return self.metadata_

    @property
    def template(self) -> np.ndarray:
        """The weights as a block template, shape (window block rows, cols, block_length)."""
        self._check_feature_length()
        rows, cols = self.hog.window_blocks
        return self.weights.reshape(rows, cols, self.hog.block_length)

    def _check_feature_length(self) -> None:
        if self.weights.size != self.hog.n_features:
            raise TrainingError(
                f"the detector was fitted on {self.weights.size} features per window, but its HOG "
                f"parameters describe windows of {self.hog.n_features}"
            )

    def __eq__(self, other: object) -> bool:
        """Same class, parameters and learnt arrays (metadata is not compared)."""
        if type(other) is not type(self) or self.get_params() != other.get_params():
            return False
        learnt = ("classes_", "coef_", "intercept_", "platt_a_", "platt_b_", "hog_")
        return all(_same(vars(self).get(name), vars(other).get(name)) for name in learnt)

    __hash__ = None  # mutable and compared by value

    # -- the model file ------------------------------------------------------

    def save(self, path: str | os.PathLike) -> Path:
        """Write the fitted model as one pickle-free ``.npz`` file (atomically)."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        self._check_feature_length()
        return write_model(self, path)


#: The name the rest of hogdet (and older code) uses.
Detector = HOGDetector


def _same(first, second) -> bool:
    if first is None or second is None:
        return first is second
    if isinstance(first, np.ndarray) or isinstance(second, np.ndarray):
        return np.array_equal(first, second)
    return first == second

