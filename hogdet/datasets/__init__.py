"""Finding, reading, checking and fetching pedestrian data sets.

The public surface of the package; each idea lives in its own module:

- :mod:`~hogdet.datasets.annotations` -- the people marked in an image
  (PASCAL v1 annotation files, the simple layout's ``boxes.csv``).
- :mod:`~hogdet.datasets.layouts` -- the two folder layouts (``inria`` and
  ``simple``, described there), :func:`load_dataset`, :func:`dataset_fingerprint`.
- :mod:`~hogdet.datasets.data_dir` -- which folder to use
  (:func:`resolve_data_dir`) and the cached synthetic data set.
- :mod:`~hogdet.datasets.check` -- file counts and problems per folder.
- :mod:`~hogdet.datasets.fetch` -- unpacking (or downloading) INRIA Person.
- :mod:`~hogdet.datasets.synthetic` -- generating the synthetic data set.

Boxes everywhere in hogdet are ``(x1, y1, x2, y2)`` in continuous 0-based
pixel coordinates with the right and bottom edges exclusive: the box of a
w x h image is ``(0, 0, w, h)``.
"""

from .annotations import Annotation, read_annotation
from .check import CheckRow, check_dataset, format_check_report
from .data_dir import DEMO_COUNTS, NoDatasetError, resolve_data_dir, synthetic_dataset_dir
from .fetch import fetch_dataset
from .layouts import Dataset, dataset_fingerprint, load_dataset
from .synthetic import make_synthetic

# Importable from here as before the split, though not in __all__.
from ..errors import DatasetError  # noqa: F401
from ._files import IMAGE_EXTENSIONS  # noqa: F401
from .check import INRIA_COUNTS  # noqa: F401
from .data_dir import CACHE_ENV, DATA_ENV, DEFAULT_DATA_DIR, FETCH_HINT, SYNTHETIC, cache_dir  # noqa: F401

__all__ = [
    "Annotation",
    "CheckRow",
    "Dataset",
    "NoDatasetError",
    "check_dataset",
    "dataset_fingerprint",
    "fetch_dataset",
    "format_check_report",
    "load_dataset",
    "make_synthetic",
    "read_annotation",
    "resolve_data_dir",
    "synthetic_dataset_dir",
    "DEMO_COUNTS",
]
