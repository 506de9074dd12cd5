"""The README's results table, from one command: hogdet's presets over seeds, OpenCV, measured in one run.

    python benchmarks/results.py DATA --out runs/results [--seeds 0 1 2] [--dalal-triggs-seeds 0 1 2]

For each seed, ``hogdet mine --rounds 3`` with the default recipe (and with ``--preset dalal-triggs``),
then both protocols on the data set's Test split (per window: miss rate at 1e-4 FPPW; per image:
log-average miss rate and AP), and OpenCV's default people detector through the same evaluation
code. Prints (and writes to ``results.md``) mean and spread over the seeds, the margin over OpenCV
against that spread, the machine and the package versions. Each mining run folder stays in
``--out`` (``--resume`` reuses finished runs and evaluations).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

from hogdet.datasets import load_dataset
from hogdet.evaluation import evaluate, read_evaluation, write_evaluation
from hogdet.mining import mine
from hogdet.model import package_versions
from hogdet.peers import HogdetScorer, OpenCVPeopleDetector
from hogdet.recipes import mining_setup, recipe

from _log import tee_to  # benchmarks/_log.py (scripts run as python benchmarks/NAME.py)


def run_preset(dataset, preset: str, seed: int, out: Path, say) -> tuple[object, float]:
    """Mine with a preset and seed (or reuse a finished run); evaluate it (or read its evaluation)."""
    folder = out / f"{preset}-seed{seed}"
    saved = folder / "evaluation"
    if (saved / "metrics.json").is_file():
        say(f"{preset} seed {seed}: reusing {saved}")
        return read_evaluation(saved), json.loads((folder / "timing.json").read_text())["mining_seconds"]
    settings, _ = recipe(preset)
    options, strategy = mining_setup(settings, rounds=3, seed=seed)
    say(f"{preset} seed {seed}: mining into {folder}")
    start = time.perf_counter()
    result = mine(dataset, folder, options, strategy, n_jobs=-1, resume=folder.is_dir(), log=lambda line: say("  " + line))
    seconds = time.perf_counter() - start
    (folder / "timing.json").write_text(json.dumps({"mining_seconds": seconds}))
    evaluation = evaluate(HogdetScorer(result.detector, name=f"{preset} seed {seed}"), dataset, options.scan, n_jobs=-1)
    write_evaluation(evaluation, saved)
    return evaluation, seconds


def summary(name: str, evaluations: list, seconds: list[float]) -> dict:
    def spread(values):
        return float(np.std(values)) if len(values) > 1 else 0.0

    lamr = [e.lamr for e in evaluations]
    ap = [e.ap for e in evaluations]
    mr = [e.mr_at_1e4_fppw for e in evaluations]
    return {"detector": name, "seeds": len(evaluations), "lamr": float(np.mean(lamr)), "lamr_spread": spread(lamr),
            "ap": float(np.mean(ap)), "ap_spread": spread(ap), "mr": float(np.mean(mr)), "mr_spread": spread(mr),
            "lamr_each": lamr, "ap_each": ap, "seconds_per_image": float(np.mean([e.seconds_per_image for e in evaluations])),
            "mining_seconds": float(np.mean(seconds)) if seconds else None}


def row(entry: dict) -> str:
    def cell(mean, spread, percent):
        value = f"{100 * mean:.1f}%" if percent else f"{mean:.3f}"
        if entry["seeds"] > 1:
            value += f" ± {100 * spread:.1f}" if percent else f" ± {spread:.3f}"
        return value

    each = " / ".join(f"{100 * v:.1f}" for v in entry["lamr_each"]) if entry["seeds"] > 1 else ""
    mining = f"{entry['mining_seconds']:.0f}" if entry["mining_seconds"] is not None else "-"
    return (f"| {entry['detector']} | {entry['seeds']} | {cell(entry['lamr'], entry['lamr_spread'], True)} "
            f"| {cell(entry['ap'], entry['ap_spread'], False)} | {cell(entry['mr'], entry['mr_spread'], True)} "
            f"| {entry['seconds_per_image']:.3f} | {mining} | {each} |")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--dalal-triggs-seeds", type=int, nargs="*", default=[0, 1, 2])
    args = parser.parse_args(argv)
    dataset = load_dataset(args.data)
    args.out.mkdir(parents=True, exist_ok=True)
    say = tee_to(args.out / "log.txt")

    began = time.perf_counter()
    entries = []
    for preset, seeds in (("default", args.seeds), ("dalal-triggs", args.dalal_triggs_seeds)):
        if not seeds:
            continue
        runs = [run_preset(dataset, preset, seed, args.out, say) for seed in seeds]
        entries.append(summary(f"hogdet `{preset}`", [e for e, _ in runs], [s for _, s in runs]))
    saved = args.out / "opencv" / "evaluation"
    if (saved / "metrics.json").is_file():
        opencv = read_evaluation(saved)
    else:
        say("OpenCV default people detector: evaluating")
        opencv = evaluate(OpenCVPeopleDetector(), dataset, n_jobs=-1)
        write_evaluation(opencv, saved)
    entries.append(summary("OpenCV default people detector", [opencv], []))

    lines = ["| detector | seeds | LAMR (per image) | AP (per image) | MR at 1e-4 FPPW (per window) | s/image | "
             "mining s | LAMR per seed |", "|---|---|---|---|---|---|---|---|"]
    lines += [row(entry) for entry in entries]
    default = entries[0]
    margin_lamr = opencv.lamr - default["lamr"]
    margin_ap = default["ap"] - opencv.ap
    versions = package_versions()
    reading = (
        f"\nMargin of the default recipe over OpenCV: LAMR {100 * margin_lamr:+.1f} points (spread over seeds "
        f"{100 * default['lamr_spread']:.1f}; worst seed {100 * (opencv.lamr - max(default['lamr_each'])):+.1f}), "
        f"AP {margin_ap:+.3f} (spread {default['ap_spread']:.3f}; worst seed {min(default['ap_each']) - opencv.ap:+.3f}).\n"
        f"\nMachine: {platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores, Python "
        f"{platform.python_version()}, " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())) +
        f". {time.perf_counter() - began:.0f} s for this command (reused runs not counted).\n"
    )
    text = "\n".join(lines) + "\n" + reading
    (args.out / "results.md").write_text(text)
    (args.out / "results.json").write_text(json.dumps(entries, indent=2))
    say(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
