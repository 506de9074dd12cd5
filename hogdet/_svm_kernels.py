"""Compiled inner loop of the linear SVM's dual coordinate descent (numba).

One call is one pass over the active windows of
:func:`hogdet.linear_svm.fit_linear_svm` (Hsieh et al. 2008, the algorithm of
liblinear's L1-loss dual solver, which scikit-learn's ``LinearSVC`` runs).
The windows are read in place from the float32 feature matrix, one row at a
time; the weights are accumulated in float64.

``KERNELS_AVAILABLE`` is False when numba cannot be imported.
"""

from __future__ import annotations

import math

import numpy as np

try:
    import numba
except ImportError:  # pragma: no cover - exercised only without numba
    numba = None

KERNELS_AVAILABLE = numba is not None

# Reassociation lets the two row loops (a dot product and an update) use
# SIMD; the sum order is still fixed by the code, so a run is repeatable.
_FASTMATH = {"reassoc", "contract", "nsz"}


def _dual_epoch(
    features, signs, upper, diagonal, bias_scale, order, active, alpha, weights, bias, gradient_max, gradient_min
):  # pragma: no cover - compiled
    """One pass of dual coordinate descent over ``order[:active]``, shrinking in place.

    Windows whose dual variable sits at a bound with a gradient beyond last
    pass's extremes (``gradient_max``, ``gradient_min``) are moved to the
    end of ``order`` and no longer visited (liblinear's shrinking). Returns
    the new active count and this pass's largest and smallest projected
    gradients, whose difference is the stopping criterion.
    """
    new_max = -math.inf
    new_min = math.inf
    n_features = features.shape[1]
    position = 0
    while position < active:
        row = order[position]
        score = 0.0
        for column in range(n_features):
            score += weights[column] * features[row, column]
        gradient = signs[row] * (score + bias[0] * bias_scale) - 1.0
        value = alpha[row]
        bound = upper[row]
        projected = 0.0
        if value == 0.0:
            if gradient > gradient_max:
                active -= 1
                order[position], order[active] = order[active], order[position]
                continue
            if gradient < 0.0:
                projected = gradient
        elif value == bound:
            if gradient < gradient_min:
                active -= 1
                order[position], order[active] = order[active], order[position]
                continue
            if gradient > 0.0:
                projected = gradient
        else:
            projected = gradient
        new_max = max(new_max, projected)
        new_min = min(new_min, projected)
        if abs(projected) > 1e-12:
            updated = min(max(value - gradient / diagonal[row], 0.0), bound)
            alpha[row] = updated
            step = (updated - value) * signs[row]
            for column in range(n_features):
                weights[column] += step * features[row, column]
            bias[0] += step * bias_scale
        position += 1
    return active, new_max, new_min


def _squared_norms(features, rows, bias_scale, out):  # pragma: no cover - compiled
    """``out[row] = |features[row]|^2 + bias_scale^2`` for each of ``rows``, in float64."""
    n_features = features.shape[1]
    for index in range(rows.size):
        row = rows[index]
        total = 0.0
        for column in range(n_features):
            value = np.float64(features[row, column])
            total += value * value
        out[row] = total + bias_scale * bias_scale


def _decision_values(features, rows, weights, bias, out):  # pragma: no cover - compiled
    """``out[i] = features[rows[i]] @ weights + bias`` in float64, without copying the rows."""
    n_features = features.shape[1]
    for index in range(rows.size):
        row = rows[index]
        total = 0.0
        for column in range(n_features):
            total += weights[column] * features[row, column]
        out[index] = total + bias


if KERNELS_AVAILABLE:
    _compile = numba.njit(cache=True, nogil=True, fastmath=_FASTMATH)
    dual_epoch_kernel = _compile(_dual_epoch)
    squared_norms_kernel = _compile(_squared_norms)
    decision_values_kernel = _compile(_decision_values)
