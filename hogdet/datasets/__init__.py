"""Finding, reading, checking and fetching pedestrian data sets.

Two folder layouts are understood.

**inria** -- the INRIA Person data set as its authors distribute it
(``INRIAPerson.tar``), or any folder arranged the same way::

    ROOT/Train/pos/          full photographs with people      (Train/pos.lst)
    ROOT/Train/neg/          person-free photographs           (Train/neg.lst)
    ROOT/Train/annotations/  one PASCAL v1 .txt file per Train/pos image
    ROOT/Test/pos/, ROOT/Test/neg/, ROOT/Test/annotations/   the same for testing
    ROOT/96X160H96/Train/pos/   96x160 person crops for training
    ROOT/70X134H96/Test/pos/    70x134 person crops for testing
                                (else ROOT/96X160H96/Test/pos/)

A folder's ``.lst`` file (``Train/pos.lst`` next to ``Train/pos/``), when
present, lists its files: one path a line, relative to ROOT. Otherwise the
folder's images are taken in name order. Images are paired with annotation
files by file stem (``Train/pos/x.png`` with ``Train/annotations/x.txt``),
never by the image path written inside the annotation. Missing folders give
empty lists.

**simple** -- for your own data::

    ROOT/positives/        person crops, at least 64x128, the person centred
                           with the margins of INRIA's 96x160 crops (a person
                           96 px tall in a 96x160 crop)
    ROOT/negatives/        photographs with no people in them
    ROOT/test/positives/   optional, like positives/, for testing
    ROOT/test/negatives/   optional, like negatives/, for testing
    ROOT/images/           optional photographs with people, boxed in
    ROOT/boxes.csv         one row per person: ``image,x1,y1,x2,y2``
                           (header row first; image relative to ROOT, e.g.
                           ``images/street.jpg``; 0-based pixel coordinates,
                           x2 and y2 exclusive)

Crops of both layouts are meant to be used by cutting the central 64x128
window out of them.

Boxes everywhere in hogdet are ``(x1, y1, x2, y2)`` in continuous 0-based
pixel coordinates with the right and bottom edges exclusive: the box of a
w x h image is ``(0, 0, w, h)``.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import DatasetError

__all__ = [
    "Annotation",
    "CheckRow",
    "Dataset",
    "check_dataset",
    "dataset_fingerprint",
    "fetch_dataset",
    "format_check_report",
    "load_dataset",
    "make_synthetic",
    "read_annotation",
    "resolve_data_dir",
    "synthetic_dataset_dir",
]

IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".ppm", ".pgm"})
_ANNOTATION_EXTENSIONS = frozenset({".txt"})
DEFAULT_DATA_DIR = Path("data") / "INRIAPerson"
DATA_ENV = "HOGDET_DATA"
FETCH_HINT = (
    "Get INRIA Person with `hogdet data fetch --archive INRIAPerson.tar` "
    "(see README, 'Getting the data'), or try hogdet on its synthetic data set with --data synthetic"
)

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

#: Folders that make a folder an inria-layout data set (any one of them).
_INRIA_MARKERS = ("Train/pos", "Train/neg", "Test/pos", "Test/neg", "96X160H96/Train/pos")
_SIMPLE_MARKERS = ("positives", "negatives", "boxes.csv")
_LAYOUTS_EXPECTED = (
    "expected the INRIA layout (Train/pos, Train/neg, Test/pos, Test/neg, "
    "Train/annotations, 96X160H96/Train/pos, ...) or the simple layout "
    "(positives/, negatives/, optional test/, images/ and boxes.csv)"
)


# --------------------------------------------------------------------------
# Annotations
# --------------------------------------------------------------------------


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
        names.setdefault(_key(image), cells[0])
        rows.setdefault(_key(image), []).append((x1, y1, x2, y2))
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


# --------------------------------------------------------------------------
# Finding files
# --------------------------------------------------------------------------


def _key(path: str | os.PathLike) -> Path:
    """An absolute, normalised form of ``path`` for looking images up."""
    return Path(os.path.abspath(path))


def _image_files(folder: Path, extensions: frozenset[str] = IMAGE_EXTENSIONS) -> list[Path]:
    """The files of ``folder`` with one of ``extensions``, sorted by name (none if it is missing)."""
    if not folder.is_dir():
        return []
    return sorted(
        entry for entry in folder.iterdir() if entry.suffix.lower() in extensions and entry.is_file()
    )


def _list_folder(
    root: Path, folder: str, extensions: frozenset[str] = IMAGE_EXTENSIONS
) -> tuple[list[Path], list[str]]:
    """The files of ``root/folder``: as listed in ``root/folder.lst`` when present, else found there.

    Returns the existing files and one problem per listed file that is missing.
    """
    lst = root / f"{folder}.lst"
    if not lst.is_file():
        return _image_files(root / folder, extensions), []
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


def _test_crop_folder(root: Path) -> str:
    """Where the test crops of an inria-layout data set are."""
    preferred = "70X134H96/Test/pos"
    if (root / preferred).is_dir() or (root / f"{preferred}.lst").is_file():
        return preferred
    return "96X160H96/Test/pos"


def _detect_layout(root: Path) -> str | None:
    """``"inria"``, ``"simple"`` or None for a folder matching neither layout."""
    if any((root / marker).is_dir() for marker in _INRIA_MARKERS):
        return "inria"
    if any((root / marker).exists() for marker in _SIMPLE_MARKERS):
        return "simple"
    return None


def _describe_folder(path: Path) -> str:
    """Why ``path`` is not a data set, or ``"ok"`` when it is one."""
    if not path.exists():
        return "missing"
    if not path.is_dir():
        return "not a folder"
    if _detect_layout(path) is not None:
        return "ok"
    if not any(path.iterdir()):
        return "empty folder"
    if _detect_layout(path / "INRIAPerson") is not None:
        return f"not a data set; did you mean {path / 'INRIAPerson'}?"
    return "not a data set"


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
        The folder the user named (``--data``), or ``"synthetic"``.
    progress : bool
        Show a progress bar while the synthetic set is generated.

    Returns
    -------
    Path

    Raises
    ------
    DatasetError
        When the chosen folder is missing or is not a data set. The message
        says what was found at every place looked at.
    """
    env = os.environ.get(DATA_ENV) or None
    given = data is not None and str(data) != ""
    chosen_name = str(data) if given else env
    if chosen_name == SYNTHETIC:
        return synthetic_dataset_dir(progress=progress)
    # (name, how to show it, folder or None when not set), highest precedence first
    places = [
        ("--data", f"--data {data}", Path(data) if given else None),
        (DATA_ENV, f"{DATA_ENV}={env}", Path(env) if env else None),
        (str(DEFAULT_DATA_DIR), str(DEFAULT_DATA_DIR), DEFAULT_DATA_DIR),
    ]
    chosen = next(index for index, place in enumerate(places) if place[2] is not None)
    if _describe_folder(places[chosen][2]) == "ok":
        return places[chosen][2]
    looked = []
    for index, (name, shown, path) in enumerate(places):
        if path is None:
            looked.append(f"{name} unset")
            continue
        status = _describe_folder(path)
        if index > chosen and status == "ok":
            status = f"a data set, not used because {places[chosen][0]} is set"
        looked.append(f"{shown} ({status})")
    raise DatasetError(f"no data set found: looked at {', '.join(looked)}. {FETCH_HINT}")


#: The name that stands for the synthetic data set wherever a data folder is asked for.
SYNTHETIC = "synthetic"
CACHE_ENV = "HOGDET_CACHE"


def cache_dir() -> Path:
    """hogdet's cache folder: ``$HOGDET_CACHE``, else ``$XDG_CACHE_HOME/hogdet``, else ``~/.cache/hogdet``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "hogdet"


def synthetic_dataset_dir(seed: int = 0, progress: bool = False) -> Path:
    """The default synthetic data set, generated into the cache folder on first use.

    Parameters
    ----------
    seed : int
        Seed of :func:`make_synthetic`.
    progress : bool
        Show a progress bar while generating.

    Returns
    -------
    Path
        ``cache_dir() / "synthetic-v<generator version>-seed<seed>"``, holding the set.
    """
    from .synthetic import GENERATOR_VERSION

    folder = cache_dir() / f"synthetic-v{GENERATOR_VERSION}-seed{seed}"
    try:
        return make_synthetic(folder, seed=seed, progress=progress)
    except OSError as error:
        try:  # another process may have just finished writing the same set
            return make_synthetic(folder, seed=seed)
        except OSError:
            raise DatasetError(f"cannot use the synthetic data set cache: {error} (set {CACHE_ENV} to another "
                               "folder)") from None


# --------------------------------------------------------------------------
# Data sets
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    """The files of a pedestrian data set.

    Attributes
    ----------
    root : Path
        The data set folder; every path below starts with it.
    layout : str
        ``"inria"`` or ``"simple"`` (see the module documentation).
    train_positive_crops, test_positive_crops : list of Path
        Person crops (the person centred, with a margin).
    train_negative_images, test_negative_images : list of Path
        Person-free photographs.
    train_positive_images, test_positive_images : list of Path
        Photographs with people, boxed in their annotations.
    annotations : dict of Path to Annotation
        The annotation of each positive image that has one, by absolute
        image path. Use :meth:`annotation` rather than this.
    annotation_files : list of Path
        The annotation files read (``Train/annotations/*.txt``,
        ``boxes.csv``), for :func:`dataset_fingerprint`.
    """

    root: Path
    layout: str
    train_positive_crops: list[Path]
    test_positive_crops: list[Path]
    train_negative_images: list[Path]
    test_negative_images: list[Path]
    train_positive_images: list[Path]
    test_positive_images: list[Path]
    annotations: dict[Path, Annotation] = field(default_factory=dict, repr=False)
    annotation_files: list[Path] = field(default_factory=list, repr=False)

    def annotation(self, image_path: str | os.PathLike) -> Annotation | None:
        """The annotation of a positive image, or None when it has none.

        Images of the data set are paired with their annotation by file stem
        when the data set is loaded; another path is matched by its stem
        alone when exactly one annotated image has that stem.

        Parameters
        ----------
        image_path : str or path-like
            An image of the data set (any spelling of its path).

        Returns
        -------
        Annotation or None
        """
        found = self.annotations.get(_key(image_path))
        if found is not None:
            return found
        stem = Path(image_path).stem
        matches = [value for key, value in self.annotations.items() if key.stem == stem]
        return matches[0] if len(matches) == 1 else None

    def files(self) -> dict[str, list[Path]]:
        """The six lists of image files, by attribute name.

        Returns
        -------
        dict of str to list of Path
        """
        return {name: getattr(self, name) for name in _LIST_NAMES}


_LIST_NAMES = (
    "train_positive_crops",
    "test_positive_crops",
    "train_negative_images",
    "test_negative_images",
    "train_positive_images",
    "test_positive_images",
)


def _inria_folders(root: Path) -> dict[str, str]:
    """Folder (relative to root) of each Dataset list, inria layout."""
    return {
        "train_positive_crops": "96X160H96/Train/pos",
        "test_positive_crops": _test_crop_folder(root),
        "train_negative_images": "Train/neg",
        "test_negative_images": "Test/neg",
        "train_positive_images": "Train/pos",
        "test_positive_images": "Test/pos",
    }


def _simple_folders(root: Path) -> dict[str, str]:
    """Folder (relative to root) of each Dataset list, simple layout."""
    return {
        "train_positive_crops": "positives",
        "test_positive_crops": "test/positives",
        "train_negative_images": "negatives",
        "test_negative_images": "test/negatives",
        "train_positive_images": "images",
    }


def _pair_annotations(
    images: list[Path], annotation_files: list[Path]
) -> tuple[dict[Path, Path], list[Path]]:
    """Pair images with annotation files by stem: (pairs, images without one)."""
    by_stem = {path.stem: path for path in annotation_files}
    pairs = {_key(image): by_stem[image.stem] for image in images if image.stem in by_stem}
    missing = [image for image in images if image.stem not in by_stem]
    return pairs, missing


def _root_layout(root: str | os.PathLike) -> tuple[Path, str]:
    """The data set folder and its layout; DatasetError when it has neither layout."""
    root = Path(root)
    status = _describe_folder(root)
    if status != "ok":
        raise DatasetError(f"{root}: {status}; {_LAYOUTS_EXPECTED}")
    layout = _detect_layout(root)
    assert layout is not None
    return root, layout


_REQUIRED_SIMPLE_FOLDERS = ("positives", "negatives")


def _missing_simple_folders(root: Path, folders: tuple[str, ...] = _REQUIRED_SIMPLE_FOLDERS) -> list[str]:
    """One problem per required simple-layout folder among ``folders`` that is missing."""
    return [
        f"{root / folder}: missing (the simple layout needs positives/ and negatives/)"
        for folder in folders
        if folder in _REQUIRED_SIMPLE_FOLDERS and not (root / folder).is_dir()
    ]


def _raise_first(problems: list[str]) -> None:
    """Raise DatasetError for the first of ``problems``, counting the others."""
    if problems:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise DatasetError(f"{problems[0]}{more}")


def load_dataset(root: str | os.PathLike) -> Dataset:
    """List the files of a data set folder (either layout) and read its annotations.

    Parameters
    ----------
    root : str or path-like
        The data set folder.

    Returns
    -------
    Dataset

    Raises
    ------
    DatasetError
        When the folder has neither layout, a ``.lst`` file lists a file that
        does not exist, an annotation file is malformed, or (simple layout)
        ``positives/`` or ``negatives/`` is missing or ``boxes.csv`` has a bad
        row.
    """
    root, layout = _root_layout(root)
    if layout == "simple":
        _raise_first(_missing_simple_folders(root))
    folders = _inria_folders(root) if layout == "inria" else _simple_folders(root)
    lists: dict[str, list[Path]] = {name: [] for name in _LIST_NAMES}
    for name, folder in folders.items():
        lists[name], problems = _list_folder(root, folder)
        _raise_first(problems)

    if layout == "inria":
        annotations: dict[Path, Annotation] = {}
        annotation_files: list[Path] = []
        splits = (("Train", lists["train_positive_images"]), ("Test", lists["test_positive_images"]))
        for split, images in splits:
            files, problems = _list_folder(root, f"{split}/annotations", _ANNOTATION_EXTENSIONS)
            _raise_first(problems)
            pairs, _ = _pair_annotations(images, files)
            annotations.update({image: read_annotation(path) for image, path in pairs.items()})
            annotation_files.extend(pairs.values())
    else:
        annotations, problems = _read_boxes_csv(root)
        _raise_first(problems)
        annotation_files = [root / "boxes.csv"] if annotations else []
    return Dataset(
        root=root, layout=layout, annotations=annotations, annotation_files=annotation_files, **lists
    )


# --------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------


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
            files, problems = _list_folder(root, folders[name])
            rows.append(CheckRow(folders[name], len(files), INRIA_COUNTS.get(folders[name]), problems))
            if name in ("train_positive_images", "test_positive_images"):
                split = folders[name].split("/")[0]
                rows.append(_check_annotations(root, split, files, rows[-1]))
        return rows

    annotations, csv_problems = _read_boxes_csv(root)
    for folder in _simple_folders(root).values():
        files, problems = _list_folder(root, folder)
        problems += _missing_simple_folders(root, (folder,))
        if folder == "images":
            problems += [
                f"{image}: no boxes in boxes.csv" for image in files if _key(image) not in annotations
            ]
        rows.append(CheckRow(folder, len(files), None, problems))
    rows.append(CheckRow("boxes.csv", len(annotations), None, csv_problems))
    return rows


def _check_annotations(root: Path, split: str, images: list[Path], images_row: CheckRow) -> CheckRow:
    """Parse the annotation files of one split; note images without one in ``images_row``."""
    folder = f"{split}/annotations"
    files, problems = _list_folder(root, folder, _ANNOTATION_EXTENSIONS)
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


# --------------------------------------------------------------------------
# Fingerprint
# --------------------------------------------------------------------------


def dataset_fingerprint(dataset: Dataset) -> str:
    """A sha256 hex digest naming the exact files of a data set.

    Hashes one line ``"<list name>\\t<path relative to root, / separated>\\t<size in bytes>\\n"``
    (UTF-8) per file of the six lists and per annotation file (list name
    ``"annotation_files"``), the lines sorted. File contents are not read, so
    this is fast; it is the same on every machine for the same files.

    Raises
    ------
    DatasetError
        When a listed file no longer exists.
    """
    lines = []
    for name, files in {**dataset.files(), "annotation_files": dataset.annotation_files}.items():
        for path in files:
            try:
                size = path.stat().st_size
            except OSError:
                raise DatasetError(f"{path}: listed in the data set but missing") from None
            relative = Path(os.path.relpath(_key(path), _key(dataset.root))).as_posix()
            lines.append(f"{name}\t{relative}\t{size}\n")
    digest = hashlib.sha256()
    for line in sorted(lines):
        digest.update(line.encode("utf-8"))
    return digest.hexdigest()


# --------------------------------------------------------------------------
# Fetching
# --------------------------------------------------------------------------


def fetch_dataset(
    dest: Path = Path("data"),
    url: str | None = None,
    sha256: str | None = None,
    archive: Path | None = None,
    progress: bool = True,
) -> Path:
    """Unpack the INRIA Person archive (a local tar, or downloaded) into ``dest/INRIAPerson``.

    Everything happens in a temporary folder inside ``dest``, renamed to
    ``dest/INRIAPerson`` only once the archive is fully unpacked and loads as
    a data set; on any failure (or Ctrl-C) the temporary folder is removed.
    The archive may hold ``INRIAPerson/`` (as INRIA's own tar does) or the
    layout's folders directly. Members with absolute paths or ``..`` and
    links leading outside are refused.

    Parameters
    ----------
    dest : Path
        The folder to put ``INRIAPerson`` in (created if missing).
    url : str, optional
        Where to download the archive from (any URL urllib opens).
    sha256 : str, optional
        The archive's expected sha256 hex digest.
    archive : Path, optional
        A local tar archive (any compression) instead of ``url``.
    progress : bool
        Show a download progress bar.

    Returns
    -------
    Path
        ``dest/INRIAPerson``.

    Raises
    ------
    DatasetError
        When neither or both of ``url`` and ``archive`` are given, the
        destination exists, the download fails, the checksum differs, the
        archive is not a tar file, has unsafe members, or does not hold a
        data set.
    """
    if (url is None) == (archive is None):
        raise DatasetError("give exactly one of an archive file or a URL to fetch the data set from")
    dest = Path(dest)
    final = dest / "INRIAPerson"
    if final.exists():
        raise DatasetError(f"{final} already exists; remove it first or choose another destination")
    if archive is not None and not Path(archive).is_file():
        raise DatasetError(f"{archive}: no such archive file")
    created_dest = not dest.exists()
    dest.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".INRIAPerson-partial-", dir=dest))
    try:
        source = Path(archive) if archive is not None else _download(url, work / "download", progress)
        name = str(archive) if archive is not None else url
        if sha256 is not None:
            _verify_sha256(source, sha256, name)
        unpacked = work / "unpacked"
        _unpack(source, unpacked, name)
        top = unpacked / "INRIAPerson" if (unpacked / "INRIAPerson").is_dir() else unpacked
        if _detect_layout(top) is None:
            raise DatasetError(
                f"{name}: the archive holds no data set (expected INRIAPerson/ with Train/ and Test/ in it)"
            )
        load_dataset(top)
        if final.exists():
            raise DatasetError(f"{final} already exists; remove it first or choose another destination")
        top.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        if created_dest:
            _remove_if_empty(dest)
        raise
    shutil.rmtree(work, ignore_errors=True)
    return final


def _remove_if_empty(folder: Path) -> None:
    """Remove ``folder`` if it is an empty directory."""
    try:
        folder.rmdir()
    except OSError:
        pass


def _download(url: str, target: Path, progress: bool) -> Path:
    """Download ``url`` to ``target`` with a progress bar."""
    import urllib.error
    import urllib.request

    from tqdm import tqdm

    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(target, "wb") as out:
            total = response.headers.get("Content-Length")
            with tqdm(
                total=int(total) if total and total.isdigit() else None,
                unit="B", unit_scale=True, unit_divisor=1024,
                desc=f"downloading {Path(url).name or url}", disable=not progress,
            ) as bar:
                while chunk := response.read(1 << 20):
                    out.write(chunk)
                    bar.update(len(chunk))
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        raise DatasetError(f"{url}: cannot download ({reason})") from None
    return target


def _verify_sha256(path: Path, expected: str, name: str) -> None:
    """DatasetError unless the file's sha256 is ``expected``."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    actual = digest.hexdigest()
    if actual != expected.strip().lower():
        raise DatasetError(f"{name}: sha256 is {actual}, expected {expected.strip().lower()}")


def _unpack(archive: Path, target: Path, name: str) -> None:
    """Unpack a tar archive into ``target``, refusing absolute or ``..`` member names."""
    try:
        with tarfile.open(archive) as tar:
            members = tar.getmembers()
            for member in members:
                if member.name.startswith(("/", "\\")) or ".." in Path(member.name).parts:
                    raise DatasetError(f"{name}: refusing unsafe archive member {member.name!r}")
            target.mkdir()
            tar.extractall(target, members=members, filter="data")
    except tarfile.FilterError as error:
        raise DatasetError(f"{name}: refusing unsafe archive member ({error})") from None
    except (tarfile.TarError, EOFError) as error:
        raise DatasetError(f"{name}: not a readable tar archive ({error})") from None


from .synthetic import make_synthetic  # noqa: E402  (a submodule that needs nothing above)
