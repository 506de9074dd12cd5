"""Older path of the evaluation peers, kept for importers: see :mod:`hogdet.evaluation.peers`."""

from .evaluation.peers import HogdetScorer, OpenCVPeopleDetector

__all__ = ["HogdetScorer", "OpenCVPeopleDetector"]
