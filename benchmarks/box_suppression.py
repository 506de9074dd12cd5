"""Which boxes and which suppression measure best per image (LAMR, AP).

Every photograph is scanned once (windows down to probability 1e-3, as
``hogdet evaluate`` does); each variant then only changes the reported
boxes' aspect and the non-maximum suppression (:func:`hogdet.detection.suppress`)
before the same per-image matching (:func:`hogdet.metrics.evaluate_images`).

The choice is made on the annotated *training* photographs (``Train/pos``);
the test photographs (``Test/pos``) are evaluated only as the final check,
so the default is not tuned on test data.

Usage::

    python benchmarks/box_suppression.py --model model.npz --data DATA [--n-jobs 2]
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

import numpy as np

from hogdet.boxes import Suppression, median_aspect, person_aspect
from hogdet.datasets import load_dataset
from hogdet.detection import ScanParameters, suppress
from hogdet.io import read_image
from hogdet.metrics import average_precision, evaluate_images, log_average_miss_rate
from hogdet.model import load_model
from hogdet.parallel import parallel_map
from hogdet.peers import HogdetScorer
from hogdet.training import annotated_images, window_person_aspect


def _scan_batch(paths, scorer, scan, min_score):
    return [scorer.scan(read_image(path), scan, min_score)[0] for path in paths]


def scan_all(scorer, paths, scan, n_jobs):
    """All windows of each photograph above probability 1e-3 (before suppression)."""
    return parallel_map(_scan_batch, paths, scorer, scan, scorer.decision_at(1e-3), n_jobs=n_jobs, batch_size=1)


def measure(found_per_image, truths, suppression, aspect):
    kept = [suppress(found, suppression, aspect) for found in found_per_image]
    result = evaluate_images([k.boxes for k in kept], [k.scores for k in kept], truths)
    return log_average_miss_rate(result.fppi, result.miss_rate), average_precision(result.recall, result.precision)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=None,
                        help="Pickle of the scans: written on the first run, read on later ones (same model!).")
    args = parser.parse_args(argv)

    detector = load_model(args.model)
    dataset = load_dataset(args.data)
    scorer = HogdetScorer(detector)
    scan = ScanParameters()
    train = annotated_images(dataset)
    learnt = median_aspect(np.concatenate([boxes for _, boxes in train]), min_height=50.0)
    window = window_person_aspect(detector.hog)
    print(f"model {args.model}: stored person aspect {person_aspect(detector.metadata):.3f}; "
          f"Train/annotations median aspect (people >= 50 px) {learnt:.3f}; window box aspect {window:.3f}")

    variants = [
        ("(a) window box, IoU 0.5", window, Suppression(0.5, "iou")),
        (f"(b) aspect learnt {learnt:.3f}, IoU 0.5", learnt, Suppression(0.5, "iou")),
        ("(b) aspect 0.41, IoU 0.5", 0.41, Suppression(0.5, "iou")),
    ]
    for overlap in (0.5, 0.65, 0.8):
        variants.append((f"(c) aspect learnt, smaller {overlap}", learnt, Suppression(overlap, "smaller")))
    # IoU as before, and also drop a weaker box lying mostly inside a stronger one.
    for inside in (0.35, 0.5, 0.65, 0.8):
        variants.append((f"(d) aspect learnt, IoU 0.5 + inside {inside}", learnt, Suppression(0.5, "iou", inside)))

    splits = {
        "Train/pos": train,
        "Test/pos": [(p, dataset.annotation(p).boxes) for p in dataset.test_positive_images
                     if dataset.annotation(p) is not None],
    }
    scans = pickle.loads(args.cache.read_bytes()) if args.cache and args.cache.is_file() else {}
    table = {}
    for split, pairs in splits.items():
        if split not in scans:
            print(f"scanning {len(pairs)} {split} photographs ...", file=sys.stderr)
            scans[split] = scan_all(scorer, [path for path, _ in pairs], scan, args.n_jobs)
        found = scans[split]
        truths = [boxes for _, boxes in pairs]
        for name, aspect, suppression in variants:
            table[name, split] = measure(found, truths, suppression, aspect)

    if args.cache and not args.cache.is_file():
        args.cache.write_bytes(pickle.dumps(scans))
    # Choose on the training photographs only: lowest LAMR, then highest AP.
    best = min(variants, key=lambda v: (round(table[v[0], "Train/pos"][0], 4), -table[v[0], "Train/pos"][1]))[0]
    print()
    print("| boxes and suppression | Train/pos LAMR | Train/pos AP | Test/pos LAMR | Test/pos AP |")
    print("|---|---|---|---|---|")
    for name, _, _ in variants:
        (train_lamr, train_ap), (test_lamr, test_ap) = table[name, "Train/pos"], table[name, "Test/pos"]
        mark = " **(best on Train/pos)**" if name == best else ""
        print(f"| {name}{mark} | {100 * train_lamr:.1f}% | {train_ap:.3f} | {100 * test_lamr:.1f}% | {test_ap:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
