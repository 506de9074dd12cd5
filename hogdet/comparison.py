"""Older path of :func:`compare_strategies`, kept for importers: see :mod:`hogdet.evaluation.comparison`."""

from .evaluation.comparison import EXTRA_COLUMNS, compare_strategies

__all__ = ["EXTRA_COLUMNS", "compare_strategies"]
