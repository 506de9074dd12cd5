"""One record for detection windows: :class:`Windows`.

Detection results, scanned candidates, what a strategy keeps, one round's
mined samples, the round-0 training set and the whole training pool are all
:class:`Windows`: parallel columns, one entry per window, with
:meth:`Windows.take` and :meth:`Windows.concatenate`. It depends on numpy
alone, so that detection and training can use it too.

Each window has a typed key (a numpy structured array, :data:`KEY_DTYPE`)
instead of a joined string, so nothing is parsed back:

========== ======================================================================
field      meaning
========== ======================================================================
image      the image's name (relative to the data set root)
level      pyramid level of a scanned or random window; -1 for crops and
           windows around people; the mirror flag (0, 1) of an annotated person
row        top cell row of a scanned or random window; top edge of a person
           window in tenths of a pixel; -1 otherwise
column     left cell column, or left edge in tenths of a pixel; -1 otherwise
source     ``"scan"`` (mined by a scan), ``"person"`` (a window around an
           annotated person), ``"random"`` (a round-0 random negative),
           ``"crop"`` (a round-0 positive crop), ``"annotated"`` (a round-0
           annotated person)
person     index of the annotated person the window overlaps most (-1: none)
========== ======================================================================

Two windows with the same key are the same window, so that a window never
joins the training set twice.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

#: Fields of a window key (see the module documentation). The string widths
#: grow as needed when records are concatenated.
KEY_FIELDS = ("image", "level", "row", "column", "source", "person")


def key_dtype(image_width: int = 1, source_width: int = 9) -> np.dtype:
    """Structured dtype of window keys, with room for strings of the given widths."""
    return np.dtype(
        [
            ("image", f"U{max(1, image_width)}"),
            ("level", np.int32),
            ("row", np.int32),
            ("column", np.int32),
            ("source", f"U{max(1, source_width)}"),
            ("person", np.int32),
        ]
    )


KEY_DTYPE = key_dtype()


def make_keys(image, level=-1, row=-1, column=-1, source="scan", person=-1, count: int | None = None) -> np.ndarray:
    """Window keys from per-field values (scalars broadcast).

    Parameters
    ----------
    image, source : str or sequence of str
    level, row, column, person : int or array of int
    count : int, optional
        Number of keys when every field is a scalar.

    Returns
    -------
    keys : structured ndarray, shape (n,), dtype like :data:`KEY_DTYPE`
    """
    columns = {"image": image, "level": level, "row": row, "column": column, "source": source, "person": person}
    lengths = {len(value) for value in columns.values() if np.ndim(value) == 1}
    if len(lengths) > 1:
        raise ValueError(f"key fields have different lengths: {sorted(lengths)}")
    n = lengths.pop() if lengths else (1 if count is None else count)
    images = np.broadcast_to(np.asarray(image, dtype=str), (n,))
    sources = np.broadcast_to(np.asarray(source, dtype=str), (n,))
    keys = np.empty(n, key_dtype(images.dtype.itemsize // 4, sources.dtype.itemsize // 4))
    keys["image"], keys["source"] = images, sources
    for name in ("level", "row", "column", "person"):
        keys[name] = columns[name]
    return keys


def concatenate_keys(parts: list[np.ndarray]) -> np.ndarray:
    """The keys of ``parts`` in order, in a dtype wide enough for all their strings."""
    image_width = max((part.dtype["image"].itemsize // 4 for part in parts), default=1)
    source_width = max((part.dtype["source"].itemsize // 4 for part in parts), default=9)
    dtype = key_dtype(image_width, source_width)
    if not parts:
        return np.zeros(0, dtype)
    return np.concatenate([part.astype(dtype) for part in parts])


def relative_name(path: str | Path, root: str | Path | None) -> str:
    """``path`` relative to ``root`` (as given if it is not inside, or without a root), with forward slashes.

    The ``image`` of a window key: names do not depend on where the data set lies.
    """
    if root is not None:
        try:
            return Path(path).relative_to(root).as_posix()
        except ValueError:
            pass
    return Path(path).as_posix()


def take_rows(parts: "list[Windows]", rows: np.ndarray, n_features: int = 0, out: np.ndarray | None = None) -> np.ndarray:
    """Features of ``rows`` of the records ``parts`` taken end to end, without concatenating them.

    Parameters
    ----------
    parts : list of Windows
    rows : ndarray of int, shape (m,)
        Indices into the concatenation of ``parts``.
    n_features : int
        Feature length when ``parts`` is empty.
    out : ndarray of float32, shape (m, n_features), optional
        Where to write them.

    Returns
    -------
    ndarray of float32, shape (m, n_features)
        ``out`` if given.
    """
    rows = np.asarray(rows, np.int64)
    n_features = parts[0].n_features if parts else n_features
    if out is None:
        out = np.empty((len(rows), n_features), np.float32)
    ends = np.cumsum([len(part) for part in parts])
    owner = np.searchsorted(ends, rows, side="right")
    for index in np.unique(owner):
        mine = owner == index
        start = ends[index] - len(parts[index])
        out[mine] = parts[index].features[rows[mine] - start]
    return out


def key_set(keys: np.ndarray) -> set[tuple]:
    """The keys as a set of tuples (for membership tests)."""
    return set(keys.tolist())


@dataclass
class Windows:
    """Windows with their features, labels, weights, keys and scores.

    Attributes
    ----------
    features : ndarray of float32, shape (n, n_features)
        HOG feature vectors (``n_features`` may be 0 where none are needed,
        for example in a strategy's candidates).
    labels : ndarray of int8, shape (n,)
        1 person, 0 background, -1 neither (ambiguous overlap, or not
        labelled, as in a detection result).
    weights : ndarray of float, shape (n,)
        Sample weights of the last retraining (1 until a strategy sets them).
    keys : structured ndarray, shape (n,)
        Typed identity of each window (see the module documentation).
    boxes : ndarray of float, shape (n, 4)
        x1, y1, x2, y2 in original image pixels (NaN where unknown, as for crops).
    scores : ndarray of float, shape (n,)
        SVM decision values when the window was found.
    probabilities : ndarray of float, shape (n,)
        Calibrated probabilities of "person" when the window was found.
    ious : ndarray of float, shape (n,)
        Largest IoU with an annotated person (1 for a positive crop, 0 in a
        person-free image).
    rounds : ndarray of int16, shape (n,)
        Mining round that added the window (0 for round 0 and for candidates).
    """

    features: np.ndarray
    labels: np.ndarray
    weights: np.ndarray
    keys: np.ndarray
    boxes: np.ndarray
    scores: np.ndarray
    probabilities: np.ndarray
    ious: np.ndarray
    rounds: np.ndarray

    @classmethod
    def make(cls, n: int | None = None, n_features: int = 0, **columns) -> "Windows":
        """A record from the columns given; the others take their defaults.

        Defaults: no features (``n_features`` columns of zeros), label 0,
        weight 1, key ``("", -1, -1, -1, "scan", -1)``, NaN boxes, score and
        probability 0, IoU 0, round 0.
        """
        unknown = set(columns) - {field.name for field in fields(cls)}
        if unknown:
            raise TypeError(f"Windows has no column {', '.join(sorted(unknown))}")
        if n is None:
            lengths = {len(value) for value in columns.values()}
            if len(lengths) != 1:
                raise ValueError(f"columns of different lengths: {sorted(lengths)}")
            n = lengths.pop()
        defaults = {
            "features": lambda: np.zeros((n, n_features), np.float32),
            "labels": lambda: np.zeros(n, np.int8),
            "weights": lambda: np.ones(n),
            "keys": lambda: make_keys("", count=n),
            "boxes": lambda: np.full((n, 4), np.nan),
            "scores": lambda: np.zeros(n),
            "probabilities": lambda: np.zeros(n),
            "ious": lambda: np.zeros(n),
            "rounds": lambda: np.zeros(n, np.int16),
        }
        values = {name: columns[name] if name in columns else make() for name, make in defaults.items()}
        features = np.asarray(values["features"], np.float32)
        values["features"] = features.reshape(n, -1) if n else features.reshape(0, features.shape[-1] if features.ndim == 2 else n_features)
        values["labels"] = np.asarray(values["labels"], np.int8)
        values["boxes"] = np.asarray(values["boxes"], np.float64).reshape(n, 4)
        values["rounds"] = np.asarray(values["rounds"], np.int16)
        for name in ("weights", "ious"):
            values[name] = np.asarray(values[name], np.float64)
        record = cls(**values)
        for field in fields(cls):
            if len(getattr(record, field.name)) != n:
                raise ValueError(f"column {field.name} has {len(getattr(record, field.name))} entries, expected {n}")
        return record

    @classmethod
    def empty(cls, n_features: int = 0) -> "Windows":
        """No windows, with room for ``n_features`` features each."""
        return cls.make(0, n_features)

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def n_features(self) -> int:
        return self.features.shape[1]

    @property
    def levels(self) -> np.ndarray:
        """Pyramid level of each scanned window (the keys' ``level``), shape (n,), int."""
        return self.keys["level"].astype(np.intp)

    @property
    def positions(self) -> np.ndarray:
        """Top-left cell (row, column) of each scanned window in its level's grid, shape (n, 2), int."""
        return np.column_stack([self.keys["row"], self.keys["column"]]).astype(np.intp)

    def take(self, indices: np.ndarray) -> "Windows":
        """The windows at ``indices`` (integers or a boolean mask), in that order."""
        return Windows(**{field.name: getattr(self, field.name)[indices] for field in fields(self)})

    @staticmethod
    def concatenate(parts: list["Windows"], n_features: int = 0) -> "Windows":
        """All windows of ``parts``, in order (``n_features`` shapes an empty result)."""
        if not parts:
            return Windows.empty(n_features)
        columns = {
            field.name: np.concatenate([getattr(part, field.name) for part in parts])
            for field in fields(Windows)
            if field.name != "keys"
        }
        return Windows(keys=concatenate_keys([part.keys for part in parts]), **columns)

    def with_columns(self, **columns) -> "Windows":
        """A copy with some columns replaced."""
        values = {field.name: getattr(self, field.name) for field in fields(self)}
        values.update(columns)
        return Windows(**values)

    def groups(self) -> np.ndarray:
        """Group of each window for rank-based weights (PISA's hierarchical local rank).

        A person window (label 1) belongs to its person: the annotated person
        it overlaps (one group per person of an image), or itself for a crop
        or an annotated round-0 person; any other window belongs to its image.

        Returns
        -------
        ndarray of str, shape (n,)
        """
        keys = self.keys
        image = keys["image"].astype(object)
        around_person = np.isin(keys["source"], ("scan", "person"))
        own = image + "#"
        for name in ("source", "level", "row", "column", "person"):
            own = own + keys[name].astype(str).astype(object) + "/"
        by_person = (image + "#person-") + keys["person"].astype(str).astype(object)
        positive = self.labels == 1
        groups = np.where(positive & around_person, by_person, np.where(positive, own, image))
        return groups.astype(str)
