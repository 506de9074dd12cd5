"""Choose hogdet's default recipe on training data only, and print the tables it chose from.

    python benchmarks/select_defaults.py DATA --out runs/selection [--folds 3] [--quick]

Nothing here reads the data set's Test folders: every figure is cross-validated on its training
split, so that the Test photographs are used once, for the final results table (README).

1. HOG voting x SVM C, per window. For each voting (none, orientation, trilinear with block sigma
   0.25 and 0.5) a pool of windows: every training crop (positive), 10 random windows per Train/neg
   image and up to 20 hard negatives per image (windows that a round-0 model with C 0.01 calls
   "person"). ``GridSearchCV`` over C with ``GroupKFold`` (crops grouped by their original photograph,
   windows by their image) and window-level average precision. Winner: the best mean AP.
2. Random negatives per image (10, 20, 40), per window, with step 1's winner: trained on the training
   folds' crops, random windows and hard negatives, scored on the held-out folds' crops, their
   10 random windows per image and their hard negatives (the same validation windows for every value).
3. Mining strategy (hard-negative, hard-example), per image: the 45 annotated Train/pos photographs in
   folds; one mining round from a shared round-0 model, the other folds' photographs available to
   hard-example, log-average miss rate and AP on the held-out fold's photographs.

The scans use scale step 1.1 (1.05 in the real runs) to fit the time; step 3 mines half of the person-free
images; ``--subset 2`` uses every other crop and image throughout.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from sklearn.model_selection import GridSearchCV, GroupKFold
from sklearn.metrics import average_precision_score
from sklearn.svm import LinearSVC

from hogdet.datasets import load_dataset
from hogdet.detection import ScanParameters, detection_features, scan_image
from hogdet.evaluation import evaluate_per_image
from hogdet.features import HOGParameters
from hogdet.io import read_image
from hogdet.metrics import average_precision, log_average_miss_rate
from hogdet.mining import MiningOptions, mine, train_round_zero
from hogdet.training import fit_detector
from hogdet.peers import HogdetScorer
from hogdet.strategies import make_strategy
from hogdet.training import positive_features, random_negative_features

from _log import tee_to  # benchmarks/_log.py (scripts run as python benchmarks/NAME.py)

VOTINGS = {
    "none": HOGParameters(interpolation="none"),
    "orientation": HOGParameters(interpolation="orientation"),
    "trilinear, sigma 0.25": HOGParameters(interpolation="trilinear", block_sigma=0.25),
    "trilinear, sigma 0.5": HOGParameters(interpolation="trilinear", block_sigma=0.5),
}
C_VALUES = (0.01, 0.03, 0.1, 0.3)
NEGATIVES = (10, 20, 40)
STRATEGIES = ("hard-negative", "hard-example")
SCAN = ScanParameters(scale_step=1.1, padding=0)


def photograph_of(path: Path) -> str:
    """INRIA crops are named after their photograph plus a letter (crop001001a.png -> crop001001)."""
    return re.sub(r"[a-z]?(_mirrored)?$", "", path.stem)


def _hard_windows(path: Path, detector, per_image: int) -> np.ndarray:
    found, _, grids = scan_image(read_image(path), detector, SCAN, detector.decision_at(0.5), keep_grids=True)
    keep = np.argsort(-found.scores, kind="stable")[:per_image]
    return detection_features(found.take(keep), grids, detector.hog)


def hard_negatives(paths, detector, per_image: int = 20, n_jobs: int = 2) -> list[np.ndarray]:
    """Per image, the features of up to ``per_image`` windows the detector calls "person"."""
    return Parallel(n_jobs=n_jobs)(delayed(_hard_windows)(path, detector, per_image) for path in paths)


def window_pool(dataset, hog: HOGParameters, per_image: int, seed: int, n_jobs: int):
    """Crops, random windows and (later) hard windows, with a group name per window."""
    crops = dataset.train_positive_crops
    positives, _, _ = positive_features(crops, hog, n_jobs=n_jobs)
    negatives, sources, _ = random_negative_features(dataset.train_negative_images, per_image, seed, hog, n_jobs=n_jobs)
    groups = [photograph_of(path) for path in crops] + [source.rsplit("|", 3)[0] for source in sources]
    return positives, negatives, groups


def step_votings_and_c(dataset, folds: int, n_jobs: int, say) -> tuple[list[dict], dict]:
    rows = []
    for name, hog in VOTINGS.items():
        start = time.perf_counter()
        positives, negatives, groups = window_pool(dataset, hog, 10, 0, n_jobs)
        labels = np.r_[np.ones(len(positives), int), np.zeros(len(negatives), int)]
        start_model = fit_detector(np.vstack([positives, negatives]), labels, hog, C=0.01)
        hard = hard_negatives(dataset.train_negative_images, start_model, n_jobs=n_jobs)
        hard_groups = [str(path) for path, windows in zip(dataset.train_negative_images, hard) for _ in windows]
        features = np.vstack([positives, negatives, *hard])
        labels = np.r_[labels, np.zeros(len(hard_groups), int)]
        search = GridSearchCV(LinearSVC(loss="hinge", dual=True, max_iter=20000, random_state=0),
                              {"C": list(C_VALUES)}, scoring="average_precision", cv=GroupKFold(folds),
                              n_jobs=n_jobs, refit=False)
        search.fit(features, labels, groups=np.array(groups + hard_groups))
        for C, mean, spread in zip(C_VALUES, search.cv_results_["mean_test_score"], search.cv_results_["std_test_score"]):
            rows.append({"voting": name, "C": C, "window AP": float(mean), "spread": float(spread),
                         "windows": int(len(labels)), "hard negatives": len(hard_groups)})
        say(f"  {name}: " + ", ".join(f"C {row['C']}: {row['window AP']:.4f}" for row in rows[-len(C_VALUES):])
            + f" ({time.perf_counter() - start:.0f} s)")
    best = max(rows, key=lambda row: row["window AP"])
    return rows, best


def step_negatives(dataset, hog, C, folds: int, n_jobs: int, say) -> tuple[list[dict], int]:
    crops = dataset.train_positive_crops
    images = dataset.train_negative_images
    positives, _, _ = positive_features(crops, hog, n_jobs=n_jobs)
    crop_fold = _fold_of([photograph_of(path) for path in crops], folds)
    image_fold = _fold_of([str(path) for path in images], folds)
    validation, validation_sources, _ = random_negative_features(images, 10, 1000, hog, n_jobs=n_jobs)
    validation_fold = image_fold[[images.index(Path(s.rsplit("|", 3)[0])) for s in validation_sources]]
    base, base_sources, _ = random_negative_features(images, 10, 0, hog, n_jobs=n_jobs)
    base_labels = np.r_[np.ones(len(positives), int), np.zeros(len(base), int)]
    hard = hard_negatives(images, fit_detector(np.vstack([positives, base]), base_labels, hog, C=0.01), n_jobs=n_jobs)
    hard_fold = np.concatenate([np.full(len(windows), image_fold[k]) for k, windows in enumerate(hard)])
    hard = np.vstack(hard)
    rows = []
    for per_image in NEGATIVES:
        negatives, sources, _ = random_negative_features(images, per_image, 0, hog, n_jobs=n_jobs)
        negative_fold = image_fold[[images.index(Path(s.rsplit("|", 3)[0])) for s in sources]]
        scores = []
        for fold in range(folds):
            train = np.vstack([positives[crop_fold != fold], negatives[negative_fold != fold], hard[hard_fold != fold]])
            labels = np.r_[np.ones(np.sum(crop_fold != fold), int), np.zeros(len(train) - np.sum(crop_fold != fold), int)]
            svm = LinearSVC(C=C, loss="hinge", dual=True, max_iter=20000, random_state=0).fit(train, labels)
            held = np.vstack([positives[crop_fold == fold], validation[validation_fold == fold], hard[hard_fold == fold]])
            truth = np.r_[np.ones(np.sum(crop_fold == fold)), np.zeros(len(held) - np.sum(crop_fold == fold))]
            scores.append(average_precision_score(truth, svm.decision_function(held)))
        rows.append({"negatives per image": per_image, "window AP": float(np.mean(scores)), "spread": float(np.std(scores))})
        say(f"  {per_image} per image: window AP {np.mean(scores):.4f} +- {np.std(scores):.4f}")
    best = max(rows, key=lambda row: row["window AP"])
    return rows, best["negatives per image"]


def _fold_of(groups: list[str], folds: int) -> np.ndarray:
    """Fold of each item: groups sorted by name, dealt round-robin (deterministic, groups never split)."""
    names = sorted(set(groups))
    index = {name: k % folds for k, name in enumerate(names)}
    return np.array([index[group] for group in groups])


def step_strategy(dataset, hog, C, per_image: int, folds: int, n_jobs: int, say) -> tuple[list[dict], str]:
    photos = [path for path in dataset.train_positive_images if dataset.annotation(path) is not None]
    half = dataset.train_negative_images[::2]
    base = replace(dataset, train_negative_images=half)
    options = MiningOptions(rounds=1, negatives_per_image=per_image, C=C, seed=0, scan=SCAN, hog=hog)
    start = train_round_zero(base, options, n_jobs=n_jobs)
    photo_fold = _fold_of([path.stem for path in photos], folds)
    rows = []
    for name in STRATEGIES:
        results = []
        for fold in range(folds):
            mined_on = replace(base, train_positive_images=[p for p, f in zip(photos, photo_fold) if f != fold])
            held = [p for p, f in zip(photos, photo_fold) if f == fold]
            strategy = make_strategy(name, scan_positive_images=(name == "hard-example"))
            with tempfile.TemporaryDirectory() as folder:
                result = mine(mined_on, Path(folder) / "run", options, strategy, n_jobs=n_jobs, initial=start)
            scan = ScanParameters(scale_step=1.1, padding=32)
            per_image_result, _, _ = evaluate_per_image(HogdetScorer(result.detector), held,
                                                        [dataset.annotation(p).boxes for p in held], scan, n_jobs=n_jobs)
            results.append(per_image_result)
        lamr = [log_average_miss_rate(r.fppi, r.miss_rate) for r in results]
        ap = [average_precision(r.recall, r.precision) for r in results]
        rows.append({"strategy": name, "LAMR": float(np.mean(lamr)), "LAMR spread": float(np.std(lamr)),
                     "AP": float(np.mean(ap)), "AP spread": float(np.std(ap))})
        say(f"  {name}: LAMR {100 * np.mean(lamr):.1f}% +- {100 * np.std(lamr):.1f}, AP {np.mean(ap):.3f} +- {np.std(ap):.3f}")
    best = min(rows, key=lambda row: row["LAMR"])
    return rows, best["strategy"]


def table(rows: list[dict]) -> str:
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(f"{v:.4f}" if isinstance(v, float) else str(v) for v in row.values()) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--subset", type=int, default=1,
                        help="Use every k-th training crop and person-free image (for time).")
    parser.add_argument("--quick", action="store_true", help="A small subset, to check that the script runs.")
    args = parser.parse_args(argv)
    dataset = load_dataset(args.data)
    if args.subset > 1:
        dataset = replace(dataset, train_positive_crops=dataset.train_positive_crops[::args.subset],
                          train_negative_images=dataset.train_negative_images[::args.subset])
    if args.quick:
        dataset = replace(dataset, train_positive_crops=dataset.train_positive_crops[::8],
                          train_negative_images=dataset.train_negative_images[::10])
    args.out.mkdir(parents=True, exist_ok=True)
    say = tee_to(args.out / "log.txt")

    began = time.perf_counter()
    say(f"selection on {args.data} ({len(dataset.train_positive_crops)} crops, {len(dataset.train_negative_images)} "
        f"person-free images, {len(dataset.train_positive_images)} photographs), {args.folds} folds; "
        f"{platform.machine()}, Python {platform.python_version()}")
    say("step 1: HOG voting x C (window AP, GroupKFold)")
    voting_rows, best = step_votings_and_c(dataset, args.folds, args.n_jobs, say)
    hog, C = VOTINGS[best["voting"]], best["C"]
    say(f"-> {best['voting']}, C {C}")
    say("step 2: random negatives per image (window AP)")
    negative_rows, per_image = step_negatives(dataset, hog, C, args.folds, args.n_jobs, say)
    say(f"-> {per_image} per image")
    say("step 3: strategy (per image, Train/pos photographs in folds)")
    strategy_rows, strategy = step_strategy(dataset, hog, C, per_image, args.folds, args.n_jobs, say)
    say(f"-> {strategy}")
    chosen = {"hog_interpolation": hog.interpolation, "hog_block_sigma": hog.block_sigma, "C": C,
              "negatives_per_image": per_image, "strategy": strategy}
    report = "\n\n".join([
        f"# Default recipe chosen on training data ({args.data}, {args.folds} folds)",
        "## 1. HOG voting x C\n\n" + table(voting_rows),
        "## 2. Random negatives per image\n\n" + table(negative_rows),
        "## 3. Strategy (one mining round, per image on held-out Train/pos photographs)\n\n" + table(strategy_rows),
        "## Chosen\n\n" + json.dumps(chosen, indent=2),
        f"{time.perf_counter() - began:.0f} s in all.",
    ]) + "\n"
    (args.out / "selection.md").write_text(report)
    (args.out / "selection.json").write_text(json.dumps({"chosen": chosen, "votings": voting_rows,
                                                         "negatives": negative_rows, "strategies": strategy_rows}, indent=2))
    say(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
