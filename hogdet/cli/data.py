"""``hogdet data check`` and ``hogdet data fetch``: the INRIA Person data set."""

from __future__ import annotations

from pathlib import Path

import click

from . import main
from .options import friendly_errors


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
@friendly_errors
def data_check(directory):
    """Report what is present per folder against the original INRIA counts.

    \b
    Example:
      hogdet data check data/INRIAPerson
    """
    from ..datasets import check_dataset, format_check_report, resolve_data_dir

    click.echo(format_check_report(check_dataset(resolve_data_dir(directory))))


@data.command("fetch")
@click.option("--url", default=None, help="Where to download INRIAPerson.tar from.")
@click.option("--sha256", default=None, help="Expected SHA-256 of the archive.")
@click.option("--archive", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A local INRIAPerson.tar to unpack instead of downloading.")
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path), default=Path("data"), show_default=True,
              help="Folder that will hold INRIAPerson/.")
@friendly_errors
def data_fetch(url, sha256, archive, dest):
    """Download (or take a local) INRIAPerson.tar, verify it, unpack it into data/.

    INRIA Person is published by its authors at
    http://pascal.inrialpes.fr/data/human/ (Dalal & Triggs, CVPR 2005).

    \b
    Example:
      hogdet data fetch --archive INRIAPerson.tar --sha256 <hex>
    """
    from ..datasets import fetch_dataset

    if (url is None) == (archive is None):
        raise click.UsageError("give exactly one of --url or --archive")
    root = fetch_dataset(dest=dest, url=url, sha256=sha256, archive=archive, progress=True)
    click.echo(f"INRIA Person ready in {root}")
