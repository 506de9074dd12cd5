"""Images per second of detection over files, one worker against several, side by side.

Runs :func:`hogdet.batch.detect_images` on the same photographs with
``n_jobs=1`` and ``n_jobs=N``, alternating the two a few times (the machine
is shared, so a single pair could catch another process's burst), checks
that both give the same boxes in input order, and prints each run and the
ratio of the medians. The worker pool is started once before timing (a
warm-up run), as it is reused across calls in one process; the first
``hogdet detect --n-jobs N`` call of a process also pays that start-up.

Usage::

    python benchmarks/parallel_detect.py --data DATA --model model.npz [--images 16] [--n-jobs 2] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from hogdet.batch import detect_images
from hogdet.datasets import load_dataset
from hogdet.model import load_model


def timed(paths, detector, n_jobs):
    start = time.perf_counter()
    results = list(detect_images(paths, detector, n_jobs=n_jobs))
    return time.perf_counter() - start, results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--images", type=int, default=16)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    detector = load_model(args.model)
    paths = sorted(load_dataset(args.data).test_positive_images)[: args.images]
    timed(paths[: args.n_jobs], detector, args.n_jobs)  # start the worker pool
    rates = {1: [], args.n_jobs: []}
    reference = None
    for repeat in range(args.repeats):
        for n_jobs in (1, args.n_jobs):
            seconds, results = timed(paths, detector, n_jobs)
            assert [r.path for r in results] == list(paths), "results out of input order"
            boxes = [r.detections.boxes for r in results]
            if reference is None:
                reference = boxes
            assert all(np.array_equal(a, b) for a, b in zip(reference, boxes)), "results depend on n_jobs"
            rates[n_jobs].append(len(paths) / seconds)
            print(f"repeat {repeat}: n_jobs={n_jobs}: {len(paths)} images in {seconds:.1f} s = "
                  f"{len(paths) / seconds:.2f} images/s")
    one, many = statistics.median(rates[1]), statistics.median(rates[args.n_jobs])
    print(f"median images/s: n_jobs=1 {one:.2f}, n_jobs={args.n_jobs} {many:.2f}; ratio {many / one:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
