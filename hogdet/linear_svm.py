"""The detector's linear SVM, fitted in place on float32 window features.

:func:`fit_linear_svm` solves the problem scikit-learn's
``LinearSVC(loss="hinge", dual=True)`` solves, with the same algorithm
(dual coordinate descent with shrinking, Hsieh et al., ICML 2008, as in
liblinear) and the same stopping rule, so the two reach the same weights to
solver tolerance (``tests/test_linear_svm.py`` checks it against
``LinearSVC``). What differs is the memory: liblinear, through
``LinearSVC``, needs a float64 copy of the features and builds its own
sparse copy of that (an index and a double per value), about 6x the
float32 features on top of them, and a held-out split costs another copy.
Here the solver reads the rows of the float32 matrix where they are, a
subset given by index, and its own arrays are a few per window.
On a 33,000-window mining pool it also fits about 4x faster
(``benchmarks/training_speed.py``).

The problem, for windows ``x_i`` with labels ``y_i`` in {-1, +1} and
per-window bounds ``C_i = C * sample_weight_i``::

    min_w,b  1/2 (|w|^2 + b^2) + sum_i C_i max(0, 1 - y_i (w . x_i + b))

(the bias is regularised, as liblinear does with ``intercept_scaling=1``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import _svm_kernels
from .errors import ParameterError

#: Stopping tolerance on the spread of projected gradients (LinearSVC's ``tol``).
DEFAULT_TOLERANCE = 1e-4


@dataclass(frozen=True)
class LinearSVMFit:
    """A fitted linear SVM.

    Attributes
    ----------
    coef : ndarray of float64, shape (n_features,)
    intercept : float
        The decision value of a window ``x`` is ``x @ coef + intercept``.
    dual : ndarray of float64, shape (n_samples,)
        The dual variable of each window (0 for windows not fitted on).
    n_iter : int
        Passes over the active windows.
    converged : bool
        Whether the stopping rule was met within ``max_iter`` passes.
    """

    coef: np.ndarray
    intercept: float
    dual: np.ndarray
    n_iter: int
    converged: bool


def fit_linear_svm(
    features: np.ndarray,
    labels: np.ndarray,
    C: float,
    sample_weight: np.ndarray | None = None,
    rows: np.ndarray | None = None,
    *,
    max_iter: int = 1000,
    tol: float = DEFAULT_TOLERANCE,
    seed: int = 0,
) -> LinearSVMFit:
    """Fit an L2-regularised hinge-loss linear SVM by dual coordinate descent.

    Parameters
    ----------
    features : ndarray of float32, shape (n_samples, n_features)
        Read in place (C order is fastest; nothing is copied).
    labels : ndarray, shape (n_samples,)
        1 for person, anything else for background.
    C : float
        Regularisation, as ``LinearSVC``'s ``C``.
    sample_weight : ndarray, shape (n_samples,), optional
        Multiplies each window's ``C`` (windows weighted 0 are left out).
    rows : ndarray of int, optional
        Fit on these rows only (default: all).
    max_iter : int
        Most passes over the windows.
    tol : float
        Stop when the projected gradients' spread is at most ``tol``.
    seed : int
        Seed of the order in which windows are visited.

    Returns
    -------
    LinearSVMFit

    Examples
    --------
    >>> import numpy as np
    >>> features = np.array([[0.0, 1.0], [0.0, 2.0], [1.0, 0.0], [2.0, 0.0]], np.float32)
    >>> fit = fit_linear_svm(features, np.array([1, 1, 0, 0]), C=10.0)
    >>> np.sign(features @ fit.coef + fit.intercept)
    array([ 1.,  1., -1., -1.])
    """
    if not _svm_kernels.KERNELS_AVAILABLE:  # pragma: no cover - numba is a dependency
        raise ParameterError("solver", "'numba' needs numba installed; use solver='liblinear'")
    if not (isinstance(C, (int, float, np.number)) and C > 0):
        raise ParameterError("C", f"must be a positive number, got {C!r}")
    if not (isinstance(max_iter, (int, np.integer)) and max_iter >= 1):
        raise ParameterError("max_iter", f"must be an integer >= 1, got {max_iter!r}")
    features = np.asarray(features)
    if features.dtype != np.float32:
        features = features.astype(np.float32)
    n_samples = features.shape[0]
    signs = np.where(np.asarray(labels) == 1, 1.0, -1.0)
    weights = np.ones(n_samples) if sample_weight is None else np.asarray(sample_weight, np.float64)
    upper = float(C) * weights
    order = np.arange(n_samples, dtype=np.int64) if rows is None else np.array(rows, dtype=np.int64)
    # A window with bound 0 can never move; left in, its gradient would
    # keep the stopping rule from being met.
    order = order[upper[order] > 0]
    bias_scale = 1.0
    diagonal = np.ones(n_samples)
    _svm_kernels.squared_norms_kernel(features, order, bias_scale, diagonal)
    dual = np.zeros(n_samples)
    coef = np.zeros(features.shape[1])
    bias = np.zeros(1)
    generator = np.random.default_rng(seed)
    active = order.size
    gradient_max, gradient_min = math.inf, -math.inf
    converged = False
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        generator.shuffle(order[:active])
        active, new_max, new_min = _svm_kernels.dual_epoch_kernel(
            features, signs, upper, diagonal, bias_scale, order, active, dual, coef, bias, gradient_max, gradient_min
        )
        if new_max - new_min <= tol:
            if active == order.size:
                converged = True
                break
            # Converged on the active windows: check every window once more.
            active = order.size
            gradient_max, gradient_min = math.inf, -math.inf
            continue
        gradient_max = new_max if new_max > 0 else math.inf
        gradient_min = new_min if new_min < 0 else -math.inf
    return LinearSVMFit(coef, float(bias[0] * bias_scale), dual, n_iter, converged)


def decision_values(features: np.ndarray, rows: np.ndarray, coef: np.ndarray, intercept: float) -> np.ndarray:
    """``features[rows] @ coef + intercept`` in float64, without copying the rows.

    Parameters
    ----------
    features : ndarray of float32, shape (n_samples, n_features)
    rows : ndarray of int, shape (m,)
    coef : ndarray, shape (n_features,)
    intercept : float

    Returns
    -------
    ndarray of float64, shape (m,)
    """
    out = np.empty(len(rows))
    _svm_kernels.decision_values_kernel(
        features, np.asarray(rows, np.int64), np.asarray(coef, np.float64), float(intercept), out
    )
    return out
