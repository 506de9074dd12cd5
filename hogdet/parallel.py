"""Parallel maps over batches of files, with a progress bar.

A thin layer over :class:`joblib.Parallel`: items are cut into batches, each
batch is one task, and results come back in input order whatever the number
of workers, so results do not depend on ``n_jobs``. Inside each task the
numeric libraries are limited to one thread, so that ``n_jobs`` workers use
``n_jobs`` cores and not ``n_jobs`` times as many threads.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterator, Sequence

import joblib
from threadpoolctl import threadpool_limits


def _run_single_threaded(function: Callable, batch: Sequence, *args: Any) -> list:
    with threadpool_limits(limits=1):
        return function(batch, *args)


def effective_jobs(n_jobs: int) -> int:
    """Number of workers ``n_jobs`` means (joblib's convention: -1 = all cores)."""
    if n_jobs == 0:
        raise ValueError("n_jobs must not be 0")
    return joblib.cpu_count() + 1 + n_jobs if n_jobs < 0 else n_jobs


def parallel_map(
    function: Callable[..., list],
    items: Sequence,
    *args: Any,
    n_jobs: int = 1,
    backend: str | None = None,
    batch_size: int | None = None,
    progress: bool = False,
    description: str = "",
) -> list:
    """Apply ``function(batch, *args)`` to batches of ``items`` in parallel.

    Parameters
    ----------
    function : callable
        Takes a list of items (and ``args``) and returns a list with one
        result per item. Must be importable (a module-level function) for
        process-based workers.
    items : sequence
    *args
        Passed to every call; they travel with each task.
    n_jobs : int
        joblib workers; 1 runs in this process, -1 uses every core.
    backend : str, optional
        joblib backend (``"loky"``, ``"threading"``, ``"dask"``); default loky.
    batch_size : int, optional
        Items per task; by default about four tasks per worker, at most 16
        items each, so that the progress bar moves and work balances.
    progress : bool
        Show a tqdm progress bar counting items.
    description : str
        Label of the progress bar.

    Returns
    -------
    list
        One result per item, in the order of ``items``.
    """
    return list(
        parallel_imap(
            function, items, *args, n_jobs=n_jobs, backend=backend, batch_size=batch_size, progress=progress,
            description=description,
        )
    )


def parallel_imap(
    function: Callable[..., list],
    items: Sequence,
    *args: Any,
    n_jobs: int = 1,
    backend: str | None = None,
    batch_size: int | None = None,
    progress: bool = False,
    description: str = "",
) -> Iterator:
    """:func:`parallel_map` as a generator: each result as soon as its batch is done.

    Results come in the order of ``items`` (a batch finished early waits for
    the ones before it), so a caller can print them as they arrive.
    """
    from tqdm import tqdm

    items = list(items)
    workers = effective_jobs(n_jobs) if backend != "dask" else max(n_jobs, 1)
    if batch_size is None:
        batch_size = max(1, min(16, math.ceil(len(items) / (4 * workers))))
    batches = [items[start : start + batch_size] for start in range(0, len(items), batch_size)]
    with tqdm(total=len(items), desc=description, disable=not progress, unit="img", leave=False) as bar:
        if workers == 1 and backend is None:
            for batch in batches:
                batch_results = _run_single_threaded(function, batch, *args)
                bar.update(len(batch))
                yield from batch_results
            return
        # parallel_config (unlike Parallel's own argument) registers the
        # external "dask" backend on first use.
        with joblib.parallel_config(backend=backend or "loky", n_jobs=n_jobs):
            parallel = joblib.Parallel(return_as="generator")
            tasks = (joblib.delayed(_run_single_threaded)(function, batch, *args) for batch in batches)
            for batch, batch_results in zip(batches, parallel(tasks)):
                bar.update(len(batch))
                yield from batch_results
