"""The evaluation record and what is written of it: ``metrics.json``, DET plots, results tables.

:class:`Evaluation` holds both protocols' results for one detector
(:func:`hogdet.evaluation.protocols.evaluate`); :func:`write_evaluation` and
:func:`read_evaluation` store it in a folder, :func:`results_table` and
:func:`write_comparison` put several side by side.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import HogdetError
from ..io import write_text_atomic
from .image_metrics import PerImageResult

__all__ = [
    "PUBLISHED_FPPI",
    "PUBLISHED_FPPW",
    "Evaluation",
    "read_evaluation",
    "results_table",
    "write_comparison",
    "write_evaluation",
]

#: Published INRIA Person figures, drawn on the plots for context only:
#: they were measured on the full INRIA test set, not on the data here.
PUBLISHED_FPPW = {"Dalal & Triggs 2005, linear R-HOG (published, INRIA, not measured here)": (1e-4, 0.10)}
PUBLISHED_FPPI = {"HOG, Dollar et al. 2012 (published LAMR 46%, INRIA, not measured here)": (1e-1, 0.46)}


@dataclass
class Evaluation:
    """Both protocols' results for one detector.

    Attributes
    ----------
    name : str
    lamr : float
        Log-average miss rate (per image), in [0, 1].
    mr_at_1e4_fppw : float
        Miss rate at 1e-4 false positives per window.
    ap : float
        PASCAL (all-point) average precision, per image.
    seconds_per_image : float
        Median detection time per test photograph (one process).
    per_image : PerImageResult
    fppw, fppw_miss_rate : ndarray
        The per-window DET curve.
    counts : dict
        Images, windows and people evaluated.
    """

    name: str
    lamr: float
    mr_at_1e4_fppw: float
    ap: float
    seconds_per_image: float
    per_image: PerImageResult
    fppw: np.ndarray
    fppw_miss_rate: np.ndarray
    counts: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The ``metrics.json`` content (curves included, as lists)."""
        return {
            "name": self.name,
            "lamr": self.lamr,
            "mr_at_1e-4_fppw": self.mr_at_1e4_fppw,
            "ap": self.ap,
            "seconds_per_image": self.seconds_per_image,
            "counts": self.counts,
            "curves": {
                "fppw": {"fppw": _thin(self.fppw).tolist(), "miss_rate": _thin(self.fppw_miss_rate).tolist()},
                "fppi": {
                    "fppi": self.per_image.fppi.tolist(),
                    "miss_rate": self.per_image.miss_rate.tolist(),
                    "precision": self.per_image.precision.tolist(),
                    "recall": self.per_image.recall.tolist(),
                },
            },
        }


def _thin(values: np.ndarray, points: int = 2000) -> np.ndarray:
    """At most ``points`` evenly spread samples of a long curve (for JSON)."""
    if len(values) <= points:
        return np.asarray(values)
    return np.asarray(values)[np.linspace(0, len(values) - 1, points).round().astype(int)]


def read_evaluation(out_dir: str | os.PathLike) -> Evaluation:
    """The :class:`Evaluation` that :func:`write_evaluation` wrote into ``out_dir``.

    The per-window curve comes back thinned as it was saved, and the
    per-image thresholds are not saved (empty).
    """
    path = Path(out_dir) / "metrics.json"
    try:
        saved = json.loads(path.read_text())
        per_image = saved["curves"]["fppi"]
        counts = saved["counts"]
        return Evaluation(
            name=saved["name"],
            lamr=saved["lamr"],
            mr_at_1e4_fppw=saved["mr_at_1e-4_fppw"],
            ap=saved["ap"],
            seconds_per_image=saved["seconds_per_image"],
            per_image=PerImageResult(
                fppi=np.asarray(per_image["fppi"]),
                miss_rate=np.asarray(per_image["miss_rate"]),
                recall=np.asarray(per_image["recall"]),
                precision=np.asarray(per_image["precision"]),
                thresholds=np.zeros(0),
                n_images=counts.get("test_images", 0),
                n_truths=counts.get("people", 0),
            ),
            fppw=np.asarray(saved["curves"]["fppw"]["fppw"]),
            fppw_miss_rate=np.asarray(saved["curves"]["fppw"]["miss_rate"]),
            counts=counts,
        )
    except (OSError, ValueError, KeyError) as error:
        raise HogdetError(f"{path}: not a readable hogdet evaluation ({type(error).__name__})") from None


def write_evaluation(evaluation: Evaluation, out_dir: str | os.PathLike) -> Path:
    """Write ``metrics.json``, ``det_fppw.png`` and ``det_fppi.png`` into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out_dir / "metrics.json", json.dumps(evaluation.to_dict(), indent=1) + "\n")
    _write_det_plots([evaluation], out_dir)
    return out_dir


def _write_det_plots(evaluations: Sequence[Evaluation], out_dir: Path) -> None:
    """``det_fppw.png`` and ``det_fppi.png``, one curve per evaluation, published figures as markers."""
    from ..plotting import DETCurveDisplay, save_figure

    for protocol, published in (("fppw", PUBLISHED_FPPW), ("fppi", PUBLISHED_FPPI)):
        display = DETCurveDisplay.from_evaluations(evaluations, protocol, reference_points=published)
        save_figure(display.figure_, out_dir / f"det_{protocol}.png")


def results_table(evaluations: Sequence[Evaluation], extra_columns: dict[str, Sequence] | None = None) -> tuple[str, str]:
    """A Markdown table and the same rows as CSV text.

    Columns: detector, LAMR, MR at 1e-4 FPPW, AP, seconds per test image,
    then ``extra_columns`` (name -> one value per evaluation).
    """
    extra_columns = extra_columns or {}
    header = ["detector", "LAMR", "MR at 1e-4 FPPW", "AP", "s/image"] + list(extra_columns)
    rows = []
    for index, evaluation in enumerate(evaluations):
        rows.append(
            [
                evaluation.name,
                f"{100 * evaluation.lamr:.1f}%",
                f"{100 * evaluation.mr_at_1e4_fppw:.1f}%",
                f"{evaluation.ap:.3f}",
                f"{evaluation.seconds_per_image:.3f}",
            ]
            + [str(values[index]) for values in extra_columns.values()]
        )
    markdown = "\n".join(
        ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(row) + " |" for row in rows]
    )
    csv_lines = [",".join(header)] + [",".join(value.replace(",", ";") for value in row) for row in rows]
    return markdown + "\n", "\n".join(csv_lines) + "\n"


def write_comparison(
    evaluations: Sequence[Evaluation], out_dir: str | os.PathLike, extra_columns: dict[str, Sequence] | None = None
) -> str:
    """Write ``results.md``, ``results.csv`` and DET plots with one curve per detector.

    Returns
    -------
    str
        The Markdown table.
    """
    out_dir = Path(out_dir)
    markdown, csv_text = results_table(evaluations, extra_columns)
    write_text_atomic(out_dir / "results.md", markdown)
    write_text_atomic(out_dir / "results.csv", csv_text)
    _write_det_plots(evaluations, out_dir)
    return markdown
