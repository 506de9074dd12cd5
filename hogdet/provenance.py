"""Provenance: the versions of the software a model or a run was made with."""

from __future__ import annotations

import platform

import numpy as np


def package_versions() -> dict[str, str]:
    """Versions of Python and the numeric packages, for provenance.

    Returns
    -------
    dict of str to str
        ``hogdet``, ``python``, ``numpy``, ``scikit-image``, ``scikit-learn``
        and ``joblib`` version strings.
    """
    import joblib
    import skimage
    import sklearn

    from . import __version__

    return {
        "hogdet": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scikit-image": skimage.__version__,
        "scikit-learn": sklearn.__version__,
        "joblib": joblib.__version__,
    }
