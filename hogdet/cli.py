"""The ``hogdet`` command line: options in, library calls out.

Every command is a thin wrapper over a library function; a user's mistake
(bad file, bad option, missing data) becomes a one-line error and exit
code 1 (2 for a malformed command line, as click does), never a traceback.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from pathlib import Path

import click

from . import __version__
from .errors import HogdetError


def _friendly_errors(command):
    """Turn HogdetError into click's one-line 'Error: ...' and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except HogdetError as error:
            raise click.ClickException(_command_line_message(error)) from None
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)

    return wrapper


#: Where to get a data set, said when none is found.
_NO_DATA_SET_HINT = (
    "Get INRIA Person with `hogdet data fetch --archive INRIAPerson.tar` "
    "(see README, 'Getting the data'), or try hogdet on its synthetic data set with --data synthetic"
)


def _command_line_message(error: HogdetError) -> str:
    """The one-line message of a library error; where the library names ``data`` and fetch_dataset, --data and the command."""
    from .datasets import NoDatasetError

    if isinstance(error, NoDatasetError):
        return error.describe(data_name="--data", hint=_NO_DATA_SET_HINT)
    return str(error)


def _probability(ctx, param, value):
    if value is not None and not 0.0 < value < 1.0:
        raise click.BadParameter(f"must be between 0 and 1 (exclusive), got {value}")
    return value


def _jobs(ctx, param, value):
    if value == 0:
        raise click.BadParameter("0 workers makes no sense; use 1 (serial) or -1 (all cores)")
    return value


data_option = click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Data set folder (INRIA layout or the simple layout), or 'synthetic' for hogdet's generated demo set "
         "(made once into ~/.cache/hogdet). Default: $HOGDET_DATA, then data/INRIAPerson.",
)
seed_option = click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
jobs_option = click.option(
    "--n-jobs", type=int, default=-1, show_default=True, callback=_jobs, help="Parallel workers (-1: all cores)."
)
scale_step_option = click.option(
    "--scale-step", type=click.FloatRange(min=1.0, min_open=True), default=1.05, show_default=True,
    help="Ratio between pyramid levels.",
)
pyramid_option = click.option(
    "--pyramid", type=click.Choice(["exact", "approximate"]), default="exact", show_default=True,
    help="HOG on every pyramid level, or on 2 per octave with the others resampled (faster, slightly less accurate).",
)
padding_option = click.option(
    "--padding", type=click.IntRange(min=0), default=32, show_default=True,
    help="Reflected border (pixels) added before scanning, to find people at the image edge.",
)


def _preset_values(setting: str) -> str:
    """'default X; dalal-triggs Y' for an option's help: what each preset sets it to."""
    from .recipes import PRESETS

    def shown(value):
        return {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value

    return "; ".join(f"{name} {shown(values[setting])}" for name, values in PRESETS.items())


def training_options(command):
    """Options shared by train, mine and compare: the recipe, and how round 0 is trained."""
    from .recipes import DEFAULT_PRESET, PRESETS

    options = [
        click.option("--preset", type=click.Choice(list(PRESETS)), default=DEFAULT_PRESET, show_default=True,
                     help="Recipe the options marked [default ...; dalal-triggs ...] start from: 'default' was chosen by cross-validation on training "
                          "data (README, 'How the defaults were chosen'); 'dalal-triggs' is the paper's. An option "
                          "given explicitly wins; config.json records both."),
        click.option("--neg-per-image", type=click.IntRange(min=1), default=None,
                     help=f"Random negative windows drawn from each person-free image [{_preset_values('negatives_per_image')}]."),
        click.option("--C", "C", type=click.FloatRange(min=0, min_open=True), default=None,
                     help=f"SVM regularisation [{_preset_values('C')}]."),
        click.option("--hog-interpolation", type=click.Choice(["none", "orientation", "trilinear"]), default=None,
                     help="HOG voting: none (= skimage.feature.hog), orientation, or Dalal & Triggs' trilinear "
                          f"[{_preset_values('hog_interpolation')}]."),
        click.option("--hog-block-sigma", type=click.FloatRange(min=0), default=None,
                     help="trilinear HOG: Gaussian window over each block, sigma in block widths (0: none) "
                          f"[{_preset_values('hog_block_sigma')}]."),
        click.option("--annotated-positives/--no-annotated-positives", default=None,
                     help="Also train on the annotated people of Train/pos photographs (and their mirror images) "
                          f"[{_preset_values('annotated_positives')}]."),
        seed_option,
        jobs_option,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def strategy_options(command):
    """Options of the mining strategies (each strategy uses the ones it needs)."""
    options = [
        click.option("--threshold", type=float, default=None, callback=_probability,
                     help="Hard negatives: background windows with calibrated probability above this "
                          f"[{_preset_values('threshold')}]."),
        click.option("--max-per-image", type=int, default=None,
                     help="At most this many windows per image and round (highest scores first) "
                          f"[{_preset_values('max_per_image')}]."),
        click.option("--max-hard", type=int, default=None,
                     help=f"At most this many windows per round (highest scores first) [{_preset_values('max_hard')}]."),
        click.option("--mine-positive-images/--no-mine-positive-images", default=None,
                     help="hard-negative, prime: also mine the backgrounds of the annotated Train/pos photographs "
                          "(default: the strategy's own; prime does)."),
        click.option("--gamma", type=float, default=2.0, show_default=True, help="focal, prime: focusing exponent."),
        click.option("--band", type=float, default=0.1, show_default=True,
                     help="uncertain: half-width of the probability band around 0.5."),
        click.option("--top-k", type=int, default=10, show_default=True, help="ohem: windows kept per image."),
        click.option("--jitter-copies", type=int, default=4, show_default=True,
                     help="hard-example: jittered windows per missed person."),
        click.option("--jitter", type=float, default=0.05, show_default=True,
                     help="hard-example: jitter of position and scale (fraction of the person's height)."),
        click.option("--iou-bins", type=int, default=3, show_default=True, help="iou-balanced: IoU bins."),
        click.option("--floor-iou", type=float, default=0.1, show_default=True,
                     help="iou-balanced: IoU below which windows are drawn at random."),
        click.option("--floor-fraction", type=float, default=0.25, show_default=True,
                     help="iou-balanced: share drawn at random below --floor-iou."),
        click.option("--importance-bias", type=float, default=0.0, show_default=True,
                     help="prime: bias of the importance weights, in [0, 1]."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


_STRATEGY_OPTION_NAMES = (
    "threshold", "max_per_image", "max_hard", "mine_positive_images", "gamma", "band", "top_k",
    "jitter_copies", "jitter", "iou_bins", "floor_iou", "floor_fraction", "importance_bias",
)


#: Library parameter of each strategy option whose flag says it differently.
_STRATEGY_PARAMETER = {"mine_positive_images": "scan_positive_images"}

#: Flag of each library parameter that is not simply ``--`` plus its name with dashes.
_FLAG = {
    "scan_positive_images": "--mine-positive-images",
    "negatives_per_image": "--neg-per-image",
    "out_dir": "--out",
    "dataset": "--data",
}


def _strategy_settings(values: dict) -> dict:
    """The strategy options given on the command line, by library parameter name.

    Options left out are not passed at all, so each strategy keeps its own
    defaults: ``--strategy prime`` scans the annotated photographs, as
    :class:`hogdet.mining.strategies.Prime` does.
    """
    from click.core import ParameterSource

    context = click.get_current_context()
    settings = {}
    for name in _STRATEGY_OPTION_NAMES:
        value = values.pop(name)
        if context.get_parameter_source(name) not in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP, None):
            settings[_STRATEGY_PARAMETER.get(name, name)] = value
    return settings


def _flag(parameter: str, renamed: dict | None = None) -> str:
    renamed = {**_FLAG, **(renamed or {})}
    return renamed.get(parameter, "--" + parameter.replace("_", "-"))


@contextlib.contextmanager
def _flag_errors(renamed: dict | None = None):
    """Show a library error about a parameter with the flag that sets it."""
    from .errors import ParameterError
    from .mining import FolderNotEmptyError

    try:
        yield
    except ParameterError as error:
        raise click.ClickException(f"{_flag(error.parameter, renamed)} {error.problem}") from None
    except FolderNotEmptyError as error:
        raise click.ClickException(f"{error} (a new --out folder, or --resume)") from None


def _check_some_strategy_takes(names: list[str], settings: dict) -> None:
    """Each strategy of a comparison takes the options it accepts; an option none of them takes is a usage error."""
    from .strategies import strategy_parameters

    accepted = set().union(*(strategy_parameters(name) for name in names)) if names else set(settings)
    unused = sorted(set(settings) - accepted)
    if unused:
        flags = ", ".join(_flag(parameter) for parameter in unused)
        raise click.UsageError(f"{flags}: not an option of any of --strategies {','.join(names)}")


def _strategy_for(name: str, settings: dict):
    """The strategy ``name`` with the given options; an option it does not take is a usage error."""
    from .strategies import make_strategy, strategy_parameters

    unused = sorted(set(settings) - set(strategy_parameters(name)))
    if unused:
        flags = ", ".join(_flag(parameter) for parameter in unused)
        raise click.UsageError(f"{flags}: not an option of --strategy {name}")
    return make_strategy(name, **settings)


#: Recipe setting of each command-line option that a preset sets.
_RECIPE_OPTIONS = {
    "neg_per_image": "negatives_per_image", "C": "C", "hog_interpolation": "hog_interpolation",
    "hog_block_sigma": "hog_block_sigma", "annotated_positives": "annotated_positives",
}
#: Strategy options a preset sets, used when the strategy takes them and they were not given.
_RECIPE_STRATEGY_OPTIONS = ("threshold", "max_per_image", "max_hard")


def _recipe(values: dict, strategy: str | None = None) -> tuple[dict, dict]:
    """The preset's settings with the options given explicitly; ``values`` loses the recipe options."""
    from .recipes import recipe

    explicit = {setting: values.pop(name) for name, setting in _RECIPE_OPTIONS.items()}
    if strategy is not None:
        explicit["strategy"] = strategy
    return recipe(values.pop("preset"), explicit)


def _with_recipe_strategy_options(name: str, settings: dict, recipe_settings: dict, same_strategy: bool) -> dict:
    """Strategy options given explicitly, completed with the preset's where the strategy takes them."""
    from .strategies import strategy_parameters

    accepted = strategy_parameters(name)
    completed = {key: recipe_settings[key] for key in _RECIPE_STRATEGY_OPTIONS if key in accepted}
    if same_strategy and "scan_positive_images" in accepted:
        completed["scan_positive_images"] = recipe_settings["scan_positive_images"]
    return {**completed, **settings}


def _mining_options(rounds, values: dict, recipe_settings: dict, overridden: dict, preset: str):
    from .detection import ScanParameters
    from .features import HOGParameters
    from .mining import MiningOptions

    return MiningOptions(
        rounds=rounds,
        negatives_per_image=recipe_settings["negatives_per_image"],
        C=recipe_settings["C"],
        seed=values["seed"],
        scan=ScanParameters(scale_step=values["scale_step"], padding=values["padding"]),
        hog=HOGParameters(interpolation=recipe_settings["hog_interpolation"],
                          block_sigma=recipe_settings["hog_block_sigma"]),
        annotated_positives=recipe_settings["annotated_positives"],
        recipe={"preset": preset, "overridden": overridden},
    )


def _say(line: str) -> None:
    click.echo(line, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hogdet")
def main() -> None:
    """hogdet: the Dalal & Triggs HOG + linear SVM person detector, with hard example mining.

    \b
    Example:
      hogdet train --data data/INRIAPerson --out model.npz
      hogdet detect street.jpg --json
    """


@main.command()
@data_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Model file to write (.npz).")
@training_options
@_friendly_errors
def train(data, out, **values):
    """Train the round-0 detector: crops as positives, random windows as negatives.

    \b
    Example:
      hogdet train --data data/INRIAPerson --out model.npz
      hogdet train --data data/INRIAPerson --out dt.npz --preset dalal-triggs --seed 1
    """
    from .datasets import load_dataset, resolve_data_dir
    from .training import train as train_model

    values.update(scale_step=1.05, padding=32)
    preset = values["preset"]
    with _flag_errors():
        recipe_settings, overridden = _recipe(values)
        options = _mining_options(1, values, recipe_settings, overridden, preset)
    dataset = load_dataset(resolve_data_dir(data, progress=True))
    _say(
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
    _say(f"wrote {out} ({info['n_positives']} positives, {info['n_negatives']} negatives)")


def suppression_options(command):
    """--nms-overlap, --nms-measure and --aspect: how boxes are reported and suppressed."""
    from .boxes import MEASURES, Suppression

    default = Suppression()
    options = [
        click.option("--nms-overlap", type=click.FloatRange(0, 1), default=default.overlap, show_default=True,
                     help="Overlap (see --nms-measure) above which a weaker box is suppressed."),
        click.option("--nms-measure", type=click.Choice(MEASURES), default=default.measure, show_default=True,
                     help="Overlap of two boxes: iou, or intersection over the smaller box "
                          "(also removes a box lying mostly inside a stronger one)."),
        click.option("--nms-inside", type=click.FloatRange(0, 1), default=default.inside,
                     help="Also suppress a weaker box whose area lies more than this fraction inside a stronger one "
                          "(1: never)."),
        click.option("--aspect", type=click.FloatRange(min=0, min_open=True), default=None,
                     help="Width/height of a reported box. Default: the people's aspect the model learnt "
                          "from its training annotations, else 0.41."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _suppression(nms_overlap, nms_measure, nms_inside):
    from .boxes import Suppression

    return Suppression(overlap=nms_overlap, measure=nms_measure, inside=nms_inside)


def _detect_model_and_images(model, images):
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


@main.command()
@click.argument("images", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="[MODEL.npz] IMAGES...")
@click.option("--model", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Model file (.npz) from hogdet train/mine. Default: the model bundled with hogdet.")
@click.option("--threshold", type=float, default=0.5, show_default=True, callback=_probability,
              help="Minimum calibrated probability of a reported person.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per image.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write each image with its boxes drawn.")
@suppression_options
@scale_step_option
@padding_option
@pyramid_option
@click.option("--n-jobs", type=int, default=1, show_default=True, callback=_jobs,
              help="Images detected at once, one per worker process (-1: all cores). Output stays in input order.")
@_friendly_errors
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
    from .batch import detect_images
    from .detection import ScanParameters
    from .model import load_default_model, load_model

    model, images = _detect_model_and_images(model, images)
    detector = load_default_model() if model is None else load_model(model)
    scan = ScanParameters(scale_step=scale_step, padding=padding, pyramid=pyramid)
    results = detect_images(
        images, detector, threshold, scan, suppression=_suppression(nms_overlap, nms_measure, nms_inside), aspect=aspect,
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
            record = {
                "image": str(path),
                "detections": [
                    {"box": [round(float(v), 1) for v in box], "score": round(float(score), 4),
                     "probability": round(float(probability), 4)}
                    for box, score, probability in zip(found.boxes, found.scores, found.probabilities)
                ],
            }
            click.echo(json.dumps(record))
        else:
            click.echo(f"{path}: {len(found)} people")
            for box, probability in zip(found.boxes, found.probabilities):
                x1, y1, x2, y2 = (int(round(v)) for v in box)
                click.echo(f"  [{x1}, {y1}, {x2}, {y2}]  p={probability:.3f}")
        if out is not None:
            from .io import read_image
            from .plotting import draw_detections

            draw_detections(read_image(path), found.boxes, found.probabilities, out / f"{path.stem}.png")
    if failures:
        raise click.ClickException(f"{failures} of {len(images)} images could not be read")


@main.command()
@data_option
@click.option("--rounds", type=int, default=3, show_default=True, help="Mining rounds after the initial training.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Run folder (config, metrics, models, mined windows, plot).")
@click.option("--strategy", default=None,
              help="Which examples to mine: hard-negative, hard-example, uncertain, ohem, focal, iou-balanced, prime "
                   f"[{_preset_values('strategy')}].")
@strategy_options
@training_options
@click.option("--resume", is_flag=True, help="Continue the run in --out after its last finished round.")
@click.option("--backend", type=click.Choice(["loky", "dask"]), default="loky", show_default=True,
              help="Where scanning runs: local processes, or a Dask cluster.")
@click.option("--scheduler", default=None, help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (with --backend dask).")
@scale_step_option
@padding_option
@_friendly_errors
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
    from .datasets import load_dataset, resolve_data_dir
    from .mining import mine as run_mining
    from .recipes import PRESETS

    preset = values["preset"]
    with _flag_errors({"name": "--strategy"}):
        recipe_settings, overridden = _recipe(values, strategy)
        name = recipe_settings["strategy"]
        settings = _strategy_settings(values)
        chosen = _strategy_for(name, settings)  # an explicit option the strategy does not take: a usage error
        # The preset's scan_positive_images belongs to its own strategy, not to one named instead.
        own = strategy is None or strategy == PRESETS[preset]["strategy"]
        chosen = _strategy_for(name, _with_recipe_strategy_options(name, settings, recipe_settings, own))
        options = _mining_options(rounds, values, recipe_settings, {**overridden, **settings}, preset)
        dataset = load_dataset(resolve_data_dir(data, progress=True))
        _say(
            f"mining {rounds} rounds on {dataset.root}: {len(dataset.train_positive_crops)} crops, "
            f"{len(dataset.train_negative_images)} person-free images; strategy {chosen.name}"
        )
        result = run_mining(
            dataset, out, options, chosen, n_jobs=values["n_jobs"], backend=backend, scheduler=scheduler,
            resume=resume, progress=True, log=_say,
        )
    _say(f"final model: {result.out_dir / 'model.npz'}")


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
@_friendly_errors
def compare(data, strategies, rounds, out, resume, **values):
    """Compare mining strategies from the same round-0 model, with both INRIA protocols.

    \b
    Example:
      hogdet compare --data data/INRIAPerson --strategies hard-negative,ohem,focal --rounds 3 --out runs/compare
    """
    from .comparison import compare_strategies
    from .datasets import load_dataset, resolve_data_dir

    names = [name.strip() for name in strategies.split(",") if name.strip()]
    preset = values["preset"]
    with _flag_errors({"name": "--strategies"}):
        recipe_settings, overridden = _recipe(values)
        settings = _strategy_settings(values)
        _check_some_strategy_takes(names, settings)
        options = _mining_options(rounds, values, recipe_settings, {**overridden, **settings}, preset)
        settings = {**{key: recipe_settings[key] for key in _RECIPE_STRATEGY_OPTIONS}, **settings}
        dataset = load_dataset(resolve_data_dir(data, progress=True))
        compare_strategies(
            dataset, names, out, options, strategy_options=settings, n_jobs=values["n_jobs"], progress=True,
            log=_say, resume=resume,
        )
    click.echo((out / "results.md").read_text())


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
@_friendly_errors
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
    from .datasets import load_dataset, resolve_data_dir
    from .detection import ScanParameters
    from .evaluation import evaluate as run_evaluation
    from .evaluation import write_comparison, write_evaluation
    from .model import load_model
    from .peers import HogdetScorer, OpenCVPeopleDetector

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
            suppression=_suppression(nms_overlap, nms_measure, nms_inside), aspect=aspect,
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


@main.group()
def data() -> None:
    """Check or fetch the INRIA Person data set.

    \b
    Example:
      hogdet data check data/INRIAPerson
      hogdet data fetch --archive ~/Downloads/INRIAPerson.tar
    """


@data.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@_friendly_errors
def data_check(directory):
    """Report what is present per folder against the original INRIA counts.

    \b
    Example:
      hogdet data check data/INRIAPerson
    """
    from .datasets import check_dataset, format_check_report, resolve_data_dir

    click.echo(format_check_report(check_dataset(resolve_data_dir(directory))))


@data.command("fetch")
@click.option("--url", default=None, help="Where to download INRIAPerson.tar from.")
@click.option("--sha256", default=None, help="Expected SHA-256 of the archive.")
@click.option("--archive", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A local INRIAPerson.tar to unpack instead of downloading.")
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path), default=Path("data"), show_default=True,
              help="Folder that will hold INRIAPerson/.")
@_friendly_errors
def data_fetch(url, sha256, archive, dest):
    """Download (or take a local) INRIAPerson.tar, verify it, unpack it into data/.

    INRIA Person is published by its authors at
    http://pascal.inrialpes.fr/data/human/ (Dalal & Triggs, CVPR 2005).

    \b
    Example:
      hogdet data fetch --archive INRIAPerson.tar --sha256 <hex>
    """
    from .datasets import fetch_dataset

    if (url is None) == (archive is None):
        raise click.UsageError("give exactly one of --url or --archive")
    root = fetch_dataset(dest=dest, url=url, sha256=sha256, archive=archive, progress=True)
    click.echo(f"INRIA Person ready in {root}")


if __name__ == "__main__":  # pragma: no cover
    main()
