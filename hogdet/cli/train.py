"""``hogdet train``: the round-0 detector, from crops and random negative windows."""

from __future__ import annotations

from pathlib import Path

import click

from . import main
from .options import data_option, flag_errors, friendly_errors, say, training_options
from .settings import mining_options, recipe_from_options


@main.command()
@data_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Model file to write (.npz).")
@training_options
@friendly_errors
def train(data, out, **values):
    """Train the round-0 detector: crops as positives, random windows as negatives.

    \b
    Example:
      hogdet train --data data/INRIAPerson --out model.npz
      hogdet train --data data/INRIAPerson --out dt.npz --preset dalal-triggs --seed 1
    """
    from ..datasets import load_dataset, resolve_data_dir
    from ..training import train as train_model

    values.update(scale_step=1.05, padding=32)
    preset = values["preset"]
    with flag_errors():
        recipe_settings, overridden = recipe_from_options(values)
        options = mining_options(1, values, recipe_settings, overridden, preset)
    dataset = load_dataset(resolve_data_dir(data, progress=True))
    say(
        f"training on {len(dataset.train_positive_crops)} crops and "
        f"{len(dataset.train_negative_images)} person-free images from {dataset.root}"
    )
    detector = train_model(
        dataset,
        hog=options.hog,
        negatives_per_image=options.negatives_per_image,
        C=options.C,
        seed=options.seed,
        n_jobs=values["n_jobs"],
        progress=True,
        annotated_positives=options.annotated_positives,
    )
    detector.save(out)
    info = detector.metadata
    say(f"wrote {out} ({info['n_positives']} positives, {info['n_negatives']} negatives)")
