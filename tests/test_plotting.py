"""Tests of hogdet.plotting: files are written atomically with the right size."""

import sys

import numpy as np
import pytest
from skimage import io as skio

from hogdet.plotting import (
    plot_det_fppi,
    plot_det_fppw,
    plot_glyph_grid,
    plot_mining_progress,
)


def _assert_png(path, width_px, height_px):
    assert path.is_file()
    image = skio.imread(path)
    assert image.shape[:2] == (height_px, width_px)
    # nothing but the result in the folder: no temporary file left behind
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_det_fppw_writes_png_of_requested_size(tmp_path):
    fppw = np.array([1e-6, 1e-5, 1e-4, 1e-3, 1e-2])
    miss = np.array([0.6, 0.4, 0.2, 0.1, 0.05])
    out = plot_det_fppw(
        {"HOG (ours)": (fppw, miss)},
        tmp_path / "det.png",
        reference_points={"Dalal & Triggs 2005 (published, not measured here)": (1e-4, 0.11)},
        figsize=(6.0, 5.0),
        dpi=50,
    )
    assert out == tmp_path / "det.png"
    _assert_png(out, 300, 250)


def test_det_fppw_default_size_and_zeros_do_not_crash(tmp_path):
    # FPPW 0 and miss rate 0 cannot sit on a log axis; they must not crash.
    fppw = np.array([0.0, 0.0, 1e-4, 0.5, 1.0])
    miss = np.array([1.0, 0.5, 0.1, 0.0, 0.0])
    out = plot_det_fppw({"with zeros": (fppw, miss)}, tmp_path / "zeros.png")
    _assert_png(out, 640, 520)


def test_det_fppi_with_lamr_in_label_and_zeros(tmp_path):
    fppi = np.array([0.0, 0.01, 0.1, 1.0, 10.0])
    miss = np.array([1.0, 0.8, 0.5, 0.2, 0.0])
    out = plot_det_fppi(
        {"46% HOG (ours)": (fppi, miss), "empty": (np.zeros(0), np.zeros(0))},
        tmp_path / "fppi.png",
        reference_points={"published": (0.1, 0.5)},
        dpi=40,
    )
    _assert_png(out, 256, 208)


def test_mining_progress_linear_and_log(tmp_path):
    linear = plot_mining_progress([0, 1, 2], [3.0, 2.0, 1.5], tmp_path / "a" / "lin.png",
                                  figsize=(4.0, 3.0), dpi=50)
    _assert_png(linear, 200, 150)
    # spans three decades and contains a zero -> log axis, no crash
    log = plot_mining_progress(["init", "r1", "r2", "r3"], [120.0, 4.0, 0.1, 0.0],
                               tmp_path / "b" / "log.png", figsize=(4.0, 3.0), dpi=50)
    _assert_png(log, 200, 150)


def test_glyph_grid_grey_and_rgb(tmp_path):
    rng = np.random.default_rng(0)
    crops = [rng.random((128, 64)) for _ in range(5)] + [rng.random((128, 64, 3)) for _ in range(5)]
    out = plot_glyph_grid(crops, tmp_path / "grid.png", titles=[f"{i}" for i in range(10)],
                          columns=4, figsize=(4.0, 6.0), dpi=50)
    _assert_png(out, 200, 300)


def test_glyph_grid_default_size_and_empty(tmp_path):
    crops = [np.full((20, 10), 0.5), np.linspace(-3, 3, 200).reshape(20, 10)]
    out = plot_glyph_grid(crops, tmp_path / "one" / "grid.png", columns=8)
    # 2 columns * 1.2 in * 100 dpi = 240 px; 1 row * (1.2 * 20/10 + 0.1) in = 250 px
    _assert_png(out, 240, 250)
    empty = plot_glyph_grid([], tmp_path / "two" / "empty.png")
    assert skio.imread(empty).ndim == 3


def test_overwrites_existing_file(tmp_path):
    target = tmp_path / "det.png"
    target.write_bytes(b"old")
    plot_det_fppw({"c": (np.array([1e-4]), np.array([0.2]))}, target, dpi=20)
    _assert_png(target, 128, 104)


def test_importing_plotting_does_not_import_matplotlib():
    import os
    import subprocess
    from pathlib import Path

    import hogdet.plotting

    root = str(Path(hogdet.plotting.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    code = "import hogdet.plotting, sys; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, env=env)
    assert result.stdout.strip() == "False"
