"""Shared test fixtures: the synthetic data set, the real benchmark when ``HOGDET_DATA`` names it, small real images."""

import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]


def benchmark_dir() -> Path | None:
    """The real benchmark data set named by ``HOGDET_DATA`` (as CI sets it), or None."""
    candidate = os.environ.get("HOGDET_DATA")
    if candidate and (Path(candidate) / "Train" / "neg").is_dir():
        return Path(candidate)
    return None


requires_benchmark = pytest.mark.skipif(
    benchmark_dir() is None, reason="checks figures on the real benchmark data set: set HOGDET_DATA to an INRIA-layout folder to run it"
)


@pytest.fixture(scope="session")
def benchmark() -> Path:
    path = benchmark_dir()
    if path is None:
        pytest.skip("checks figures on the real benchmark data set: set HOGDET_DATA to an INRIA-layout folder to run it")
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


#: The synthetic set the end-to-end tests run on, on every machine (seconds to generate).
SMALL_SYNTHETIC = dict(n_people=100, n_backgrounds=10, n_test_people=40, n_test_backgrounds=5, n_photos=6,
                       n_test_photos=10, seed=0)


@pytest.fixture(scope="session")
def small_data(tmp_path_factory) -> Path:
    """A small synthetic data set in the INRIA layout: 200 crops, 10 person-free images, 6 + 10 photographs."""
    from hogdet.datasets import make_synthetic

    return make_synthetic(tmp_path_factory.mktemp("synthetic") / "set", **SMALL_SYNTHETIC)


@pytest.fixture(scope="session")
def small_real_data(benchmark, tmp_path_factory) -> Path:
    """120 real training crops, 8 person-free images, 6 annotated photographs per split (needs the benchmark)."""
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


def hand_windows(images, labels, sources="scan", people=-1, n_features=2):
    """A small Windows record made by hand: window i has features counting up, level i, row 10 i, column 100 i."""
    from hogdet.windows import Windows, make_keys

    n = len(images)
    return Windows.make(
        features=np.arange(n * n_features, dtype=np.float32).reshape(n, n_features),
        labels=labels,
        keys=make_keys(np.array(images), np.arange(n), np.arange(n) * 10, np.arange(n) * 100, sources, people),
        scores=np.linspace(1, 2, n),
    )
