"""Mining strategies: moved to :mod:`hogdet.mining.strategies` (and the rules to :mod:`hogdet.mining.rules`).

This module re-exports both, so that ``from hogdet.strategies import ...`` keeps working.
"""

from .mining.rules import *  # noqa: F401,F403
from .mining.rules import _bounded_mean_one  # noqa: F401
from .mining.strategies import *  # noqa: F401,F403
from .mining.strategies import (  # noqa: F401  (names that a star import would miss)
    PERSON_IOU,
    STRATEGIES,
    Candidates,
    Focal,
    HardExample,
    HardNegative,
    IoUBalanced,
    OHEM,
    Prime,
    Strategy,
    Uncertain,
    make_strategy,
    strategy_parameters,
)
