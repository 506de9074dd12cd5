"""``hogdet mine`` (one mining run) and ``hogdet compare`` (several strategies from the same round 0)."""

from __future__ import annotations

from pathlib import Path

import click

from . import main
from .options import (
    data_option,
    flag_errors,
    friendly_errors,
    padding_option,
    preset_values,
    say,
    scale_step_option,
    strategy_options,
    training_options,
)
from .settings import (
    check_some_strategy_takes,
    check_strategy_takes,
    mining_options,
    recipe_from_options,
    strategy_for,
    strategy_settings,
)


@main.command()
@data_option
@click.option("--rounds", type=int, default=3, show_default=True, help="Mining rounds after the initial training.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Run folder (config, metrics, models, mined windows, plot).")
@click.option("--strategy", default=None,
              help="Which examples to mine: hard-negative, hard-example, uncertain, ohem, focal, iou-balanced, prime "
                   f"[{preset_values('strategy')}].")
@strategy_options
@training_options
@click.option("--resume", is_flag=True, help="Continue the run in --out after its last finished round.")
@click.option("--backend", type=click.Choice(["loky", "dask"]), default="loky", show_default=True,
              help="Where scanning runs: local processes, or a Dask cluster.")
@click.option("--scheduler", default=None, help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (with --backend dask).")
@scale_step_option
@padding_option
@friendly_errors
def mine(data, rounds, out, strategy, resume, backend, scheduler, **values):
    """Hard negative mining: train, rescan person-free images, add false positives, retrain.

    \b
    Example:
      hogdet mine --data synthetic --rounds 3 --out runs/demo
      hogdet mine --data data/INRIAPerson --rounds 3 --out runs/inria
      hogdet mine --data data/INRIAPerson --rounds 3 --out runs/inria --resume
      hogdet mine --data data/INRIAPerson --rounds 3 --out runs/dt --preset dalal-triggs
      hogdet mine --data data/INRIAPerson --out runs/focal --strategy focal --gamma 2
      hogdet mine --data data/INRIAPerson --out runs/big --backend dask --scheduler tcp://head:8786
    """
    from ..datasets import load_dataset, resolve_data_dir
    from ..mining import mine as run_mining
    from ..recipes import PRESETS
    from ..recipes import strategy_settings as recipe_strategy_settings

    preset = values["preset"]
    with flag_errors({"name": "--strategy"}):
        recipe_settings, overridden = recipe_from_options(values, strategy)
        name = recipe_settings["strategy"]
        settings = strategy_settings(values)
        check_strategy_takes(name, settings)  # an explicit option the strategy does not take: a usage error
        # The preset's scan_positive_images belongs to its own strategy, not to one named instead.
        own = strategy is None or strategy == PRESETS[preset]["strategy"]
        chosen = strategy_for(name, recipe_strategy_settings(recipe_settings, name, settings, own_strategy=own))
        options = mining_options(rounds, values, recipe_settings, {**overridden, **settings}, preset)
        dataset = load_dataset(resolve_data_dir(data, progress=True))
        say(
            f"mining {rounds} rounds on {dataset.root}: {len(dataset.train_positive_crops)} crops, "
            f"{len(dataset.train_negative_images)} person-free images; strategy {chosen.name}"
        )
        result = run_mining(
            dataset, out, options, chosen, n_jobs=values["n_jobs"], backend=backend, scheduler=scheduler,
            resume=resume, progress=True, log=say,
        )
    say(f"final model: {result.out_dir / 'model.npz'}")


@main.command()
@data_option
@click.option("--strategies", required=True, help="Comma-separated strategy names, e.g. hard-negative,ohem,focal.")
@click.option("--rounds", type=int, default=3, show_default=True, help="Mining rounds per strategy.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for one run per strategy, results.md, results.csv and DET plots.")
@strategy_options
@training_options
@click.option("--resume", is_flag=True, help="Continue unfinished runs in --out.")
@scale_step_option
@padding_option
@friendly_errors
def compare(data, strategies, rounds, out, resume, **values):
    """Compare mining strategies from the same round-0 model, with both INRIA protocols.

    \b
    Example:
      hogdet compare --data data/INRIAPerson --strategies hard-negative,ohem,focal --rounds 3 --out runs/compare
    """
    from ..comparison import compare_strategies
    from ..datasets import load_dataset, resolve_data_dir
    from ..recipes import STRATEGY_SETTINGS

    names = [name.strip() for name in strategies.split(",") if name.strip()]
    preset = values["preset"]
    with flag_errors({"name": "--strategies"}):
        recipe_settings, overridden = recipe_from_options(values)
        settings = strategy_settings(values)
        check_some_strategy_takes(names, settings)
        options = mining_options(rounds, values, recipe_settings, {**overridden, **settings}, preset)
        # One set of options for every strategy; each takes the ones it accepts (make_strategy ignores the rest).
        settings = {**{key: recipe_settings[key] for key in STRATEGY_SETTINGS}, **settings}
        dataset = load_dataset(resolve_data_dir(data, progress=True))
        compare_strategies(
            dataset, names, out, options, strategy_options=settings, n_jobs=values["n_jobs"], progress=True,
            log=say, resume=resume,
        )
    click.echo((out / "results.md").read_text())
