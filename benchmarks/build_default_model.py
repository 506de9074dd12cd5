"""Rebuild hogdet's bundled model, ``hogdet/models/default.npz``, from its default recipe.

    python benchmarks/build_default_model.py DATA [--seed 0] [--out hogdet/models/default.npz]
    python benchmarks/build_default_model.py DATA --check      # rebuild, compare with the bundled file

``hogdet mine --rounds 3`` with the default preset (in memory), then both evaluation protocols on the
data set's Test split. The file's header records where it came from: the data set's fingerprint, this
command, hogdet's version, the recipe and the figures it measured. Mining is deterministic per seed, so
``--check`` must find the same weights (it prints the largest difference and fails if it is not 0).
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import hogdet
from hogdet.datasets import dataset_fingerprint, load_dataset
from hogdet.evaluation import evaluate
from hogdet.mining import mine
from hogdet.model import default_model_path, load_model
from hogdet.peers import HogdetScorer
from hogdet.recipes import DEFAULT_PRESET, mining_setup, recipe


def build(data: Path, seed: int) -> hogdet.HOGDetector:
    """Mine the default recipe on ``data``, evaluate it, and return it with its provenance in its metadata."""
    dataset = load_dataset(data)
    settings, _ = recipe(DEFAULT_PRESET)
    options, strategy = mining_setup(settings, rounds=3, seed=seed)
    start = time.perf_counter()
    detector = mine(dataset, None, options, strategy, n_jobs=-1, progress=True, log=print).detector
    mining_seconds = time.perf_counter() - start
    evaluation = evaluate(HogdetScorer(detector, name="bundled"), dataset, options.scan, n_jobs=-1, progress=True)
    detector.metadata_["provenance"] = {
        "command": "python benchmarks/build_default_model.py " + shlex.join([str(data.name), "--seed", str(seed)]),
        "data_fingerprint": dataset_fingerprint(dataset),
        "hogdet_version": hogdet.__version__,
        "preset": DEFAULT_PRESET,
        "recipe": settings,
        "seed": seed,
        "mining_seconds": round(mining_seconds, 1),
        "figures": {"test_lamr": evaluation.lamr, "test_ap": evaluation.ap,
                    "test_mr_at_1e-4_fppw": evaluation.mr_at_1e4_fppw},
    }
    return detector


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path, help="The data set the bundled model is trained on (INRIA layout).")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=default_model_path())
    parser.add_argument("--check", action="store_true", help="Rebuild into a temporary file and compare.")
    args = parser.parse_args(argv)
    detector = build(args.data, args.seed)
    figures = detector.metadata_["provenance"]["figures"]
    print(f"Test: LAMR {100 * figures['test_lamr']:.1f}%, AP {figures['test_ap']:.3f}, "
          f"MR at 1e-4 FPPW {100 * figures['test_mr_at_1e-4_fppw']:.1f}%")
    if args.check:
        bundled = load_model(args.out)
        difference = float(np.max(np.abs(bundled.coef_ - detector.coef_)))
        same = difference == 0.0 and bundled.intercept_[0] == detector.intercept_[0]
        print(f"rebuilt against {args.out}: largest weight difference {difference:g}, "
              f"bias {bundled.intercept_[0]:.6g} vs {detector.intercept_[0]:.6g}: {'same' if same else 'DIFFERENT'}")
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.out.parent) as folder:
        written = detector.save(Path(folder) / args.out.name)
        written.replace(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
