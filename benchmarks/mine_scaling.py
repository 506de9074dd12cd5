"""Mining scan throughput: the same negative images with 1 and 2 joblib workers.

Trains a small round-0 model (or loads ``--model``), then scans the same
person-free images with ``n_jobs=1`` and ``n_jobs=2`` (alternating, twice
each, the faster run of each counting) exactly as a mining round does, and
prints images/s, windows/s and the speed-up. Both scans must keep the same
hard negatives.

Usage::

    python benchmarks/mine_scaling.py [DATA_DIR] [--images 400] [--model round-0.npz]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=os.environ.get("HOGDET_DATA", "data/INRIAPerson"))
    parser.add_argument("--images", type=int, default=400, help="person-free images to scan")
    parser.add_argument("--model", default=None, help="a hogdet model; default: train a small one")
    parser.add_argument("--hog-interpolation", default="none", choices=["none", "orientation", "trilinear"])
    arguments = parser.parse_args()

    from hogdet.datasets import load_dataset
    from hogdet.features import HOGParameters
    from hogdet.mining import scan_images
    from hogdet.model import load_model
    from hogdet.strategies import HardNegative
    from hogdet.training import initial_training_set, train_detector

    dataset = load_dataset(arguments.data)
    images = dataset.train_negative_images[: arguments.images]
    if arguments.model:
        detector = load_model(arguments.model)
    else:
        hog = HOGParameters(interpolation=arguments.hog_interpolation)
        training_set, _ = initial_training_set(
            dataset.train_positive_crops[:400], dataset.train_negative_images[:60], hog, 10, 0, n_jobs=2
        )
        detector = train_detector(training_set, hog)
    items = [(str(path), path.name, None) for path in images]
    strategy = HardNegative()

    best, kept = {}, {}
    for _ in range(2):
        for n_jobs in (1, 2):
            start = time.perf_counter()
            found = scan_images(items, detector, strategy, n_jobs=n_jobs)
            seconds = time.perf_counter() - start
            if seconds < best.get(n_jobs, (float("inf"),))[0]:
                best[n_jobs] = (seconds, found.images_scanned, found.windows_scanned)
            kept[n_jobs] = found.windows.keys.tolist()
    if kept[1] != kept[2]:
        print("error: 1 and 2 workers kept different hard negatives", file=sys.stderr)
        return 1
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"data: {len(images)} images of {arguments.data}/Train/neg, HOG interpolation {detector.hog.interpolation}")
    for n_jobs, (seconds, n_images, n_windows) in sorted(best.items()):
        print(f"n_jobs={n_jobs}: {seconds:6.1f} s, {n_images / seconds:6.2f} images/s, {n_windows / seconds:10.0f} windows/s")
    speedup = best[1][0] / best[2][0]
    print(f"speed-up with 2 workers: {speedup:.2f}x (goal >= 1.7)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
