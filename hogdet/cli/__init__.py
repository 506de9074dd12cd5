"""The ``hogdet`` command line: options in, library calls out.

Every command is a thin wrapper over a library function; a user's mistake
(bad file, bad option, missing data) becomes a one-line error and exit
code 1 (2 for a malformed command line, as click does), never a traceback.

:mod:`.options` holds the options several commands share and the mapping of
library errors to flags, :mod:`.settings` turns parsed options into library
settings, and each command module registers its command(s) on :func:`main`.
"""

from __future__ import annotations

import click

from .. import __version__

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hogdet")
def main() -> None:
    """hogdet: the Dalal & Triggs HOG + linear SVM person detector, with hard example mining.

    \b
    Example:
      hogdet train --data data/INRIAPerson --out model.npz
      hogdet detect street.jpg --json
    """


# Imported for their side effect: each module registers its command(s) on `main` (`hogdet --help` sorts them by name).
from . import data, detect, evaluate, mine, train
