"""Detection over many image files, spread over worker processes.

Each image is one task (a photograph takes about a second to scan, so the
cost of sending the small linear model with it does not matter) and the
results come back in the order of the input paths, whatever the number of
workers, so ``n_jobs`` changes the speed and nothing else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from .boxes import Suppression
from .detection import ScanParameters, detect
from .errors import ImageReadError
from .io import read_image
from .model import Detector
from .parallel import parallel_imap
from .windows import Windows


@dataclass
class ImageDetections:
    """What detection found in one image file.

    Attributes
    ----------
    path : Path
    detections : Windows or None
        What :func:`hogdet.detection.detect` found (the path as image name); None when the image could not be read.
    error : str or None
        Why the image could not be read (one line).
    """

    path: Path
    detections: Windows | None
    error: str | None = None


def _detect_files(
    paths: Sequence[Path], detector: Detector, threshold: float, scan: ScanParameters,
    suppression: Suppression | None, aspect: float | None,
) -> list[ImageDetections]:
    results = []
    for path in paths:
        try:
            image = read_image(path)
        except ImageReadError as error:
            results.append(ImageDetections(path, None, str(error)))
            continue
        found = detect(image, detector, threshold, scan, suppression=suppression, aspect=aspect,
                       image_name=Path(path).as_posix())
        results.append(ImageDetections(path, found))
    return results


def detect_images(
    paths: Sequence[str | os.PathLike],
    detector: Detector,
    threshold: float = 0.5,
    scan: ScanParameters = ScanParameters(),
    *,
    suppression: Suppression | None = None,
    aspect: float | None = None,
    n_jobs: int = 1,
    progress: bool = False,
) -> Iterator[ImageDetections]:
    """Detect people in image files, ``n_jobs`` images at a time.

    Parameters
    ----------
    paths : sequence of path
        Image files.
    detector : Detector
    threshold, scan, suppression, aspect
        As :func:`hogdet.detection.detect`.
    n_jobs : int
        Worker processes (joblib; 1 runs here, -1 uses every core). Each
        worker runs its numeric libraries on one thread.
    progress : bool
        Show a progress bar.

    Yields
    ------
    ImageDetections
        One per path, in the order of ``paths``, each as soon as it and
        every earlier one are done. An unreadable image yields its error
        instead of stopping the others.
    """
    paths = [Path(path) for path in paths]
    yield from parallel_imap(
        _detect_files, paths, detector, threshold, scan, suppression, aspect,
        n_jobs=n_jobs, batch_size=1, progress=progress, description="images",
    )
