"""From parsed options to library settings: the recipe, the mining strategy and its options, suppression.

A strategy option left out on the command line is not passed at all, so
that each strategy keeps its own default; an option given explicitly wins
over the preset's value. A strategy option the chosen strategy does not take
is a usage error naming its flag.
"""

from __future__ import annotations

import click

from .options import STRATEGY_OPTION_NAMES, flag

#: Library parameter of each strategy option whose flag says it differently.
_STRATEGY_PARAMETER = {"mine_positive_images": "scan_positive_images"}

#: Recipe setting of each command-line option that a preset sets.
_RECIPE_OPTIONS = {
    "neg_per_image": "negatives_per_image", "C": "C", "hog_interpolation": "hog_interpolation",
    "hog_block_sigma": "hog_block_sigma", "annotated_positives": "annotated_positives",
}


def strategy_settings(values: dict) -> dict:
    """The strategy options given on the command line, by library parameter name; ``values`` loses them all.

    Options left out are not passed at all, so each strategy keeps its own
    defaults: ``--strategy prime`` scans the annotated photographs, as
    :class:`hogdet.mining.strategies.Prime` does.
    """
    from click.core import ParameterSource

    context = click.get_current_context()
    settings = {}
    for name in STRATEGY_OPTION_NAMES:
        value = values.pop(name)
        if context.get_parameter_source(name) not in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP, None):
            settings[_STRATEGY_PARAMETER.get(name, name)] = value
    return settings


def check_some_strategy_takes(names: list[str], settings: dict) -> None:
    """Each strategy of a comparison takes the options it accepts; an option none of them takes is a usage error."""
    from ..strategies import strategy_parameters

    accepted = set().union(*(strategy_parameters(name) for name in names)) if names else set(settings)
    unused = sorted(set(settings) - accepted)
    if unused:
        flags = ", ".join(flag(parameter) for parameter in unused)
        raise click.UsageError(f"{flags}: not an option of any of --strategies {','.join(names)}")


def check_strategy_takes(name: str, settings: dict) -> None:
    """An option given for ``--strategy name`` that the strategy does not take is a usage error."""
    from ..strategies import strategy_parameters

    unused = sorted(set(settings) - set(strategy_parameters(name)))
    if unused:
        flags = ", ".join(flag(parameter) for parameter in unused)
        raise click.UsageError(f"{flags}: not an option of --strategy {name}")


def strategy_for(name: str, settings: dict):
    """The strategy ``name`` with the given options; an option it does not take is a usage error."""
    from ..strategies import make_strategy

    check_strategy_takes(name, settings)
    return make_strategy(name, **settings)


def recipe_from_options(values: dict, strategy: str | None = None) -> tuple[dict, dict]:
    """The preset's settings with the options given explicitly; ``values`` loses the recipe options."""
    from ..recipes import recipe

    explicit = {setting: values.pop(name) for name, setting in _RECIPE_OPTIONS.items()}
    if strategy is not None:
        explicit["strategy"] = strategy
    return recipe(values.pop("preset"), explicit)


def mining_options(rounds, values: dict, recipe_settings: dict, overridden: dict, preset: str):
    """The :class:`~hogdet.mining.MiningOptions` of a run, recording the preset and what overrode it."""
    from ..detection import ScanParameters
    from ..features import HOGParameters
    from ..mining import MiningOptions

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


def suppression(nms_overlap, nms_measure, nms_inside):
    """The :class:`~hogdet.boxes.Suppression` that --nms-overlap, --nms-measure and --nms-inside describe."""
    from ..boxes import Suppression

    return Suppression(overlap=nms_overlap, measure=nms_measure, inside=nms_inside)
