"""Tests of hogdet.recipes: a preset's strategy options, completed for the strategy that takes them."""

import pytest

from hogdet.recipes import PRESETS, STRATEGY_SETTINGS, recipe, strategy_settings
from hogdet.strategies import strategy_parameters


def test_a_strategy_gets_only_the_recipe_options_it_takes():
    settings, _ = recipe("dalal-triggs")
    # ohem takes max_hard but neither a threshold nor a per-image cap (hogdet.mining.strategies.OHEM).
    assert "threshold" not in strategy_parameters("ohem")
    assert strategy_settings(settings, "ohem") == {"max_hard": PRESETS["dalal-triggs"]["max_hard"]}


def test_explicit_options_win_over_the_recipe():
    settings, _ = recipe("dalal-triggs")
    completed = strategy_settings(settings, "hard-negative", {"threshold": 0.9, "max_hard": 7})
    assert completed["threshold"] == 0.9 and completed["max_hard"] == 7
    assert completed["max_per_image"] == PRESETS["dalal-triggs"]["max_per_image"]


@pytest.mark.parametrize("own_strategy", [True, False])
def test_scan_positive_images_belongs_to_the_recipe_own_strategy(own_strategy):
    settings, _ = recipe("default")
    assert settings["scan_positive_images"] is True
    completed = strategy_settings(settings, "hard-negative", own_strategy=own_strategy)
    assert ("scan_positive_images" in completed) is own_strategy
    assert set(completed) - {"scan_positive_images"} == set(STRATEGY_SETTINGS)
