"""Parallel maps over batches of files, with a progress bar.

A thin layer over :class:`joblib.Parallel`: items are cut into batches, each
batch is one task, and results come back in input order whatever the number
of workers, so results do not depend on ``n_jobs``. Inside each task the
numeric libraries are limited to one thread, so that ``n_jobs`` workers use
``n_jobs`` cores and not ``n_jobs`` times as many threads.

A caller's own :func:`joblib.parallel_config` is respected, as in
scikit-learn: ``n_jobs=None`` means the active configuration's worker
count (1 outside any configuration), and its backend is used unless
``backend`` is given.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any, Callable, Iterator, Sequence

import joblib
from threadpoolctl import threadpool_limits


def _run_single_threaded(function: Callable, batch: Sequence, *args: Any) -> list:
    with threadpool_limits(limits=1):
        return function(batch, *args)


def effective_jobs(n_jobs: int | None) -> int:
    """Number of workers ``n_jobs`` means under the active joblib configuration.

    joblib's convention: -1 = all cores, None = the active
    :func:`joblib.parallel_config`'s ``n_jobs``, else 1.
    """
    if n_jobs == 0:
        raise ValueError("n_jobs must not be 0")
    return joblib.effective_n_jobs(n_jobs)


def parallel_map(
    function: Callable[..., list],
    items: Sequence,
    *args: Any,
    n_jobs: int | None = None,
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
    n_jobs : int or None
        joblib workers; 1 runs in this process, -1 uses every core, None
        what the caller's :func:`joblib.parallel_config` says (else 1).
    backend : str, optional
        joblib backend (``"loky"``, ``"threading"``, ``"dask"``); by default
        the caller's :func:`joblib.parallel_config` backend, else loky.
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
    n_jobs: int | None = None,
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
    # Only an explicit backend is configured here; otherwise joblib's active
    # configuration (the caller's, or joblib's loky default) applies.
    # parallel_config (unlike Parallel's own argument) registers the
    # external "dask" backend on first use.
    configured = joblib.parallel_config(backend=backend) if backend else contextlib.nullcontext()
    with configured, tqdm(total=len(items), desc=description, disable=not progress, unit="img", leave=False) as bar:
        workers = max(n_jobs or 1, 1) if backend == "dask" else effective_jobs(n_jobs)
        if batch_size is None:
            batch_size = max(1, min(16, math.ceil(len(items) / (4 * workers))))
        batches = [items[start : start + batch_size] for start in range(0, len(items), batch_size)]
        if workers == 1 and backend is None:
            for batch in batches:
                batch_results = _run_single_threaded(function, batch, *args)
                bar.update(len(batch))
                yield from batch_results
            return
        parallel = joblib.Parallel(n_jobs=n_jobs, return_as="generator")
        tasks = (joblib.delayed(_run_single_threaded)(function, batch, *args) for batch in batches)
        for batch, batch_results in zip(batches, parallel(tasks)):
            bar.update(len(batch))
            yield from batch_results
