"""Checking a data set folder without decoding images: file counts per folder against INRIA's, and problems."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DatasetError
from ._files import ANNOTATION_EXTENSIONS, list_folder, path_key
from .annotations import _read_boxes_csv, read_annotation
from .layouts import _inria_folders, _missing_simple_folders, _pair_annotations, _root_layout, _simple_folders

__all__ = ["INRIA_COUNTS", "CheckRow", "check_dataset", "format_check_report"]

#: File counts of the original INRIA Person release, by folder.
INRIA_COUNTS = {
    "Train/pos": 614,
    "Train/neg": 1218,
    "Test/pos": 288,
    "Test/neg": 453,
    "Train/annotations": 614,
    "Test/annotations": 288,
    "96X160H96/Train/pos": 2416,
    "70X134H96/Test/pos": 1132,
}


@dataclass
class CheckRow:
    """One folder of a data set check.

    Attributes
    ----------
    folder : str
        Relative to the data set root (``"Train/pos"``).
    found : int
        Files found there (or listed in its ``.lst`` file and present).
    expected : int or None
        The count in the original INRIA Person release; None when unknown.
    problems : list of str
        One line per problem found.
    """

    folder: str
    found: int
    expected: int | None
    problems: list[str] = field(default_factory=list)


def check_dataset(root: str | os.PathLike) -> list[CheckRow]:
    """Count a data set's files and look for problems, without decoding images.

    Reports listed files that are missing, annotation files that cannot be
    read, and photographs with people (``Train/pos``, ``Test/pos``,
    ``images/``) that have no annotation.

    Parameters
    ----------
    root : str or path-like
        The data set folder.

    Returns
    -------
    list of CheckRow
        One row per folder, in a fixed order.

    Raises
    ------
    DatasetError
        When the folder has neither layout.
    """
    root, layout = _root_layout(root)
    rows: list[CheckRow] = []
    if layout == "inria":
        folders = _inria_folders(root)
        order = ["train_positive_images", "train_negative_images", "test_positive_images",
                 "test_negative_images", "train_positive_crops", "test_positive_crops"]
        for name in order:
            files, problems = list_folder(root, folders[name])
            rows.append(CheckRow(folders[name], len(files), INRIA_COUNTS.get(folders[name]), problems))
            if name in ("train_positive_images", "test_positive_images"):
                split = folders[name].split("/")[0]
                rows.append(_check_annotations(root, split, files, rows[-1]))
        return rows

    annotations, csv_problems = _read_boxes_csv(root)
    for folder in _simple_folders(root).values():
        files, problems = list_folder(root, folder)
        problems += _missing_simple_folders(root, (folder,))
        if folder == "images":
            problems += [
                f"{image}: no boxes in boxes.csv" for image in files if path_key(image) not in annotations
            ]
        rows.append(CheckRow(folder, len(files), None, problems))
    rows.append(CheckRow("boxes.csv", len(annotations), None, csv_problems))
    return rows


def _check_annotations(root: Path, split: str, images: list[Path], images_row: CheckRow) -> CheckRow:
    """Parse the annotation files of one split; note images without one in ``images_row``."""
    folder = f"{split}/annotations"
    files, problems = list_folder(root, folder, ANNOTATION_EXTENSIONS)
    for path in files:
        try:
            read_annotation(path)
        except DatasetError as error:
            problems.append(str(error))
    _, missing = _pair_annotations(images, files)
    images_row.problems += [
        f"{image}: no annotation file {image.stem}.txt in {folder}" for image in missing
    ]
    return CheckRow(folder, len(files), INRIA_COUNTS.get(folder), problems)


def format_check_report(rows: list[CheckRow], max_problems: int = 10) -> str:
    """A small aligned text table of a data set check, problems listed below.

    Parameters
    ----------
    rows : list of CheckRow
    max_problems : int
        Problems shown per folder; the rest are counted.

    Returns
    -------
    str
        Ends without a newline.
    """
    table = [("folder", "found", "expected", "problems")]
    table += [
        (row.folder, str(row.found), "-" if row.expected is None else str(row.expected), str(len(row.problems)))
        for row in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(4)]
    lines = [
        "  ".join([line[0].ljust(widths[0])] + [line[i].rjust(widths[i]) for i in range(1, 4)])
        for line in table
    ]
    for row in rows:
        if row.problems:
            lines += ["", f"{row.folder}:"]
            lines += [f"  {problem}" for problem in row.problems[:max_problems]]
            if len(row.problems) > max_problems:
                lines.append(f"  ... and {len(row.problems) - max_problems} more")
    return "\n".join(lines)
