"""The training pool: every window the detector is trained on, as one :class:`Windows`.

Round 0's crops and random negatives (:func:`hogdet.sampling.initial_training_set`) are joined,
round after round, by what the strategy selects among the fresh windows of a
scan (:func:`select_fresh`); :func:`retrain` fits the detector on the whole
pool with the strategy's sample weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model import Detector
from ..training import train_detector
from .strategies import Strategy
from ..windows import Windows, key_set


def select_fresh(found: Windows, pool: Windows, strategy: Strategy, rng: np.random.Generator) -> Windows:
    """The windows of a round's scan that join the pool, with the labels the strategy gives them.

    Windows already in the pool (same key) are left out before the strategy
    chooses.
    """
    known = key_set(pool.keys)
    fresh = np.flatnonzero(np.array([key not in known for key in found.keys.tolist()], bool))
    chosen, labels = strategy.select(found.take(fresh), rng)
    return found.take(fresh[chosen]).with_columns(labels=np.asarray(labels, np.int8))


@dataclass
class Retrained:
    """A detector retrained on the pool, and the weights it was trained with (None: all equal)."""

    detector: Detector
    weights: np.ndarray | None

    def weights_or_ones(self, n: int) -> np.ndarray:
        """The weights, or ``n`` ones if they were all equal."""
        return np.ones(n) if self.weights is None else np.asarray(self.weights, np.float64)


def retrain(
    pool: Windows, strategy: Strategy, previous: Detector | None, hog, C: float, seed: int, metadata: dict
) -> Retrained:
    """Fit a detector on the whole pool, weighted by the strategy under the ``previous`` model.

    Parameters
    ----------
    pool : Windows
    strategy : Strategy
    previous : Detector or None
        The model before this retraining (None for round 0): its
        probabilities of the pool feed the strategy's weights.
    hog : HOGParameters
    C : float
    seed : int
    metadata : dict
        Stored with the model.

    Returns
    -------
    Retrained
    """
    probabilities = None
    if previous is not None:
        probabilities = previous.probability(previous.decision_function(pool.features))
    weights = strategy.sample_weights(pool.labels, probabilities, ious=pool.ious, groups=pool.groups())
    detector = train_detector(pool, hog, C, seed, sample_weight=weights, metadata=metadata)
    return Retrained(detector, weights)
