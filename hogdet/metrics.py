"""Older path of the detection metrics, kept for importers: see :mod:`hogdet.evaluation`.

The per-window metrics live in :mod:`hogdet.evaluation.window_metrics`, the
per-image ones in :mod:`hogdet.evaluation.image_metrics`, the box functions
in :mod:`hogdet.boxes`; the names below are the same objects.
"""

from .boxes import box_iou, intersection_over_detection_area, standardize_aspect
from .evaluation.image_metrics import (
    LAMR_POINTS,
    PerImageResult,
    average_precision,
    evaluate_images,
    log_average_miss_rate,
    match_image,
)
from .evaluation.window_metrics import det_curve_fppw, miss_rate_at_fppw

__all__ = [
    "LAMR_POINTS",
    "PerImageResult",
    "average_precision",
    "box_iou",
    "det_curve_fppw",
    "evaluate_images",
    "intersection_over_detection_area",
    "log_average_miss_rate",
    "match_image",
    "miss_rate_at_fppw",
    "standardize_aspect",
]
