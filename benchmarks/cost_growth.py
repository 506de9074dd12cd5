"""How cost grows: detection time against image area, one mining round against the number of
negative images, and from those a projection of ``hogdet mine --rounds 3`` on full INRIA Person.

    python benchmarks/cost_growth.py DATA [--sizes 320x240 640x480 1280x960] [--photos 5]
                                          [--counts 100 200 400] [--n-jobs 2]

1. Detection: the bundled model (``hogdet.load_default_model()``), one thread, exact pyramid,
   default scan, on ``--photos`` of the data set's ``Test/pos`` photographs resized to each size;
   median seconds per image and per megapixel.
2. Mining: ``mine(..., rounds=1)`` with the default recipe, seed 0, ``--n-jobs`` workers, on the
   first N of ``Train/neg`` for each N of ``--counts`` (the crops and the annotated ``Train/pos``
   photographs unchanged). Round 1's scan time is fitted proportional to the pixel count of the images
   it scans, its training time as a power of the pool size; the rest of the run's wall time (round 0:
   features of the crops and random negatives, its training; selection) linear in N.
3. Projection for full INRIA Person (1218 ``Train/neg``, 614 ``Train/pos`` photographs, 2416 crops),
   from those fits; the assumptions are printed with it.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

#: Full INRIA Person's counts (its own description; see hogdet.datasets' expected counts).
INRIA_TRAIN_NEGATIVES = 1218
INRIA_TRAIN_PHOTOGRAPHS = 614
INRIA_TRAIN_CROPS = 2416


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unavailable"


def pixel_count(paths) -> int:
    """Total pixels of the images (sizes read from the file headers)."""
    from PIL import Image

    total = 0
    for path in paths:
        with Image.open(path) as image:
            width, height = image.size
        total += width * height
    return total


def detection_times(dataset, sizes: list[tuple[int, int]], photos: int, say) -> list[dict]:
    """Median detection seconds per image at each (width, height), one thread."""
    from skimage.transform import resize
    from threadpoolctl import threadpool_limits

    from hogdet import load_default_model
    from hogdet.detection import ScanParameters, detect
    from hogdet.io import read_image

    detector = load_default_model()
    scan = ScanParameters(pyramid="exact")
    originals = [read_image(path) for path in sorted(dataset.test_positive_images)[:photos]]
    rows = []
    with threadpool_limits(limits=1):  # one thread for BLAS/OpenMP; this script's process only
        for width, height in sizes:
            images = [resize(image, (height, width), anti_aliasing=True).astype(np.float32) for image in originals]
            detect(images[0], detector, scan=scan)  # warm-up (numba compilation, caches)
            seconds = []
            for image in images:
                start = time.perf_counter()
                detect(image, detector, scan=scan)
                seconds.append(time.perf_counter() - start)
            median = statistics.median(seconds)
            megapixels = width * height / 1e6
            rows.append({"size": f"{width}x{height}", "megapixels": megapixels, "seconds": median,
                         "per_megapixel": median / megapixels})
            say(f"  detect {width}x{height}: median {median:.3f} s/image over {len(images)} photographs")
    return rows


def mining_round(dataset, count: int, n_jobs: int, say) -> dict:
    """One mining round (default recipe, seed 0) on the first ``count`` Train/neg images."""
    from hogdet.mining import mine
    from hogdet.recipes import mining_setup, recipe

    subset = dataclasses.replace(dataset, train_negative_images=list(dataset.train_negative_images[:count]))
    settings, _ = recipe("default")
    options, strategy = mining_setup(settings, rounds=1, seed=0)
    start = time.perf_counter()
    result = mine(subset, None, options, strategy, n_jobs=n_jobs)
    wall = time.perf_counter() - start
    zero, one = result.metrics[0], result.metrics[1]
    scanned = list(subset.train_negative_images)
    if strategy.scan_positive_images or strategy.proposes_person_windows:
        scanned += [path for path in subset.train_positive_images if subset.annotation(path) is not None]
    row = {"negatives": count, "images_scanned": int(one["images_scanned"]), "megapixels": pixel_count(scanned) / 1e6,
           "pool_zero": int(zero["training_set_size"]), "added": int(one["samples_added"]),
           "pool": int(one["training_set_size"]), "scan": float(one["scan_seconds"]),
           "train": float(one["train_seconds"]), "wall": wall,
           "rest": wall - float(one["scan_seconds"]) - float(one["train_seconds"])}
    say(f"  mine {count} negatives: scan {row['scan']:.1f} s, train {row['train']:.1f} s, pool {row['pool']}, "
        f"wall {wall:.1f} s")
    return row


def project(dataset, rows: list[dict], settings: dict, say) -> None:
    """Fit the measurements and project ``mine --rounds 3`` on full INRIA Person."""
    counts = np.array([row["negatives"] for row in rows], float)
    megapixels = np.array([row["megapixels"] for row in rows])
    scans = np.array([row["scan"] for row in rows])
    # scan work is per pixel (every pyramid level is a fixed fraction of the image): a line through 0
    scan_slope, scan_intercept = float(megapixels @ scans / (megapixels @ megapixels)), 0.0
    power, log_factor = np.polyfit(np.log([row["pool"] for row in rows]), np.log([row["train"] for row in rows]), 1)
    rest_slope, rest_intercept = np.polyfit(counts, [row["rest"] for row in rows], 1)

    def train_seconds(pool: float) -> float:
        return float(np.exp(log_factor) * pool**power)

    say("")
    say(f"Fits: scan s = {scan_slope:.3f} x megapixels scanned; "
        f"training s = {np.exp(log_factor):.3g} x pool^{power:.2f}; "
        f"rest (round 0, selection) s = {rest_intercept:.2f} + {rest_slope:.4f} x negative images")
    if min(scan_slope, power, rest_slope, rest_intercept) < 0:
        say("WARNING: a fitted coefficient is negative: timing noise dominates, the projection below is not meaningful")

    negatives = sorted(dataset.train_negative_images)
    photographs = [path for path in dataset.train_positive_images if dataset.annotation(path) is not None]
    negative_mean = pixel_count(negatives) / len(negatives) / 1e6
    photograph_mean = pixel_count(photographs) / len(photographs) / 1e6 if photographs else negative_mean
    biggest = rows[-1]
    added_per_image = biggest["added"] / biggest["images_scanned"]
    crops = len(dataset.train_positive_crops)
    per_image = settings["negatives_per_image"]
    max_hard = settings["max_hard"]
    full_megapixels = INRIA_TRAIN_NEGATIVES * negative_mean + INRIA_TRAIN_PHOTOGRAPHS * photograph_mean
    scanned_images = INRIA_TRAIN_NEGATIVES + INRIA_TRAIN_PHOTOGRAPHS
    pool_zero = INRIA_TRAIN_CROPS + INRIA_TRAIN_NEGATIVES * per_image
    first_added = min(max_hard, round(added_per_image * scanned_images))
    # round 0's rest: its crop share (the intercept) scaled to INRIA's crops, its negatives' share by count
    rest = rest_intercept * INRIA_TRAIN_CROPS / crops + rest_slope * INRIA_TRAIN_NEGATIVES
    scan = scan_intercept + scan_slope * full_megapixels

    say("")
    say("Assumptions for full INRIA Person:")
    say(f"- {INRIA_TRAIN_NEGATIVES} Train/neg images with the mean size of this data set's {len(negatives)} Train/neg "
        f"({negative_mean:.3f} MP; they are a seeded random subset of INRIA's {INRIA_TRAIN_NEGATIVES}, not resized)")
    say(f"- the default recipe also scans the {INRIA_TRAIN_PHOTOGRAPHS} annotated Train/pos photographs; their size is "
        f"taken as the mean of this data set's {len(photographs)} Train/pos ({photograph_mean:.3f} MP; Penn-Fudan, "
        "not INRIA's own photographs, whose sizes are not measured here)")
    say(f"- round-0 pool {INRIA_TRAIN_CROPS} crops + {INRIA_TRAIN_NEGATIVES} x {per_image} random negatives = {pool_zero}")
    say(f"- round 1 adds {added_per_image:.2f} windows per scanned image (measured at {biggest['negatives']} negatives), "
        f"capped at max_hard {max_hard}: {first_added}")
    say("- rounds 2-3: 'low' = they add nothing more (the benchmark's 3-round runs add about 1% of round 1 there); "
        f"'bound' = each adds max_hard {max_hard}")
    say(f"- every round scans all {scanned_images} images ({full_megapixels:.1f} MP) with the same workers as measured; "
        "training time extrapolated from the pool sizes measured (beyond them: extrapolation)")

    say("")
    say("| round | images scanned | megapixels | pool (low) | pool (bound) | scan s | train s (low) | train s (bound) |")
    say("|---|---|---|---|---|---|---|---|")
    say(f"| 0 (+ features) | 0 | 0 | {pool_zero} | {pool_zero} | - | {rest:.0f} (rest incl. training) | {rest:.0f} |")
    totals = {"low": rest, "bound": rest}
    for round_index in (1, 2, 3):
        low = pool_zero + first_added
        bound = pool_zero + first_added + (round_index - 1) * max_hard
        low_train, bound_train = train_seconds(low), train_seconds(bound)
        totals["low"] += scan + low_train
        totals["bound"] += scan + bound_train
        say(f"| {round_index} | {scanned_images} | {full_megapixels:.1f} | {low} | {bound} | {scan:.0f} | "
            f"{low_train:.0f} | {bound_train:.0f} |")
    say("")
    say(f"Projected `hogdet mine --rounds 3` on full INRIA Person: {totals['low'] / 60:.1f} min (low) to "
        f"{totals['bound'] / 60:.1f} min (bound), on this machine with n_jobs as measured.")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path)
    parser.add_argument("--sizes", nargs="+", default=["320x240", "640x480", "1280x960"], help="WIDTHxHEIGHT")
    parser.add_argument("--photos", type=int, default=5, help="Test/pos photographs timed at each size")
    parser.add_argument("--counts", nargs="+", type=int, default=[100, 200, 400], help="Train/neg images per run")
    parser.add_argument("--n-jobs", type=int, default=2, help="mining workers")
    arguments = parser.parse_args(argv)
    if len(arguments.counts) < 2:
        parser.error("--counts needs at least two values to fit")
    try:
        sizes = [tuple(int(side) for side in size.lower().split("x")) for size in arguments.sizes]
    except ValueError:
        parser.error("--sizes must be WIDTHxHEIGHT, for example 640x480")

    from hogdet.datasets import load_dataset
    from hogdet.model import package_versions
    from hogdet.recipes import recipe

    def say(line: str) -> None:
        print(line, flush=True)

    dataset = load_dataset(arguments.data)
    if max(arguments.counts) > len(dataset.train_negative_images):
        parser.error(f"--counts: the data set has {len(dataset.train_negative_images)} Train/neg images")
    say(f"Machine: {platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"Python {platform.python_version()}")
    say("Versions: " + ", ".join(f"{name} {version}" for name, version in package_versions().items()))
    say(f"Load average at start: {load_average()}")
    say(f"Data: {dataset.root}")
    started = time.perf_counter()

    say("")
    say("Detection (bundled model, one thread, exact pyramid, default scan):")
    detection = detection_times(dataset, sizes, arguments.photos, say)
    say("")
    say("| image size | megapixels | median s/image | s per megapixel |")
    say("|---|---|---|---|")
    for row in detection:
        say(f"| {row['size']} | {row['megapixels']:.3f} | {row['seconds']:.3f} | {row['per_megapixel']:.3f} |")

    say("")
    say(f"One mining round (default recipe, seed 0, n_jobs={arguments.n_jobs}):")
    rows = [mining_round(dataset, count, arguments.n_jobs, say) for count in sorted(arguments.counts)]
    say("")
    say("| Train/neg images | images scanned | megapixels scanned | round-0 pool | added | pool | scan s | "
        "train s | rest s (round 0, selection) |")
    say("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        say(f"| {row['negatives']} | {row['images_scanned']} | {row['megapixels']:.1f} | {row['pool_zero']} | "
            f"{row['added']} | {row['pool']} | {row['scan']:.1f} | {row['train']:.1f} | {row['rest']:.1f} |")

    project(dataset, rows, recipe("default")[0], say)
    say("")
    say(f"Load average at end: {load_average()}; this script took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
