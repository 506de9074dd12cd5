"""hogdet: the Dalal & Triggs HOG + linear SVM person detector, with hard example mining.

The library API, in the order data flows through it::

    from hogdet import read_image, hog_grid, load_model, detect
    image = read_image("street.jpg")          # float32 in [0, 1]
    grid = hog_grid(image)                    # dense HOG block grid
    detector = load_model("model.npz")        # linear SVM + Platt calibration
    found = detect(image, detector)           # boxes, scores, probabilities

    from hogdet import HOGDetector            # a scikit-learn estimator on window features
    detector = HOGDetector(C=0.01).fit(window_features, labels)
"""

__version__ = "0.1.0"

from .batch import ImageDetections, detect_images
from .boxes import Suppression, box_iou, non_maximum_suppression, standardize_aspect
from .detection import ScanParameters, detect, scan_image
from .errors import DatasetError, HogdetError, ImageReadError, ModelFormatError, TrainingError
from .features import HOGParameters, hog_grid, window_features
from .io import read_image
from .model import Detector, HOGDetector
from .modelfile import load_default_model, load_model
from .training import fit_detector
from .windows import Windows


def __getattr__(name: str):
    # Detections was the detection result before Windows was the one record.
    if name == "Detections":
        from . import detection

        return detection.Detections  # warns
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DatasetError",
    "Detector",
    "HOGDetector",
    "HOGParameters",
    "HogdetError",
    "ImageDetections",
    "ImageReadError",
    "ModelFormatError",
    "ScanParameters",
    "Suppression",
    "box_iou",
    "TrainingError",
    "Windows",
    "detect",
    "detect_images",
    "fit_detector",
    "hog_grid",
    "load_default_model",
    "load_model",
    "non_maximum_suppression",
    "read_image",
    "scan_image",
    "standardize_aspect",
    "window_features",
]
