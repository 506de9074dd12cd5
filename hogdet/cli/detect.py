"""``hogdet detect``: find people in image files, print them (text or JSON), optionally draw them."""

from __future__ import annotations

import json
from pathlib import Path

import click

from . import main
from .options import (
    check_jobs,
    check_probability,
    friendly_errors,
    padding_option,
    pyramid_option_with_default,
    scale_step_option,
    suppression_options,
)
from .settings import suppression


def _model_and_images(model, images):
    """The model file and the images of ``hogdet detect [MODEL.npz] IMAGES...``."""
    if images and images[0].suffix.lower() == ".npz":
        if model is not None:
            raise click.UsageError(f"two models: --model {model} and {images[0]}; give one")
        model, images = images[0], images[1:]
    if not images:
        raise click.UsageError("name at least one image")
    for path in images:
        if path.is_dir():
            raise click.UsageError(f"{path} is a folder; name image files (e.g. {path}/*.jpg)")
    return model, images


def _json_record(path, found) -> str:
    """One image's detections as the JSON line ``--json`` prints."""
    return json.dumps({
        "image": str(path),
        "detections": [
            {"box": [round(float(v), 1) for v in box], "score": round(float(score), 4),
             "probability": round(float(probability), 4)}
            for box, score, probability in zip(found.boxes, found.scores, found.probabilities)
        ],
    })


def _text_lines(path, found):
    """One image's detections as the lines printed without ``--json``."""
    yield f"{path}: {len(found)} people"
    for box, probability in zip(found.boxes, found.probabilities):
        x1, y1, x2, y2 = (int(round(v)) for v in box)
        yield f"  [{x1}, {y1}, {x2}, {y2}]  p={probability:.3f}"


@main.command()
@click.argument("images", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="[MODEL.npz] IMAGES...")
@click.option("--model", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Model file (.npz) from hogdet train/mine. Default: the model bundled with hogdet.")
@click.option("--threshold", type=float, default=0.5, show_default=True, callback=check_probability,
              help="Minimum calibrated probability of a reported person.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per image.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write each image with its boxes drawn.")
@suppression_options
@scale_step_option
@padding_option
@pyramid_option_with_default("approximate")
@click.option("--n-jobs", type=int, default=1, show_default=True, callback=check_jobs,
              help="Images detected at once, one per worker process (-1: all cores). Output stays in input order.")
@friendly_errors
def detect(images, model, threshold, as_json, out, nms_overlap, nms_measure, nms_inside, aspect, scale_step, padding,
           pyramid, n_jobs):
    """Find people in images.

    Without a model, hogdet's bundled model is used. The older form with
    the model first (a file ending in .npz) still works.

    \b
    Example:
      hogdet detect street.jpg park.png --threshold 0.7 --json
      hogdet detect photos/*.jpg --out annotated/ --n-jobs 2
      hogdet detect --model runs/inria/model.npz street.jpg
    """
    from ..batch import detect_images
    from ..detection import ScanParameters
    from ..model import load_default_model, load_model

    model, images = _model_and_images(model, images)
    detector = load_default_model() if model is None else load_model(model)
    scan = ScanParameters(scale_step=scale_step, padding=padding, pyramid=pyramid)
    results = detect_images(
        images, detector, threshold, scan, suppression=suppression(nms_overlap, nms_measure, nms_inside), aspect=aspect,
        n_jobs=n_jobs,
    )
    failures = 0
    for result in results:
        path, found = result.path, result.detections
        if found is None:
            click.echo(f"Error: {result.error}", err=True)
            failures += 1
            continue
        if as_json:
            click.echo(_json_record(path, found))
        else:
            for line in _text_lines(path, found):
                click.echo(line)
        if out is not None:
            from ..io import read_image
            from ..plotting import draw_detections, save_figure

            drawn = draw_detections(read_image(path), found.boxes, found.probabilities)
            save_figure(drawn.figure_, out / f"{path.stem}.png")
    if failures:
        raise click.ClickException(f"{failures} of {len(images)} images could not be read")
