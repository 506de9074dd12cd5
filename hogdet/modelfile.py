"""The model file: one ``.npz`` of plain arrays and a JSON header, read with ``allow_pickle=False``.

:func:`write_model` and :func:`load_model` write and read it;
:func:`load_default_model` reads the one bundled with hogdet
(:func:`default_model_path`).

Arrays ``weights`` (float32), ``bias``, ``platt`` (a, b) and ``header`` (the
format name and version, the HOG parameters, the estimator parameters, the
class labels and the training metadata). Files written before the
estimator (no ``params`` or ``classes`` in the header) load too.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np

from .errors import HogdetError, ModelFormatError
from .features import HOGParameters
from .io import atomic_path

FORMAT_NAME = "hogdet-model"
FORMAT_VERSION = 1

#: The estimator parameters that are not HOG parameters (stored in the header).
SVM_PARAMETERS = ("C", "calibration", "calibration_folds", "max_iter", "seed", "solver")


def check_coefficients(weights, bias: float, platt_a: float, platt_b: float, hog: HOGParameters) -> np.ndarray:
    """The weights as float32, shape (n_features,), if a model's arrays are usable.

    Raises
    ------
    ModelFormatError
        If the weights do not fit the HOG parameters, a value is not finite,
        or the Platt slope is not negative.
    """
    weights = np.asarray(weights, dtype=np.float32).ravel()
    if weights.shape != (hog.n_features,):
        raise ModelFormatError(f"weight vector has {weights.size} values, the HOG parameters need {hog.n_features}")
    if not (np.all(np.isfinite(weights)) and np.isfinite([bias, platt_a, platt_b]).all()):
        raise ModelFormatError("the weights, bias or Platt coefficients are not finite")
    if not platt_a < 0:
        raise ModelFormatError(f"Platt slope must be negative so that probability rises with the score, got {platt_a}")
    return weights


def write_model(detector, path: str | os.PathLike) -> Path:
    """Write a fitted :class:`hogdet.model.HOGDetector` as one pickle-free ``.npz`` file (atomically)."""
    path = Path(path)
    header = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "hog": json.loads(detector.hog.to_json()),
        "metadata": detector.metadata_,
        "params": {name: getattr(detector, name) for name in SVM_PARAMETERS},
        "classes": detector.classes_.tolist(),
    }
    with atomic_path(path) as temporary, open(temporary, "wb") as stream:
        np.savez(
            stream,
            weights=detector.weights,
            bias=np.float64(detector.bias),
            platt=np.array([detector.platt_a_, detector.platt_b_]),
            header=np.array(json.dumps(header, sort_keys=True, default=_json_value)),
        )
    return path


def _json_value(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def load_model(path: str | os.PathLike):
    """Read a model written by :meth:`HOGDetector.save` (or by earlier hogdet versions).

    Raises
    ------
    ModelFormatError
        If the file is missing, is not a hogdet model (a pickle, an image, an
        empty file, ...), has another format version, or holds weights or
        Platt coefficients that are not finite.
    """
    from .model import HOGDetector

    path = Path(path)
    if not path.is_file():
        raise ModelFormatError(f"{path}: no such model file")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in ("weights", "bias", "platt", "header")}
    except (ValueError, OSError, KeyError, zipfile.BadZipFile, EOFError):
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
    metadata = header.get("metadata", {})
    # Files written before the estimator only have C and seed, in the metadata.
    params = header.get("params") or {name: metadata[name] for name in ("C", "seed") if name in metadata}
    # Files written before hogdet had its own solver were fitted by liblinear.
    params.setdefault("solver", "liblinear")
    try:
        return HOGDetector.from_coefficients(
            weights=arrays["weights"],
            bias=float(arrays["bias"]),
            platt_a=float(arrays["platt"][0]),
            platt_b=float(arrays["platt"][1]),
            hog=HOGParameters.from_dict(header["hog"]),
            metadata=metadata,
            classes=header.get("classes"),
            **params,
        )
    except (ModelFormatError, HogdetError, TypeError, ValueError, IndexError, KeyError) as error:
        raise ModelFormatError(f"{path}: {error}") from None


def default_model_path() -> Path:
    """Where the model bundled with hogdet is installed (``hogdet/models/default.npz``)."""
    return Path(__file__).resolve().parent / "models" / "default.npz"


def load_default_model():
    """The detector bundled with hogdet, for ``hogdet detect`` without a model.

    Returns
    -------
    hogdet.model.HOGDetector

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
