"""Hard example mining: Dalal & Triggs' bootstrap loop, resumable and parallel.

The package, one idea per module:

- :mod:`~hogdet.mining.loop`: :func:`mine`, :class:`MiningOptions`,
  :func:`train_round_zero`, the callbacks;
- :mod:`~hogdet.mining.scan`: one round's parallel scan (:func:`scan_images`);
- :mod:`~hogdet.mining.pool`: the training pool, what joins it, retraining;
- :mod:`~hogdet.mining.run_folder`: ``config.json``, ``metrics.csv``, the
  samples, resuming and the lock;
- :mod:`~hogdet.mining.strategies` and :mod:`~hogdet.mining.rules`: which
  windows join, with what weight;
- :mod:`~hogdet.windows`: :class:`Windows`, the one record of windows.
"""

from .loop import MiningCallback, MiningOptions, MiningResult, RoundRecord, RoundZero, mine, run_config, train_round_zero
from .run_folder import METRICS_COLUMNS, FolderNotEmptyError, RunFolder
from .scan import BACKGROUND_IOU, ImageScan, RoundScan, scan_images, scan_items
from .strategies import PERSON_IOU, STRATEGIES, Candidates, Strategy, make_strategy, strategy_parameters
from ..windows import KEY_DTYPE, Windows, make_keys

#: Former private name, still used by callers written against ``hogdet/mining.py``.
_scan_items = scan_items

__all__ = [
    "BACKGROUND_IOU", "Candidates", "FolderNotEmptyError", "ImageScan", "KEY_DTYPE", "METRICS_COLUMNS",
    "MiningCallback", "MiningOptions", "MiningResult", "PERSON_IOU", "RoundRecord", "RoundScan", "RoundZero",
    "RunFolder", "STRATEGIES", "Strategy", "Windows", "make_keys", "make_strategy", "mine", "run_config",
    "scan_images", "scan_items", "strategy_parameters", "train_round_zero",
]
