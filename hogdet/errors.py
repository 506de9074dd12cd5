"""Exceptions that hogdet raises for a user's mistake (bad file, bad option).

Each is a :class:`HogdetError`, which the command line turns into a
one-line message and a non-zero exit code instead of a traceback, and also
the built-in exception a Python caller expects: a file that cannot be read
is an :class:`OSError`, a bad value a :class:`ValueError`.
"""


class HogdetError(Exception):
    """A problem with the user's input: a file, a folder or an option."""


class ImageReadError(HogdetError, OSError):
    """An image file that cannot be read (missing, truncated, not an image)."""


class ModelFormatError(HogdetError, ValueError):
    """A file that is not a hogdet model, or one of another format version."""


class DatasetError(HogdetError, OSError):
    """A data set folder that is missing or does not have the expected layout."""


class TrainingError(HogdetError, ValueError):
    """Training data a detector cannot be trained on (one class, too few samples, no ranking)."""


class ParameterError(HogdetError, ValueError):
    """A library parameter with a value it cannot take.

    ``parameter`` is the Python name (``max_per_image``); the command line
    shows its own flag for it instead.
    """

    def __init__(self, parameter: str, problem: str) -> None:
        super().__init__(f"{parameter} {problem}")
        self.parameter = parameter
        self.problem = problem


class RunFolderError(HogdetError, OSError):
    """A run folder that cannot be used: locked by another run, corrupt, or not empty."""
