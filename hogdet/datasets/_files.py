"""Listing the files of a data set folder, and the one spelling of a path used to look images up."""

from __future__ import annotations

import os
from pathlib import Path

IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".ppm", ".pgm"})
ANNOTATION_EXTENSIONS = frozenset({".txt"})


def path_key(path: str | os.PathLike) -> Path:
    """An absolute, normalised form of ``path`` for looking images up."""
    return Path(os.path.abspath(path))


def image_files(folder: Path, extensions: frozenset[str] = IMAGE_EXTENSIONS) -> list[Path]:
    """The files of ``folder`` with one of ``extensions``, sorted by name (none if it is missing)."""
    if not folder.is_dir():
        return []
    return sorted(
        entry for entry in folder.iterdir() if entry.suffix.lower() in extensions and entry.is_file()
    )


def list_folder(
    root: Path, folder: str, extensions: frozenset[str] = IMAGE_EXTENSIONS
) -> tuple[list[Path], list[str]]:
    """The files of ``root/folder``: as listed in ``root/folder.lst`` when present, else found there.

    Returns the existing files and one problem per listed file that is missing.
    """
    lst = root / f"{folder}.lst"
    if not lst.is_file():
        return image_files(root / folder, extensions), []
    try:
        text = lst.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        return [], [f"{lst}: cannot read ({error})"]
    found: list[Path] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        name = line.strip()
        if not name or name.startswith("#"):
            continue
        path = root / name
        if path.is_file():
            found.append(path)
        else:
            problems.append(f"{lst} line {number}: listed file {name} does not exist")
    return found, problems

