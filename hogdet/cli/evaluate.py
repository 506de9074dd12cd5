"""``hogdet evaluate``: models (and OpenCV's default detector) with both INRIA protocols."""

from __future__ import annotations

import json
from pathlib import Path

import click

from . import main
from .options import (
    data_option,
    friendly_errors,
    jobs_option,
    padding_option,
    pyramid_option,
    scale_step_option,
    suppression_options,
)
from .settings import suppression


@main.command()
@click.argument("models", nargs=-1, type=click.Path(path_type=Path))
@data_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for metrics.json and DET plots (one subfolder per detector when several).")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.option("--opencv-default", is_flag=True, help="Also evaluate OpenCV's default people detector (needs OpenCV).")
@click.option("--with-negatives", is_flag=True, help="Per image: also detect on Test/neg (extra false positives).")
@suppression_options
@scale_step_option
@padding_option
@pyramid_option
@jobs_option
@friendly_errors
def evaluate(models, data, out, as_json, opencv_default, with_negatives, nms_overlap, nms_measure, nms_inside, aspect,
             scale_step, padding, pyramid, n_jobs):
    """Evaluate models with both INRIA protocols (per window: FPPW; per image: LAMR, AP).

    Several models (and --opencv-default) give one table: results.md and
    results.csv in --out, with a DET plot holding every curve.

    \b
    Example:
      hogdet evaluate runs/inria/model.npz --data data/INRIAPerson --out results/
      hogdet evaluate runs/inria/round-*.npz --opencv-default --out results/
    """
    from ..datasets import load_dataset, resolve_data_dir
    from ..detection import ScanParameters
    from ..evaluation import evaluate as run_evaluation
    from ..evaluation import write_comparison, write_evaluation
    from ..model import load_model
    from ..peers import HogdetScorer, OpenCVPeopleDetector

    if not models and not opencv_default:
        raise click.UsageError("name at least one MODEL file, or pass --opencv-default")
    scorers = [HogdetScorer(load_model(path), name=str(path)) for path in models]
    if opencv_default:
        scorers.append(OpenCVPeopleDetector())
    dataset = load_dataset(resolve_data_dir(data, progress=True))
    scan = ScanParameters(scale_step=scale_step, padding=padding, pyramid=pyramid)
    evaluations = []
    for scorer in scorers:
        click.echo(f"evaluating {scorer.name}", err=True)
        evaluation = run_evaluation(
            scorer, dataset, scan, include_negative_images=with_negatives, n_jobs=n_jobs, progress=True,
            suppression=suppression(nms_overlap, nms_measure, nms_inside), aspect=aspect,
        )
        evaluations.append(evaluation)
        if out is not None:
            write_evaluation(evaluation, out if len(scorers) == 1 else out / f"{len(evaluations) - 1}")
        if as_json:
            summary = evaluation.to_dict()
            summary.pop("curves")
            click.echo(json.dumps(summary))
        else:
            click.echo(
                f"{evaluation.name}: LAMR {100 * evaluation.lamr:.1f}%, MR at 1e-4 FPPW "
                f"{100 * evaluation.mr_at_1e4_fppw:.1f}%, AP {evaluation.ap:.3f}, "
                f"{evaluation.seconds_per_image:.3f} s/image"
            )
    if out is not None and len(evaluations) > 1:
        table = write_comparison(evaluations, out)
        click.echo(table)
