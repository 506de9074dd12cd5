"""Fit the power-law exponent lambda of the approximate pyramid (as ``chnsScaling`` does).

Downscales person-free training photographs over one octave as the pyramid
does, measures the mean HOG cell histogram value at each scale against full
size, and fits ``mean(scale) / mean(1) = scale ** lambda``. Prints the
per-scale ratios, the fitted lambda, and the value to store in
``HOGParameters.scale_exponent`` (``hogdet.features.FITTED_SCALE_EXPONENT``).

Usage::

    python benchmarks/fit_scale_exponent.py [DATA_DIR] [--images 100] [--hog-interpolation trilinear]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=os.environ.get("HOGDET_DATA", "data/INRIAPerson"))
    parser.add_argument("--images", type=int, default=100, help="number of Train/neg photographs")
    parser.add_argument("--steps", type=int, default=8, help="scales measured per octave")
    parser.add_argument("--hog-interpolation", default="trilinear", choices=["none", "orientation", "trilinear"])
    parser.add_argument("--hog-block-sigma", type=float, default=0.5)
    arguments = parser.parse_args()

    from hogdet.features import FITTED_SCALE_EXPONENT, HOGParameters
    from hogdet.io import read_image
    from hogdet.pyramid import fit_scale_exponent

    paths = sorted((Path(arguments.data) / "Train" / "neg").glob("*"))
    if not paths:
        print(f"no images in {arguments.data}/Train/neg", file=sys.stderr)
        return 2
    # An evenly spread subset, the same on every run.
    paths = [paths[i] for i in np.linspace(0, len(paths) - 1, min(arguments.images, len(paths))).astype(int)]
    hog = HOGParameters(interpolation=arguments.hog_interpolation, block_sigma=arguments.hog_block_sigma)
    exponent, scales, log_ratios = fit_scale_exponent((read_image(path) for path in paths), hog, arguments.steps)
    print(
        f"images: {len(paths)} from {arguments.data}/Train/neg; HOG interpolation {arguments.hog_interpolation}, "
        f"block sigma {arguments.hog_block_sigma}"
    )
    print("scale   mean ratio")
    for scale, log_ratio in zip(scales, log_ratios):
        print(f"{scale:5.3f}   {np.exp(log_ratio):10.4f}")
    print(f"fitted lambda: {exponent:.3f} (stored: FITTED_SCALE_EXPONENT = {FITTED_SCALE_EXPONENT})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
