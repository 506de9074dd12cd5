"""Tests of hogdet.plotting: displays draw on the axes given and return what they drew; files are written
atomically with the right size; matplotlib's global state is left alone."""

import sys

import numpy as np
import pytest
from skimage import io as skio

from hogdet.plotting import (
    DETCurveDisplay,
    GlyphGridDisplay,
    MiningProgressDisplay,
    draw_detections,
    plot_det_fppi,
    plot_det_fppw,
    plot_glyph_grid,
    plot_mining_progress,
    save_figure,
)


def _figure_and_axes(rows=1, columns=1):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4, 3), dpi=50)
    return figure, figure.subplots(rows, columns, squeeze=False)


def _evaluation(name, lamr, fppw, fppw_miss, fppi, fppi_miss):
    from types import SimpleNamespace

    return SimpleNamespace(name=name, lamr=lamr, fppw=np.array(fppw), fppw_miss_rate=np.array(fppw_miss),
                           per_image=SimpleNamespace(fppi=np.array(fppi), miss_rate=np.array(fppi_miss)))


# ------------------------------------------------------------------ displays


def test_det_display_draws_each_evaluation_on_the_axes_given():
    figure, axes = _figure_and_axes(1, 2)
    evaluations = [_evaluation("a", 0.46, [1e-5, 1e-4], [0.3, 0.2], [0.1, 1.0], [0.6, 0.4]),
                   _evaluation("b", 0.5, [0.0, 1e-3], [0.5, 0.0], [0.0, 2.0], [0.7, 0.5])]
    per_window = DETCurveDisplay.from_evaluations(evaluations, "fppw", ax=axes[0, 0],
                                                  reference_points={"published": (1e-4, 0.1)})
    per_image = DETCurveDisplay.from_evaluations(evaluations, protocol="fppi", ax=axes[0, 1])
    assert per_window.ax_ is axes[0, 0] and per_window.figure_ is figure and per_image.ax_ is axes[0, 1]
    assert list(per_window.lines_) == ["a", "b"] and list(per_window.markers_) == ["published"]
    np.testing.assert_allclose(per_window.lines_["a"].get_xdata(), [1e-5, 1e-4])
    # FPPW 0 and miss rate 0 go a tenth below the visible range (1e-6 FPPW, 0.01 miss rate)
    np.testing.assert_allclose(per_window.lines_["b"].get_xdata(), [1e-7, 1e-3])
    np.testing.assert_allclose(per_window.lines_["b"].get_ydata(), [0.5, 1e-3])
    # per image the label carries the LAMR
    assert list(per_image.lines_) == ["a (LAMR 46.0%)", "b (LAMR 50.0%)"]
    np.testing.assert_allclose(per_image.lines_["b (LAMR 50.0%)"].get_xdata(), [1e-4, 2.0])
    assert axes[0, 0].get_xscale() == axes[0, 0].get_yscale() == "log"
    assert axes[0, 0].get_xlim() == pytest.approx((1e-6, 1e-1)) and axes[0, 1].get_xlim() == pytest.approx((1e-3, 10))
    assert [text.get_text() for text in axes[0, 0].get_legend().get_texts()] == ["a", "b", "published"]


def test_det_display_rejects_an_unknown_protocol():
    with pytest.raises(ValueError, match="protocol"):
        DETCurveDisplay({}, protocol="fppx")


def test_mining_display_from_metrics_rows_skips_round_zero():
    figure, axes = _figure_and_axes()
    rows = [{"round": "0", "false_positives_per_image": ""}, {"round": "1", "false_positives_per_image": "3.0"},
            {"round": "2", "false_positives_per_image": "1.5"}]
    display = MiningProgressDisplay.from_metrics(rows, ax=axes[0, 0])
    assert display.ax_ is axes[0, 0] and display.figure_ is figure
    assert [bar.get_height() for bar in display.bars_] == [3.0, 1.5]
    assert [label.get_text() for label in display.labels_] == ["3", "1.5"]
    assert [tick.get_text() for tick in axes[0, 0].get_xticklabels()] == ["1", "2"]
    assert axes[0, 0].get_yscale() == "linear"


def test_mining_display_goes_logarithmic_over_a_decade():
    display = MiningProgressDisplay([1, 2, 3], [120.0, 4.0, 0.0]).plot()
    assert display.ax_.get_yscale() == "log"
    # bars start at a third of the smallest positive value, 4/3; a zero has no visible bar
    assert [bar.get_y() for bar in display.bars_] == pytest.approx([4 / 3] * 3)
    assert [bar.get_y() + bar.get_height() for bar in display.bars_] == pytest.approx([120, 4, 4 / 3])


def test_glyph_grid_display_fills_the_figure_given():
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4, 3), dpi=50)
    crops = [np.zeros((16, 8)), np.ones((16, 8, 3)), np.eye(16)[:, :8]]
    display = GlyphGridDisplay.from_crops(crops, ["x", "y", "z"], columns=2, figure=figure)
    assert display.figure_ is figure and display.axes_.shape == (2, 2) and len(display.images_) == 3
    assert [ax.get_title() for ax in display.axes_.ravel()] == ["x", "y", "z", ""]
    np.testing.assert_array_equal(display.images_[2].get_array(), np.eye(16)[:, :8])
    assert GlyphGridDisplay.from_crops([]).axes_.size == 0


def test_draw_detections_returns_its_artists():
    figure, axes = _figure_and_axes()
    image = np.zeros((60, 80))
    drawn = draw_detections(image, np.array([[10, 5, 30, 55], [40, 0, 60, 50]]), np.array([0.876, 0.5]),
                            ax=axes[0, 0], truths=np.array([[12, 6, 31, 54]]))
    assert drawn.ax_ is axes[0, 0] and drawn.figure_ is figure
    assert [(box.get_x(), box.get_y(), box.get_width(), box.get_height()) for box in drawn.boxes_] == [
        (10, 5, 20, 50), (40, 0, 20, 50)]
    assert [label.get_text() for label in drawn.labels_] == ["0.88", "0.50"]
    assert [(box.get_x(), box.get_width()) for box in drawn.truths_] == [(12, 19)]
    assert axes[0, 0].get_ylim() == (60, 0)  # image rows downwards


def test_draw_detections_saved_is_the_image_size(tmp_path):
    out = save_figure(draw_detections(np.zeros((60, 80, 3)), np.zeros((0, 4)), np.zeros(0), dpi=20).figure_,
                      tmp_path / "d.png")
    assert out == tmp_path / "d.png"
    _assert_png(out, 80, 60)


def test_save_figure_writes_the_figure_size_with_usual_permissions(tmp_path):
    import os

    display = DETCurveDisplay.from_curves({"c": ([1e-4], [0.2])}, "fppw", figsize=(4.0, 3.0), dpi=25)
    out = save_figure(display.figure_, tmp_path / "sub" / "det.png")
    _assert_png(out, 100, 75)
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
    save_figure(display.figure_, tmp_path / "sub" / "det.svg")
    assert (tmp_path / "sub" / "det.svg").read_text().lstrip().startswith("<?xml")


def test_drawing_leaves_matplotlib_global_state_alone():
    import os
    import subprocess
    from pathlib import Path

    import hogdet

    root = str(Path(hogdet.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    code = (
        "import sys, numpy as np, matplotlib\n"
        # the stored values as they are: reading rcParams['backend'] would choose one (and import pyplot)
        "before = dict(dict.items(matplotlib.rcParams))\n"
        "from hogdet.plotting import DETCurveDisplay, MiningProgressDisplay, GlyphGridDisplay, draw_detections\n"
        "DETCurveDisplay.from_curves({'c': ([1e-4], [0.2])}, 'fppi', title='t')\n"
        "MiningProgressDisplay([1, 2], [3.0, 0.1]).plot()\n"
        "GlyphGridDisplay.from_crops([np.zeros((4, 2))])\n"
        "draw_detections(np.zeros((8, 8)), np.ones((1, 4)), [0.5])\n"
        "print(before == dict(dict.items(matplotlib.rcParams)), 'matplotlib.pyplot' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert result.stdout.split() == ["True", "False"]


# ------------------------------------------------------------------ the older file-writing forms


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

    import hogdet

    root = str(Path(hogdet.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    code = "import hogdet.plotting, sys; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, env=env)
    assert result.stdout.strip() == "False"
