"""The image pyramid of a scan: its scales, and the HOG block grid of each level.

Exact pyramid: the padded image is resized to every level and its HOG
computed there. Approximate pyramid (Dollar et al., "Fast Feature Pyramids
for Object Detection", PAMI 2014): the cell histograms are computed on a
few real levels per octave only; every other level takes the histograms of
its nearest real level, resampled bilinearly to its own cell grid and
multiplied by the power law ``ratio ** lambda`` (``ratio``: how much
coarser the level is than its real source, ``lambda``:
``HOGParameters.scale_exponent``, fitted by :func:`fit_scale_exponent`).
Blocks are then assembled and normalised per level as usual.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Iterator

import numpy as np

from ._hog_kernels import KERNELS_AVAILABLE, resample_kernel, resize_kernel
from .errors import HogdetError
from .features import HOGParameters, blocks_from_histograms, histogram_cell_size, histogram_grid, image_planes

PYRAMIDS = ("exact", "approximate")


@dataclass(frozen=True)
class ScanParameters:
    """How an image is scanned.

    Parameters
    ----------
    scale_step : float
        Ratio between consecutive pyramid levels (Dalal & Triggs: 1.05-1.2).
    min_scale, max_scale : float
        First and last downscaling factor tried; ``max_scale=None`` goes on
        until the window no longer fits. ``min_scale < 1`` upsamples, to find
        people smaller than the window.
    padding : int
        Pixels of reflected border added on every side of the image before
        scanning, so that windows (whose margins reach past the person) can
        be placed on people touching the image edge. Boxes are reported in
        the original image's coordinates.
    stride : int
        Window stride in cells (1 cell = 8 pixels for the defaults).
    pyramid : {'exact', 'approximate'}
        ``'exact'`` computes HOG on every level; ``'approximate'`` only on
        ``real_per_octave`` levels per octave and resamples the rest
        (see :mod:`hogdet.pyramid`).
    real_per_octave : int
        With ``pyramid='approximate'``: levels per octave (scale factor 2)
        whose histograms are computed from the image.
    """

    scale_step: float = 1.05
    min_scale: float = 1.0
    max_scale: float | None = None
    padding: int = 32
    stride: int = 1
    pyramid: str = "exact"
    real_per_octave: int = 2

    def __post_init__(self) -> None:
        if not self.scale_step > 1.0:
            raise HogdetError(f"scale_step must be greater than 1, got {self.scale_step}")
        if not self.min_scale > 0:
            raise HogdetError(f"min_scale must be positive, got {self.min_scale}")
        if self.max_scale is not None and self.max_scale < self.min_scale:
            raise HogdetError("max_scale must not be smaller than min_scale")
        if self.padding < 0 or self.stride < 1:
            raise HogdetError("padding must be >= 0 and stride >= 1")
        if self.pyramid not in PYRAMIDS:
            raise HogdetError(f"pyramid must be one of {PYRAMIDS}, got {self.pyramid!r}")
        if self.real_per_octave < 1:
            raise HogdetError(f"real_per_octave must be >= 1, got {self.real_per_octave}")


@dataclass
class Level:
    """One pyramid level: its block grid and how it maps to the original image.

    ``scale_rows`` / ``scale_cols`` are original pixels per level pixel;
    ``padding`` is the border (in original pixels) added before scaling.
    """

    index: int
    grid: np.ndarray
    scale_rows: float
    scale_cols: float
    padding: int


def pad_image(image: np.ndarray, padding: int) -> np.ndarray:
    """Reflect ``padding`` pixels on every side (OpenCV's ``BORDER_REFLECT``)."""
    if padding <= 0:
        return image
    widths = [(padding, padding), (padding, padding)] + [(0, 0)] * (image.ndim - 2)
    return np.pad(image, widths, mode="symmetric")


def pyramid_scales(image_shape: tuple[int, ...], hog: HOGParameters, scan: ScanParameters) -> list[float]:
    """Downscaling factors of every level on which at least one window fits."""
    rows, cols = image_shape[0] + 2 * scan.padding, image_shape[1] + 2 * scan.padding
    largest = min(rows / hog.window_size[0], cols / hog.window_size[1])
    if scan.max_scale is not None:
        largest = min(largest, scan.max_scale)
    if largest < scan.min_scale:
        return []
    count = int(np.floor(np.log(largest / scan.min_scale) / np.log(scan.scale_step) + 1e-9)) + 1
    return [scan.min_scale * scan.scale_step**k for k in range(count)]


def real_levels(n_levels: int, scan: ScanParameters) -> np.ndarray:
    """For every level, the index of the level its histograms come from.

    Exact pyramid: itself. Approximate: the nearest level (in log scale) of
    those computed from the image, which are every ``k``-th level from the
    first, ``k = round(levels per octave / real_per_octave)``; on a tie the
    finer one, since shrinking histograms loses less than enlarging them.
    """
    levels = np.arange(n_levels)
    if scan.pyramid == "exact":
        return levels
    per_octave = np.log(2.0) / np.log(scan.scale_step)
    every = max(int(round(per_octave / scan.real_per_octave)), 1)
    below = (levels // every) * every
    above = below + every
    return np.where((above < n_levels) & (above - levels < levels - below), above, below)


def _interpolation_taps(size_in: int, size_out: int, ratio: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The two source indices and the weight of the second, per output sample.

    Sample centres are aligned (output ``i`` samples input position
    ``(i + 0.5) * ratio - 0.5``, ``ratio = size_in / size_out`` unless given)
    and positions past the edge are clamped, as in
    ``skimage.transform.resize(order=1, mode="edge")``.
    """
    ratio = size_in / size_out if ratio is None else ratio
    position = (np.arange(size_out) + 0.5) * ratio - 0.5
    position = np.clip(position, 0, size_in - 1)
    below = np.floor(position).astype(np.intp)
    above = np.minimum(below + 1, size_in - 1)
    return below, above, (position - below).astype(np.float32)


def _bilinear(values: np.ndarray, row_taps: tuple, col_taps: tuple, row_axis: int) -> np.ndarray:
    """Two separable two-tap passes along ``row_axis`` and the axis after it."""
    below, above, weight = row_taps
    shape = [1] * values.ndim
    shape[row_axis] = -1
    rows = np.take(values, below, axis=row_axis)
    step = np.take(values, above, axis=row_axis)
    step -= rows
    step *= weight.reshape(shape)
    rows += step
    below, above, weight = col_taps
    shape[row_axis], shape[row_axis + 1] = 1, -1
    resized = np.take(rows, below, axis=row_axis + 1)
    step = np.take(rows, above, axis=row_axis + 1)
    step -= resized
    step *= weight.reshape(shape)
    resized += step
    return resized


def resize_planes(planes: np.ndarray, shape: tuple[int, int], square_root: bool = False) -> np.ndarray:
    """Bilinear resize without anti-aliasing, as Dalal & Triggs' pyramid.

    Equal to ``skimage.transform.resize(image, shape, order=1, mode="edge",
    anti_aliasing=False)`` to float32 rounding (tested), but computed as two
    separable two-tap passes: scikit-image's general spline path took
    longer than the HOG itself when detection was profiled.

    Parameters
    ----------
    planes : ndarray of float32, shape (channels, rows, cols)
    shape : (int, int)
        Output (rows, cols).
    square_root : bool
        Return the square root of the resized values (HOG's gamma
        compression, fused into the resize).

    Returns
    -------
    resized : ndarray of float32, shape (channels, shape[0], shape[1])
    """
    row_taps = _interpolation_taps(planes.shape[1], shape[0])
    col_taps = _interpolation_taps(planes.shape[2], shape[1])
    if not KERNELS_AVAILABLE:
        resized = _bilinear(planes, row_taps, col_taps, 1)
        return np.sqrt(resized, out=resized) if square_root else resized
    resized = np.empty((planes.shape[0], *shape), np.float32)
    resize_kernel(np.ascontiguousarray(planes, dtype=np.float32), *row_taps, *col_taps, square_root, resized)
    return resized


def resample_histograms(
    histograms: np.ndarray, shape: tuple[int, int], ratio: tuple[float, float], scale_exponent: float
) -> np.ndarray:
    """Histograms of a real level carried to another level's cell grid.

    Parameters
    ----------
    histograms : ndarray of float32, shape (rows, cols, orientations)
        Cell histograms of the real level.
    shape : (int, int)
        Cell grid (rows, cols) of the target level.
    ratio : (float, float)
        Target cell size over real cell size, in original pixels, along
        rows and columns (> 1: the target level is coarser).
    scale_exponent : float
        lambda of the power law: values are multiplied by
        ``sqrt(ratio_rows * ratio_cols) ** lambda``.

    Returns
    -------
    resampled : ndarray of float32, shape (shape[0], shape[1], orientations)
    """
    rows, cols = histograms.shape[:2]
    row_taps = _interpolation_taps(rows, shape[0], ratio[0])
    col_taps = _interpolation_taps(cols, shape[1], ratio[1])
    factor = np.float32(np.sqrt(ratio[0] * ratio[1]) ** scale_exponent)
    if not KERNELS_AVAILABLE:
        resampled = _bilinear(histograms, row_taps, col_taps, 0)
        resampled *= factor
        return resampled
    resampled = np.empty((shape[0], shape[1], histograms.shape[2]), np.float32)
    resample_kernel(np.ascontiguousarray(histograms, np.float32), *row_taps, *col_taps, factor, resampled)
    return resampled


def _level_shape(padded_shape: tuple[int, ...], scale: float, hog: HOGParameters) -> tuple[int, int]:
    """Pixel size (rows, cols) of the level at ``scale``, never below the window."""
    rows = max(int(round(padded_shape[1] / scale)), hog.window_size[0])
    cols = max(int(round(padded_shape[2] / scale)), hog.window_size[1])
    return rows, cols


def pyramid(
    image: np.ndarray,
    hog: HOGParameters = HOGParameters(),
    scan: ScanParameters = ScanParameters(),
    levels: Iterable[int] | None = None,
) -> Iterator[Level]:
    """HOG block grids of an image's pyramid levels.

    The padded image is resized to each real scale with bilinear
    interpolation and no anti-aliasing (:func:`resize_planes`, as Dalal &
    Triggs and OpenCV do) and its histograms computed once; with
    ``scan.pyramid == 'approximate'`` the other levels resample those of
    their nearest real level (:func:`resample_histograms`).

    Parameters
    ----------
    image : ndarray, shape (rows, cols) or (rows, cols, 3), float in [0, 1]
    hog, scan : parameters
    levels : iterable of int, optional
        Only these level indices (default: all).

    Yields
    ------
    Level
        By increasing index.
    """
    padded = image_planes(pad_image(image, scan.padding))
    scales = pyramid_scales(image.shape, hog, scan)
    wanted = range(len(scales)) if levels is None else sorted(set(levels) & set(range(len(scales))))
    sources = real_levels(len(scales), scan)
    cell_rows, cell_cols = histogram_cell_size(hog)
    real: dict[int, np.ndarray] = {}
    gamma_done = replace(hog, transform_sqrt=False)
    for index in wanted:
        rows, cols = _level_shape(padded.shape, scales[index], hog)
        source = int(sources[index])
        if source not in real:
            # Only the last real level is needed again: levels come in order
            # and each takes the nearest real one.
            real.clear()
            source_rows, source_cols = _level_shape(padded.shape, scales[source], hog)
            if (source_rows, source_cols) == padded.shape[1:]:
                real[source] = histogram_grid(None, hog, planes=padded)
            else:
                # Gamma compression fused into the resize.
                planes = resize_planes(padded, (source_rows, source_cols), square_root=hog.transform_sqrt)
                real[source] = histogram_grid(None, gamma_done, planes=planes)
        histograms = real[source]
        if source != index:
            source_rows, source_cols = _level_shape(padded.shape, scales[source], hog)
            histograms = resample_histograms(
                histograms,
                (rows // cell_rows, cols // cell_cols),
                (source_rows / rows, source_cols / cols),
                hog.scale_exponent,
            )
        yield Level(
            index=index,
            grid=blocks_from_histograms(histograms, hog),
            scale_rows=padded.shape[1] / rows,
            scale_cols=padded.shape[2] / cols,
            padding=scan.padding,
        )


def fit_scale_exponent(
    images: Iterable[np.ndarray], hog: HOGParameters = HOGParameters(), steps: int = 8
) -> tuple[float, np.ndarray, np.ndarray]:
    """Fit the power law of histogram magnitude against scale (``chnsScaling``).

    Each image is downscaled by ``2 ** (k / steps)`` for ``k = 1 .. steps``
    (one octave) as the pyramid does; the mean histogram value per cell at
    each scale, over that at full size, is averaged over the images in log
    space, and lambda is the least-squares slope of log(mean ratio) against
    log(scale), with an intercept as in Dollar's ``chnsScaling`` (bilinear
    resizing without anti-aliasing blurs a little at every scale but 1,
    which the intercept absorbs).

    Parameters
    ----------
    images : iterable of ndarray, float in [0, 1]
        Photographs (Dollar et al. use person-free training images).
    hog : HOGParameters
    steps : int
        Scales per octave to measure.

    Returns
    -------
    scale_exponent : float
        lambda, for ``HOGParameters.scale_exponent``.
    scales : ndarray, shape (steps,)
        Downscaling factors measured.
    log_ratios : ndarray, shape (steps,)
        Mean log ratio of mean histogram values at each scale.
    """
    scales = 2.0 ** (np.arange(1, steps + 1) / steps)
    sums, count = np.zeros(steps), 0
    for image in images:
        planes = image_planes(image)
        base = float(histogram_grid(None, hog, planes=planes).mean())
        if base <= 0 or min(planes.shape[1:]) < 2 * max(hog.pixels_per_cell) * scales[-1]:
            continue
        for k, scale in enumerate(scales):
            shape = (int(round(planes.shape[1] / scale)), int(round(planes.shape[2] / scale)))
            sums[k] += np.log(float(histogram_grid(None, hog, planes=resize_planes(planes, shape)).mean()) / base)
        count += 1
    if count == 0:
        raise HogdetError("fit_scale_exponent needs at least one image larger than an octave of cells")
    log_ratios = sums / count
    log_scales = np.log(scales) - np.log(scales).mean()
    return float(log_scales @ (log_ratios - log_ratios.mean()) / (log_scales @ log_scales)), scales, log_ratios
