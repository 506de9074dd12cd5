"""Which data set folder to use: a caller's ``data``, else ``$HOGDET_DATA``, else ``data/INRIAPerson``.

The word ``"synthetic"`` stands for hogdet's synthetic data set, generated
once into a cache folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import DatasetError
from .layouts import _describe_folder
from .synthetic import GENERATOR_VERSION, make_synthetic

__all__ = ["NoDatasetError", "cache_dir", "resolve_data_dir", "synthetic_dataset_dir"]

#: The name that stands for the synthetic data set wherever a data folder is asked for.
SYNTHETIC = "synthetic"
CACHE_ENV = "HOGDET_CACHE"
#: Where to look when neither ``data`` nor ``$HOGDET_DATA`` is given, relative to the current folder.
DEFAULT_DATA_DIR = Path("data") / "INRIAPerson"
DATA_ENV = "HOGDET_DATA"
FETCH_HINT = (
    "Get INRIA Person with hogdet.datasets.fetch_dataset(archive='INRIAPerson.tar') "
    "(see README, 'Getting the data'), or try hogdet on its synthetic data set with data='synthetic'"
)


class NoDatasetError(DatasetError):
    """No data set at the place :func:`resolve_data_dir` chose; says what it found at every place it looked.

    ``str(error)`` names the ``data`` argument as ``data=...``; a caller that
    took the folder under another name (a command line flag) shows its own
    message with :meth:`describe`.

    Attributes
    ----------
    looked : list of tuple (str, str or None, str)
        Each place looked at, highest precedence first: its name (``"data"``,
        ``"HOGDET_DATA"`` or ``"data/INRIAPerson"``), the folder named there
        (None when not set), and what was found (``"unset"``, ``"missing"``,
        ``"empty folder"``, ``"ok"``, ...).
    chosen : int
        Index in ``looked`` of the place that was used: the first one set.
    """

    def __init__(self, looked: list[tuple[str, str | None, str]], chosen: int) -> None:
        self.looked = looked
        self.chosen = chosen
        super().__init__(self.describe())

    def describe(self, data_name: str = "data", hint: str = FETCH_HINT) -> str:
        """The one-line message, naming the ``data`` argument ``data_name``.

        Parameters
        ----------
        data_name : str
            What to call the ``data`` argument: a parameter name is followed
            by ``=`` and the folder (``data=runs/x``), a flag (starting with
            ``-``) by a space (``--data runs/x``).
        hint : str
            The sentence that ends the message: where to get a data set.

        Returns
        -------
        str
        """

        def name(index: int) -> str:
            return data_name if index == 0 else self.looked[index][0]

        shown = []
        for index, (place, folder, status) in enumerate(self.looked):
            if folder is None:
                shown.append(f"{name(index)} unset")
                continue
            if index > self.chosen and status == "ok":
                status = f"a data set, not used because {name(self.chosen)} is set"
            if index == 0:
                place = f"{data_name} {folder}" if data_name.startswith("-") else f"{data_name}={folder}"
            elif place == DATA_ENV:
                place = f"{DATA_ENV}={folder}"
            shown.append(f"{place} ({status})")
        return f"no data set found: looked at {', '.join(shown)}. {hint}"


def resolve_data_dir(data: str | os.PathLike | None = None, progress: bool = False) -> Path:
    """Find the data set folder to use.

    ``data`` when given, else the ``HOGDET_DATA`` environment variable when
    set, else ``data/INRIAPerson`` relative to the current directory. The
    first of these that is given is the one used; it must be a folder in one
    of the two layouts of this module, or the word ``"synthetic"``: the
    synthetic data set of :func:`make_synthetic` with its defaults, generated
    into :func:`synthetic_dataset_dir` on first use and reused afterwards.

    Parameters
    ----------
    data : str or path-like, optional
        The folder the caller names, or ``"synthetic"``.
    progress : bool
        Show a progress bar while the synthetic set is generated.

    Returns
    -------
    Path

    Raises
    ------
    NoDatasetError
        When the chosen folder is missing or is not a data set (a
        DatasetError). The message says what was found at every place looked
        at.
    """
    env = os.environ.get(DATA_ENV) or None
    given = data is not None and str(data) != ""
    chosen_name = str(data) if given else env
    if chosen_name == SYNTHETIC:
        return synthetic_dataset_dir(progress=progress)
    # (name, folder or None when not set), highest precedence first
    places = [
        ("data", Path(data) if given else None),
        (DATA_ENV, Path(env) if env else None),
        (str(DEFAULT_DATA_DIR), DEFAULT_DATA_DIR),
    ]
    chosen = next(index for index, (_, path) in enumerate(places) if path is not None)
    if _describe_folder(places[chosen][1]) == "ok":
        return places[chosen][1]
    shown = {0: str(data), 1: env, 2: str(DEFAULT_DATA_DIR)}  # as the caller spelt them
    looked = [
        (name, None if path is None else shown[index], "unset" if path is None else _describe_folder(path))
        for index, (name, path) in enumerate(places)
    ]
    raise NoDatasetError(looked, chosen)


def cache_dir() -> Path:
    """hogdet's cache folder: ``$HOGDET_CACHE``, else ``$XDG_CACHE_HOME/hogdet``, else ``~/.cache/hogdet``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "hogdet"


#: The counts of the set that ``--data synthetic`` stands for: small enough that the whole main job,
#: generation included, runs in under a minute on 2 cores, large enough that mining has work to do.
DEMO_COUNTS = {"n_people": 200, "n_backgrounds": 30, "n_test_people": 100, "n_test_backgrounds": 20,
               "n_photos": 15, "n_test_photos": 30}


def synthetic_dataset_dir(seed: int = 0, progress: bool = False) -> Path:
    """The demo synthetic data set (:data:`DEMO_COUNTS`), generated into the cache folder on first use.

    Parameters
    ----------
    seed : int
        Seed of :func:`make_synthetic`.
    progress : bool
        Show a progress bar while generating.

    Returns
    -------
    Path
        ``cache_dir() / "synthetic-demo-v<generator version>-seed<seed>"``, holding the set.
    """
    folder = cache_dir() / f"synthetic-demo-v{GENERATOR_VERSION}-seed{seed}"
    try:
        return make_synthetic(folder, seed=seed, progress=progress, **DEMO_COUNTS)
    except OSError as error:
        try:  # another process may have just finished writing the same set
            return make_synthetic(folder, seed=seed, **DEMO_COUNTS)
        except OSError:
            raise DatasetError(f"cannot use the synthetic data set cache: {error} (set {CACHE_ENV} to another "
                               "folder)") from None
