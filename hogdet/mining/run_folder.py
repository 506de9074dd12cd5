"""The run folder of a mining run: what it holds, how it resumes, who may write it.

A run folder holds ``config.json`` (the settings), ``metrics.csv`` (one row
per finished round), ``round-K.npz`` (the model after round K),
``round-K-samples.npz`` (the windows round K added, for resuming),
``hard_negatives.csv`` (image, box, probability, label and round of every
mined window), and at the end ``model.npz`` and ``mining.png``.

A round counts as finished once its row is in ``metrics.csv``, which is
written last, so a run killed at any moment resumes after its last finished
round. Every file is written under a temporary name, then renamed.

Only one run writes a folder at a time: :class:`RunFolder` holds a lock file
(``.hogdet-lock``, the writer's PID and host) until it is closed. A lock left
by a process that is no longer running on this host is stale and taken over.
"""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import HogdetError, RunFolderError
from ..io import atomic_path, write_text_atomic
from ..model import Detector, load_model
from ..windows import KEY_FIELDS, Windows, make_keys

LOCK_NAME = ".hogdet-lock"

METRICS_COLUMNS = (
    "round",
    "images_scanned",
    "images_skipped",
    "windows_scanned",
    "false_positives",
    "false_positives_per_image",
    "samples_added",
    "training_set_size",
    "scan_seconds",
    "train_seconds",
)

MINED_COLUMNS = ("image", "x1", "y1", "x2", "y2", "probability", "label", "round")

#: Settings that may differ between a run and its resumption.
#: The recipe is only a record of where the settings came from; the settings themselves are compared.
RESUMABLE_CHANGES = {"rounds", "versions", "data", "recipe"}


def _csv_text(columns: Sequence[str], rows: Sequence[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _read_csv(path: Path, required: Sequence[str]) -> list[dict]:
    if not path.is_file():
        return []
    try:
        with open(path, newline="") as stream:
            rows = list(csv.DictReader(stream))
        for row in rows:
            for column in required:
                int(row[column])
    except (OSError, KeyError, TypeError, ValueError, csv.Error):
        raise RunFolderError(f"{path}: unreadable or corrupt; cannot resume this run (nothing was changed)") from None
    return rows


def mined_rows(windows: Windows, round_index: int) -> list[dict]:
    """Rows of ``hard_negatives.csv`` for one round's mined windows."""
    return [
        {
            "image": image,
            "x1": round(float(box[0]), 1),
            "y1": round(float(box[1]), 1),
            "x2": round(float(box[2]), 1),
            "y2": round(float(box[3]), 1),
            "probability": round(float(probability), 6),
            "label": int(label),
            "round": round_index,
        }
        for image, box, probability, label in zip(
            windows.keys["image"].tolist(), windows.boxes, windows.probabilities, windows.labels
        )
    ]


class FolderNotEmptyError(RunFolderError):
    """A new run asked for a folder that already holds files."""


# --------------------------------------------------------------------------
# Samples files
# --------------------------------------------------------------------------


def save_samples(path: Path, windows: Windows) -> None:
    """Write one round's added windows to ``path`` (``.npz``, no pickles)."""
    columns = {name: windows.keys[name] for name in KEY_FIELDS}
    with atomic_path(path) as temporary:
        with open(temporary, "wb") as stream:
            np.savez(
                stream, features=windows.features, labels=windows.labels, weights=windows.weights,
                boxes=windows.boxes, scores=windows.scores, probabilities=windows.probabilities,
                ious=windows.ious, rounds=windows.rounds, **{f"key_{name}": value for name, value in columns.items()},
            )


def _legacy_keys(keys: Sequence[str], groups: Sequence[str] | None) -> np.ndarray:
    """Typed keys of a samples file written before keys were typed (``name|level|row|col``, ``name|person-k|box``).

    A scanned person window's person is read from its group (``name#person-k``).
    """
    parsed = []
    for index, key in enumerate(keys):
        name, *rest = key.rsplit("|", 3) if key.count("|") >= 3 else key.rsplit("|", 2)
        if len(rest) == 2 and rest[0].startswith("person-"):
            x1, y1 = (float(value) for value in rest[1].split(",")[:2])
            parsed.append((name, -1, round(y1 * 10), round(x1 * 10), "person", int(rest[0][7:])))
        else:
            group = groups[index] if groups is not None else ""
            person = int(group.rsplit("#person-", 1)[1]) if "#person-" in group else -1
            parsed.append((name, int(rest[0]), int(rest[1]), int(rest[2]), "scan", person))
    columns = list(zip(*parsed)) if parsed else [[]] * 6
    return make_keys(*(np.asarray(column) for column in columns), count=len(parsed))


def load_samples(path: Path, round_index: int) -> Windows:
    """Read a samples file written by :func:`save_samples` (or by an older hogdet)."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            files = set(archive.files)
            features, labels = archive["features"], archive["labels"]
            if "key_image" in files:
                keys = make_keys(*(archive[f"key_{name}"] for name in KEY_FIELDS))
                extra = {name: archive[name] for name in ("weights", "boxes", "scores", "probabilities", "rounds")}
            else:  # written before keys were typed: no boxes or scores were kept
                groups = [str(group) for group in archive["groups"]] if "groups" in files else None
                keys = _legacy_keys([str(key) for key in archive["keys"]], groups)
                extra = {"rounds": np.full(len(labels), round_index, np.int16)}
            ious = archive["ious"] if "ious" in files else (labels == 1).astype(np.float64)
            return Windows.make(features=features, labels=labels, keys=keys, ious=ious, n=len(labels), **extra)
    except (OSError, KeyError, ValueError, TypeError, EOFError, zipfile.BadZipFile):
        raise RunFolderError(f"{path}: missing or corrupt; cannot resume this run (nothing was changed)") from None


# --------------------------------------------------------------------------
# The lock
# --------------------------------------------------------------------------


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def acquire_lock(folder: Path) -> Path:
    """Take the folder's lock file, or raise RunFolderError if another live run holds it.

    A lock from this host whose process is gone, or that cannot be read, is
    stale and taken over. Returns the lock's path.
    """
    path = folder / LOCK_NAME
    me = {"pid": os.getpid(), "host": socket.gethostname()}
    for _ in range(3):
        try:
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                holder = json.loads(path.read_text())
                pid, host = int(holder["pid"]), str(holder["host"])
            except (OSError, ValueError, KeyError, TypeError):
                holder, pid, host = None, -1, me["host"]  # half-written or garbled: stale
            if holder is not None and (host != me["host"] or _process_alive(pid)):
                raise RunFolderError(
                    f"{folder} is being written by another run (process {pid} on {host}, lock {path}); "
                    f"wait for it to finish, or delete {path} if that process is gone"
                ) from None
            path.unlink(missing_ok=True)  # stale: its writer is gone
            continue
        with os.fdopen(descriptor, "w") as stream:
            stream.write(json.dumps(me) + "\n")
        return path
    raise RunFolderError(f"{path}: cannot take the lock (another run keeps taking it)")


# --------------------------------------------------------------------------
# The folder
# --------------------------------------------------------------------------


@dataclass
class Resumed:
    """What a run folder holds of an interrupted run: finished rounds, their windows, the last model."""

    metrics: list[dict]
    added: list[Windows]
    detector: Detector


class RunFolder:
    """A locked run folder that records each finished round (see the module documentation).

    Use :meth:`open`; close it (or use it as a context manager) to release
    the lock. It is a mining callback: :meth:`round_finished` writes a round's
    files.
    """

    def __init__(self, path: Path, lock: Path) -> None:
        self.path, self.lock = path, lock
        self.mined: list[dict] = []
        self.metrics: list[dict] = []

    @classmethod
    def open(cls, path: str | os.PathLike, config: dict, resume: bool = False) -> "RunFolder":
        """Lock ``path`` (created if needed) and check it can hold this run.

        A new run needs an empty or missing folder and writes ``config.json``;
        ``resume=True`` needs the folder's ``config.json`` to match ``config``
        (apart from :data:`RESUMABLE_CHANGES`), or a folder with nothing in it.

        Raises
        ------
        RunFolderError
            The folder is a file, is locked by another run, is not empty
            (without ``resume``), or its settings differ.
        """
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise RunFolderError(f"{path} is a file, not a run folder")
        created = not path.exists()
        path.mkdir(parents=True, exist_ok=True)
        folder = cls(path, acquire_lock(path))
        try:
            folder._check(config, resume)
        except BaseException:
            folder.close()
            if created:
                path.rmdir()
            raise
        return folder

    def _contents(self) -> list[Path]:
        return [entry for entry in self.path.iterdir() if entry.name != LOCK_NAME]

    def _check(self, config: dict, resume: bool) -> None:
        config_path = self.path / "config.json"
        if resume and config_path.is_file():
            try:
                saved = json.loads(config_path.read_text())
            except (OSError, json.JSONDecodeError):
                raise RunFolderError(f"{config_path}: not a readable hogdet run configuration") from None
            changed = sorted(
                key for key in set(saved) | set(config)
                if key not in RESUMABLE_CHANGES and saved.get(key) != config.get(key)
            )
            if changed:
                raise RunFolderError(
                    f"{config_path}: cannot resume, these settings differ from the saved run: {', '.join(changed)}"
                )
            return
        if self._contents():
            if resume:
                raise RunFolderError(f"{self.path}: nothing to resume (no config.json)")
            raise FolderNotEmptyError(f"{self.path} is not empty: choose a new run folder, or resume the run in it")
        write_text_atomic(config_path, json.dumps(config, indent=2, sort_keys=True) + "\n")

    def resumed(self) -> Resumed | None:
        """The finished rounds of an interrupted run (None if there are none).

        Everything is read before anything is written, so a corrupt file
        stops the run with its name and changes nothing.
        """
        rows = _read_csv(self.path / "metrics.csv", ["round"])
        finished = [row for row in rows if (self.path / f"round-{row['round']}.npz").is_file()]
        if not finished:
            return None
        added = [
            load_samples(self.path / f"round-{row['round']}-samples.npz", int(row["round"]))
            for row in finished
            if int(row["round"]) > 0 and int(row["samples_added"]) > 0
        ]
        last = int(finished[-1]["round"])
        try:
            detector = load_model(self.path / f"round-{last}.npz")
        except HogdetError as error:
            raise RunFolderError(f"{error}; cannot resume this run (nothing was changed)") from None
        mined = _read_csv(self.path / "hard_negatives.csv", ["round"])
        self.mined = [row for row in mined if int(row["round"]) <= last]
        self.metrics = list(finished)
        return Resumed(list(finished), added, detector)

    # The callback side: called by the mining loop.

    def round_started(self, round_index: int) -> None:
        pass

    def round_finished(self, record) -> None:
        """Write a finished round: its samples and model first, ``metrics.csv`` last."""
        round_index = int(record.row["round"])
        if len(record.added):
            save_samples(self.path / f"round-{round_index}-samples.npz", record.added)
            self.mined += mined_rows(record.added, round_index)
        record.detector.save(self.path / f"round-{round_index}.npz")
        self.metrics.append(record.row)
        write_text_atomic(self.path / "hard_negatives.csv", _csv_text(MINED_COLUMNS, self.mined))
        write_text_atomic(self.path / "metrics.csv", _csv_text(METRICS_COLUMNS, self.metrics))

    def finish(self, detector: Detector) -> None:
        """Write the final ``model.npz`` and ``mining.png``."""
        from ..plotting import MiningProgressDisplay, save_figure

        detector.save(self.path / "model.npz")
        if any(int(row["round"]) > 0 for row in self.metrics):
            save_figure(MiningProgressDisplay.from_metrics(self.metrics).figure_, self.path / "mining.png")

    def close(self) -> None:
        """Release the lock (only if it is still this process's)."""
        try:
            holder = json.loads(self.lock.read_text())
            if int(holder["pid"]) == os.getpid():
                self.lock.unlink()
        except (OSError, ValueError, KeyError, TypeError):
            pass

    def __enter__(self) -> "RunFolder":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
