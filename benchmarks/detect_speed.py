"""Detection speed: hogdet against OpenCV's HOGDescriptor, side by side.

Both detectors scan the same photographs with the same scale step, a window
stride of 8 pixels and no border padding; OpenCV runs its default people
detector on one thread, hogdet runs single-threaded (BLAS limited to one
thread) with an exact and with an approximate pyramid. The three are timed
alternately, image by image, so that load on a shared machine hits all
alike. Prints the per-image medians and the ratios to OpenCV.

Usage::

    python benchmarks/detect_speed.py [DATA_DIR] [--images 30] [--scale-step 1.05] [--real-per-octave 2]
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
    parser.add_argument("--images", type=int, default=30, help="number of Test/pos photographs")
    parser.add_argument("--scale-step", type=float, default=1.05)
    parser.add_argument("--repeats", type=int, default=3, help="timings per image; the fastest counts")
    parser.add_argument("--hog-interpolation", default="trilinear", choices=["none", "orientation", "trilinear"])
    parser.add_argument("--hog-block-sigma", type=float, default=0.5)
    parser.add_argument("--real-per-octave", type=int, default=2, help="approximate pyramid: real levels per octave")
    parser.add_argument(
        "--tune-allocator", action="store_true",
        help="raise glibc's mmap and trim thresholds first (what hogdet did by itself before; now only on request)",
    )
    parser.add_argument(
        "--numpy-only", action="store_true", help="hogdet without its numba kernels (the fallback path), to see their worth"
    )
    arguments = parser.parse_args()
    if arguments.tune_allocator:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.mallopt(-3, 32 * 1024 * 1024)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 256 * 1024 * 1024)  # M_TRIM_THRESHOLD

    import cv2
    from threadpoolctl import threadpool_limits

    from hogdet.detection import ScanParameters, scan_image
    from hogdet.features import HOGParameters
    from hogdet.io import read_image
    from hogdet.model import HOGDetector

    if arguments.numpy_only:
        import hogdet.features
        import hogdet.pyramid

        hogdet.features.KERNELS_AVAILABLE = hogdet.pyramid.KERNELS_AVAILABLE = False
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
    hog = HOGParameters(interpolation=arguments.hog_interpolation, block_sigma=arguments.hog_block_sigma)
    detector = HOGDetector.from_coefficients(people[:-1], float(people[-1]), platt_a=-1.0, platt_b=0.0, hog=hog)
    scans = {
        "exact": ScanParameters(scale_step=arguments.scale_step, padding=0),
        "approximate": ScanParameters(
            scale_step=arguments.scale_step, padding=0, pyramid="approximate", real_per_octave=arguments.real_per_octave
        ),
    }

    def run_opencv(bgr):
        opencv.detectMultiScale(
            bgr, hitThreshold=0.0, winStride=(8, 8), padding=(0, 0), scale=arguments.scale_step, groupThreshold=0
        )

    times = {"OpenCV": [], **{name: [] for name in scans}}
    with threadpool_limits(limits=1):
        # Compile the numba kernels (or load them from the cache) before timing.
        scan_image(read_image(paths[0]), detector, scans["exact"], min_score=0.0)
        for path in paths:
            image = read_image(path)
            bgr = cv2.imread(str(path))
            best = {name: np.inf for name in times}
            for _ in range(arguments.repeats):
                for name in times:
                    start = time.perf_counter()
                    if name == "OpenCV":
                        run_opencv(bgr)
                    else:
                        scan_image(image, detector, scans[name], min_score=0.0)
                    best[name] = min(best[name], time.perf_counter() - start)
            for name in times:
                times[name].append(best[name])

    medians = {name: float(np.median(values)) for name, values in times.items()}
    opencv_median = medians["OpenCV"]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, OpenCV {cv2.__version__}")
    print(
        f"images: {len(paths)} from {arguments.data}/Test/pos, scale step {arguments.scale_step}, stride 8, "
        f"no padding, hogdet HOG interpolation {arguments.hog_interpolation}, block sigma "
        f"{arguments.hog_block_sigma}, approximate pyramid with {arguments.real_per_octave} real levels per octave, "
        f"allocator {'tuned' if arguments.tune_allocator else 'untouched'}, "
        f"{'numpy only' if arguments.numpy_only else 'numba kernels'}"
    )
    for name, median in medians.items():
        print(f"{name + ' median s/image:':34s} {median:.4f}")
    print(f"ratio hogdet-exact/OpenCV:         {medians['exact'] / opencv_median:.2f} (goal <= 1.0)")
    print(f"ratio hogdet-approximate/OpenCV:   {medians['approximate'] / opencv_median:.2f} (goal <= 0.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
