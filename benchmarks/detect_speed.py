"""Detection speed: hogdet against OpenCV's HOGDescriptor, side by side.

Both detectors scan the same photographs with the same scale step, a window
stride of 8 pixels and no border padding; OpenCV runs its default people
detector on one thread, hogdet runs single-threaded (BLAS limited to one
thread). The two are timed alternately, image by image, so that load on a
shared machine hits both alike. Prints the per-image medians and their ratio.

Usage::

    python benchmarks/detect_speed.py [DATA_DIR] [--images 40] [--scale-step 1.05]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=os.environ.get("HOGDET_DATA", "data/INRIAPerson"))
    parser.add_argument("--images", type=int, default=40, help="number of Test/pos photographs")
    parser.add_argument("--scale-step", type=float, default=1.05)
    parser.add_argument("--repeats", type=int, default=3, help="timings per image; the fastest counts")
    parser.add_argument("--hog-interpolation", default="none", choices=["none", "orientation", "trilinear"])
    arguments = parser.parse_args()

    import cv2
    from threadpoolctl import threadpool_limits

    from hogdet.detection import ScanParameters, scan_image
    from hogdet.features import HOGParameters
    from hogdet.io import read_image
    from hogdet.model import HOGDetector

    cv2.setNumThreads(1)
    paths = sorted((Path(arguments.data) / "Test" / "pos").glob("*"))[: arguments.images]
    if not paths:
        print(f"no images in {arguments.data}/Test/pos", file=sys.stderr)
        return 2

    opencv = cv2.HOGDescriptor()
    opencv.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
    # Any weight vector times the same amount of work: use OpenCV's own
    # weights (their order differs, which does not change the cost).
    people = cv2.HOGDescriptor_getDefaultPeopleDetector().ravel()
    hog = HOGParameters(interpolation=arguments.hog_interpolation)
    detector = HOGDetector.from_coefficients(people[:-1], float(people[-1]), platt_a=-1.0, platt_b=0.0, hog=hog)
    scan = ScanParameters(scale_step=arguments.scale_step, padding=0)

    hogdet_times, opencv_times = [], []
    with threadpool_limits(limits=1):
        for path in paths:
            image = read_image(path)
            bgr = cv2.imread(str(path))
            best_hogdet, best_opencv = np.inf, np.inf
            for _ in range(arguments.repeats):
                start = time.perf_counter()
                scan_image(image, detector, scan, min_score=0.0)
                best_hogdet = min(best_hogdet, time.perf_counter() - start)
                start = time.perf_counter()
                opencv.detectMultiScale(
                    bgr, hitThreshold=0.0, winStride=(8, 8), padding=(0, 0), scale=arguments.scale_step,
                    groupThreshold=0,
                )
                best_opencv = min(best_opencv, time.perf_counter() - start)
            hogdet_times.append(best_hogdet)
            opencv_times.append(best_opencv)

    hogdet_median = float(np.median(hogdet_times))
    opencv_median = float(np.median(opencv_times))
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, OpenCV {cv2.__version__}")
    print(
        f"images: {len(paths)} from {arguments.data}/Test/pos, scale step {arguments.scale_step}, stride 8, "
        f"no padding, hogdet HOG interpolation {arguments.hog_interpolation}"
    )
    print(f"hogdet median s/image: {hogdet_median:.4f}")
    print(f"OpenCV median s/image: {opencv_median:.4f}")
    print(f"ratio hogdet/OpenCV:   {hogdet_median / opencv_median:.2f} (goal <= 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
