"""What the long benchmarks print, kept in their output folder too."""

from __future__ import annotations

from pathlib import Path
from typing import Callable


def tee_to(path: Path) -> Callable[[str], None]:
    """A ``say(line)`` that prints ``line`` and appends it to ``path`` (flushed, so a killed run keeps its log)."""
    log = open(path, "a")

    def say(line: str) -> None:
        print(line, flush=True)
        log.write(line + "\n")
        log.flush()

    return say
