"""Training cost against calibration and solver: 3-fold cross-validated Platt vs one held-out fold, liblinear vs hogdet's.

Builds a mining pool as a round does (all training crops, random negatives,
and the hard negatives a round-0 detector finds when scanning the
person-free training images, timed: that is a round's scan time), then fits
the detector on the pool once per calibration, each fit in its own forked
process so that its peak memory (``ru_maxrss``) is its own. Prints, side by
side: fit time, SVM fits, peak memory over the pool's float32 size, Brier
score and log-loss on held-out windows (test crops, random and hard
negatives of the person-free test images, none seen in training), and the
per-image figures (log-average miss rate, average precision) on the
annotated test photographs.

Usage::

    python benchmarks/training_speed.py [DATA_DIR] [--neg-per-image 40] [--n-jobs 2]
        [--variants cv:3:liblinear,holdout:3:liblinear,holdout:3:numba,single:3:numba]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import time


def _fit_in_child(connection, features, labels, calibration, folds, solver, seed):
    from hogdet.model import HOGDetector

    start = time.perf_counter()
    detector = HOGDetector(calibration=calibration, calibration_folds=folds, solver=solver, seed=seed).fit(
        features, labels
    )
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    connection.send((seconds, peak, detector.coef_, detector.intercept_, detector.platt_a_, detector.platt_b_,
                     detector.metadata_["converged"]))
    connection.close()


def fit_forked(features, labels, calibration, folds, solver, seed=0):
    """Fit in a forked child: (seconds, peak RSS bytes, fitted detector)."""
    from hogdet.model import HOGDetector

    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_fit_in_child, args=(send, features, labels, calibration, folds, solver, seed))
    child.start()
    seconds, peak, coef, intercept, platt_a, platt_b, converged = receive.recv()
    child.join()
    detector = HOGDetector.from_coefficients(coef[0], intercept[0], platt_a, platt_b, calibration=calibration)
    return seconds, peak, converged, detector


def idle_child_peak() -> int:
    """Peak RSS of a forked child that does nothing: the baseline every child starts from."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def idle(connection):
        connection.send(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)

    child = context.Process(target=idle, args=(send,))
    child.start()
    peak = receive.recv()
    child.join()
    return peak


def build_pools(dataset, arguments):
    """The mining pool (round 0 plus one round of hard negatives, the round's scan timed) and held-out windows."""
    import numpy as np

    from hogdet.detection import ScanParameters
    from hogdet.features import HOGParameters
    from hogdet.mining import scan_images
    from hogdet.model import HOGDetector
    from hogdet.strategies import HardNegative
    from hogdet.training import initial_training_set, positive_features, random_negative_features

    hog, scan, jobs = HOGParameters(), ScanParameters(), arguments.n_jobs
    # The pool: round 0 plus one round of hard negatives.
    training_set, _ = initial_training_set(
        dataset.train_positive_crops, dataset.train_negative_images, hog, arguments.neg_per_image, 0, jobs
    )
    round_zero = HOGDetector(calibration="holdout").fit(training_set.features, training_set.labels)
    items = [(str(path), path.name, None) for path in dataset.train_negative_images]
    start = time.perf_counter()
    found = scan_images(items, round_zero, HardNegative(), scan, n_jobs=jobs)
    scan_seconds = time.perf_counter() - start
    features = np.concatenate([training_set.features, found.features])
    labels = np.concatenate([training_set.labels, np.zeros(len(found.features), np.int8)])
    n_hard = len(found.features)
    del training_set, found

    # Held-out windows: test crops, random and hard negatives of the test images.
    test_positives, _, _ = positive_features(dataset.test_positive_crops, hog, n_jobs=jobs)
    test_negatives, _, _ = random_negative_features(dataset.test_negative_images, 10, 1, hog, n_jobs=jobs)
    test_items = [(str(path), path.name, None) for path in dataset.test_negative_images]
    test_hard = scan_images(test_items, round_zero, HardNegative(), scan, n_jobs=jobs).features
    held_out = np.concatenate([test_positives, test_negatives, test_hard])
    held_out_labels = np.concatenate([np.ones(len(test_positives)), np.zeros(len(test_negatives) + len(test_hard))])

    return features, labels, held_out, held_out_labels, scan_seconds, n_hard, len(test_hard)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=os.environ.get("HOGDET_DATA", "data/INRIAPerson"))
    parser.add_argument("--neg-per-image", type=int, default=40, help="random negatives per person-free image")
    parser.add_argument("--n-jobs", type=int, default=2, help="workers for features and scans")
    parser.add_argument("--variants", default="cv:3:liblinear,holdout:3:liblinear,holdout:3:numba,single:3:numba",
                        help="calibration:folds:solver triples to compare (the first is the reference)")
    parser.add_argument("--cache", default=None, help="an .npz to keep the pools in between runs (a temporary file)")
    arguments = parser.parse_args()

    import numpy as np
    from sklearn.metrics import brier_score_loss, log_loss

    from hogdet.datasets import load_dataset
    from hogdet.detection import ScanParameters
    from hogdet.evaluation import evaluate_per_image
    from hogdet.metrics import average_precision, log_average_miss_rate
    from hogdet.peers import HogdetScorer

    dataset = load_dataset(arguments.data)
    scan, jobs = ScanParameters(), arguments.n_jobs

    if arguments.cache and os.path.exists(arguments.cache):
        with np.load(arguments.cache) as cached:
            features, labels, held_out, held_out_labels = (cached[name] for name in ("features", "labels", "held_out", "held_out_labels"))
            scan_seconds, n_hard, n_test_hard = float(cached["scan_seconds"]), int(cached["n_hard"]), int(cached["n_test_hard"])
    else:
        features, labels, held_out, held_out_labels, scan_seconds, n_hard, n_test_hard = build_pools(dataset, arguments)
        if arguments.cache:
            np.savez(arguments.cache, features=features, labels=labels, held_out=held_out, held_out_labels=held_out_labels,
                     scan_seconds=scan_seconds, n_hard=n_hard, n_test_hard=n_test_hard)
    pool_bytes = features.nbytes

    photographs = [(path, dataset.annotation(path)) for path in dataset.test_positive_images]
    photographs = [(path, annotation.boxes) for path, annotation in photographs if annotation is not None]

    baseline = idle_child_peak()
    print(f"data: {arguments.data}; pool {len(labels)} windows x {features.shape[1]} float32 = "
          f"{pool_bytes / 2**20:.0f} MiB ({int(labels.sum())} positives, {len(labels) - int(labels.sum())} negatives, "
          f"of which hard {n_hard})")
    print(f"round scan of {len(dataset.train_negative_images)} person-free training images ({jobs} workers): "
          f"{scan_seconds:.1f} s")
    print(f"held-out windows: {int(held_out_labels.sum())} test crops, {len(held_out_labels) - int(held_out_labels.sum())} "
          f"negatives ({n_test_hard} hard) of {len(dataset.test_negative_images)} test images; "
          f"per-image: {len(photographs)} annotated test photographs")
    print(f"{'calibration':<12} {'folds':>5} {'solver':>9} {'SVM fits':>8} {'fit s':>7} {'fit/scan':>8} {'peak/pool':>9} {'Brier':>8} "
          f"{'log-loss':>8} {'LAMR':>6} {'AP':>6} {'converged':>9}")
    rows = {}
    variants = [(name, int(folds), solver) for name, folds, solver in (triple.split(":") for triple in arguments.variants.split(","))]
    for calibration, folds, solver in variants:
        fits = {"cv": folds + 1, "holdout": 2, "single": 1}[calibration]
        seconds, peak, converged, detector = fit_forked(features, labels, calibration, folds, solver)
        probability = detector.predict_proba(held_out)[:, 1]
        result, _, _ = evaluate_per_image(
            HogdetScorer(detector), [path for path, _ in photographs], [boxes for _, boxes in photographs], scan,
            n_jobs=jobs,
        )
        rows[calibration, folds, solver] = seconds
        print(
            f"{calibration:<12} {folds:>5} {solver:>9} {fits:>8} {seconds:>7.1f} {seconds / scan_seconds:>8.2f} "
            f"{(peak - baseline) / pool_bytes:>9.2f} {brier_score_loss(held_out_labels, probability):>8.4f} "
            f"{log_loss(held_out_labels, probability):>8.4f} "
            f"{log_average_miss_rate(result.fppi, result.miss_rate):>6.3f} "
            f"{average_precision(result.recall, result.precision):>6.3f} {str(converged):>9}"
        )
    reference = variants[0]
    print("fit time ratio " + ", ".join(
        f"{'/'.join(map(str, reference))} over {name}/{folds}/{solver}: {rows[reference] / rows[name, folds, solver]:.2f}x"
        for name, folds, solver in variants[1:]
    ))
    print("(peak/pool: a fitting child's peak RSS less an idle child's, over the pool's float32 bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
