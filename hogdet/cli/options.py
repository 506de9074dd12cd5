"""Options several commands share, and how library errors are shown with the flags that caused them.

A library error names a Python parameter (``max_per_image``); the command
line shows the flag that sets it (``--max-per-image``) instead.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from pathlib import Path

import click

from ..errors import HogdetError


def friendly_errors(command):
    """Turn HogdetError into click's one-line 'Error: ...' and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except HogdetError as error:
            raise click.ClickException(command_line_message(error)) from None
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)

    return wrapper


#: Where to get a data set, said when none is found.
NO_DATA_SET_HINT = (
    "Get INRIA Person with `hogdet data fetch --archive INRIAPerson.tar` "
    "(see README, 'Getting the data'), or try hogdet on its synthetic data set with --data synthetic"
)


def command_line_message(error: HogdetError) -> str:
    """The one-line message of a library error: where the library names ``data`` and fetch_dataset, --data."""
    from ..datasets import NoDatasetError

    if isinstance(error, NoDatasetError):
        return error.describe(data_name="--data", hint=NO_DATA_SET_HINT)
    return str(error)


def check_probability(ctx, param, value):
    """Option callback: a probability strictly between 0 and 1 (or None)."""
    if value is not None and not 0.0 < value < 1.0:
        raise click.BadParameter(f"must be between 0 and 1 (exclusive), got {value}")
    return value


def check_jobs(ctx, param, value):
    """Option callback: a number of workers (-1: all cores); 0 is refused."""
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
    "--n-jobs", type=int, default=-1, show_default=True, callback=check_jobs, help="Parallel workers (-1: all cores)."
)
scale_step_option = click.option(
    "--scale-step", type=click.FloatRange(min=1.0, min_open=True), default=1.05, show_default=True,
    help="Ratio between pyramid levels.",
)
def pyramid_option_with_default(default: str):
    """--pyramid exact|approximate, with the command's own default."""
    return click.option(
        "--pyramid", type=click.Choice(["exact", "approximate"]), default=default, show_default=True,
        help="HOG on every pyramid level, or on 2 real levels per octave with the others resampled "
             "(2.4x faster; on the benchmark no less accurate, README 'Speed').",
    )


pyramid_option = pyramid_option_with_default("exact")
padding_option = click.option(
    "--padding", type=click.IntRange(min=0), default=32, show_default=True,
    help="Reflected border (pixels) added before scanning, to find people at the image edge.",
)


def preset_values(setting: str) -> str:
    """'default X; dalal-triggs Y' for an option's help: what each preset sets it to."""
    from ..recipes import PRESETS

    def shown(value):
        return {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value

    return "; ".join(f"{name} {shown(values[setting])}" for name, values in PRESETS.items())


def _apply(options, command):
    for option in reversed(options):
        command = option(command)
    return command


def training_options(command):
    """Options shared by train, mine and compare: the recipe, and how round 0 is trained."""
    from ..recipes import DEFAULT_PRESET, PRESETS

    options = [
        click.option("--preset", type=click.Choice(list(PRESETS)), default=DEFAULT_PRESET, show_default=True,
                     help="Recipe the options marked [default ...; dalal-triggs ...] start from: 'default' was chosen by cross-validation on training "
                          "data (README, 'How the defaults were chosen'); 'dalal-triggs' is the paper's. An option "
                          "given explicitly wins; config.json records both."),
        click.option("--neg-per-image", type=click.IntRange(min=1), default=None,
                     help=f"Random negative windows drawn from each person-free image [{preset_values('negatives_per_image')}]."),
        click.option("--C", "C", type=click.FloatRange(min=0, min_open=True), default=None,
                     help=f"SVM regularisation [{preset_values('C')}]."),
        click.option("--hog-interpolation", type=click.Choice(["none", "orientation", "trilinear"]), default=None,
                     help="HOG voting: none (= skimage.feature.hog), orientation, or Dalal & Triggs' trilinear "
                          f"[{preset_values('hog_interpolation')}]."),
        click.option("--hog-block-sigma", type=click.FloatRange(min=0), default=None,
                     help="trilinear HOG: Gaussian window over each block, sigma in block widths (0: none) "
                          f"[{preset_values('hog_block_sigma')}]."),
        click.option("--annotated-positives/--no-annotated-positives", default=None,
                     help="Also train on the annotated people of Train/pos photographs (and their mirror images) "
                          f"[{preset_values('annotated_positives')}]."),
        seed_option,
        jobs_option,
    ]
    return _apply(options, command)


def strategy_options(command):
    """Options of the mining strategies (each strategy uses the ones it needs)."""
    options = [
        click.option("--threshold", type=float, default=None, callback=check_probability,
                     help="Hard negatives: background windows with calibrated probability above this "
                          f"[{preset_values('threshold')}]."),
        click.option("--max-per-image", type=int, default=None,
                     help="At most this many windows per image and round (highest scores first) "
                          f"[{preset_values('max_per_image')}]."),
        click.option("--max-hard", type=int, default=None,
                     help=f"At most this many windows per round (highest scores first) [{preset_values('max_hard')}]."),
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
    return _apply(options, command)


#: Python names of the options :func:`strategy_options` adds.
STRATEGY_OPTION_NAMES = (
    "threshold", "max_per_image", "max_hard", "mine_positive_images", "gamma", "band", "top_k",
    "jitter_copies", "jitter", "iou_bins", "floor_iou", "floor_fraction", "importance_bias",
)


def suppression_options(command):
    """--nms-overlap, --nms-measure and --aspect: how boxes are reported and suppressed."""
    from ..boxes import MEASURES, Suppression

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
    return _apply(options, command)


#: Flag of each library parameter that is not simply ``--`` plus its name with dashes.
_FLAG = {
    "scan_positive_images": "--mine-positive-images",
    "negatives_per_image": "--neg-per-image",
    "out_dir": "--out",
    "dataset": "--data",
}


def flag(parameter: str, renamed: dict | None = None) -> str:
    """The flag that sets library parameter ``parameter`` (``renamed``: a command's own exceptions)."""
    renamed = {**_FLAG, **(renamed or {})}
    return renamed.get(parameter, "--" + parameter.replace("_", "-"))


@contextlib.contextmanager
def flag_errors(renamed: dict | None = None):
    """Show a library error about a parameter with the flag that sets it."""
    from ..errors import ParameterError
    from ..mining import FolderNotEmptyError

    try:
        yield
    except ParameterError as error:
        raise click.ClickException(f"{flag(error.parameter, renamed)} {error.problem}") from None
    except FolderNotEmptyError as error:
        raise click.ClickException(f"{error} (a new --out folder, or --resume)") from None


def say(line: str) -> None:
    """Progress and log lines go to stderr, so stdout holds only results."""
    click.echo(line, err=True)
