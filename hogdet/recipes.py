"""Named training recipes: the settings ``hogdet train``, ``mine`` and ``compare`` start from.

A recipe is a plain dictionary of settings named as the command line's options are (``C``,
``negatives_per_image``, ``hog_interpolation``, ...). ``"default"`` is the configuration chosen by
``benchmarks/select_defaults.py`` on training data only (cross-validation over the training
photographs; see the README, "How the defaults were chosen"); ``"dalal-triggs"`` is the paper's:
one-vote-per-pixel HOG, C = 0.01, 10 random negatives per image, plain hard negative mining. An
explicit option always wins over its recipe's value; :func:`recipe` returns both what was asked
for and what was overridden, so a run's ``config.json`` can record them.
"""

from __future__ import annotations

from typing import Any, Mapping

__all__ = ["PRESETS", "DEFAULT_PRESET", "STRATEGY_SETTINGS", "recipe", "strategy_settings"]

DEFAULT_PRESET = "default"

#: Settings shared by every preset unless it says otherwise.
_COMMON: dict[str, Any] = {
    "hog_block_sigma": 0.5,
    "annotated_positives": False,
    "threshold": 0.5,
    "max_per_image": 100,
    "max_hard": 30000,
    "scan_positive_images": False,
}

PRESETS: dict[str, dict[str, Any]] = {
    # Chosen by `python benchmarks/select_defaults.py DATA --folds 3 --subset 2` on the benchmark's training
    # split (README, "How the defaults were chosen"); the threshold and caps are not selected (see there).
    "default": {
        **_COMMON,
        "hog_interpolation": "trilinear",
        "hog_block_sigma": 0.25,
        "C": 0.1,
        "negatives_per_image": 20,
        "strategy": "hard-example",
        "scan_positive_images": True,
    },
    # Dalal & Triggs (CVPR 2005): the paper's own settings.
    "dalal-triggs": {
        **_COMMON,
        "hog_interpolation": "none",
        "C": 0.01,
        "negatives_per_image": 10,
        "strategy": "hard-negative",
    },
}


def recipe(preset: str = DEFAULT_PRESET, overrides: Mapping[str, Any] | None = None) -> tuple[dict, dict]:
    """The settings of a preset with some of them overridden.

    Parameters
    ----------
    preset : str
        A key of :data:`PRESETS`.
    overrides : mapping, optional
        Settings given explicitly; a value of None means "not given" and is ignored.

    Returns
    -------
    settings : dict
        The preset's settings, updated with the overrides.
    overridden : dict
        The overrides that were given (not None), by name.

    Raises
    ------
    ValueError
        ``preset`` is not a known preset (the message lists them), or an override names no setting.

    Examples
    --------
    >>> settings, overridden = recipe("dalal-triggs", {"C": 0.1, "seed": None})
    >>> settings["C"], settings["hog_interpolation"], overridden
    (0.1, 'none', {'C': 0.1})
    """
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {', '.join(sorted(PRESETS))}; got {preset!r}")
    overridden = {name: value for name, value in (overrides or {}).items() if value is not None}
    unknown = sorted(set(overridden) - set(PRESETS[preset]))
    if unknown:
        raise ValueError(f"not settings of a recipe: {', '.join(unknown)}")
    return {**PRESETS[preset], **overridden}, overridden


#: Settings of a recipe that are options of mining strategies.
STRATEGY_SETTINGS = ("threshold", "max_per_image", "max_hard")


def strategy_settings(settings: Mapping[str, Any], strategy: str, explicit: Mapping[str, Any] | None = None,
                      own_strategy: bool = True) -> dict:
    """The options of mining strategy ``strategy`` under a recipe.

    Parameters
    ----------
    settings : mapping
        A recipe, as :func:`recipe` returns it.
    strategy : str
        Name of the mining strategy (a key of :data:`hogdet.mining.strategies.STRATEGIES`).
    explicit : mapping, optional
        Strategy options given explicitly, by parameter name; they win over the recipe's.
    own_strategy : bool
        Whether ``strategy`` is the recipe's own strategy. The recipe's ``scan_positive_images`` belongs to
        its own strategy, so another strategy keeps its own default for it.

    Returns
    -------
    dict
        ``explicit``, completed with the recipe's :data:`STRATEGY_SETTINGS` (and ``scan_positive_images``
        when ``own_strategy``) where the strategy takes them.

    Examples
    --------
    >>> settings, _ = recipe("dalal-triggs")
    >>> strategy_settings(settings, "ohem", {"top_k": 5})
    {'max_hard': 30000, 'top_k': 5}
    >>> sorted(strategy_settings(settings, "hard-negative", {"threshold": 0.7}).items())
    [('max_hard', 30000), ('max_per_image', 100), ('scan_positive_images', False), ('threshold', 0.7)]
    """
    from .strategies import strategy_parameters

    accepted = strategy_parameters(strategy)
    completed = {key: settings[key] for key in STRATEGY_SETTINGS if key in accepted}
    if own_strategy and "scan_positive_images" in accepted:
        completed["scan_positive_images"] = settings["scan_positive_images"]
    return {**completed, **(explicit or {})}


def mining_setup(settings: Mapping[str, Any], rounds: int = 3, seed: int = 0, scan=None):
    """The :class:`~hogdet.mining.MiningOptions` and strategy that a recipe's settings describe.

    Parameters
    ----------
    settings : mapping
        A recipe, as :func:`recipe` returns it.
    rounds : int
        Mining rounds after round 0.
    seed : int
        Random seed.
    scan : ScanParameters, optional
        How images are scanned; default ``ScanParameters()``.

    Returns
    -------
    options : MiningOptions
    strategy : Strategy
    """
    from .detection import ScanParameters
    from .features import HOGParameters
    from .mining import MiningOptions
    from .strategies import make_strategy

    hog = HOGParameters(interpolation=settings["hog_interpolation"], block_sigma=settings["hog_block_sigma"])
    options = MiningOptions(rounds=rounds, negatives_per_image=settings["negatives_per_image"], C=settings["C"],
                            seed=seed, scan=scan or ScanParameters(), hog=hog,
                            annotated_positives=settings["annotated_positives"])
    strategy = make_strategy(settings["strategy"], threshold=settings["threshold"],
                             max_per_image=settings["max_per_image"], max_hard=settings["max_hard"],
                             scan_positive_images=settings["scan_positive_images"])
    return options, strategy
