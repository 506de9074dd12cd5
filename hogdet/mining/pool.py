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
from ..windows import Windows, key_set, take_rows


class GrowingFeatures:
    """The pool's feature rows in one buffer with room to grow, so that adding windows never copies the pool.

    A round used to make the grown pool by concatenation, holding the old
    and the new pool at once: twice the pool's features at the peak. Here
    the rows are written once into a buffer reserved up front; reserved rows
    not yet written are address space only (``np.empty``) and cost resident
    memory once written.

    Parameters
    ----------
    features : ndarray of float32, shape (n, n_features)
        The rows the pool starts with (copied in).
    reserve_rows : int
        Room for this many more rows (past it, the buffer grows by half,
        with one copy).
    """

    def __init__(self, features: np.ndarray, reserve_rows: int = 0) -> None:
        n, n_features = features.shape
        try:
            self._buffer = np.empty((n + max(0, reserve_rows), n_features), np.float32)
        except MemoryError:  # a system that refuses to reserve what it has not got
            self._buffer = np.empty((n, n_features), np.float32)
        self._buffer[:n] = features
        self._used = n

    @property
    def rows(self) -> np.ndarray:
        """The rows in use (a view)."""
        return self._buffer[: self._used]

    def free_rows(self, n: int) -> np.ndarray:
        """A view of the next ``n`` unused rows, to write features in place before :meth:`extend`."""
        needed = self._used + n
        if needed > len(self._buffer):
            grown = np.empty((max(needed, len(self._buffer) * 3 // 2), self._buffer.shape[1]), np.float32)
            grown[: self._used] = self.rows
            self._buffer = grown
        return self._buffer[self._used : needed]

    def extend(self, pool: Windows, added: Windows) -> Windows:
        """``Windows.concatenate([pool, added])``, with the features in the buffer (``pool``'s are its rows).

        ``added``'s features are copied in, unless they were written in
        place into :meth:`free_rows`.
        """
        destination = self.free_rows(len(added))
        if not (len(added) and np.shares_memory(destination, added.features)):
            destination[...] = added.features
        self._used += len(added)
        columns = Windows.concatenate(
            [part.with_columns(features=part.features[:, :0]) for part in (pool, added)]
        )
        return columns.with_columns(features=self.rows)


def reserve_rows(strategy: Strategy, rounds: int) -> int:
    """The most windows ``rounds`` rounds of ``strategy`` can add (0 if it sets no bound).

    A round adds at most ``max_hard`` windows, or twice as many for the
    strategies that add people too.
    """
    max_hard = getattr(strategy, "max_hard", None)
    return 0 if max_hard is None else 2 * int(max_hard) * max(0, rounds)


def select_fresh(
    found: Windows | list[Windows],
    pool: Windows,
    strategy: Strategy,
    rng: np.random.Generator,
    storage: GrowingFeatures | None = None,
) -> Windows:
    """The windows of a round's scan that join the pool, with the labels the strategy gives them.

    ``found`` is the scan's windows, as one record or one per image
    (:attr:`RoundScan.parts`). Windows already in the pool (same key) are
    left out before the strategy chooses; it chooses on everything but the
    features (which it does not read), and only the chosen windows'
    features are copied: into ``storage``'s free rows if it is given (so
    that :meth:`GrowingFeatures.extend` need not copy them again).
    """
    parts = [found] if isinstance(found, Windows) else list(found)
    candidates = Windows.concatenate([part.with_columns(features=part.features[:, :0]) for part in parts])
    known = key_set(pool.keys)
    fresh = np.flatnonzero(np.array([key not in known for key in candidates.keys.tolist()], bool))
    chosen, labels = strategy.select(candidates.take(fresh), rng)
    rows = fresh[chosen]
    out = None if storage is None else storage.free_rows(len(rows))
    return candidates.take(rows).with_columns(
        features=take_rows(parts, rows, pool.n_features, out=out), labels=np.asarray(labels, np.int8)
    )


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
