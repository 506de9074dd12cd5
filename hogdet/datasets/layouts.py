"""The two folder layouts of a pedestrian data set: recognising them, loading one, its fingerprint.

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
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DatasetError
from ._files import ANNOTATION_EXTENSIONS, list_folder, path_key
from .annotations import Annotation, _read_boxes_csv, read_annotation

__all__ = [
    "Dataset",
    "dataset_fingerprint",
    "load_dataset",
]

_INRIA_MARKERS = ("Train/pos", "Train/neg", "Test/pos", "Test/neg", "96X160H96/Train/pos")
_SIMPLE_MARKERS = ("positives", "negatives", "boxes.csv")
_LAYOUTS_EXPECTED = (
    "expected the INRIA layout (Train/pos, Train/neg, Test/pos, Test/neg, "
    "Train/annotations, 96X160H96/Train/pos, ...) or the simple layout "
    "(positives/, negatives/, optional test/, images/ and boxes.csv)"
)


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
        found = self.annotations.get(path_key(image_path))
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
    pairs = {path_key(image): by_stem[image.stem] for image in images if image.stem in by_stem}
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
        lists[name], problems = list_folder(root, folder)
        _raise_first(problems)

    if layout == "inria":
        annotations: dict[Path, Annotation] = {}
        annotation_files: list[Path] = []
        splits = (("Train", lists["train_positive_images"]), ("Test", lists["test_positive_images"]))
        for split, images in splits:
            files, problems = list_folder(root, f"{split}/annotations", ANNOTATION_EXTENSIONS)
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
            relative = Path(os.path.relpath(path_key(path), path_key(dataset.root))).as_posix()
            lines.append(f"{name}\t{relative}\t{size}\n")
    digest = hashlib.sha256()
    for line in sorted(lines):
        digest.update(line.encode("utf-8"))
    return digest.hexdigest()
