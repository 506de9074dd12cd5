"""Command-line detection speed: ``hogdet detect MODEL IMAGES --json`` against OpenCV, side by side.

Runs the real command (image reading, JSON output and all) on N photographs
and on one, with an exact and with an approximate pyramid, and takes the
marginal time per image, (T(N) - T(1)) / (N - 1), so that interpreter start
and imports do not count while everything done per image does. OpenCV's
marginal time per image is ``cv2.imread`` plus ``detectMultiScale`` in one
process, over the same images (all but the first). Same scale step, stride 8, no padding, one thread everywhere; the
runs alternate so that load on a shared machine hits all alike. Prints the
medians over the repeats and the ratios to OpenCV.

Usage::

    python benchmarks/cli_speed.py MODEL [DATA_DIR] [--images 20] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}


def time_cli(model: Path, paths: list[Path], pyramid: str, scale_step: float) -> float:
    command = [
        sys.executable, "-m", "hogdet.cli", "detect", str(model), *map(str, paths), "--json", "--padding", "0",
        "--scale-step", str(scale_step), "--pyramid", pyramid,
    ]
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env={**os.environ, **ONE_THREAD})
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path, help="a hogdet model (.npz)")
    parser.add_argument("data", nargs="?", default=os.environ.get("HOGDET_DATA", "data/INRIAPerson"))
    parser.add_argument("--images", type=int, default=20, help="number of Test/pos photographs")
    parser.add_argument("--scale-step", type=float, default=1.05)
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()

    import cv2

    cv2.setNumThreads(1)
    paths = sorted((Path(arguments.data) / "Test" / "pos").glob("*"))[: arguments.images]
    if len(paths) < 2:
        print(f"need at least 2 images in {arguments.data}/Test/pos", file=sys.stderr)
        return 2
    opencv = cv2.HOGDescriptor()
    opencv.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())

    marginal = {"OpenCV": [], "exact": [], "approximate": []}
    for _ in range(arguments.repeats):
        start = time.perf_counter()
        for path in paths[1:]:
            opencv.detectMultiScale(
                cv2.imread(str(path)), hitThreshold=0.0, winStride=(8, 8), padding=(0, 0), scale=arguments.scale_step
            )
        marginal["OpenCV"].append((time.perf_counter() - start) / (len(paths) - 1))
        for pyramid in ("exact", "approximate"):
            one = time_cli(arguments.model, paths[:1], pyramid, arguments.scale_step)
            every = time_cli(arguments.model, paths, pyramid, arguments.scale_step)
            marginal[pyramid].append((every - one) / (len(paths) - 1))
    medians = {name: float(np.median(values)) for name, values in marginal.items()}
    print(
        f"images: {len(paths)} from {arguments.data}/Test/pos, scale step {arguments.scale_step}, stride 8, "
        f"no padding, one thread; model {arguments.model}"
    )
    for name, median in medians.items():
        print(f"{name + ' marginal s/image:':34s} {median:.4f}")
    print(f"ratio CLI exact/OpenCV:            {medians['exact'] / medians['OpenCV']:.2f} (goal <= 1.0)")
    print(f"ratio CLI approximate/OpenCV:      {medians['approximate'] / medians['OpenCV']:.2f} (goal <= 0.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
