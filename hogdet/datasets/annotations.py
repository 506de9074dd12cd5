"""Reading the people marked in an image: PASCAL v1 annotation files and the simple layout's ``boxes.csv``.

Boxes everywhere in hogdet are ``(x1, y1, x2, y2)`` in continuous 0-based
pixel coordinates with the right and bottom edges exclusive: the box of a
w x h image is ``(0, 0, w, h)``.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DatasetError
from ._files import path_key

__all__ = ["Annotation", "read_annotation"]


@dataclass
class Annotation:
    """The people marked in one image.

    Attributes
    ----------
    image_name : str
        The image path as written in the annotation file (or in boxes.csv).
    image_size : tuple of int (width, height, channels) or None
        As written in the file; None when it does not say.
    boxes : ndarray of float64, shape (n, 4)
        ``x1, y1, x2, y2`` in 0-based continuous pixel coordinates, right and
        bottom edges exclusive.
    labels : list of str
        One label per box (``"PASperson"``, ``"PASpersonWalking"``, ...).
    """

    image_name: str
    image_size: tuple[int, int, int] | None
    boxes: np.ndarray
    labels: list[str]


_NUMBER = r"([-+]?\d+(?:\.\d*)?)"
_HEADER_RE = re.compile(r"#\s*(?:Compatible with\s+)?PASCAL Annotation Version 1\.00\b", re.I)
_FILENAME_RE = re.compile(r'Image filename\s*:\s*"(.*)"\s*$')
_SIZE_RE = re.compile(r"Image size \(X x Y x C\)\s*:\s*(\d+)\s*x\s*(\d+)\s*x\s*(\d+)\s*$")
_COUNT_RE = re.compile(r"Objects with ground truth\s*:\s*(\d+)\b")
_ORIGIN_RE = re.compile(rf"#\s*Top left pixel co-ordinates\s*:\s*\(\s*{_NUMBER}\s*,\s*{_NUMBER}\s*\)")
_BOX_RE = re.compile(
    r'Bounding box for object\s+(\d+)\s+"([^"]*)"\s*\(Xmin,\s*Ymin\)\s*-\s*\(Xmax,\s*Ymax\)\s*:\s*'
    rf"\(\s*{_NUMBER}\s*,\s*{_NUMBER}\s*\)\s*-\s*\(\s*{_NUMBER}\s*,\s*{_NUMBER}\s*\)\s*$"
)


def read_annotation(path: str | os.PathLike) -> Annotation:
    """Read a PASCAL Annotation Version 1.00 file (INRIA Person, Penn-Fudan).

    The pixel origin is read from the ``# Top left pixel co-ordinates``
    line (0 when there is none): INRIA Person uses (0, 0), Penn-Fudan (1, 1).
    The inclusive pixel range ``xmin..xmax`` becomes ``x1 = xmin - origin``,
    ``x2 = xmax - origin + 1`` (likewise for y). LF and CRLF line endings are
    both accepted.

    Parameters
    ----------
    path : str or path-like
        The annotation ``.txt`` file.

    Returns
    -------
    Annotation

    Raises
    ------
    DatasetError
        When the file is missing, binary, has no PASCAL header, a line that
        cannot be parsed, a box with its max corner before its min corner, or
        a box count that differs from its ``Objects with ground truth`` line.
        The message names the file (and the line).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DatasetError(f"{path}: cannot read annotation file ({error.strerror})") from None
    if b"\0" in data:
        raise DatasetError(f"{path}: not a text file (binary data)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    lines = text.splitlines()

    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first is None or not _HEADER_RE.match(lines[first].strip()):
        raise DatasetError(
            f"{path}: not a PASCAL annotation file (no '# PASCAL Annotation Version 1.00' header)"
        )

    image_name, image_size, count, count_line = "", None, None, 0
    origin = (0.0, 0.0)
    corners: list[tuple[float, float, float, float]] = []
    labels: list[str] = []
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        where = f"{path} line {number}"
        if line.startswith("Image filename"):
            match = _FILENAME_RE.match(line)
            if not match:
                raise DatasetError(f"{where}: cannot parse image filename: {line!r}")
            image_name = match.group(1)
        elif line.startswith("Image size"):
            match = _SIZE_RE.match(line)
            if not match:
                raise DatasetError(f"{where}: cannot parse image size: {line!r}")
            image_size = (int(match.group(1)), int(match.group(2)), int(match.group(3)))
        elif line.startswith("Objects with ground truth"):
            match = _COUNT_RE.match(line)
            if not match:
                raise DatasetError(f"{where}: cannot parse object count: {line!r}")
            count, count_line = int(match.group(1)), number
        elif "Top left pixel co-ordinates" in line:
            match = _ORIGIN_RE.match(line)
            if not match:
                raise DatasetError(f"{where}: cannot parse top left pixel co-ordinates: {line!r}")
            origin = (float(match.group(1)), float(match.group(2)))
        elif line.startswith("Bounding box"):
            match = _BOX_RE.match(line)
            if not match:
                raise DatasetError(f"{where}: cannot parse bounding box: {line!r}")
            xmin, ymin, xmax, ymax = (float(match.group(i)) for i in range(3, 7))
            if xmax < xmin or ymax < ymin:
                raise DatasetError(
                    f"{where}: bounding box ({xmin:g}, {ymin:g}) - ({xmax:g}, {ymax:g}) "
                    "has its max corner before its min corner"
                )
            corners.append((xmin, ymin, xmax, ymax))
            labels.append(match.group(2))

    if count is None:
        raise DatasetError(f"{path}: no 'Objects with ground truth' line")
    if count != len(corners):
        raise DatasetError(
            f"{path} line {count_line}: says {count} objects with ground truth "
            f"but has {len(corners)} bounding box lines"
        )
    boxes = np.array(corners, dtype=np.float64).reshape(-1, 4)
    ox, oy = origin
    boxes -= (ox, oy, ox - 1.0, oy - 1.0)
    return Annotation(image_name=image_name, image_size=image_size, boxes=boxes, labels=labels)



def _read_boxes_csv(root: Path) -> tuple[dict[Path, Annotation], list[str]]:
    """Read a simple-layout ``boxes.csv``: annotations by image path, and problems."""
    path = root / "boxes.csv"
    if not path.exists():
        return {}, []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        return {}, [f"{path}: cannot read ({error})"]
    rows: dict[Path, list[tuple[float, ...]]] = {}
    names: dict[Path, str] = {}
    problems: list[str] = []
    header_seen = False
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        where = f"{path} line {number}"
        if not header_seen:
            header_seen = True
            if [cell.lower() for cell in cells] != ["image", "x1", "y1", "x2", "y2"]:
                return {}, [f"{where}: expected the header 'image,x1,y1,x2,y2', got {','.join(cells)!r}"]
            continue
        if len(cells) != 5:
            problems.append(f"{where}: expected 5 columns (image,x1,y1,x2,y2), got {len(cells)}")
            continue
        try:
            x1, y1, x2, y2 = (float(cell) for cell in cells[1:])
        except ValueError:
            problems.append(f"{where}: box coordinates are not numbers: {','.join(cells[1:])!r}")
            continue
        if not (x2 > x1 and y2 > y1):
            problems.append(f"{where}: empty box (needs x2 > x1 and y2 > y1)")
            continue
        image = root / cells[0]
        if not image.is_file():
            problems.append(f"{where}: image {cells[0]} does not exist")
            continue
        names.setdefault(path_key(image), cells[0])
        rows.setdefault(path_key(image), []).append((x1, y1, x2, y2))
    annotations = {
        image: Annotation(
            image_name=names[image],
            image_size=None,
            boxes=np.array(boxes, dtype=np.float64).reshape(-1, 4),
            labels=["person"] * len(boxes),
        )
        for image, boxes in rows.items()
    }
    return annotations, problems
