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


def make_subset(benchmark: Path, target: Path, crops: int = 120, negatives: int = 8, test_images: int = 6) -> Path:
    """A small INRIA-layout data set of real files (symbolic links into the benchmark)."""
    folders = {
        "96X160H96/Train/pos": crops,
        "96X160H96/Test/pos": crops // 2,
        "Train/neg": negatives,
        "Test/neg": negatives // 2,
        "Train/pos": test_images,
        "Test/pos": test_images,
    }
    for folder, count in folders.items():
        source = benchmark / folder
        (target / folder).mkdir(parents=True, exist_ok=True)
        files = sorted(path for path in source.iterdir() if path.suffix.lower() in (".png", ".jpg"))
        # Every k-th file, so the subset spans the folder (and mirror pairs split).
        step = max(1, len(files) // count)
        for path in files[::step][:count]:
            (target / folder / path.name).symlink_to(path.resolve())
            if folder.endswith("pos") and not folder.startswith("96X160H96"):
                split = folder.split("/")[0]
                annotation = benchmark / split / "annotations" / f"{path.stem}.txt"
                (target / split / "annotations").mkdir(exist_ok=True)
                (target / split / "annotations" / annotation.name).symlink_to(annotation.resolve())
    return target


@pytest.fixture(scope="session")
def small_data(benchmark, tmp_path_factory) -> Path:
    """120 training crops, 8 person-free images, 6 annotated photographs per split."""
    return make_subset(benchmark, tmp_path_factory.mktemp("small") / "INRIAPerson")


@pytest.fixture(scope="session")
def small_dataset(small_data):
    """The small data set, loaded."""
    from hogdet.datasets import load_dataset

    return load_dataset(small_data)


def csv_rows(path: Path) -> list[dict]:
    """The rows of a CSV file as dictionaries."""
    import csv

    with open(path, newline="") as stream:
        return list(csv.DictReader(stream))
