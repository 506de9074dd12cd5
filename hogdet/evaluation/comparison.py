"""Mining strategies side by side: one round-0 model, one table, one DET plot.

:func:`compare_strategies` trains round 0 once (crops plus random negatives,
:func:`hogdet.mining.train_round_zero`), then runs the mining loop of each
strategy from that same model and seed in ``out_dir/<strategy>/``, evaluates
every final model with both INRIA protocols (:func:`hogdet.evaluation.evaluate`)
and writes ``results.md``, ``results.csv``, ``det_fppw.png`` and
``det_fppi.png`` (one curve per strategy) into ``out_dir``.

Since every strategy starts from the same model, the same seed and the same
data, the differences in the table come from the strategies alone.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable, Sequence

from ..detection import ScanParameters
from ..errors import HogdetError, ParameterError
from ..io import write_text_atomic
from ..mining import FolderNotEmptyError, MiningOptions, MiningResult, mine, train_round_zero
from ..mining.strategies import make_strategy
from .peers import HogdetScorer
from .protocols import evaluate
from .reports import Evaluation, read_evaluation, write_comparison, write_evaluation

__all__ = ["EXTRA_COLUMNS", "compare_strategies"]

#: Columns added to the evaluation table, one value per strategy.
EXTRA_COLUMNS = ("training-set size", "mining s", "training s")


def _run_totals(result: MiningResult) -> tuple[int, float, float]:
    """Final training-set size, scan seconds and training seconds of the mining rounds (round 0 excluded)."""
    return _totals(result.metrics)


def _run_totals_from_folder(run_dir: Path) -> tuple[int, float, float]:
    """The same totals, read back from a finished run's ``metrics.csv``."""
    import csv

    with open(run_dir / "metrics.csv", newline="") as stream:
        return _totals(list(csv.DictReader(stream)))


def _totals(metrics: list[dict]) -> tuple[int, float, float]:
    rounds = [row for row in metrics if int(row["round"]) > 0]
    size = int(metrics[-1]["training_set_size"])
    return (
        size,
        round(sum(float(row["scan_seconds"]) for row in rounds), 1),
        round(sum(float(row["train_seconds"]) for row in rounds), 1),
    )


def compare_strategies(
    dataset,
    strategies: Sequence[str],
    out_dir: str | os.PathLike,
    options: MiningOptions = MiningOptions(),
    strategy_options: dict | None = None,
    n_jobs: int = -1,
    progress: bool = False,
    log: Callable[[str], None] | None = None,
    evaluation_scan: ScanParameters | None = None,
    resume: bool = False,
) -> list[Evaluation]:
    """Mine with each strategy from the same round-0 model; evaluate and tabulate.

    Parameters
    ----------
    dataset : hogdet.datasets.Dataset
        Training split for mining, test split for the evaluation.
    strategies : sequence of str
        Names from :data:`hogdet.mining.strategies.STRATEGIES`, each at most once.
    out_dir : path
        Receives ``results.md``, ``results.csv``, ``det_fppw.png``,
        ``det_fppi.png``, ``comparison.json`` (the settings) and one mining
        run folder per strategy (with its ``evaluation/metrics.json``).
    options : MiningOptions
        The same for every strategy (rounds, seed, scan, ...).
    strategy_options : dict, optional
        Passed to :func:`hogdet.mining.strategies.make_strategy` for every
        strategy; each takes the options it accepts (``threshold``, ``gamma``,
        ...) and keeps its own defaults for the others.
    n_jobs : int
        joblib workers for scanning and evaluation.
    progress : bool
    log : callable, optional
        Receives progress lines (for example ``print``).
    evaluation_scan : ScanParameters, optional
        Pyramid of the evaluation; default ``options.scan``.
    resume : bool
        Continue the strategies' runs in ``out_dir`` after an interruption.

    Returns
    -------
    list of Evaluation
        One per strategy, in the order given, named after the strategy.
    """
    say = log or (lambda line: None)
    strategy_options = dict(strategy_options or {})
    names = [name.strip() for name in strategies]
    if not names or any(not name for name in names):
        raise ParameterError("strategies", "needs at least one strategy name")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ParameterError("strategies", f"names {', '.join(repeated)} more than once")
    # Build every strategy first: a bad name or option fails before any work.
    built = [make_strategy(name, **strategy_options) for name in names]
    if not dataset.test_positive_crops or not dataset.test_negative_images:
        raise ParameterError("dataset", f"needs a test split for the comparison (test crops and person-free test images): {dataset.root}")
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ParameterError("out_dir", f"{out_dir} is a file, not a folder")
    if not resume and out_dir.is_dir() and any(out_dir.iterdir()):
        raise FolderNotEmptyError(f"{out_dir} is not empty: choose a new out_dir, or resume=True to continue the comparison in it")
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = {"strategies": names, "strategy_options": strategy_options, "rounds": options.rounds, "seed": options.seed}
    write_text_atomic(out_dir / "comparison.json", json.dumps(settings, indent=2, sort_keys=True, default=str) + "\n")

    say("round 0: training the shared starting model")
    start = train_round_zero(dataset, options, n_jobs=n_jobs, progress=progress)
    scan = evaluation_scan or options.scan
    evaluations, totals, failures = [], [], []
    for name, strategy in zip(names, built):
        saved = out_dir / name / "evaluation"
        if resume and (out_dir / name / "model.npz").is_file() and (saved / "metrics.json").is_file():
            say(f"strategy {name}: finished earlier, reading {saved / 'metrics.json'}")
            evaluations.append(read_evaluation(saved))
            totals.append(_run_totals_from_folder(out_dir / name))
            continue
        say(f"strategy {name}: mining {options.rounds} rounds in {out_dir / name}")
        try:
            result = mine(
                dataset, out_dir / name, options, strategy, n_jobs=n_jobs, resume=resume, progress=progress,
                log=lambda line, name=name: say(f"  {name}: {line}"), initial=start,
            )
        except HogdetError as error:
            # One strategy that breaks the SVM is a result, not a reason to
            # lose the others: it is reported and the comparison goes on.
            say(f"strategy {name}: failed: {error}")
            failures.append((name, str(error)))
            continue
        say(f"strategy {name}: evaluating")
        evaluation = evaluate(HogdetScorer(result.detector, name=name), dataset, scan, n_jobs=n_jobs, progress=progress)
        write_evaluation(evaluation, saved)
        evaluations.append(evaluation)
        totals.append(_run_totals(result))
    if not evaluations:
        raise HogdetError("every strategy failed: " + "; ".join(f"{name}: {reason}" for name, reason in failures))
    extra = {column: [values[index] for values in totals] for index, column in enumerate(EXTRA_COLUMNS)}
    table = write_comparison(evaluations, out_dir, extra)
    if failures:
        notes = "".join(f"\n- {name} failed: {reason}\n" for name, reason in failures)
        table += notes
        write_text_atomic(out_dir / "results.md", table)
    say(table.rstrip())
    return evaluations
