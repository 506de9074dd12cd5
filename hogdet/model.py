"""The detector's classifier: a linear SVM with Platt-calibrated probabilities.

A :class:`Detector` is pure data: a weight vector, a bias, the two Platt
coefficients and the HOG parameters. It is saved as one ``.npz`` file read
with ``allow_pickle=False``, so loading a model cannot run code and a model
trained under one scikit-learn version loads under any other.
"""

from __future__ import annotations

import json
import os
import platform
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import HogdetError, ModelFormatError
from .features import HOGParameters
from .io import atomic_path

FORMAT_NAME = "hogdet-model"
FORMAT_VERSION = 1

#: Default SVM regularisation. Dalal & Triggs used a soft linear SVM with
#: C = 0.01 (SVMLight); on these 3780-dimensional, L2-Hys-normalised
#: features a small C keeps the margin wide and the template smooth, which
#: generalises better from a few thousand positives than a hard margin.
DEFAULT_C = 0.01


@dataclass
class Detector:
    """A trained linear HOG detector.

    Parameters
    ----------
    weights : ndarray of float32, shape (n_features,)
        Linear SVM weights, in the order of :func:`hogdet.features.window_features`.
    bias : float
        Linear SVM intercept; the decision value is ``features @ weights + bias``.
    platt_a, platt_b : float
        Platt coefficients: ``probability = 1 / (1 + exp(platt_a * decision + platt_b))``.
    hog : HOGParameters
    metadata : dict
        Training metadata (C, seed, data fingerprint, package versions, ...).
    """

    weights: np.ndarray
    bias: float
    platt_a: float
    platt_b: float
    hog: HOGParameters = field(default_factory=HOGParameters)
    metadata: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.weights = np.asarray(self.weights, dtype=np.float32).ravel()
        if self.weights.shape != (self.hog.n_features,):
            raise ModelFormatError(
                f"weight vector has {self.weights.size} values, the HOG parameters need {self.hog.n_features}"
            )
        self.bias = float(self.bias)
        self.platt_a = float(self.platt_a)
        self.platt_b = float(self.platt_b)
        if not self.platt_a < 0:
            raise ModelFormatError(
                f"Platt slope must be negative so that probability rises with the score, got {self.platt_a}"
            )

    def decision_function(self, features: np.ndarray) -> np.ndarray:
        """Signed distance to the SVM hyperplane (up to scale), shape (n,)."""
        return np.asarray(features, dtype=np.float32) @ self.weights + np.float32(self.bias)

    def probability(self, decision: np.ndarray) -> np.ndarray:
        """Platt-calibrated probability of "person" for decision values."""
        exponent = self.platt_a * np.asarray(decision, dtype=np.float64) + self.platt_b
        return 1.0 / (1.0 + np.exp(np.clip(exponent, -500, 500)))

    def decision_at(self, probability: float) -> float:
        """The decision value whose calibrated probability is ``probability``."""
        if not 0.0 < probability < 1.0:
            raise HogdetError(f"probability threshold must be in (0, 1), got {probability}")
        return (np.log(1.0 / probability - 1.0) - self.platt_b) / self.platt_a

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """Probabilities of (background, person), shape (n, 2), as scikit-learn."""
        person = self.probability(self.decision_function(features))
        return np.column_stack([1.0 - person, person])

    @property
    def template(self) -> np.ndarray:
        """The weights as a block template, shape (window block rows, cols, block_length)."""
        rows, cols = self.hog.window_blocks
        return self.weights.reshape(rows, cols, self.hog.block_length)

    def save(self, path: str | os.PathLike) -> Path:
        """Write the model as one ``.npz`` file (atomically)."""
        path = Path(path)
        header = {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "hog": json.loads(self.hog.to_json()),
            "metadata": self.metadata,
        }
        with atomic_path(path) as temporary, open(temporary, "wb") as stream:
            np.savez(
                stream,
                weights=self.weights,
                bias=np.float64(self.bias),
                platt=np.array([self.platt_a, self.platt_b]),
                header=np.array(json.dumps(header, sort_keys=True)),
            )
        return path


def load_model(path: str | os.PathLike) -> Detector:
    """Read a model written by :meth:`Detector.save`.

    Raises
    ------
    ModelFormatError
        If the file is missing, is not a hogdet model (a pickle, an image, an
        empty file, ...) or has another format version.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFormatError(f"{path}: no such model file")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in ("weights", "bias", "platt", "header")}
    except (ValueError, OSError, KeyError, zipfile.BadZipFile, EOFError) as error:
        raise ModelFormatError(
            f"{path}: not a hogdet model file (expected the .npz that `hogdet train` writes)"
        ) from None
    try:
        header = json.loads(str(arrays["header"]))
        if header.get("format") != FORMAT_NAME:
            raise ModelFormatError(f"{path}: not a hogdet model file")
    except (json.JSONDecodeError, AttributeError):
        raise ModelFormatError(f"{path}: not a hogdet model file (bad header)") from None
    if header.get("format_version") != FORMAT_VERSION:
        raise ModelFormatError(
            f"{path}: hogdet model format version {header.get('format_version')}, "
            f"this hogdet reads version {FORMAT_VERSION}"
        )
    return Detector(
        weights=arrays["weights"],
        bias=float(arrays["bias"]),
        platt_a=float(arrays["platt"][0]),
        platt_b=float(arrays["platt"][1]),
        hog=HOGParameters.from_dict(header["hog"]),
        metadata=header.get("metadata", {}),
    )


def default_model_path() -> Path:
    """Where the model bundled with hogdet is installed (``hogdet/models/default.npz``)."""
    return Path(__file__).resolve().parent / "models" / "default.npz"


def load_default_model() -> Detector:
    """The detector bundled with hogdet, for ``hogdet detect`` without a model.

    Raises
    ------
    ModelFormatError
        If the bundled file is missing or damaged (the message names it).
    """
    path = default_model_path()
    if not path.is_file():
        raise ModelFormatError(f"the bundled model {path} is missing; reinstall hogdet or pass a model file")
    try:
        return load_model(path)
    except ModelFormatError as error:
        raise ModelFormatError(f"the bundled model is damaged: {error}") from None


def package_versions() -> dict[str, str]:
    """Versions of Python and the numeric packages, for provenance."""
    import joblib
    import skimage
    import sklearn

    from . import __version__

    return {
        "hogdet": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scikit-image": skimage.__version__,
        "scikit-learn": sklearn.__version__,
        "joblib": joblib.__version__,
    }


def fit_detector(
    features: np.ndarray,
    labels: np.ndarray,
    hog: HOGParameters = HOGParameters(),
    C: float = DEFAULT_C,
    sample_weight: np.ndarray | None = None,
    seed: int = 0,
    calibration_folds: int = 3,
    metadata: dict | None = None,
) -> Detector:
    """Train a linear SVM and calibrate its scores with Platt scaling.

    The SVM (hinge loss, :class:`sklearn.svm.LinearSVC`) is fitted on all
    samples; Platt's sigmoid (:func:`platt_coefficients`) is fitted on
    held-out decision values from ``calibration_folds``-fold
    cross-validation (what :class:`sklearn.calibration.CalibratedClassifierCV`
    does with ``ensemble=False``), so that "probability > 0.5" is an honest
    statement about windows the SVM did not train on.

    Parameters
    ----------
    features : ndarray, shape (n_samples, n_features)
    labels : ndarray of int, shape (n_samples,)
        1 for person, 0 for background.
    hog : HOGParameters
        The parameters the features were computed with (stored in the model).
    C : float
        SVM regularisation (see :data:`DEFAULT_C`).
    sample_weight : ndarray, shape (n_samples,), optional
        Per-sample weights (used by the focal and prime strategies).
    seed : int
        Seed of the cross-validation split and of the solver.
    calibration_folds : int
        Folds for the held-out decision values.
    metadata : dict, optional
        Stored in the model along with C, seed and package versions.

    Returns
    -------
    Detector
    """
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.svm import LinearSVC

    features = np.asarray(features, dtype=np.float32)
    labels = np.asarray(labels).astype(int)
    counts = np.bincount(labels, minlength=2)
    if labels.size != len(features) or counts.size != 2 or counts.min() < calibration_folds:
        raise HogdetError(
            f"need at least {calibration_folds} positives and negatives to train, got {counts[1]} and {counts[0]}"
        )
    if not C > 0:
        raise HogdetError(f"C must be positive, got {C}")
    svm = LinearSVC(C=C, loss="hinge", dual=True, max_iter=20000, random_state=seed)
    folds = StratifiedKFold(calibration_folds, shuffle=True, random_state=seed)
    weights = None if sample_weight is None else {"sample_weight": np.asarray(sample_weight, dtype=np.float64)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        held_out = cross_val_predict(svm, features, labels, cv=folds, method="decision_function", params=weights)
        svm.fit(features, labels, **(weights or {}))
    # Platt's sigmoid is fitted on the held-out decision values, unweighted:
    # sample weights (focal, prime strategies) reshape the SVM's loss, but
    # "probability" must still describe the real mix of windows.
    platt_a, platt_b = platt_coefficients(held_out, labels)
    if not platt_a < 0:
        raise HogdetError(
            "the trained SVM's held-out scores do not rise with the person class (Platt slope "
            f"{platt_a:.3g}): too few or too inconsistent samples, or sample weights too extreme"
        )
    info = {"C": C, "seed": seed, "n_positives": int(counts[1]), "n_negatives": int(counts[0])}
    info.update(metadata or {})
    info["versions"] = package_versions()
    return Detector(
        weights=svm.coef_.ravel(),
        bias=float(svm.intercept_[0]),
        platt_a=platt_a,
        platt_b=platt_b,
        hog=hog,
        metadata=info,
    )


def _decision_values_classifier():
    """A stand-in classifier whose decision value is its one input column."""
    from sklearn.base import BaseEstimator, ClassifierMixin

    class DecisionValues(ClassifierMixin, BaseEstimator):
        def fit(self, values, labels):
            self.classes_ = np.array([0, 1])
            return self

        def decision_function(self, values):
            return np.asarray(values)[:, 0]

        def predict(self, values):
            return (self.decision_function(values) > 0).astype(int)

    return DecisionValues()


def platt_coefficients(decision_values: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Platt's (1999) sigmoid fitted to decision values, with scikit-learn's implementation.

    Returns ``(a, b)`` such that ``P(person | d) = 1 / (1 + exp(a d + b))``.
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator

    values = np.asarray(decision_values, dtype=np.float64).reshape(-1, 1)
    labels = np.asarray(labels).astype(int)
    # The stand-in learns nothing, so its "cross-validated" decision values
    # are the given ones and one sigmoid is fitted on all of them.
    calibrated = CalibratedClassifierCV(
        FrozenEstimator(_decision_values_classifier().fit(values, labels)), method="sigmoid", ensemble=False
    )
    calibrated.fit(values, labels)
    sigmoid = calibrated.calibrated_classifiers_[0].calibrators[0]
    return float(sigmoid.a_), float(sigmoid.b_)
