"""Fetching the INRIA Person data set: download or take a local tar, verify its sha256, unpack it safely."""

from __future__ import annotations

import hashlib
import shutil
import tarfile
import tempfile
from pathlib import Path

from ..errors import DatasetError
from .layouts import _detect_layout, load_dataset

__all__ = ["fetch_dataset"]


def fetch_dataset(
    dest: Path = Path("data"),
    url: str | None = None,
    sha256: str | None = None,
    archive: Path | None = None,
    progress: bool = True,
) -> Path:
    """Unpack the INRIA Person archive (a local tar, or downloaded) into ``dest/INRIAPerson``.

    Everything happens in a temporary folder inside ``dest``, renamed to
    ``dest/INRIAPerson`` only once the archive is fully unpacked and loads as
    a data set; on any failure (or Ctrl-C) the temporary folder is removed.
    The archive may hold ``INRIAPerson/`` (as INRIA's own tar does) or the
    layout's folders directly. Members with absolute paths or ``..`` and
    links leading outside are refused.

    Parameters
    ----------
    dest : Path
        The folder to put ``INRIAPerson`` in (created if missing).
    url : str, optional
        Where to download the archive from (any URL urllib opens).
    sha256 : str, optional
        The archive's expected sha256 hex digest.
    archive : Path, optional
        A local tar archive (any compression) instead of ``url``.
    progress : bool
        Show a download progress bar.

    Returns
    -------
    Path
        ``dest/INRIAPerson``.

    Raises
    ------
    DatasetError
        When neither or both of ``url`` and ``archive`` are given, the
        destination exists, the download fails, the checksum differs, the
        archive is not a tar file, has unsafe members, or does not hold a
        data set.
    """
    if (url is None) == (archive is None):
        raise DatasetError("give exactly one of archive (a local tar file) and url to fetch the data set from")
    dest = Path(dest)
    final = dest / "INRIAPerson"
    if final.exists():
        raise DatasetError(f"{final} already exists; remove it first or choose another destination")
    if archive is not None and not Path(archive).is_file():
        raise DatasetError(f"{archive}: no such archive file")
    created_dest = not dest.exists()
    dest.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".INRIAPerson-partial-", dir=dest))
    try:
        source = Path(archive) if archive is not None else _download(url, work / "download", progress)
        name = str(archive) if archive is not None else url
        if sha256 is not None:
            _verify_sha256(source, sha256, name)
        unpacked = work / "unpacked"
        _unpack(source, unpacked, name)
        top = unpacked / "INRIAPerson" if (unpacked / "INRIAPerson").is_dir() else unpacked
        if _detect_layout(top) is None:
            raise DatasetError(
                f"{name}: the archive holds no data set (expected INRIAPerson/ with Train/ and Test/ in it)"
            )
        load_dataset(top)
        if final.exists():
            raise DatasetError(f"{final} already exists; remove it first or choose another destination")
        top.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        if created_dest:
            _remove_if_empty(dest)
        raise
    shutil.rmtree(work, ignore_errors=True)
    return final


def _remove_if_empty(folder: Path) -> None:
    """Remove ``folder`` if it is an empty directory."""
    try:
        folder.rmdir()
    except OSError:
        pass


def _download(url: str, target: Path, progress: bool) -> Path:
    """Download ``url`` to ``target`` with a progress bar."""
    import urllib.error
    import urllib.request

    from tqdm import tqdm

    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(target, "wb") as out:
            total = response.headers.get("Content-Length")
            with tqdm(
                total=int(total) if total and total.isdigit() else None,
                unit="B", unit_scale=True, unit_divisor=1024,
                desc=f"downloading {Path(url).name or url}", disable=not progress,
            ) as bar:
                while chunk := response.read(1 << 20):
                    out.write(chunk)
                    bar.update(len(chunk))
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        raise DatasetError(f"{url}: cannot download ({reason})") from None
    return target


def _verify_sha256(path: Path, expected: str, name: str) -> None:
    """DatasetError unless the file's sha256 is ``expected``."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    actual = digest.hexdigest()
    if actual != expected.strip().lower():
        raise DatasetError(f"{name}: sha256 is {actual}, expected {expected.strip().lower()}")


def _unpack(archive: Path, target: Path, name: str) -> None:
    """Unpack a tar archive into ``target``, refusing absolute or ``..`` member names."""
    try:
        with tarfile.open(archive) as tar:
            members = tar.getmembers()
            for member in members:
                if member.name.startswith(("/", "\\")) or ".." in Path(member.name).parts:
                    raise DatasetError(f"{name}: refusing unsafe archive member {member.name!r}")
            target.mkdir()
            tar.extractall(target, members=members, filter="data")
    except tarfile.FilterError as error:
        raise DatasetError(f"{name}: refusing unsafe archive member ({error})") from None
    except (tarfile.TarError, EOFError) as error:
        raise DatasetError(f"{name}: not a readable tar archive ({error})") from None
