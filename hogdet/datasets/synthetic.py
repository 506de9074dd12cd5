"""A small synthetic pedestrian data set in the INRIA Person layout.

:func:`make_synthetic` draws upright stick-and-blob figures (head, torso, arms, legs; standing or walking) on crops
of person-free photographs that scikit-image and scikit-learn ship, and writes them where
:func:`hogdet.datasets.load_dataset` looks for INRIA Person, so that the whole pipeline and its tests run in a
minute without a real data set. The backgrounds carry person-like clutter (poles, pairs of posts, blobs, stripes)
so that a round-0 detector fires on them and hard negative mining has work to do. Nothing in it is a real person,
and it says so: its files are named ``synthetic_*``, its annotations' ``Database`` line says so, and
``SYNTHETIC.json`` and ``README.md`` sit at its top. Every item is drawn from its own
``numpy.random.default_rng([seed, kind, index])``: no item depends on another or on the order of work.
The figures and the clutter themselves are drawn by :mod:`hogdet.datasets._drawing`.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import operator
import os
import shutil
import struct
import tempfile
import zlib
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ._drawing import clutter_parts, paint, palette, person_parts

__all__ = ["make_synthetic", "negative_image", "person_crop", "photograph"]

GENERATOR_VERSION = 1
MARKER_NAME = "SYNTHETIC.json"
DATABASE = "hogdet synthetic (not real people)"
LABEL = "PASperson"
CROP_SIZE = (160, 96)  # rows, cols of INRIA's 96X160H96 crops
PERSON_ROWS = (32, 128)  # the 64x128 window, 16 px in from the crop's edges, less its 16-row margins
#: Person-free photographs in scikit-image's own folder (read as files: nothing can be downloaded).
#: Never astronaut.png or camera.png: they show people.
SKIMAGE_FILES = ("rocket.jpg", "coffee.png", "chelsea.png", "brick.png", "grass.png", "gravel.png",
                 "hubble_deep_field.jpg", "coins.png", "clock_motion.png", "horse.png", "moon.png", "text.png",
                 "page.png", "color.png", "ihc.png", "retina.jpg")
SKLEARN_FILES = ("china.jpg", "flower.jpg")  # what sklearn.datasets.load_sample_images() reads
_KIND_CODES = {"train crop": 1, "test crop": 2, "train negative": 3, "test negative": 4, "train photo": 5,
               "test photo": 6}  # part of each item's seed: the streams of different folders never meet


@functools.lru_cache(maxsize=1)
def source_photographs() -> tuple[tuple[np.ndarray, ...], ...]:
    """Each background photograph as a mipmap: float32 RGB in [0, 1] at full, 1/2, 1/4, ... size."""
    from skimage.io import imread
    from skimage.util import img_as_float32

    def package_folder(name: str) -> Path:  # found without importing it (sklearn.datasets takes a second)
        return Path(importlib.util.find_spec(name).origin).parent
    paths = [package_folder("skimage") / "data" / name for name in SKIMAGE_FILES]
    paths += [package_folder("sklearn") / "datasets" / "images" / name for name in SKLEARN_FILES]
    mipmaps = []
    for path in paths:
        image = img_as_float32(imread(path))
        levels = [np.dstack([image] * 3) if image.ndim == 2 else image[:, :, :3]]
        while min(levels[-1].shape[:2]) >= 256:
            rows, cols = (size // 2 * 2 for size in levels[-1].shape[:2])
            even = levels[-1][:rows, :cols]
            levels.append((even[0::2, 0::2] + even[1::2, 0::2] + even[0::2, 1::2] + even[1::2, 1::2]) / 4)
        mipmaps.append(tuple(levels))
    return tuple(mipmaps)


def _rng(seed: int, kind: str, index: int) -> np.random.Generator:
    return np.random.default_rng([seed, _KIND_CODES[kind], index])


def _bilinear(image: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Bilinear resize of an RGB image by separable gathers (several times faster than skimage's resize)."""
    for axis, size in ((0, rows), (1, cols)):
        length = image.shape[axis]
        position = np.clip((np.arange(size) + 0.5) * length / size - 0.5, 0, length - 1)
        low = np.floor(position).astype(int)
        weight = (position - low).astype(np.float32).reshape((-1, 1, 1) if axis == 0 else (1, -1, 1))
        image = np.take(image, low, axis) * (1 - weight) + np.take(image, np.minimum(low + 1, length - 1), axis) * weight
    return image


def background(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    """A random crop of a source photograph, rescaled, maybe mirrored, re-lit: float32 (rows, cols, 3)."""
    mipmap = source_photographs()[rng.integers(len(SKIMAGE_FILES) + len(SKLEARN_FILES))]
    largest = min(mipmap[0].shape[0] / rows, mipmap[0].shape[1] / cols)  # source px per output px
    zoom = min(largest, 4.0) * rng.uniform(0.35, 1.0)
    level = min(max(int(np.log2(zoom)), 0), len(mipmap) - 1)  # then at most 2x downscaling: little aliasing
    source, zoom = mipmap[level], zoom / 2 ** level
    region_rows, region_cols = (min(max(2, round(size * zoom)), limit) for size, limit in zip((rows, cols), source.shape))
    top, left = rng.integers(0, source.shape[0] - region_rows + 1), rng.integers(0, source.shape[1] - region_cols + 1)
    image = _bilinear(source[top:top + region_rows, left:left + region_cols], rows, cols)
    image = image[:, ::-1] if rng.random() < 0.5 else image
    gain = (rng.uniform(0.7, 1.2) * rng.uniform(0.85, 1.15, 3)).astype(np.float32)
    return np.clip(image * gain + np.float32(rng.uniform(-0.1, 0.1)), 0.0, 1.0)


def _finish(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """Sensor noise (uniform: five times cheaper to draw than Gaussian), then clipping to [0, 1]."""
    image += (rng.random(image.shape, dtype=np.float32) - 0.5) * np.float32(rng.uniform(0.015, 0.07))
    return np.clip(image, 0.0, 1.0, out=image)


def _occlude(rng: np.random.Generator, image: np.ndarray, top: float, centre: float, height: float) -> None:
    """Hide part of a figure (never its head) behind a box or a post of background texture."""
    if rng.random() < 0.6:  # a box over the lower body: a wall, a car
        first, last = top + height * rng.uniform(0.45, 0.85), top + height * rng.uniform(1.0, 1.3)
        left, right = centre - height * rng.uniform(0.2, 0.6), centre + height * rng.uniform(0.2, 0.6)
    else:  # a post in front of the body
        first, last = top + height * rng.uniform(0.2, 0.4), top + height * rng.uniform(1.0, 1.5)
        left = centre + height * rng.uniform(-0.25, 0.1)
        right = left + height * rng.uniform(0.06, 0.15)
    (first, last), (left, right) = np.clip([first, last], 0, image.shape[0]).astype(int), np.clip(
        [left, right], 0, image.shape[1]).astype(int)
    if last - first >= 2 and right - left >= 2:
        image[first:last, left:right] = background(rng, last - first, right - left)


def person_crop(seed: int, split: str, index: int, *, draw_person: bool = True) -> np.ndarray:
    """Person crop ``index`` of ``split`` (``"train"``, ``"test"``), float32 RGB, 160 x 96 px: the figure fills the
    central 96 rows of the 64x128 window 16 px in from each side. ``draw_person=False``: the same without it."""
    rng = _rng(seed, f"{split} crop", index)
    image = background(rng, *CROP_SIZE)
    paint(image, clutter_parts(rng, *CROP_SIZE, density=0.4), softness=rng.uniform(1.0, 2.5))
    height = rng.uniform(86, PERSON_ROWS[1] - PERSON_ROWS[0])
    top = PERSON_ROWS[0] + rng.uniform(0, PERSON_ROWS[1] - PERSON_ROWS[0] - height)
    centre = CROP_SIZE[1] / 2 + rng.uniform(-2, 2)
    parts, _ = person_parts(rng, top, centre, height, palette(rng, float(image[32:128, 24:72].mean())))
    paint(image if draw_person else image.copy(), parts, softness=rng.uniform(1.0, 2.0))
    if rng.random() < 0.1:
        _occlude(rng, image, top, centre, height)
    return _finish(rng, image)


def negative_image(seed: int, split: str, index: int) -> np.ndarray:
    """Person-free image ``index`` of ``split``: float32 RGB, 240-320 x 320-420 px, either way up."""
    rng = _rng(seed, f"{split} negative", index)
    rows, cols = int(rng.integers(240, 321)), int(rng.integers(320, 421))
    rows, cols = (cols, rows) if rng.random() < 0.3 else (rows, cols)
    image = background(rng, rows, cols)
    paint(image, clutter_parts(rng, rows, cols), softness=rng.uniform(1.0, 2.5))
    return _finish(rng, image)


def _place_people(rng: np.random.Generator, rows: int, cols: int) -> list[tuple[float, float, float]]:
    """(top, centre, height) of 1-4 figures that do not overlap; a few small, some cut by an image edge."""
    boxes: list[tuple[float, float, float, float]] = []  # top, bottom, left, right
    wanted = int(rng.integers(1, 5))
    for _ in range(12 * wanted):
        small = rng.random() < 0.1  # under 50 px: the per-image evaluation ignores them
        height = rng.uniform(30, 50) if small else np.exp(rng.uniform(np.log(72), np.log(min(250, 0.9 * rows))))
        half_width, at_edge = 0.25 * height, rng.random() < 0.15
        centre = rng.uniform(-0.3, 1.0) * half_width if at_edge else rng.uniform(half_width, cols - half_width)
        centre = cols - centre if at_edge and rng.random() < 0.5 else centre
        cut_below = rng.random() < 0.1
        top = rng.uniform(rows - height, rows - 0.75 * height) if cut_below else rng.uniform(2, rows - height)
        box = (top, top + height, centre - half_width, centre + half_width)
        if len(boxes) < wanted and all(box[1] < b[0] or box[0] > b[1] or box[3] < b[2] or box[2] > b[3] for b in boxes):
            boxes.append(box)
    return [(top, (left + right) / 2, bottom - top) for top, bottom, left, right in boxes]


def photograph(seed: int, split: str, index: int, *, draw_people: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Photograph ``index`` of ``split`` with 1-4 figures, 300-420 x 340-500 px: the image (float32 RGB), the
    figures' inclusive pixel boxes ``xmin, ymin, xmax, ymax`` (whole, also behind an occluder, clipped to the
    image) and head centres ``x, y``. ``draw_people=False``: the same photograph without them (occluders stay)."""
    rng = _rng(seed, f"{split} photo", index)
    rows, cols = int(rng.integers(300, 421)), int(rng.integers(340, 501))
    image = background(rng, rows, cols)
    paint(image, clutter_parts(rng, rows, cols), softness=rng.uniform(1.0, 2.5))
    boxes, heads, occluded = [], [], []
    for top, centre, height in _place_people(rng, rows, cols):
        under = image[max(int(top), 0):int(top + height), max(int(centre - height / 4), 0):max(int(centre + height / 4), 0)]
        colours = palette(rng, float(under.mean()) if under.size else 0.5)
        parts, (head_row, head_col) = person_parts(rng, top, centre, height, colours)
        drawn = paint(image if draw_people else image.copy(), parts, softness=rng.uniform(1.0, 2.0)) > 0.5
        ys, xs = np.flatnonzero(drawn.any(axis=1)), np.flatnonzero(drawn.any(axis=0))
        if ys.size:
            boxes.append((xs[0], ys[0], xs[-1], ys[-1]))
            heads.append((int(np.clip(head_col, 0, cols - 1)), int(np.clip(head_row, 0, rows - 1))))
        if rng.random() < 0.2:
            occluded.append((top, centre, height))
    for top, centre, height in occluded:
        _occlude(rng, image, top, centre, height)
    return _finish(rng, image), np.array(boxes, int).reshape(-1, 4), np.array(heads, int).reshape(-1, 2)


def annotation_text(image_name: str, image_shape: tuple[int, ...], boxes: np.ndarray, heads: np.ndarray) -> str:
    """A PASCAL Annotation Version 1.00 file like INRIA Person's (origin (0, 0), inclusive pixel boxes)."""
    labels = " ".join(f'"{LABEL}"' for _ in boxes)
    lines = ["# PASCAL Annotation Version 1.00", "", f'Image filename : "{image_name}"',
             f"Image size (X x Y x C) : {image_shape[1]} x {image_shape[0]} x 3", f'Database : "{DATABASE}"',
             f"Objects with ground truth : {len(boxes)} {{ {labels} }}", "",
             "# Note that there might be other objects in the image", "# for which ground truth data has not been provided.",
             "", "# Top left pixel co-ordinates : (0, 0)", ""]
    for number, ((xmin, ymin, xmax, ymax), (head_x, head_y)) in enumerate(zip(boxes, heads), start=1):
        lines += [f'# Details for object {number} ("{LABEL}")',
                  "# Center point -- not available in other PASCAL databases -- refers", "# to person head center",
                  f'Original label for object {number} "{LABEL}" : "SyntheticUprightPerson"',
                  f'Center point on object {number} "{LABEL}" (X, Y) : ({head_x}, {head_y})',
                  f'Bounding box for object {number} "{LABEL}" (Xmin, Ymin) - (Xmax, Ymax) : '
                  f"({xmin}, {ymin}) - ({xmax}, {ymax})", ""]
    return "\n".join(lines) + "\n"


def _png(image: np.ndarray) -> bytes:
    """An 8-bit RGB PNG file of a float image: rows "Up"-filtered, zlib level 1 (twice as fast as imageio's)."""
    rows = np.round(image * 255).astype(np.uint8).reshape(image.shape[0], -1)
    filtered = np.empty((rows.shape[0], rows.shape[1] + 1), np.uint8)
    filtered[:, 0] = 2  # filter type "Up": each byte less the one above it (modulo 256)
    filtered[:1, 1:], filtered[1:, 1:] = rows[:1], rows[1:] - rows[:-1]

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    header = struct.pack(">IIBBBBB", image.shape[1], image.shape[0], 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(filtered.tobytes(), 1))
            + chunk(b"IEND", b""))


def _check_counts(**counts: object) -> dict[str, int]:
    """The counts as ints; ValueError naming the first that is not a whole number in range."""
    for name, value in counts.items():
        minimum = 1 if name in ("n_people", "n_backgrounds") else 0
        try:
            counts[name] = operator.index(value) if not isinstance(value, bool) else None
        except TypeError:
            counts[name] = None
        if counts[name] is None:
            raise ValueError(f"{name} must be a whole number, got {value!r}")
        if counts[name] < minimum:
            raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    return counts


def _holds_this_set(out_dir: Path, marker: dict) -> bool:
    """True if ``out_dir`` holds exactly this set, False if it is missing or empty; else raise."""
    for folder in (out_dir, *out_dir.absolute().parents):
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(f"{folder}: exists and is not a folder; cannot write a data set there")
    if not out_dir.is_dir() or not any(out_dir.iterdir()):
        return False
    try:
        found = json.loads((out_dir / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise FileExistsError(f"{out_dir}: not empty and not a hogdet synthetic data set (no readable "
                              f"{MARKER_NAME}); refusing to mix data sets") from None
    if found != marker:
        raise FileExistsError(f"{out_dir}: holds another hogdet synthetic data set (other parameters, seed or "
                              "generator version); refusing to mix data sets: choose another folder or remove it")
    return True


def make_synthetic(out_dir: str | os.PathLike, n_people: int = 300, n_backgrounds: int = 40, seed: int = 0, *,
                   n_test_people: int = 100, n_test_backgrounds: int = 20, n_photos: int = 20,
                   n_test_photos: int = 40, progress: bool = False) -> Path:
    """Write a small synthetic pedestrian data set in the INRIA Person layout.

    Like scikit-learn's ``make_*`` generators: deterministic per ``seed`` (the same seed writes the same bytes),
    a few seconds for the defaults, no download. The set is written into a temporary folder beside ``out_dir``
    and renamed into place at the end; on any error (or Ctrl-C) nothing is left behind. A folder that already
    holds exactly this set (its ``SYNTHETIC.json`` has the same parameters and generator version) is returned as
    it is, so a cache folder is reused.

    Parameters
    ----------
    out_dir : str or path-like
        The data set folder: missing (it and its parents are created) or empty.
    n_people : int
        Distinct training people, at least 1. Each gives a 96x160 px crop and its mirror image in
        ``96X160H96/Train/pos`` (``2 * n_people`` PNG files); the person, 86-96 px tall, stands in the central
        96 rows of the 64x128 px window that sits 16 px in from each side of the crop.
    n_backgrounds : int
        Person-free training images, 240-320 x 320-420 px (either way up), in ``Train/neg``; at least 1.
    seed : int
        Non-negative random seed.
    n_test_people, n_test_backgrounds : int
        The same for ``96X160H96/Test/pos`` and ``Test/neg``.
    n_photos, n_test_photos : int
        Photographs, 300-420 x 340-500 px, in ``Train/pos`` and ``Test/pos``, each with 1-4 people mostly 72-250
        px tall (one in ten under 50 px; some cut by the image edge or partly hidden), boxed in PASCAL
        annotation files in ``Train/annotations`` and ``Test/annotations``.
    progress : bool
        Show a progress bar.

    Returns
    -------
    Path
        ``out_dir``, ready for :func:`hogdet.datasets.load_dataset`.

    Raises
    ------
    ValueError
        A count below its minimum or not a whole number, or a negative seed (the message names it).
    NotADirectoryError
        ``out_dir`` or one of its parents is a file.
    FileExistsError
        ``out_dir`` is not empty and holds something other than this very set.

    Examples
    --------
    >>> from hogdet.datasets import load_dataset
    >>> root = make_synthetic("/tmp/synthetic", n_people=20, n_backgrounds=4)  # doctest: +SKIP
    >>> len(load_dataset(root).train_positive_crops)  # 20 people and their mirror images  # doctest: +SKIP
    40
    """
    counts = _check_counts(n_people=n_people, n_backgrounds=n_backgrounds, n_test_people=n_test_people,
                           n_test_backgrounds=n_test_backgrounds, n_photos=n_photos, n_test_photos=n_test_photos)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    files = {f"96X160H96/{split}/pos": 2 * counts[f"n_{test}people"] for split, test in (("Train", ""), ("Test", "test_"))}
    files.update({f"{split}/{folder}": counts[f"n_{test}{noun}"] for split, test in (("Train", ""), ("Test", "test_"))
                  for folder, noun in (("neg", "backgrounds"), ("pos", "photos"), ("annotations", "photos"))})
    marker = {"dataset": DATABASE, "synthetic": True, "generator": "hogdet.datasets.synthetic.make_synthetic",
              "generator_version": GENERATOR_VERSION, "parameters": {"seed": int(seed), **counts}, "files": files}
    out_dir = Path(out_dir)
    if _holds_this_set(out_dir, marker):
        return out_dir
    parent = out_dir.absolute().parent
    created = [folder for folder in (parent, *parent.parents) if not folder.exists()]
    parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-partial-", dir=parent))
    try:
        for folder in files:
            (work / folder).mkdir(parents=True)
        _write_items(work, int(seed), counts, progress)
        (work / MARKER_NAME).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        settings = ", ".join(f"{name}={value}" for name, value in marker["parameters"].items())
        listing = "\n".join(f"- `{folder}/`: {count} files" for folder, count in files.items())
        (work / "README.md").write_text(
            f"# {DATABASE}\n\nThis folder is a SYNTHETIC pedestrian data set generated by hogdet "
            f"(`hogdet.datasets.synthetic.make_synthetic`, generator version {GENERATOR_VERSION}): its \"people\" are "
            "drawn stick-and-blob figures on crops of person-free photographs shipped with scikit-image and "
            "scikit-learn. It is laid out like INRIA Person so that hogdet can read it; results measured on it say "
            f"nothing about real pedestrians.\n\nParameters: {settings}.\n\n{listing}\n", encoding="utf-8")
        if out_dir.is_dir():
            out_dir.rmdir()  # empty (checked above): a rename does not replace a folder everywhere
        work.rename(out_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        for folder in created:  # the parents this call made, deepest first
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        raise
    return out_dir


def _write_items(work: Path, seed: int, counts: dict[str, int], progress: bool) -> None:
    """Draw every item of the set and write its files into ``work`` (whose folders exist)."""
    from tqdm import tqdm

    writer, pending = ThreadPoolExecutor(max_workers=1), deque()  # zlib frees the GIL: compress while drawing

    def save(path: Path, image: np.ndarray) -> None:
        pending.append(writer.submit(lambda: path.write_bytes(_png(image))))
        while len(pending) > 16:  # bounds the images held in memory, and raises what the writer raised
            pending.popleft().result()
    jobs = [(kind, split, counts[f"n_{'' if split == 'train' else 'test_'}{noun}"])
            for kind, noun in (("crop", "people"), ("neg", "backgrounds"), ("photo", "photos")) for split in ("train", "test")]
    try:
        with tqdm(total=sum(count for *_, count in jobs), desc="synthetic data set", disable=not progress) as bar:
            for kind, split, count in jobs:
                folder = work / split.capitalize()
                for index in range(count):
                    name = f"synthetic_{split}_{'' if kind == 'photo' else kind + '_'}{index:06d}"  # stems unique
                    if kind == "crop":
                        crop = person_crop(seed, split, index)
                        save(work / "96X160H96" / folder.name / "pos" / f"{name}.png", crop)
                        save(work / "96X160H96" / folder.name / "pos" / f"{name}_mirrored.png", crop[:, ::-1])
                    elif kind == "neg":
                        save(folder / "neg" / f"{name}.png", negative_image(seed, split, index))
                    else:
                        image, boxes, heads = photograph(seed, split, index)
                        save(folder / "pos" / f"{name}.png", image)
                        text = annotation_text(f"{folder.name}/pos/{name}.png", image.shape, boxes, heads)
                        (folder / "annotations" / f"{name}.txt").write_text(text, encoding="ascii")
                    bar.update()
        while pending:
            pending.popleft().result()
    finally:  # no file may be written after the caller removes ``work``
        writer.shutdown(wait=True, cancel_futures=True)
