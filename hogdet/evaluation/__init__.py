"""Evaluation of a detector on the INRIA Person test split: metrics, protocols, peers, reports.

The public surface of the subpackage; everything below is importable from
here.

* :mod:`~hogdet.evaluation.window_metrics` -- per-window metrics (Dalal &
  Triggs 2005): :func:`det_curve_fppw`, :func:`miss_rate_at_fppw`.
* :mod:`~hogdet.evaluation.image_metrics` -- per-image metrics (Dollar et
  al. 2012): :func:`match_image`, :func:`evaluate_images`,
  :func:`log_average_miss_rate`, :func:`average_precision`.
* :mod:`~hogdet.evaluation.protocols` -- the two protocols run on any
  detector: :func:`evaluate_per_window`, :func:`evaluate_per_image`,
  :func:`evaluate` (both).
* :mod:`~hogdet.evaluation.peers` -- detectors behind the interface the
  protocols use: :class:`HogdetScorer`, :class:`OpenCVPeopleDetector`.
* :mod:`~hogdet.evaluation.reports` -- the :class:`Evaluation` record,
  :func:`write_evaluation` / :func:`read_evaluation`, :func:`results_table`,
  :func:`write_comparison`.
* :mod:`~hogdet.evaluation.comparison` -- :func:`compare_strategies`, mining
  strategies side by side.

The older module paths ``hogdet.metrics``, ``hogdet.peers`` and
``hogdet.comparison`` re-export the same objects.
"""

from .comparison import EXTRA_COLUMNS, compare_strategies
from .image_metrics import (
    LAMR_POINTS,
    PerImageResult,
    average_precision,
    evaluate_images,
    log_average_miss_rate,
    match_image,
)
from .peers import HogdetScorer, OpenCVPeopleDetector
from .protocols import evaluate, evaluate_per_image, evaluate_per_window
from .reports import (
    PUBLISHED_FPPI,
    PUBLISHED_FPPW,
    Evaluation,
    read_evaluation,
    results_table,
    write_comparison,
    write_evaluation,
)
from .window_metrics import det_curve_fppw, miss_rate_at_fppw

__all__ = [
    "EXTRA_COLUMNS",
    "LAMR_POINTS",
    "PUBLISHED_FPPI",
    "PUBLISHED_FPPW",
    "Evaluation",
    "HogdetScorer",
    "OpenCVPeopleDetector",
    "PerImageResult",
    "average_precision",
    "compare_strategies",
    "det_curve_fppw",
    "evaluate",
    "evaluate_images",
    "evaluate_per_image",
    "evaluate_per_window",
    "log_average_miss_rate",
    "match_image",
    "miss_rate_at_fppw",
    "read_evaluation",
    "results_table",
    "write_comparison",
    "write_evaluation",
]
