"""Curve and bar displays: DET curves (per window and per image), mining progress."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._figures import _axes

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

#: Miss-rate ticks of the DET plots (those of Dollar's ``dbEval``, plus 0.01-0.03).
_MISS_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.64, 0.8, 1.0)
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: Per protocol: visible x range and x label of the DET plot.
_PROTOCOLS = {
    "fppw": ((1e-6, 1e-1), "false positives per window (FPPW)"),
    "fppi": ((1e-3, 1e1), "false positives per image (FPPI)"),
}


def _below_range(values: np.ndarray, lower_limit: float) -> np.ndarray:
    """Replace values <= 0 by a tenth of the axis limit (off the plot)."""
    return np.where(values > 0, values, lower_limit / 10.0)


class DETCurveDisplay:
    """DET curves: miss rate against FPPW or FPPI, both axes logarithmic.

    Parameters
    ----------
    curves : mapping of str to (x, miss_rate)
        Legend label -> two arrays of shape (n_points,): FPPW and miss rate
        (:func:`hogdet.evaluation.det_curve_fppw`) or FPPI and miss rate
        (:class:`hogdet.evaluation.PerImageResult`). Values <= 0 cannot sit
        on a log axis; they are drawn just below the visible range, so the
        line leaves the plot there.
    protocol : {"fppw", "fppi"}
        Sets the x range (1e-6..1e-1 FPPW, 1e-3..1e1 FPPI) and label.
    reference_points : mapping of str to (x, miss_rate), optional
        Single operating points drawn as markers, e.g. published figures.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    lines_ : dict of str to Line2D
        One line per curve, by label.
    markers_ : dict of str to Line2D
        One marker per reference point, by label.
    """

    def __init__(
        self,
        curves: Mapping[str, tuple[np.ndarray, np.ndarray]],
        protocol: str = "fppw",
        reference_points: Mapping[str, tuple[float, float]] | None = None,
    ) -> None:
        if protocol not in _PROTOCOLS:
            raise ValueError(f"protocol must be one of {', '.join(_PROTOCOLS)}; got {protocol!r}")
        self.curves = dict(curves)
        self.protocol = protocol
        self.reference_points = dict(reference_points or {})

    @classmethod
    def from_evaluations(
        cls,
        evaluations: Sequence[Any],
        protocol: str = "fppw",
        *,
        reference_points: Mapping[str, tuple[float, float]] | None = None,
        ax: Axes | None = None,
        **plot_options: Any,
    ) -> DETCurveDisplay:
        """One curve per :class:`hogdet.evaluation.Evaluation`.

        Per window the label is the evaluation's name; per image it also
        gives the log-average miss rate, ``"name (LAMR 46.0%)"``.
        ``plot_options`` go to :meth:`plot` (``title``, ``figsize``, ``dpi``).
        """
        if protocol == "fppw":
            curves = {e.name: (e.fppw, e.fppw_miss_rate) for e in evaluations}
        else:
            curves = {f"{e.name} (LAMR {100 * e.lamr:.1f}%)": (e.per_image.fppi, e.per_image.miss_rate)
                      for e in evaluations}
        return cls(curves, protocol, reference_points).plot(ax=ax, **plot_options)

    @classmethod
    def from_curves(
        cls,
        curves: Mapping[str, tuple[np.ndarray, np.ndarray]],
        protocol: str = "fppw",
        *,
        reference_points: Mapping[str, tuple[float, float]] | None = None,
        ax: Axes | None = None,
        **plot_options: Any,
    ) -> DETCurveDisplay:
        """The curves given (see the class parameters), drawn by :meth:`plot`."""
        return cls(curves, protocol, reference_points).plot(ax=ax, **plot_options)

    def plot(
        self,
        ax: Axes | None = None,
        *,
        title: str | None = None,
        figsize: tuple[float, float] = (6.4, 5.2),
        dpi: int = 100,
    ) -> DETCurveDisplay:
        """Draw on ``ax`` (a new figure of ``figsize`` inches at ``dpi`` if None); returns self."""
        from matplotlib.ticker import FixedLocator, FormatStrFormatter, NullLocator

        x_limits, x_label = _PROTOCOLS[self.protocol]
        y_limits = (_MISS_TICKS[0], 1.0)
        ax = _axes(ax, figsize, dpi)
        ax.set_xscale("log")
        ax.set_yscale("log")
        self.lines_, self.markers_ = {}, {}
        for label, (x, y) in self.curves.items():
            x = _below_range(np.asarray(x, dtype=float).ravel(), x_limits[0])
            y = _below_range(np.asarray(y, dtype=float).ravel(), y_limits[0])
            if x.shape != y.shape:
                raise ValueError(f"curve {label!r}: x and y lengths differ")
            (self.lines_[label],) = ax.plot(x, y, linewidth=2, label=label)
        for i, (label, (x, y)) in enumerate(self.reference_points.items()):
            (self.markers_[label],) = ax.plot([x], [y], linestyle="none", marker=_MARKERS[i % len(_MARKERS)],
                                              markersize=8, markeredgecolor="black", color="white", label=label)
        ax.set_xlim(*x_limits)
        ax.set_ylim(*y_limits)
        ax.yaxis.set_major_locator(FixedLocator(_MISS_TICKS))
        ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_xlabel(x_label)
        ax.set_ylabel("miss rate")
        ax.grid(True, which="major", alpha=0.4)
        if title:
            ax.set_title(title)
        if self.curves or self.reference_points:
            ax.legend(loc="lower left", fontsize=8)
        self.ax_, self.figure_ = ax, ax.figure
        return self


class MiningProgressDisplay:
    """Bar chart of false positives per image after each mining round.

    The y axis is logarithmic when the positive values span a factor of 10
    or more (a value of 0 then has no visible bar, but its number is
    printed); otherwise it is linear from 0. Each bar is labelled with its
    value.

    Parameters
    ----------
    rounds : sequence of int or str, length k
        Bar names, e.g. ``[1, 2, 3]``.
    false_positives_per_image : sequence of float, length k
        Mean number of false positives per negative image, >= 0.

    Attributes
    ----------
    ax_, figure_ : matplotlib Axes and Figure
    bars_ : matplotlib BarContainer
    labels_ : list of matplotlib Text
        The value written over each bar.
    """

    def __init__(self, rounds: Sequence[int | str], false_positives_per_image: Sequence[float]) -> None:
        self.rounds = [str(r) for r in rounds]
        self.values = np.asarray(false_positives_per_image, dtype=float).ravel()
        if len(self.rounds) != self.values.size:
            raise ValueError("rounds and false_positives_per_image must have equal length")

    @classmethod
    def from_metrics(cls, rows: Sequence[Mapping[str, Any]], ax: Axes | None = None,
                     **plot_options: Any) -> MiningProgressDisplay:
        """The rounds of a run's ``metrics.csv`` rows that scanned (round > 0), by round number.

        ``rows`` are mappings with ``round`` and ``false_positives_per_image``
        (:attr:`hogdet.mining.MiningResult.metrics`, or ``csv.DictReader``
        rows). ``plot_options`` go to :meth:`plot`.
        """
        scanned = [row for row in rows if int(row["round"]) > 0]
        display = cls([int(row["round"]) for row in scanned],
                      [float(row["false_positives_per_image"]) for row in scanned])
        return display.plot(ax=ax, **plot_options)

    def plot(
        self,
        ax: Axes | None = None,
        *,
        title: str | None = "Hard-negative mining",
        figsize: tuple[float, float] = (6.4, 4.0),
        dpi: int = 100,
    ) -> MiningProgressDisplay:
        """Draw on ``ax`` (a new figure of ``figsize`` inches at ``dpi`` if None); returns self."""
        values = self.values
        ax = _axes(ax, figsize, dpi)
        positions = np.arange(values.size)
        positive = values[values > 0]
        log_y = positive.size > 0 and positive.max() >= 10 * positive.min()
        if log_y:
            ax.set_yscale("log")
            bottom = positive.min() / 3
            self.bars_ = ax.bar(positions, np.maximum(values, bottom) - bottom, bottom=bottom, color="tab:red")
            ax.set_ylim(bottom, positive.max() * 3)
        else:
            self.bars_ = ax.bar(positions, values, color="tab:red")
            ax.set_ylim(0, (values.max() if values.size and values.max() > 0 else 1) * 1.15)
        self.labels_ = [
            ax.annotate(f"{v:.3g}", (x, max(v, positive.min() / 3) if log_y else v), ha="center", va="bottom",
                        fontsize=8, xytext=(0, 2), textcoords="offset points")
            for x, v in zip(positions, values)
        ]
        ax.set_xticks(positions, self.rounds)
        ax.set_xlabel("mining round")
        ax.set_ylabel("false positives per image")
        if title:
            ax.set_title(title)
        ax.grid(axis="y", which="both", alpha=0.3)
        self.ax_, self.figure_ = ax, ax.figure
        return self
