"""Reading images into the one form the rest of hogdet expects."""

from __future__ import annotations

import os
import uuid
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np

from .errors import ImageReadError


def read_image(path: str | os.PathLike) -> np.ndarray:
    """Read an image file as float32 in [0, 1].

    Grey images come back as ``(rows, cols)``, colour images as
    ``(rows, cols, 3)``; an alpha channel is dropped and 16-bit images are
    scaled by 65535 (as :func:`skimage.util.img_as_float32` does).

    Parameters
    ----------
    path : str or path-like
        Any format scikit-image can read (PNG, JPEG, TIFF, ...).

    Returns
    -------
    image : ndarray of float32, shape (rows, cols) or (rows, cols, 3)

    Raises
    ------
    ImageReadError
        When the file is missing, truncated, not an image, or has no pixels.
    """
    from skimage import io as skio

    path = Path(path)
    if not path.is_file():
        raise ImageReadError(f"{path}: no such image file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pixels = skio.imread(path)
    except Exception as error:  # the readers raise many types for a bad file
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        if "backend" in reason:  # imageio's words for "no reader knows this file"
            reason = "not an image format scikit-image can read"
        raise ImageReadError(f"{path}: cannot read image ({reason})") from None
    return as_float_image(pixels, name=str(path))


def as_float_image(pixels: np.ndarray, name: str = "image") -> np.ndarray:
    """Convert an image array to float32 in [0, 1] with at most 3 channels.

    Parameters
    ----------
    pixels : ndarray, shape (rows, cols) or (rows, cols, channels)
        uint8, uint16, bool or float pixels. Float input is taken as
        already in [0, 1]. One channel is taken as grey, four as RGBA (the
        alpha channel is dropped), two as grey plus alpha.
    name : str
        Used in error messages.

    Returns
    -------
    image : ndarray of float32, shape (rows, cols) or (rows, cols, 3)
    """
    from skimage.util import img_as_float32

    pixels = np.asarray(pixels)
    if pixels.dtype == object or pixels.size == 0:
        raise ImageReadError(f"{name}: not an image (no pixels)")
    if pixels.ndim == 3 and pixels.shape[2] in (2, 4):
        pixels = pixels[:, :, :-1]
    if pixels.ndim == 3 and pixels.shape[2] == 1:
        pixels = pixels[:, :, 0]
    if pixels.ndim not in (2, 3) or (pixels.ndim == 3 and pixels.shape[2] != 3):
        raise ImageReadError(
            f"{name}: expected a grey or colour image, got an array of shape {pixels.shape}"
        )
    try:
        image = img_as_float32(pixels)
    except ValueError as error:
        raise ImageReadError(f"{name}: unsupported pixel type {pixels.dtype} ({error})") from None
    if image.dtype != np.float32:
        image = image.astype(np.float32)
    # Signed integer input maps to [-1, 1]; negative values would break the
    # square-root gamma compression, so clip to the valid range.
    return np.clip(image, 0.0, 1.0, out=image)


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary file beside ``path``, renamed onto it if the block succeeds.

    Readers never see a half-written file: either the old one or the new
    one. On any error (or interruption) the temporary file is removed.

    Examples
    --------
    >>> with atomic_path("metrics.csv") as temporary:   # doctest: +SKIP
    ...     temporary.write_text("round,images\n")
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A fresh name beside the target (so os.replace is atomic), created with
    # mode 0o666 less the umask, as a plain open() would (mkstemp's 0o600
    # would carry over to the renamed file).
    temporary = path.parent / f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}{path.suffix}"
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield Path(temporary)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Write a text file atomically (see :func:`atomic_path`)."""
    with atomic_path(path) as temporary:
        temporary.write_text(text)
