"""Shared test fixtures: where the real data lives, small real images."""

import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
#: ``shared/`` sits beside the repository, both here and in CI.
SHARED = REPO.parent / "shared"


def benchmark_dir() -> Path | None:
    """The benchmark data set (``HOGDET_DATA`` in CI), or None."""
    candidates = [os.environ.get("HOGDET_DATA"), SHARED / "data" / "benchmark"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "Train" / "neg").is_dir():
            return Path(candidate)
    return None


requires_benchmark = pytest.mark.skipif(
    benchmark_dir() is None, reason="needs the benchmark data set (set HOGDET_DATA)"
)


@pytest.fixture(scope="session")
def benchmark() -> Path:
    path = benchmark_dir()
    if path is None:
        pytest.skip("needs the benchmark data set (set HOGDET_DATA)")
    return path


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    """A real colour photograph shipped with scikit-image, float32 in [0, 1]."""
    from skimage import data
    from skimage.util import img_as_float32

    return img_as_float32(data.astronaut())


@pytest.fixture(scope="session")
def camera() -> np.ndarray:
    """A real grey photograph shipped with scikit-image, float32 in [0, 1]."""
    from skimage import data
    from skimage.util import img_as_float32

    return img_as_float32(data.camera())
