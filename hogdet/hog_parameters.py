"""The HOG parameters: everything that defines a window's feature vector.

Validated on construction (a bad value raises
:class:`~hogdet.errors.ParameterError` naming the field); hashable and
frozen, so that caches and the model file can key on them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import numpy as np

from .errors import ParameterError

BLOCK_NORMS = ("L1", "L1-sqrt", "L2", "L2-Hys")
INTERPOLATIONS = ("none", "orientation", "trilinear")
#: lambda fitted by ``benchmarks/fit_scale_exponent.py`` on 100 of the benchmark's
#: Train/neg photographs (default HOG parameters; the sum of a cell's votes,
#: hence lambda, does not depend on the interpolation).
FITTED_SCALE_EXPONENT = 0.40


@dataclass(frozen=True)
class HOGParameters:
    """Everything that defines a HOG feature vector and its window.

    The defaults are Dalal & Triggs' (CVPR 2005) person detector: a 64x128
    window, 8x8-pixel cells, 2x2-cell blocks moved by one cell (8 pixels),
    9 unsigned orientation bins over 0-180 degrees, L2-Hys block
    normalisation and square-root gamma compression.

    Parameters
    ----------
    window_size : (int, int)
        Detection window as (height, width) in pixels; a multiple of the cell.
    pixels_per_cell : (int, int)
        Cell size as (rows, cols) in pixels. Blocks (and detection windows)
        move by one cell, as in ``skimage.feature.hog``.
    cells_per_block : (int, int)
        Block size as (rows, cols) in cells.
    orientations : int
        Number of unsigned orientation bins over 0-180 degrees.
    block_norm : {'L1', 'L1-sqrt', 'L2', 'L2-Hys'}
        Block normalisation, as in ``skimage.feature.hog``.
    transform_sqrt : bool
        Square-root (gamma) compression of the image before gradients.
    margin : (int, int)
        Rows and columns of context around the person inside the window
        (INRIA: 16 rows above and below the 96-pixel person, none sideways).
        A detection reports the window less this margin.
    interpolation : {'none', 'orientation', 'trilinear'}
        ``'none'``: each pixel votes into one orientation bin of its own
        cell, exactly as ``skimage.feature.hog``. ``'orientation'``: each
        pixel splits its vote linearly between the two nearest bin centres.
        ``'trilinear'``: Dalal & Triggs' full scheme, also splitting each
        vote bilinearly between the nearest cell centres of the block and
        weighting it by a Gaussian window over the block (sigma = half the
        block width); the spatial weights are evaluated at half-cell
        resolution (4-pixel sub-cells for 8-pixel cells) so that the cost
        stays that of one histogram.
    block_sigma : float
        With ``'trilinear'``: sigma of the Gaussian window over a block, in
        block widths (Dalal & Triggs: 0.5; OpenCV's default: 0.25); 0 turns
        the window off.
    scale_exponent : float
        Power-law exponent lambda of the approximate pyramid
        (:mod:`hogdet.pyramid`): gradient histograms of an image downscaled
        by ``r`` average ``r ** lambda`` times those of the original, per
        cell (Dollar et al., PAMI 2014). Fitted on the training photographs
        by ``benchmarks/fit_scale_exponent.py``; unused by exact pyramids.
    """

    window_size: tuple[int, int] = (128, 64)
    pixels_per_cell: tuple[int, int] = (8, 8)
    cells_per_block: tuple[int, int] = (2, 2)
    orientations: int = 9
    block_norm: str = "L2-Hys"
    transform_sqrt: bool = True
    margin: tuple[int, int] = (16, 0)
    interpolation: str = "none"
    block_sigma: float = 0.5
    scale_exponent: float = FITTED_SCALE_EXPONENT

    def __post_init__(self) -> None:
        for name in ("window_size", "pixels_per_cell", "cells_per_block", "margin"):
            value = tuple(int(v) for v in getattr(self, name))
            if len(value) != 2:
                raise ParameterError(name, f"must be two integers, got {value}")
            object.__setattr__(self, name, value)
        if min(self.pixels_per_cell) < 1:
            raise ParameterError("pixels_per_cell", f"must be at least 1 pixel, got {self.pixels_per_cell}")
        if min(self.cells_per_block) < 1:
            raise ParameterError("cells_per_block", f"must be at least 1 cell, got {self.cells_per_block}")
        if self.orientations < 1:
            raise ParameterError("orientations", f"must be >= 1, got {self.orientations}")
        if self.interpolation not in INTERPOLATIONS:
            raise ParameterError("interpolation", f"must be one of {INTERPOLATIONS}, got {self.interpolation!r}")
        if not np.isfinite(self.scale_exponent):
            raise ParameterError("scale_exponent", f"must be a finite number, got {self.scale_exponent}")
        if self.block_sigma < 0:
            raise ParameterError("block_sigma", f"must be >= 0, got {self.block_sigma}")
        if self.interpolation == "trilinear" and (self.pixels_per_cell[0] % 2 or self.pixels_per_cell[1] % 2):
            raise ParameterError(
                "pixels_per_cell", f"must be even for trilinear interpolation, got {self.pixels_per_cell}"
            )
        if self.block_norm not in BLOCK_NORMS:
            raise ParameterError("block_norm", f"must be one of {BLOCK_NORMS}, got {self.block_norm!r}")
        cells = self.window_cells
        if (
            cells[0] * self.pixels_per_cell[0] != self.window_size[0]
            or cells[1] * self.pixels_per_cell[1] != self.window_size[1]
        ):
            raise ParameterError(
                "window_size", f"must be a whole number of {self.pixels_per_cell} cells, got {self.window_size}"
            )
        if cells[0] < self.cells_per_block[0] or cells[1] < self.cells_per_block[1]:
            raise ParameterError(
                "window_size", f"must hold at least one block, got {self.window_size}"
            )
        if not (0 <= 2 * self.margin[0] < self.window_size[0]) or not (
            0 <= 2 * self.margin[1] < self.window_size[1]
        ):
            raise ParameterError(
                "margin", f"must leave some of the window {self.window_size}, got {self.margin}"
            )

    @property
    def window_cells(self) -> tuple[int, int]:
        """Window size in cells, (rows, cols)."""
        return (
            self.window_size[0] // self.pixels_per_cell[0],
            self.window_size[1] // self.pixels_per_cell[1],
        )

    @property
    def window_blocks(self) -> tuple[int, int]:
        """Number of blocks in a window, (rows, cols)."""
        rows, cols = self.window_cells
        return rows - self.cells_per_block[0] + 1, cols - self.cells_per_block[1] + 1

    @property
    def block_length(self) -> int:
        """Number of values in one normalised block."""
        return self.cells_per_block[0] * self.cells_per_block[1] * self.orientations

    @property
    def n_features(self) -> int:
        """Length of one window's feature vector (3780 for the defaults)."""
        rows, cols = self.window_blocks
        return rows * cols * self.block_length

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_dict(cls, values: dict) -> "HOGParameters":
        known = {name: values[name] for name in cls.__dataclass_fields__ if name in values}
        return cls(**known)
