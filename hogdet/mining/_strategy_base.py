"""The interface of a mining strategy: the :class:`Strategy` base class, and its options' checks.

A strategy is a small object with a few pure decisions; the mining loop
(:mod:`hogdet.mining.loop`) calls them and does not know which strategy runs:

``keep_in_image(candidates, rng)``
    In a worker, for one scanned image: which windows to send back to the
    parent (keeps what travels between processes small).
``select(candidates, rng)``
    In the parent, over every window kept this round: which join the
    training set, with which label.
``sample_weights(labels, probabilities, ious, groups)``
    Per-sample weights for retraining on the whole pool, or None.
``person_windows(people, rng)``
    Boxes around annotated people to score as extra positive candidates
    (only :class:`~hogdet.mining.strategies.HardExample` proposes any).

``scan_positive_images`` says whether annotated ``Train/pos`` photographs are
scanned as well as the person-free ones (windows there get labels from their
IoU with the annotated people); ``proposes_person_windows`` says whether the
loop visits them to score :meth:`Strategy.person_windows`.

The candidates a strategy sees are :class:`~hogdet.windows.Windows` (it
reads their ``scores``, ``probabilities``, ``labels`` and ``ious``). The
strategies themselves and the registry by name are in
:mod:`hogdet.mining.strategies`, which re-exports these names.
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ..windows import Windows


def Candidates(scores, probabilities, labels, ious) -> Windows:  # noqa: N802  (the former record's name)
    """Candidate windows from their scores, probabilities, labels and IoUs (no features).

    Kept for code written against the former ``Candidates`` record; the
    strategies take any :class:`~hogdet.windows.Windows`.
    """
    return Windows.make(scores=scores, probabilities=probabilities, labels=labels, ious=ious)

def _check_count(parameter: str, value: int | None) -> None:
    if value is not None and value < 1:
        raise ParameterError(parameter, f"must be at least 1, got {value}")


def _check_probability(parameter: str, value: float) -> None:
    if not 0.0 < value < 1.0:
        raise ParameterError(parameter, f"must be between 0 and 1 (exclusive), got {value}")


class Strategy:
    """Base of the mining strategies; see the module documentation."""

    name = "base"
    scan_positive_images = False
    proposes_person_windows = False

    def keep_in_image(self, candidates: Windows, rng: np.random.Generator) -> np.ndarray:
        """Indices of one image's windows to send back to the parent."""
        raise NotImplementedError

    def select(self, candidates: Windows, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Indices of the windows that join the training set, and their labels."""
        raise NotImplementedError

    def sample_weights(
        self,
        labels: np.ndarray,
        probabilities: np.ndarray | None,
        ious: np.ndarray | None = None,
        groups: np.ndarray | None = None,
    ) -> np.ndarray | None:
        """Weights of the whole pool for retraining (None: all equal).

        ``probabilities`` are the pool's under the previous model (None
        before round 0); ``ious`` and ``groups`` give each sample's IoU with
        its person and its group (person for positives, image for negatives).
        """
        return None

    def person_windows(self, people: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Person boxes to score around annotated ``people``, and whose they are."""
        return np.zeros((0, 4)), np.zeros(0, np.intp)

    def minimum_score(self, detector) -> float:
        """Decision value below which a window cannot be kept (lets the scan skip work)."""
        return -np.inf
