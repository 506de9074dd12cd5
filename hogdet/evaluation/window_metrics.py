"""Per-window metrics (Dalal & Triggs, CVPR 2005): DET curve and miss rate at a target FPPW.

Cropped positive and negative windows are scored independently and the
detector is summarised by a DET curve, miss rate against false positives
per window (FPPW), usually read at FPPW = 1e-4. Pure functions on numpy
arrays; the protocol that produces the scores is
:func:`hogdet.evaluation.protocols.evaluate_per_window`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["det_curve_fppw", "miss_rate_at_fppw"]


def det_curve_fppw(
    positive_scores: np.ndarray, negative_scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """DET curve (miss rate against false positives per window).

    A window is called a person when its score is ``>= t``. The curve has
    one point for every distinct score ``t`` among the positive and negative
    windows together (no extra end points are added).

    Parameters
    ----------
    positive_scores : ndarray, shape (n_pos,)
        Classifier scores of the windows that contain a person.
    negative_scores : ndarray, shape (n_neg,)
        Classifier scores of the person-free windows.

    Returns
    -------
    fppw : ndarray of float, shape (n_points,)
        False positives per window: fraction of negative windows with
        score ``>= t``. Non-decreasing.
    miss_rate : ndarray of float, shape (n_points,)
        Fraction of positive windows with score ``< t``. Non-increasing.
    thresholds : ndarray of float, shape (n_points,)
        The thresholds ``t``, decreasing. Sorting by decreasing threshold is
        the same as sorting by increasing FPPW; points with equal FPPW come
        in order of decreasing threshold (so decreasing miss rate).

    Raises
    ------
    ValueError
        If either score array is empty or not one-dimensional.
    """
    positive = np.sort(_as_scores(positive_scores, "positive_scores"))
    negative = np.sort(_as_scores(negative_scores, "negative_scores"))
    thresholds = np.unique(np.concatenate([positive, negative]))[::-1]
    # searchsorted(..., "left") counts the scores strictly below t.
    miss_rate = np.searchsorted(positive, thresholds, side="left") / positive.size
    n_below = np.searchsorted(negative, thresholds, side="left")
    fppw = (negative.size - n_below) / negative.size
    return fppw.astype(float), miss_rate.astype(float), thresholds.astype(float)


def miss_rate_at_fppw(
    fppw: np.ndarray, miss_rate: np.ndarray, target: float = 1e-4
) -> float:
    """Miss rate of a DET curve at a target FPPW, interpolated in log-log.

    The operating point is where the curve first reaches ``target``:

    * ``lo`` is the best point that does not exceed the target: the largest
      FPPW ``f_lo <= target``, with the smallest miss rate ``m_lo`` among
      the points at ``f_lo`` (the lowest threshold giving that FPPW).
    * ``hi`` is the first point past it: the smallest FPPW ``f_hi > target``
      with the largest miss rate ``m_hi`` among the points at ``f_hi``.
    * If ``f_lo == target`` the result is ``m_lo``. Otherwise it is the
      straight line between ``lo`` and ``hi`` in log-log space::

          s = (log t - log f_lo) / (log f_hi - log f_lo)
          m = exp((1 - s) log m_lo + s log m_hi) = m_lo**(1-s) * m_hi**s

      If ``f_lo == 0`` the log is undefined and ``m_lo`` is returned (the
      step value; no extrapolation toward zero). If ``m_lo`` or ``m_hi`` is
      0 the result is the limit of the formula, 0.
    * If the curve never gets down to the target (every FPPW ``> target``)
      the result is the miss rate at the smallest FPPW (its largest miss
      rate there); if every point is at or below the target it is the miss
      rate of the last point (the one with the largest FPPW, smallest miss
      rate there).

    Parameters
    ----------
    fppw : ndarray, shape (n_points,)
        False positives per window, as returned by :func:`det_curve_fppw`
        (any order is accepted).
    miss_rate : ndarray, shape (n_points,)
        Miss rate at each point, in [0, 1].
    target : float
        FPPW at which to read the curve, > 0. Dalal & Triggs report 1e-4.

    Returns
    -------
    float
        Miss rate in [0, 1].

    Raises
    ------
    ValueError
        On empty or mismatched arrays, or ``target <= 0``.
    """
    fppw = np.asarray(fppw, dtype=float).ravel()
    miss_rate = np.asarray(miss_rate, dtype=float).ravel()
    if fppw.size == 0 or fppw.shape != miss_rate.shape:
        raise ValueError("fppw and miss_rate must be non-empty and of equal length")
    if not target > 0:
        raise ValueError(f"target must be > 0, got {target}")
    at_or_below = fppw <= target
    if not at_or_below.any():
        f_min = fppw.min()
        return float(miss_rate[fppw == f_min].max())
    f_lo = fppw[at_or_below].max()
    m_lo = float(miss_rate[fppw == f_lo].min())
    if f_lo == target or f_lo == 0 or at_or_below.all():
        return m_lo
    f_hi = fppw[~at_or_below].min()
    m_hi = float(miss_rate[fppw == f_hi].max())
    if m_lo == 0.0 or m_hi == 0.0:
        return 0.0
    s = (np.log(target) - np.log(f_lo)) / (np.log(f_hi) - np.log(f_lo))
    return float(np.exp((1.0 - s) * np.log(m_lo) + s * np.log(m_hi)))


def _as_scores(scores: np.ndarray, name: str) -> np.ndarray:
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 1 or scores.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d array, got shape {scores.shape}")
    return scores
